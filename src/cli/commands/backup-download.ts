/**
 * `kubekeeper backup download <name|latest> -o FILE`: decrypts and decompresses a backup
 * into a snapshot file that `snapshot status`, `verify` and `restore` accept; every hash is
 * checked before the file appears under its name.
 */
import { downloadBackup, loadBackupIdentities } from '../../backup/index.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { identityFlags, identitySources, openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { RESULT_FORMATS, type ResultFormat, renderDownload } from '../output/backup-save.js';
import { createProgressBar } from '../output/progress.js';
import { UsageError } from '../../errors.js';

export default defineCommand({
  name: 'backup download',
  summary: 'Write a backup\'s snapshot (and DR bundle) to local files',
  args: '<name|latest>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...repoFlags,
    ...identityFlags,
    output: { type: 'string', short: 'o', valueName: 'FILE', description: 'Snapshot file to write (required)' },
    'bundle-output': { type: 'string', valueName: 'FILE', description: 'Also write the DR bundle (tar) here' },
    force: { type: 'boolean', description: 'Replace existing output files' },
    'write-out': writeOutFlag(RESULT_FORMATS, 'text'),
  },
  details: 'Example: kubekeeper backup download latest -o /tmp/etcd.db -i /root/backup.key --repo s3://etcd-backups/prod',
  async run({ args, flags, io, signal }) {
    if (!flags.output) throw new UsageError('"backup download" needs --output FILE', 'Add -o /path/to/snapshot.db');
    const identities = await loadBackupIdentities(identitySources(flags, io.env, io.promptSecret === undefined));
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    const progress = createProgressBar(io.stderr, io.stderrIsTTY, 'Downloading');
    try {
      const result = await downloadBackup(repo, args[0] as string, {
        identities, output: flags.output, bundleOutput: flags['bundle-output'], overwrite: flags.force, signal,
        onProgress: (p) => progress.update(p.doneBytes, p.totalBytes),
        onLeftover: (l) => io.stderr.write(`kubekeeper: ${l.action === 'removed' ? 'removed' : 'found'} "${l.path}": ${l.reason}\n`),
      });
      progress.done();
      io.stdout.write(renderDownload(result, flags['write-out'] as ResultFormat));
    } finally {
      progress.done();
      await repo.backend.close();
    }
  },
});
