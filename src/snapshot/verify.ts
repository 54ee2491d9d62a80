/**
 * `snapshot verify`: every check kubekeeper can make on a snapshot file without etcd —
 * the sha256 trailer, both meta pages, the image size, the bbolt structure (page bounds and
 * types, no page reached twice, key order, freelist) and etcd's own data (required buckets,
 * revisions, consistent index, leases). Returns a report instead of throwing on bad data, so
 * a user sees every failed check and where it is.
 */
import { createHash } from 'node:crypto';
import { imageBytes, META_BYTES, selectMeta, type SelectedMeta } from './bolt-meta.js';
import { openBoltFile } from './bolt-reader.js';
import { checkFreelist } from './bolt-check.js';
import { walkDb, type WalkVisitor } from './bolt-walk.js';
import { SnapshotFormatError } from './errors.js';
import type { RandomAccess } from './random-access.js';
import { TRAILER_BYTES, hasTrailer } from './trailer.js';
import { toHex } from './bytes.js';
import { EtcdVerifier } from './verify-etcd.js';
import { failed, location, passed, skipped, type VerifyCheck, type VerifyCheckName } from './verify-checks.js';

export type { VerifyCheck, VerifyCheckName } from './verify-checks.js';

export interface VerifyOptions {
  /** Fail the trailer check when the file has none (default: skip it, as for a data-dir db). */
  requireTrailer?: boolean;
  /**
   * Also told every bucket and entry of the walk (after the checks' own visitor), so a caller
   * that needs the data too (a restore) reads the snapshot once. It must not throw.
   */
  visitor?: WalkVisitor;
}

export interface VerifyReport {
  /** Every check passed or was skipped by design. */
  ok: boolean;
  checks: VerifyCheck[];
  /** Hex sha256 of the bbolt image (everything before the trailer), when the file has a trailer. */
  sha256?: string;
}

/** Bytes hashed per read when checking the trailer. */
const HASH_CHUNK_BYTES = 1024 * 1024;

/** Runs all checks on the snapshot in `ra`. Throws only for I/O errors from `ra` itself. */
export function verifySnapshot(ra: RandomAccess, options: VerifyOptions = {}): VerifyReport {
  const trailer = checkTrailer(ra, options);
  const checks: VerifyCheck[] = [trailer.check];
  const later: VerifyCheckName[] = ['size', 'structure', 'freelist', 'buckets', 'revisions', 'consistent-index', 'leases'];
  const done = (): VerifyReport => {
    for (const name of later) {
      if (!checks.some((c) => c.name === name)) checks.push(skipped(name, 'not run: an earlier check failed'));
    }
    const report: VerifyReport = { ok: checks.every((c) => c.ok), checks };
    if (trailer.sha256 !== undefined) report.sha256 = trailer.sha256;
    return report;
  };
  let selected: SelectedMeta;
  try {
    selected = selectMeta(ra);
  } catch (err) {
    if (!(err instanceof SnapshotFormatError)) throw err;
    checks.push(failed('meta', err.reason, err));
    return done();
  }
  checks.push(checkMetas(ra, selected));
  const size = checkSize(ra, selected);
  checks.push(size);
  if (!size.ok) return done();
  const file = openBoltFile(ra, selected);
  const etcd = new EtcdVerifier();
  let reached;
  try {
    reached = walkDb(file, options.visitor ? both(etcd, options.visitor) : etcd);
  } catch (err) {
    if (!(err instanceof SnapshotFormatError)) throw err;
    checks.push(failed('structure', err.reason, err));
    return done();
  }
  checks.push(etcd.order.result(`${file.pgid} pages of ${file.pageSize} bytes, every reachable page reached once`));
  checks.push(freelistCheck(file, reached));
  checks.push(...etcd.results());
  return done();
}

/** A visitor that tells `a`, then `b`. */
function both(a: WalkVisitor, b: WalkVisitor): WalkVisitor {
  return {
    bucket: (name) => {
      a.bucket(name);
      b.bucket(name);
    },
    entry: (leaf, flags, keyStart, keyEnd, valueEnd, index) => {
      a.entry(leaf, flags, keyStart, keyEnd, valueEnd, index);
      b.entry(leaf, flags, keyStart, keyEnd, valueEnd, index);
    },
    leafEnd: (leaf) => {
      a.leafEnd?.(leaf);
      b.leafEnd?.(leaf);
    },
  };
}

