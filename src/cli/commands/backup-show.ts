/** `kubekeeper backup show <name|latest>`: one backup's manifest and whether its objects are stored. */
import { ExitCode } from '../../errors.js';
import { showBackup } from '../../backup/index.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { SHOW_FORMATS, type ShowFormat, renderBackupShow } from '../output/backup-list.js';

export default defineCommand({
  name: 'backup show',
  summary: 'Show a backup: cluster, revision, hashes, keys, objects and bundle files',
  args: '<name|latest>',
  minArgs: 1,
  maxArgs: 1,
  flags: { ...repoFlags, 'write-out': writeOutFlag(SHOW_FORMATS, 'text') },
  details: 'Exit status: 0 the backup is complete, 3 an object is missing or has the wrong size.',
  async run({ args, flags, io, signal }) {
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    try {
      const entry = await showBackup(repo, args[0] as string, signal);
      io.stdout.write(renderBackupShow(entry, flags['write-out'] as ShowFormat));
      return entry.status === 'ok' ? ExitCode.ok : ExitCode.checkFailed;
    } finally {
      await repo.backend.close();
    }
  },
});
