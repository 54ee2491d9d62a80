/**
 * `kubekeeper backup prune`: applies retention (keep the last N, keep D days, keep
 * hourly/daily/weekly/monthly), printing the reason for every backup. --dry-run prints the
 * plan and removes nothing. The newest good backup is never removed.
 */
import { pruneBackups } from '../../backup/index.js';
import { UsageError } from '../../errors.js';
import { type RetentionPolicy, isEmptyPolicy } from '../../schedule/index.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { PRUNE_FORMATS, type PruneFormat, renderPrune } from '../output/backup-prune.js';

const count = (description: string) => ({ type: 'number', min: 0, integer: true, valueName: 'N', description }) as const;

export default defineCommand({
  name: 'backup prune',
  summary: 'Remove backups that no retention rule keeps (--dry-run shows the plan)',
  flags: {
    ...repoFlags,
    'keep-last': count('Keep the N newest backups (RKE "retention: 6")'),
    'keep-within': { type: 'duration', valueName: 'DURATION', description: 'Keep backups younger than this (e.g. 30d)' },
    'keep-hourly': count('Keep the newest backup of each of the last N hours that have one'),
    'keep-daily': count('... of the last N days'),
    'keep-weekly': count('... of the last N ISO weeks'),
    'keep-monthly': count('... of the last N months'),
    'keep-yearly': count('... of the last N years'),
    'delta-orphan-grace': { type: 'duration', valueName: 'DURATION', description: 'Remove delta data no manifest names once older than this (default 1h)' },
    'dry-run': { type: 'boolean', description: 'Print the plan; remove nothing' },
    'write-out': writeOutFlag(PRUNE_FORMATS, 'text'),
  },
  details: [
    'Rules add up: a backup is kept when any rule keeps it. Periods are UTC. Damaged backups are',
    'reported and left alone (remove them with "backup delete"); data objects without a manifest',
    'older than 24h (interrupted saves) are removed, and delta data without a manifest older than',
    '--delta-orphan-grace (a streamer stopped mid-segment). Example: --keep-last 6 --keep-within 30d',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const policy: RetentionPolicy = {
      keepLast: flags['keep-last'], keepWithinMs: flags['keep-within'], keepHourly: flags['keep-hourly'], keepDaily: flags['keep-daily'],
      keepWeekly: flags['keep-weekly'], keepMonthly: flags['keep-monthly'], keepYearly: flags['keep-yearly'],
    };
    for (const [key, value] of Object.entries(policy)) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new UsageError(`Invalid retention value for ${key}: ${value}`, 'Use a non-negative whole number');
    }
    if (isEmptyPolicy(policy)) throw new UsageError('"backup prune" needs at least one --keep-* rule', 'For example: --keep-last 6 --keep-within 30d');
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    try {
      const result = await pruneBackups(repo, { policy, dryRun: flags['dry-run'], deltaOrphanGraceMs: flags['delta-orphan-grace'], signal });
      io.stdout.write(renderPrune(result, flags['write-out'] as PruneFormat));
    } finally {
      await repo.backend.close();
    }
  },
});
