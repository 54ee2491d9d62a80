/**
 * What `backup check-storage` reports: one row per check, with a status an operator acts on.
 * `fail` means backups to this repository would fail or be lost; `warn` means they work but
 * something deserves a look; `skip` means the store does not offer what the check asks about.
 */
import { AppError } from '../../errors.js';

export type StorageCheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface StorageCheck {
  /** Stable check name ("endpoint", "put-get-list-delete", "clock-skew", ...). */
  name: string;
  status: StorageCheckStatus;
  /** What was found, with values. */
  detail: string;
  /** The next step when status is warn or fail. */
  hint?: string;
  durationMs?: number;
}

export interface StorageCheckReport {
  location: string;
  kind: 'local' | 's3';
  checks: StorageCheck[];
  /** True when no check failed. */
  ok: boolean;
  /** Measured with the throughput probe (MiB/s), when it ran. */
  uploadMiBps?: number;
  downloadMiBps?: number;
  /** Server Date minus local time, in seconds (S3 only). */
  clockSkewSeconds?: number;
  /** Whether the SDK's default checksum mode stores objects byte for byte (S3 only). */
  sdkDefaultChecksumsSafe?: boolean;
}

/** Collects checks; a check body that throws becomes a `fail` row with the error's message. */
export class CheckList {
  readonly checks: StorageCheck[] = [];

  add(check: StorageCheck): StorageCheck {
    this.checks.push(check);
    return check;
  }

  /** Runs `body`; its returned row is recorded with the time it took, a throw as `fail`. */
  async run(name: string, body: () => Promise<Omit<StorageCheck, 'name'>>): Promise<StorageCheck> {
    const started = performance.now();
    let row: Omit<StorageCheck, 'name'>;
    try {
      row = await body();
    } catch (err) {
      row = failureRow(err);
    }
    return this.add({ name, ...row, durationMs: Math.round(performance.now() - started) });
  }

  get failed(): boolean {
    return this.checks.some((c) => c.status === 'fail');
  }
}

/** A failed check from an error: our own message and hint, never an SDK's raw text. */
export function failureRow(err: unknown): Omit<StorageCheck, 'name'> {
  if (err instanceof AppError) return { status: 'fail', detail: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return { status: 'fail', detail: `${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}${status ? `, HTTP ${status}` : ''}` };
}
