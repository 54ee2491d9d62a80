/**
 * Bookkeeping for `verifySnapshot`: one named check that collects problems, remembers where
 * the first one was, and becomes a report line.
 */
import type { SnapshotLocation } from './errors.js';

export type VerifyCheckName =
  | 'trailer' | 'meta' | 'size' | 'structure' | 'freelist' | 'buckets' | 'revisions' | 'consistent-index' | 'leases';

/** One line of a verify report. */
export interface VerifyCheck {
  name: VerifyCheckName;
  /** Passed (or skipped). */
  ok: boolean;
  /** Not run: nothing to check (no trailer) or an earlier check made it impossible. */
  skipped?: boolean;
  /**
   * Passed with damage a reader tolerates (one bad meta page: bbolt, and so etcd, use the
   * other): restore goes on and says so.
   */
  warning?: boolean;
  /** What was found: a summary when ok, the first problem (and how many) when not. */
  detail: string;
  /** Page of the first problem. */
  pageId?: number;
  /** Absolute file offset of the first problem. */
  offset?: number;
}

/** Collects problems for one check while a walk runs. */
export class CheckCollector {
  problems = 0;
  private first: { text: string; at: SnapshotLocation } | undefined;
  constructor(readonly name: VerifyCheckName) {}

  fail(text: string, at: SnapshotLocation = {}): void {
    this.problems++;
    this.first ??= { text, at };
  }

  /** The report line; `summary` is shown when no problem was found. */
  result(summary: string): VerifyCheck {
    if (!this.first) return { name: this.name, ok: true, detail: summary };
    const more = this.problems > 1 ? ` (and ${this.problems - 1} more problem${this.problems > 2 ? 's' : ''})` : '';
    return { name: this.name, ok: false, detail: this.first.text + more, ...location(this.first.at) };
  }
}

/** Only the defined location fields, so JSON output has no nulls. */
export function location(at: SnapshotLocation): Pick<VerifyCheck, 'pageId' | 'offset'> {
  const out: Pick<VerifyCheck, 'pageId' | 'offset'> = {};
  if (at.pageId !== undefined) out.pageId = at.pageId;
  if (at.offset !== undefined) out.offset = at.offset;
  return out;
}

export function passed(name: VerifyCheckName, detail: string): VerifyCheck {
  return { name, ok: true, detail };
}

export function failed(name: VerifyCheckName, detail: string, at: SnapshotLocation = {}): VerifyCheck {
  return { name, ok: false, detail, ...location(at) };
}

export function skipped(name: VerifyCheckName, detail: string): VerifyCheck {
  return { name, ok: true, skipped: true, detail };
}
