/**
 * `kubekeeper snapshot diff <before> [<after>]`: Kubernetes objects added, removed and
 * changed between two snapshots, or, with one snapshot, between it and a live etcd
 * (--endpoints, as etcdctl). Objects are compared by value digest.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { connectEtcd } from '../../etcd/index.js';
import { collectStates, diffStates, liveEtcdKeys, objectMatcher, REGISTRY_PREFIX, snapshotStates, type LiveKey, type ObjectState } from '../../inspect/index.js';
import { openBolt } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { renderChanges, toJson } from '../output/inspect.js';
import { namingSnapshot } from '../snapshot-open.js';

async function fileStates(path: string, matcher: (key: Uint8Array) => boolean): Promise<Map<string, ObjectState>> {
  const file = await openSnapshotFile(path);
  try {
    return namingSnapshot(path, () => snapshotStates(openBolt(file.ra), matcher));
  } finally {
    await file.close();
  }
}

async function* filtered(keys: AsyncIterable<LiveKey>, matcher: (key: Uint8Array) => boolean): AsyncGenerator<LiveKey> {
  for await (const k of keys) if (matcher(k.key)) yield k;
}

export default defineCommand({
  name: 'snapshot diff',
  summary: 'Show Kubernetes objects added, removed and changed between two snapshots, or a snapshot and a live etcd',
  args: '<before> [<after>]',
  minArgs: 1,
  maxArgs: 2,
  flags: {
    resource: { type: 'string', valueName: 'RESOURCE', description: 'Only this resource' },
    namespace: { type: 'string', short: 'n', valueName: 'NS', description: 'Only this namespace' },
    'write-out': writeOutFlag(['simple', 'json'], 'simple'),
    ...etcdFlags,
  },
  details: [
    'With two files, compares them offline. With one file, compares it with the live etcd',
    'given by --endpoints (and the usual TLS flags): "+" objects exist only live, "-" only in',
    'the snapshot. Objects are compared by value, so restoring with a revision bump does not',
    'mark every object as changed. "~" = changed.',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const matcher = objectMatcher({ resource: flags.resource, namespace: flags.namespace });
    const before = await fileStates(args[0] as string, matcher);
    let after: Map<string, ObjectState>;
    if (args.length === 2) {
      after = await fileStates(args[1] as string, matcher);
    } else {
      const client = await connectEtcd(etcdOptionsFromFlags(flags), signal);
      try {
        after = await collectStates(filtered(liveEtcdKeys(client, REGISTRY_PREFIX, signal), matcher));
      } finally {
        client.close();
      }
    }
    const changes = diffStates(before, after);
    io.stdout.write(flags['write-out'] === 'json' ? toJson(changes) : renderChanges(changes));
  },
});
