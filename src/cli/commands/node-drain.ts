/** `kubekeeper node drain`: cordon, then evict a node's pods as `kubectl drain` does. */
import { AppError } from '../../errors.js';
import { drainNodes, systemClock } from '../../k8s/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { drainFlags, drainOptionsFromFlags, kubeClientFromFlags, kubeFlags, nodeSelectorFlag, resolveNodes } from '../kube-flags.js';
import { drainEventLine, drainFailureLines, drainJson, renderDrainPlan } from '../output/drain.js';

export default defineCommand({
  name: 'node drain',
  summary: 'Cordon a node and evict its pods through the Eviction API (PodDisruptionBudgets honoured)',
  args: '<node>',
  minArgs: 0,
  maxArgs: 1,
  flags: {
    ...kubeFlags,
    ...nodeSelectorFlag,
    ...drainFlags,
    'dry-run': { type: 'boolean', description: 'Print the plan (what is evicted, skipped, refused, and why); change nothing' },
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'Semantics of kubectl drain: DaemonSet pods need --ignore-daemonsets, emptyDir pods',
    '--delete-emptydir-data, pods without a controller --force; mirror (static) pods are skipped.',
    'Evictions refused by a PodDisruptionBudget (HTTP 429) are retried every 5 s until --timeout;',
    'the budget is then named with the pods it holds. Nothing is ever deleted behind a budget',
    'unless you pass --disable-eviction. Exit code 1 when a node was not drained.',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const options = drainOptionsFromFlags(flags);
    const client = await kubeClientFromFlags(flags, io);
    const nodes = await resolveNodes(client, args, flags.selector, 'node drain');
    const json = flags['write-out'] === 'json';
    const result = await drainNodes(client, nodes, options, {
      clock: systemClock,
      signal,
      dryRun: flags['dry-run'],
      onEvent: (event) => {
        const line = json ? undefined : drainEventLine(event);
        if (line) io[line.stream].write(`${line.text}\n`);
      },
    });
    if (json) io.stdout.write(`${JSON.stringify(drainJson(result), null, 2)}\n`);
    else {
      if (flags['dry-run']) for (const r of result.results) io.stdout.write(renderDrainPlan(r.plan));
      for (const r of result.results) for (const line of drainFailureLines(r)) io.stderr.write(`${line}\n`);
      for (const e of result.errors) io.stderr.write(`error: unable to drain node "${e.node}": ${e.message}\n`);
    }
    if (result.pendingNodes.length === 0) return 0;
    if (!json) io.stderr.write(`There are pending nodes to be drained:\n${result.pendingNodes.map((n) => ` ${n}\n`).join('')}`);
    const blocked = result.results.flatMap((r) => r.blockedBy.map((b) => `PodDisruptionBudget "${b.budget}" blocks ${b.pods.join(', ')}`));
    throw new AppError('drain-failed', `Cannot drain ${result.pendingNodes.map((n) => `"${n}"`).join(', ')}${blocked.length > 0 ? `: ${blocked.join('; ')}` : ''}`, {
      hint: blocked.length > 0
        ? 'Wait until the budget allows a disruption (scale up or fix unhealthy pods), or raise --timeout; --disable-eviction bypasses budgets and is unsafe'
        : 'Read the errors above; --dry-run shows what each pod needs',
    });
  },
});
