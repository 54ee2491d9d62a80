/**
 * `kubekeeper snapshot status <file>`: hash, revision, total keys and size of a snapshot,
 * read by kubekeeper's own bbolt reader (no etcd binary, works offline), equal in every output
 * format to the status command of the etcd version that wrote the snapshot.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { snapshotStatus } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { renderSnapshotStatus, STATUS_FORMATS, type StatusFormat } from '../output/snapshot-status.js';

export default defineCommand({
  name: 'snapshot status',
  summary: 'Show the hash, revision, key count and size of a snapshot file',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'write-out': writeOutFlag(STATUS_FORMATS, 'simple'),
  },
  details: [
    'Works on files saved by "etcdctl snapshot save" or "kubekeeper snapshot save" (with a',
    'sha256 trailer) and on a member/snap/db copied from a stopped member (without one).',
    'The output matches the status command of the etcd version that wrote the snapshot byte',
    'for byte: etcdctl 3.4 / etcdutl 3.5 (total keys = every bucket entry), or etcdutl 3.6+',
    'for snapshots with a storageVersion (a VERSION column, total keys = live user keys).',
    '"hash" is a CRC-32C of every bucket name, key and value; it is not the trailer sha256',
    '(see "snapshot verify").',
  ].join('\n'),
  async run({ args, flags, io }) {
    const file = await openSnapshotFile(args[0] as string);
    try {
      // The flag parser has already checked the value against STATUS_FORMATS.
      io.stdout.write(renderSnapshotStatus(snapshotStatus(file.ra), flags['write-out'] as StatusFormat));
    } finally {
      await file.close();
    }
  },
});
