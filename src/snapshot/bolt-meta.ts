/**
 * bbolt meta pages (spec §2.3): finding the page size, validating both metas and choosing
 * the one a reader must use (the valid one with the higher txid).
 */
import { SnapshotMetaError, SnapshotTruncatedError } from './errors.js';
import { fnv1a64 } from './fnv.js';
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './limits.js';
import type { RandomAccess } from './random-access.js';
import { u16le, u32le, u64le, u64leBig } from './bytes.js';

export const MAGIC = 0xed0cdaed;
export const VERSION = 2;
/** meta.freelist when etcd's NoFreelistSync left no freelist page. */
export const NO_FREELIST = 0xffffffffffffffffn;
export const PAGE_HEADER_BYTES = 16;
/** The page size bbolt creates on x86-64 Linux. */
const DEFAULT_PAGE_SIZE = 4096;
/** Page header + meta struct, the part of a meta page bbolt reads. */
export const META_BYTES = PAGE_HEADER_BYTES + 64;
export const FLAG_BRANCH = 0x01;
export const FLAG_LEAF = 0x02;
export const FLAG_META = 0x04;
export const FLAG_FREELIST = 0x10;

/** The selected meta page, as stored. 64-bit fields are bigint. */
export interface BoltMeta {
  pageSize: number;
  root: bigint;
  freelist: bigint;
  pgid: bigint;
  txid: bigint;
}

/** One meta page after validation: `meta` when valid, else `reason`. */
export interface MetaSlot {
  pageId: 0 | 1;
  meta?: BoltMeta;
  checksum?: bigint;
  reason?: string;
}

export interface SelectedMeta {
  meta: BoltMeta;
  pageSize: number;
  /** Which meta page was chosen. */
  pageId: 0 | 1;
  slots: [MetaSlot, MetaSlot];
}

function isPageSize(n: number): boolean {
  return n >= MIN_PAGE_SIZE && n <= MAX_PAGE_SIZE && (n & (n - 1)) === 0;
}

/** Decodes and validates a meta page image (at least META_BYTES long). */
export function parseMeta(page: Uint8Array, pageId: 0 | 1): MetaSlot {
  const fail = (reason: string): MetaSlot => ({ pageId, reason: `meta page ${pageId}: ${reason}` });
  if (page.length < META_BYTES) return fail(`only ${page.length} bytes`);
  const magic = u32le(page, 16);
  if (magic !== MAGIC) return fail(`bad magic 0x${magic.toString(16)}`);
  const version = u32le(page, 20);
  if (version !== VERSION) return fail(`version ${version}, expected ${VERSION}`);
  const stored = u64leBig(page, 72);
  const computed = fnv1a64(page, 16, 72);
  if (stored !== computed) return fail(`checksum ${stored.toString(16)} does not match ${computed.toString(16)}`);
  // Fields the checksum covers can still be nonsense if the writer was broken; a reader
  // must not follow them, so they make the meta invalid just like a bad checksum.
  if (u64le(page, 0) !== pageId || u16le(page, 8) !== FLAG_META) return fail('page header is not a meta header');
  const pageSize = u32le(page, 24);
  if (!isPageSize(pageSize)) return fail(`page size ${pageSize} is not a power of two in [${MIN_PAGE_SIZE}, ${MAX_PAGE_SIZE}]`);
  const meta: BoltMeta = { pageSize, root: u64leBig(page, 32), freelist: u64leBig(page, 48), pgid: u64leBig(page, 56), txid: u64leBig(page, 64) };
  if (meta.pgid < 3n) return fail(`pgid ${meta.pgid} is below 3`);
  if (meta.root < 2n || meta.root >= meta.pgid) return fail(`root page ${meta.root} is outside [2, ${meta.pgid})`);
  if (meta.freelist !== NO_FREELIST && (meta.freelist < 2n || meta.freelist >= meta.pgid)) {
    return fail(`freelist page ${meta.freelist} is outside [2, ${meta.pgid})`);
  }
  return { pageId, meta, checksum: stored };
}

/** Finds the page size: meta 0's, else the first offset where a valid meta 1 names itself. */
function findPageSize(ra: RandomAccess, slot0: MetaSlot): number | undefined {
  if (slot0.meta) return slot0.meta.pageSize;
  for (let size = MIN_PAGE_SIZE; size <= MAX_PAGE_SIZE; size *= 2) {
    if (size + META_BYTES > ra.sizeBytes) break;
    const slot1 = parseMeta(ra.read(size, META_BYTES), 1);
    if (slot1.meta?.pageSize === size) return size;
  }
  return undefined;
}

/**
 * Reads both metas and selects one like bbolt: the higher txid if valid, else the other.
 * Throws SnapshotMetaError when neither is valid. Does not check the file is long enough
 * for the image: see `requireWholeImage`.
 */
export function selectMeta(ra: RandomAccess): SelectedMeta {
  if (ra.sizeBytes < META_BYTES) throw new SnapshotMetaError([`the file has only ${ra.sizeBytes} bytes, too few for a meta page`]);
  const slot0 = parseMeta(ra.read(0, META_BYTES), 0);
  const pageSize = findPageSize(ra, slot0);
  if (pageSize === undefined) {
    // Report meta 1 as found where the usual 4 KiB page size would put it.
    const usual = DEFAULT_PAGE_SIZE + META_BYTES <= ra.sizeBytes ? parseMeta(ra.read(DEFAULT_PAGE_SIZE, META_BYTES), 1).reason : undefined;
    throw new SnapshotMetaError([slot0.reason ?? 'meta page 0: invalid', `${usual ?? 'meta page 1: missing'} (no valid meta page 1 at any page size)`]);
  }
  const slot1 = pageSize + META_BYTES <= ra.sizeBytes
    ? parseMeta(ra.read(pageSize, META_BYTES), 1)
    : { pageId: 1 as const, reason: `meta page 1: the file ends at ${ra.sizeBytes}, before offset ${pageSize}` };
  // A valid meta with a different page size than the one we settled on cannot be used.
  for (const slot of [slot0, slot1]) {
    if (slot.meta && slot.meta.pageSize !== pageSize) {
      slot.reason = `meta page ${slot.pageId}: page size ${slot.meta.pageSize} differs from ${pageSize}`;
      delete slot.meta;
    }
  }
  const [first, second] = (slot1.meta?.txid ?? -1n) > (slot0.meta?.txid ?? -1n) ? [slot1, slot0] : [slot0, slot1];
  const chosen = first.meta ? first : second.meta ? second : undefined;
  if (!chosen?.meta) throw new SnapshotMetaError([slot0.reason ?? '', slot1.reason ?? '']);
  return { meta: chosen.meta, pageSize, pageId: chosen.pageId, slots: [slot0, slot1] };
}

/** Bytes the selected meta says the image has: pgid × pageSize. */
export function imageBytes(selected: SelectedMeta): number {
  return Number(selected.meta.pgid) * selected.pageSize;
}

/** Throws SnapshotTruncatedError when the file is shorter than the selected meta's image. */
export function requireWholeImage(selected: SelectedMeta, sizeBytes: number): void {
  const needed = imageBytes(selected);
  if (needed > sizeBytes) throw new SnapshotTruncatedError(needed, sizeBytes);
}
