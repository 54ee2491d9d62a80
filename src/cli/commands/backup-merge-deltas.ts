/**
 * `kubekeeper backup merge-deltas`: merges each finished UTC day's delta segments into one
 * (a day of 10-second segments is 8,640 objects), checking every hash on the way. Needs the
 * identity to read the segments and the recipients to write the merged one.
 */
import { defaultCompression, COMPRESSIONS, type Compression } from '../../crypto/index.js';
import { loadBackupIdentities, loadBackupRecipients, mergeDeltaSegments } from '../../backup/index.js';
import { UsageError } from '../../errors.js';
import { identityFlags, identitySources, openRepositoryFromFlags, recipientFlags, recipientSources, repoFlags } from '../backup-flags.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { cliWarnings } from '../output/warnings.js';

export default defineCommand({
  name: 'backup merge-deltas',
  summary: 'Merge each finished UTC day of delta segments into one segment',
  flags: {
    ...repoFlags,
    ...identityFlags,
    ...recipientFlags,
    compression: { type: 'string', choices: COMPRESSIONS, valueName: 'ALGO', description: 'Codec of the merged segments (default zstd where Node has it, else gzip)' },
    'until-day': { type: 'string', valueName: 'YYYY-MM-DD', description: 'Merge the days before this UTC day (default today)' },
    'dry-run': { type: 'boolean', description: 'Show what would be merged' },
    'write-out': writeOutFlag(['text', 'json'] as const, 'text'),
  },
  details: 'Example: kubekeeper backup merge-deltas --repo s3://etcd-backups/prod -i key.txt -r age1...',
  async run({ flags, io, signal }) {
    const day = flags['until-day'];
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError(`Invalid --until-day "${day}"`, 'Pass --until-day 2026-12-01');
    const identities = await loadBackupIdentities(identitySources(flags, io.env, io.promptSecret === undefined));
    const recipients = await loadBackupRecipients(recipientSources(flags, io.env));
    if (recipients.length === 0 && !flags['insecure-no-encryption']) throw new UsageError('Merged segments must be encrypted', 'Pass --recipient age1... (or --insecure-no-encryption)');
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    try {
      const result = await mergeDeltaSegments(repo, {
        identities, recipients, compression: (flags.compression as Compression | undefined) ?? defaultCompression(),
        now: day ? new Date(`${day}T00:00:00Z`) : undefined, dryRun: flags['dry-run'], signal,
      });
      if (flags['write-out'] === 'json') io.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        for (const m of result.merged) io.stdout.write(`${flags['dry-run'] ? 'would merge' : 'merged'} ${m.parts.length} segments into ${m.name}\n`);
        io.stdout.write(`${result.merged.length} merged segment(s), ${result.removedParts} part(s) removed\n`);
      }
    } finally {
      await repo.backend.close();
    }
  },
});
