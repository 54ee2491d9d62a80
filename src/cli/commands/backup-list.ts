/**
 * `kubekeeper backup list`: the backups in a repository, from their manifests. A backup is
 * "ok" when its manifest is valid and every object it names is stored with the recorded
 * size; data without a manifest (an interrupted save) is not a backup and is only counted.
 */
import { deltaCoverage } from '../../backup/index.js';
import { renderDeltaCoverage } from '../output/delta-coverage.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { LIST_FORMATS, type ListFormat, renderBackupList } from '../output/backup-list.js';

export default defineCommand({
  name: 'backup list',
  summary: 'List the backups in a repository (from their manifests)',
  flags: { ...repoFlags, 'write-out': writeOutFlag(LIST_FORMATS, 'table') },
  details: 'Reads no data objects and needs no key. Example: kubekeeper backup list --repo s3://etcd-backups/prod -w json',
  async run({ flags, io, signal }) {
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    try {
      const listing = await repo.listBackups(signal);
      const coverage = await deltaCoverage(repo, listing.backups, signal);
      const text = renderBackupList(repo.location, listing, flags['write-out'] as ListFormat);
      if (!coverage) io.stdout.write(text);
      else if (flags['write-out'] === 'json') io.stdout.write(`${JSON.stringify({ ...(JSON.parse(text) as object), pointInTime: coverage })}\n`);
      else io.stdout.write(text + renderDeltaCoverage(coverage));
    } finally {
      await repo.backend.close();
    }
  },
});
