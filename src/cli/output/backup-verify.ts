/** `backup verify` output: one line per check (text) or the report as JSON. */
import type { VerifyBackupResult } from '../../backup/index.js';

export const BACKUP_VERIFY_FORMATS = ['text', 'json'] as const;
export type BackupVerifyFormat = (typeof BACKUP_VERIFY_FORMATS)[number];

export function renderBackupVerify(result: VerifyBackupResult, format: BackupVerifyFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({ name: result.name, ok: result.ok, checks: result.checks, bytesRead: result.bytesRead, durationMs: result.durationMs })}\n`;
  }
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const lines = result.checks.map((c) => `${(c.skipped ? 'skip' : c.ok ? 'ok' : 'FAIL').padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const summary = result.ok
    ? `Backup "${result.name}" passed all checks`
    : `Backup "${result.name}" failed ${failed.length} check${failed.length === 1 ? '' : 's'}: ${failed.join(', ')}`;
  return `${lines.join('\n')}\n${summary}\n`;
}
