/**
 * The freelist half of bbolt's integrity check (spec §2.8, §2.9). The tree half (bounds,
 * page types, no page reached twice) happens during `walkDb`; this runs after it with the
 * set of reached pages. etcd stores no freelist (NoFreelistSync): then free pages are simply
 * the unreachable ones and there is nothing to check.
 */
import { FLAG_FREELIST, PAGE_HEADER_BYTES } from './bolt-meta.js';
import { readNode, type BoltFile, PageSet } from './bolt-page.js';
import { rootRef } from './bolt-walk.js';
import { SnapshotPageError } from './errors.js';
import { MAX_REPORTED_PROBLEMS } from './limits.js';
import { u64le } from './bytes.js';

/** bbolt writes count 0xFFFF and the real count in the first u64 when there are more ids. */
const FREELIST_COUNT_ESCAPE = 0xffff;

export interface FreelistReport {
  /** Whether a freelist page is stored at all. */
  stored: boolean;
  /** Free page ids listed (stored) or implied (unreachable pages, when not stored). */
  freeCount: number;
  /** Problems like bbolt's: "page 5: already freed", "page 7: unreachable unfreed". */
  problems: string[];
  /** Total problems found (problems[] is capped at MAX_REPORTED_PROBLEMS). */
  problemCount: number;
  /** The first problem's page id. */
  firstPageId: number | undefined;
}

/**
 * Checks the stored freelist against the pages `reached` by the tree walk: ids in range, no
 * duplicates, none reachable, and every page either reachable or free. Throws
 * SnapshotFormatError only when the freelist page itself cannot be read.
 */
export function checkFreelist(file: BoltFile, reached: PageSet): FreelistReport {
  const report: FreelistReport = { stored: file.freelist !== undefined, freeCount: 0, problems: [], problemCount: 0, firstPageId: undefined };
  const problem = (pageId: number, text: string) => {
    report.problemCount++;
    report.firstPageId ??= pageId;
    if (report.problems.length < MAX_REPORTED_PROBLEMS) report.problems.push(`page ${pageId}: ${text}`);
  };
  if (file.freelist === undefined) {
    for (let p = 2; p < file.pgid; p++) if (!reached.has(p)) report.freeCount++;
    return report;
  }
  const node = readNode(file, file.freelist, rootRef(file), reached, [FLAG_FREELIST]);
  let count = node.count;
  let first = PAGE_HEADER_BYTES;
  if (count === FREELIST_COUNT_ESCAPE) {
    count = u64le(node.bytes, first);
    first += 8;
  }
  if (first + count * 8 > node.bytes.length) {
    throw new SnapshotPageError(`Freelist page ${node.pageId} lists ${count} ids, more than fit in ${node.bytes.length} bytes`, { pageId: node.pageId, offset: node.fileOffset + 10 });
  }
  const free = new PageSet(file.pgid);
  for (let i = 0; i < count; i++) {
    const id = u64le(node.bytes, first + i * 8);
    if (id < 2 || id >= file.pgid) problem(id, `out of bounds: ${file.pgid}`);
    else if (free.has(id)) problem(id, 'already freed');
    else {
      free.add(id, 1, {});
      report.freeCount++;
      if (reached.has(id)) problem(id, 'reachable freed');
    }
  }
  for (let p = 2; p < file.pgid; p++) {
    if (!reached.has(p) && !free.has(p)) problem(p, 'unreachable unfreed');
  }
  return report;
}
