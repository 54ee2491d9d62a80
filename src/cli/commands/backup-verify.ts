/**
 * `kubekeeper backup verify <name|latest>`: re-reads the stored objects and checks every
 * hash; with a key also decrypts, decompresses and runs the snapshot checks. Exit 3 when a
 * check fails.
 */
import { loadBackupIdentities, verifyBackup } from '../../backup/index.js';
import { ExitCode } from '../../errors.js';
import { recordFlags, storeVerifyRecord } from '../run-record-flags.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { identityFlags, identitySources, openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { BACKUP_VERIFY_FORMATS, type BackupVerifyFormat, renderBackupVerify } from '../output/backup-verify.js';
import { createProgressBar } from '../output/progress.js';

export default defineCommand({
  name: 'backup verify',
  summary: 'Check a stored backup: object hashes, decryption, snapshot structure',
  args: '<name|latest>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...repoFlags,
    ...identityFlags,
    'work-dir': { type: 'string', valueName: 'DIR', description: 'Where the decrypted snapshot is spooled for its checks (default the temp dir)' },
    ...recordFlags,
    'write-out': writeOutFlag(BACKUP_VERIFY_FORMATS, 'text'),
  },
  details: [
    'Without --identity or a passphrase only the stored bytes are checked (size and sha256).',
    'Exit status: 0 all passed, 3 a check failed, 1 the backup cannot be read (wrong key, missing).',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const identities = await loadBackupIdentities(identitySources(flags, io.env, io.promptSecret === undefined));
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    const progress = createProgressBar(io.stderr, io.stderrIsTTY, 'Verifying');
    const started = new Date();
    try {
      const result = await verifyBackup(repo, args[0] as string, {
        identities, workDir: flags['work-dir'], signal, onProgress: (p) => progress.update(p.doneBytes, p.totalBytes),
      });
      progress.done();
      await storeVerifyRecord(flags, io, repo.backend, result, started);
      io.stdout.write(renderBackupVerify(result, flags['write-out'] as BackupVerifyFormat));
      return result.ok ? ExitCode.ok : ExitCode.checkFailed;
    } finally {
      progress.done();
      await repo.backend.close();
    }
  },
});
