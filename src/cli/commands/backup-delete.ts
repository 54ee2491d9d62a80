/** `kubekeeper backup delete <name>`: removes one backup (manifest first, then its data). */
import { deleteBackup } from '../../backup/index.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { RESULT_FORMATS, type ResultFormat, renderDelete } from '../output/backup-save.js';

export default defineCommand({
  name: 'backup delete',
  summary: 'Delete one backup from a repository',
  args: '<name>',
  minArgs: 1,
  maxArgs: 1,
  flags: { ...repoFlags, 'write-out': writeOutFlag(RESULT_FORMATS, 'text') },
  details: 'Only the objects named after this backup are removed. "latest" is not accepted here: name the backup.',
  async run({ args, flags, io, signal }) {
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    try {
      const result = await deleteBackup(repo, args[0] as string, { signal });
      io.stdout.write(renderDelete(result, flags['write-out'] as ResultFormat));
    } finally {
      await repo.backend.close();
    }
  },
});
