/**
 * `backup prune` output: the plan with a reason for every backup (the same text for
 * --dry-run and a real run, with a different verb), or JSON.
 */
import type { PruneResult } from '../../backup/index.js';
import { formatTime } from './backup-list.js';
import { formatIecBytes } from './progress.js';

export const PRUNE_FORMATS = ['text', 'json'] as const;
export type PruneFormat = (typeof PRUNE_FORMATS)[number];

export function renderPrune(result: PruneResult, format: PruneFormat): string {
  if (format === 'json') {
    const decisions = result.plan.decisions.map((d) => ({ name: d.name, createdAt: d.createdAt.toISOString(), action: d.action, reasons: d.reasons }));
    return `${JSON.stringify({ dryRun: result.dryRun, decisions, skipped: result.skipped, orphans: result.orphans, temporaries: result.temporaries, ...(result.unfinishedUploads ? { unfinishedUploads: result.unfinishedUploads } : {}), ...(result.deltas ? { deltas: result.deltas } : {}), removedBackups: result.removedBackups, removedObjects: result.removedObjects, removedBytes: result.removedBytes })}\n`;
  }
  const lines = result.plan.decisions.map((d) => `${(d.action === 'keep' ? 'keep' : result.dryRun ? 'would remove' : 'removed').padEnd(12)}  ${d.name}  ${formatTime(d.createdAt.toISOString())}  ${d.reasons.join('; ')}`);
  for (const s of result.skipped) lines.push(`${'untouched'.padEnd(12)}  ${s.name}  ${s.status}: ${s.problems.join('; ')}`);
  for (const o of result.orphans) lines.push(`${(o.action === 'keep' ? 'keep' : result.dryRun ? 'would remove' : 'removed').padEnd(12)}  ${o.name}  ${o.reason}`);
  for (const u of result.unfinishedUploads ?? []) lines.push(`${(u.action === 'keep' ? 'keep' : result.dryRun ? 'would abort' : 'aborted').padEnd(12)}  ${u.object} (upload ${u.uploadId})  ${u.reason}`);
  for (const d of result.deltas ?? []) lines.push(`${(d.action === 'keep' ? 'keep' : result.dryRun ? 'would remove' : 'removed').padEnd(12)}  ${d.name}  ${d.reason}`);
  for (const t of result.temporaries ?? []) lines.push(`${t.action.padEnd(12)}  ${t.path}  temporary file of an unfinished save: ${t.reason}`);
  const verb = result.dryRun ? 'Would remove' : 'Removed';
  lines.push(`${verb} ${result.removedBackups.length} backup(s), ${result.removedObjects} object(s), ${formatIecBytes(result.removedBytes)}; kept ${result.plan.keep.length}${result.dryRun ? ' (dry run: nothing was removed)' : ''}`);
  return `${lines.join('\n')}\n`;
}
