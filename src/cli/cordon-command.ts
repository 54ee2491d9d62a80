/**
 * `node cordon` and `node uncordon`: the same command with the opposite value of
 * spec.unschedulable, as kubectl's pair.
 */
import { AppError } from '../errors.js';
import { formatCordonResult, KubeApiError, setNodeCordon } from '../k8s/index.js';
import { defineCommand } from './command.js';
import { kubeClientFromFlags, kubeFlags, nodeSelectorFlag, resolveNodes } from './kube-flags.js';

export function cordonCommand(verb: 'cordon' | 'uncordon', summary: string) {
  const unschedulable = verb === 'cordon';
  return defineCommand({
    name: `node ${verb}`,
    summary,
    args: '<node>',
    minArgs: 0,
    maxArgs: 1,
    flags: {
      ...kubeFlags,
      ...nodeSelectorFlag,
      'dry-run': { type: 'boolean', description: 'Show what would change; send nothing' },
    },
    details: 'Sends one strategic-merge PATCH per node, none when the node is already in that state.',
    async run({ args, flags, io }) {
      const client = await kubeClientFromFlags(flags, io);
      const failed: string[] = [];
      for (const node of await resolveNodes(client, args, flags.selector, `node ${verb}`)) {
        try {
          io.stdout.write(`${formatCordonResult(await setNodeCordon(client, node, unschedulable, { dryRun: flags['dry-run'] }))}\n`);
        } catch (err) {
          // Like kubectl: report and carry on with the next node.
          io.stderr.write(`error: unable to ${verb} node "${node}": ${err instanceof KubeApiError ? err.serverMessage : (err as Error).message}\n`);
          failed.push(node);
        }
      }
      if (failed.length > 0) {
        throw new AppError(`${verb}-failed`, `Cannot ${verb} ${failed.map((n) => `"${n}"`).join(', ')}`, { hint: 'Check the node name and that your user may patch nodes' });
      }
      return 0;
    },
  });
}
