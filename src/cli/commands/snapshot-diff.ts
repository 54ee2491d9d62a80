/**
 * `kubekeeper snapshot diff <a> <b>`: Kubernetes objects added, removed and changed between
 * two snapshots, compared offline by value digest.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { collectStates, diffStates, liveKeys, objectMatcher, type ObjectState } from '../../inspect/index.js';
import { openBolt } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { renderChanges, toJson } from '../output/inspect.js';

async function snapshotStates(path: string, matcher: (key: Uint8Array) => boolean): Promise<Map<string, ObjectState>> {
  const file = await openSnapshotFile(path);
  try {
    return await collectStates(liveKeys(openBolt(file.ra), matcher));
  } finally {
    await file.close();
  }
}

export default defineCommand({
  name: 'snapshot diff',
  summary: 'Show Kubernetes objects added, removed and changed between two snapshots',
  args: '<before> <after>',
  minArgs: 2,
  maxArgs: 2,
  flags: {
    resource: { type: 'string', valueName: 'RESOURCE', description: 'Only this resource' },
    namespace: { type: 'string', short: 'n', valueName: 'NS', description: 'Only this namespace' },
    'write-out': writeOutFlag(['simple', 'json'], 'simple'),
  },
  details: 'Objects are compared by value, so restoring with a revision bump does not mark every\nobject as changed. "+" = only in <after>, "-" = only in <before>, "~" = changed.',
  async run({ args, flags, io }) {
    const matcher = objectMatcher({ resource: flags.resource, namespace: flags.namespace });
    const before = await snapshotStates(args[0] as string, matcher);
    const after = await snapshotStates(args[1] as string, matcher);
    const changes = diffStates(before, after);
    io.stdout.write(flags['write-out'] === 'json' ? toJson(changes) : renderChanges(changes));
  },
});