function checkTrailer(ra: RandomAccess, options: VerifyOptions): { check: VerifyCheck; sha256?: string } {
  if (!hasTrailer(ra.sizeBytes)) {
    // Page-multiple sizes are data-dir dbs; anything else is a cut trailer or appended bytes.
    if (ra.sizeBytes % 512 !== 0) {
      const detail = `The file size ${ra.sizeBytes} is neither a page multiple nor a page multiple plus a 32-byte trailer: the trailer is cut or bytes were appended`;
      return { check: failed('trailer', detail, { offset: ra.sizeBytes - (ra.sizeBytes % 512) }) };
    }
    if (options.requireTrailer) return { check: failed('trailer', `The file has no sha256 trailer (size ${ra.sizeBytes} % 512 is not 32)`, { offset: ra.sizeBytes }) };
    return { check: skipped('trailer', 'no sha256 trailer (a db copied from a data dir has none)') };
  }
  const end = ra.sizeBytes - TRAILER_BYTES;
  const hash = createHash('sha256');
  for (let offset = 0; offset < end; offset += HASH_CHUNK_BYTES) {
    hash.update(ra.read(offset, Math.min(HASH_CHUNK_BYTES, end - offset)));
  }
  const sha256 = hash.digest('hex');
  const expected = toHex(ra.read(end, TRAILER_BYTES));
  if (sha256 !== expected) return { check: failed('trailer', `sha256 of the first ${end} bytes is ${sha256}, the trailer says ${expected}`, { offset: end }), sha256 };
  return { check: passed('trailer', `sha256 ${sha256} matches`), sha256 };
}

/**
 * Both metas should be valid. One invalid meta is a warning, not a failure: bbolt (and so
 * etcd and etcdutl) opens the file with the other one, which names the previous transaction's
 * tree, kept intact by bbolt's copy-on-write until the next commit.
 */
function checkMetas(ra: RandomAccess, selected: SelectedMeta): VerifyCheck {
  const { pageSize, meta } = selected;
  for (const slot of selected.slots) {
    const at = { pageId: slot.pageId, offset: slot.pageId * pageSize };
    if (!slot.meta) {
      const detail = `${slot.reason ?? 'invalid'}; using meta page ${selected.pageId} (txid ${meta.txid}) as bbolt does: the last transaction may be missing`;
      return { ...passed('meta', detail), warning: true, ...location(at) };
    }
    // bbolt writes meta pages from a zeroed buffer: anything after the struct is damage.
    // A short file is the size check's business; look at what exists.
    const page = ra.read(at.offset, Math.min(pageSize, ra.sizeBytes - at.offset));
    const dirty = page.subarray(META_BYTES).findIndex((b) => b !== 0);
    if (dirty >= 0) return failed('meta', `Meta page ${slot.pageId} has non-zero bytes after its meta struct`, { ...at, offset: at.offset + META_BYTES + dirty });
  }
  return passed('meta', `meta page ${selected.pageId} selected: txid ${meta.txid}, root ${meta.root}, pgid ${meta.pgid}, page size ${pageSize}`);
}

/** The image must be whole; with a trailer it must also end exactly where the trailer starts. */
function checkSize(ra: RandomAccess, selected: SelectedMeta): VerifyCheck {
  const image = imageBytes(selected);
  const trailer = hasTrailer(ra.sizeBytes);
  const available = trailer ? ra.sizeBytes - TRAILER_BYTES : ra.sizeBytes;
  if (image > available) return failed('size', `The file is truncated: the meta needs ${image} bytes of pages, the file has ${available}`, { offset: available });
  if (trailer && image !== available) {
    return failed('size', `The image has ${available - image} bytes after the last page (${image}) and before the trailer`, { offset: image });
  }
  return passed('size', image === available ? `${image} bytes` : `${image} bytes (+${available - image} unused bytes after the last page)`);
}

function freelistCheck(file: ReturnType<typeof openBoltFile>, reached: ReturnType<typeof walkDb>): VerifyCheck {
  try {
    const report = checkFreelist(file, reached);
    if (report.problemCount > 0) {
      return failed('freelist', `${report.problemCount} problems: ${report.problems.join('; ')}`, { pageId: report.firstPageId });
    }
    return passed('freelist', report.stored ? `${report.freeCount} free pages listed` : `not stored (etcd's default); ${report.freeCount} free pages`);
  } catch (err) {
    if (!(err instanceof SnapshotFormatError)) throw err;
    return failed('freelist', err.reason, location(err));
  }
}
