/**
 * `snapshot verify` output: one line per check (text) or the report as JSON. Failed checks
 * say where the problem is (page id, byte offset) so a user can look at the bytes.
 */
import type { VerifyCheck, VerifyReport } from '../../snapshot/index.js';

export const VERIFY_FORMATS = ['text', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

/** Where a failed check found its first problem; passing checks have no location. */
function where(check: VerifyCheck): string {
  if (check.ok && !check.warning) return '';
  const parts: string[] = [];
  if (check.pageId !== undefined) parts.push(`page ${check.pageId}`);
  if (check.offset !== undefined) parts.push(`offset ${check.offset}`);
  return parts.length === 0 ? '' : ` [at ${parts.join(', ')}]`;
}

function verdict(check: VerifyCheck): string {
  if (check.skipped) return 'skip';
  if (check.warning) return 'warn';
  return check.ok ? 'ok' : 'FAIL';
}

export function renderVerifyReport(path: string, report: VerifyReport, format: VerifyFormat): string {
  if (format === 'json') return `${JSON.stringify({ file: path, ok: report.ok, checks: report.checks })}\n`;
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => `${verdict(c).padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail ?? ''}${where(c)}`);
  const failedNames = report.checks.filter((c) => !c.ok).map((c) => c.name);
  const warned = report.checks.filter((c) => c.warning).map((c) => c.name);
  const summary = report.ok
    ? `Snapshot "${path}" passed all checks${warned.length > 0 ? ` (with a warning: ${warned.join(', ')})` : ''}`
    : `Snapshot "${path}" failed ${failedNames.length} check${failedNames.length === 1 ? '' : 's'}: ${failedNames.join(', ')}`;
  return `${lines.join('\n')}\n${summary}\n`;
}
