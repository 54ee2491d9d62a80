/**
 * `kubekeeper snapshot verify <file>`: checks a snapshot offline — sha256 trailer, bbolt
 * structure, etcd data — and exits 0 only when everything passes (3 when a check fails).
 */
import { openSnapshotFile } from '../../backup/index.js';
import { verifySnapshot } from '../../snapshot/index.js';
import { ExitCode } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { renderVerifyReport, VERIFY_FORMATS, type VerifyFormat } from '../output/snapshot-verify.js';

export default defineCommand({
  name: 'snapshot verify',
  summary: 'Check a snapshot file: sha256 trailer, bbolt structure and etcd data',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'write-out': writeOutFlag(VERIFY_FORMATS, 'text'),
    'require-trailer': {
      type: 'boolean',
      default: false,
      description: 'Fail when the file has no sha256 trailer (a member/snap/db has none; saved snapshots do)',
    },
  },
  details: [
    'Checks, in order: trailer, meta, size, structure, freelist, buckets, revisions,',
    'consistent-index, leases. A failed check names the page id and byte offset of the',
    'first problem. Exit status: 0 all passed, 3 a check failed, 1 the file cannot be read.',
  ].join('\n'),
  async run({ args, flags, io }) {
    const path = args[0] as string;
    const file = await openSnapshotFile(path);
    try {
      const report = verifySnapshot(file.ra, { requireTrailer: flags['require-trailer'] });
      io.stdout.write(renderVerifyReport(path, report, flags['write-out'] as VerifyFormat));
      return report.ok ? ExitCode.ok : ExitCode.checkFailed;
    } finally {
      await file.close();
    }
  },
});
