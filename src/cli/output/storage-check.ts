/** `backup check-storage` output: a table of checks (status, check, detail, hint) or the report as JSON. */
import type { StorageCheckReport } from '../../storage/index.js';
import { renderTable } from './table.js';

export const STORAGE_CHECK_FORMATS = ['table', 'json'] as const;
export type StorageCheckFormat = (typeof STORAGE_CHECK_FORMATS)[number];

const STATUS_TEXT = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

export function renderStorageCheck(report: StorageCheckReport, format: StorageCheckFormat): string {
  if (format === 'json') return `${JSON.stringify(report)}\n`;
  const rows = report.checks.map((c) => [STATUS_TEXT[c.status], c.name, c.hint ? `${c.detail} (${c.hint})` : c.detail]);
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  const summary = failed.length === 0
    ? `Repository "${report.location}" is usable for backups${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`
    : `Repository "${report.location}" failed ${failed.length} check${failed.length === 1 ? '' : 's'}: ${failed.join(', ')}`;
  return `${renderTable(['STATUS', 'CHECK', 'DETAIL'], rows, { align: 'left' })}${summary}\n`;
}
