/** `kubekeeper node replace <old> --new <new>`: the resumable node-replacement runbook. */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { replaceNode, systemClock } from '../../k8s/index.js';
import { defineCommand } from '../command.js';
import { drainFlags, drainOptionsFromFlags, kubeClientFromFlags, kubeFlags } from '../kube-flags.js';
import { runbookEventLine } from '../output/upgrade.js';

export default defineCommand({
  name: 'node replace',
  summary: 'Move a node\'s role to a new node: cordon, drain, wait for the new one, carry labels/taints, delete the old Node',
  args: '<old-node>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...kubeFlags,
    new: { type: 'string', valueName: 'NODE', description: 'Name of the replacement node (required)' },
    'apply-labels': { type: 'boolean', description: 'Copy the old node\'s role labels and taints to the new node instead of waiting for them' },
    'ready-timeout': { type: 'duration', default: 30 * 60_000, description: 'How long to wait for the new node to register Ready' },
    'state-dir': { type: 'string', valueName: 'DIR', description: 'Where progress is recorded (default: ~/.kubekeeper/state)' },
    ...drainFlags,
  },
  details: [
    'Steps: cordon the old node, drain it (kubectl semantics, PodDisruptionBudgets honoured),',
    'wait until the new node is Ready and carries the old node\'s role labels and taints (or apply',
    'them with --apply-labels), uncordon the new node, delete the old Node object. Progress is',
    'written to a state file after every step: rerun the same command to resume.',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const oldNode = args[0] as string;
    if (!flags.new) throw new UsageError('--new is required: the name of the replacement node');
    const drain = drainOptionsFromFlags(flags);
    const client = await kubeClientFromFlags(flags, io);
    const stateDir = flags['state-dir'] ?? path.join(io.env.HOME ?? os.homedir(), '.kubekeeper', 'state');
    await replaceNode(client, {
      oldNode,
      newNode: flags.new,
      applyLabels: flags['apply-labels'],
      drain,
      readyTimeoutMs: flags['ready-timeout'],
      stateFile: path.join(stateDir, `replace-${oldNode}.json`),
      clock: systemClock,
      signal,
      onEvent: (e) => {
        const line = runbookEventLine(e);
        if (line) io[line.stream].write(`${line.text}\n`);
      },
    });
    return 0;
  },
});
