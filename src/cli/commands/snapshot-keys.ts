/**
 * `kubekeeper snapshot keys <file> [--prefix P]`: the live keys of a snapshot, like
 * `etcdctl get --prefix --keys-only` at the snapshot's revision, for any etcd user.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { forEachLiveKey } from '../../inspect/index.js';
import { openBolt } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { toJson } from '../output/inspect.js';
import { namingSnapshot } from '../snapshot-open.js';

export default defineCommand({
  name: 'snapshot keys',
  summary: 'List the live keys in a snapshot (offline)',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    prefix: { type: 'string', default: '', valueName: 'PREFIX', description: 'Only keys starting with this prefix' },
    'write-out': writeOutFlag(['simple', 'json'], 'simple'),
  },
  async run({ args, flags, io }) {
    const file = await openSnapshotFile(args[0] as string);
    try {
      const prefix = Buffer.from(flags.prefix);
      const accept = (k: Uint8Array) => k.length >= prefix.length && prefix.every((b, i) => k[i] === b);
      const rows: Array<{ key: string; modRevision: bigint; createRevision: bigint; version: bigint; lease: bigint; valueBytes: number }> = [];
      forEachLiveKey(namingSnapshot(args[0] as string, () => openBolt(file.ra)), accept, (k) => {
        rows.push({ key: Buffer.from(k.key).toString('utf8'), modRevision: k.modRevision, createRevision: k.createRevision, version: k.version, lease: k.lease, valueBytes: k.value.length });
      });
      rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      io.stdout.write(flags['write-out'] === 'json' ? toJson(rows) : rows.map((r) => `${r.key}\n`).join(''));
    } finally {
      await file.close();
    }
  },
});
