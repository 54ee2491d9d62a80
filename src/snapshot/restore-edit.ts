/**
 * The restored member's db as an edit of a copy of the snapshot (same semantics as
 * restore-db.ts, which rebuilds the whole file): the caller copies the snapshot's pages
 * unchanged, and this writes, past the snapshot's last page, only what a restore changes,
 * copy-on-write as a bbolt transaction would (spec §2.11):
 * - `members` (the new members), `members_removed` (emptied) and `meta` (consistent index,
 *   term, compaction mark), rebuilt: they are a few entries;
 * - in `key`, only the path to the last leaf when the bump appends its revision, and the
 *   leaves holding kubekeeper's reserved keys (dropped, with their leases in `lease`);
 * - buckets etcd needs that the snapshot lacks, created empty;
 * - the root bucket's tree and both meta pages, which name the new root.
 * Every other page keeps its id and bytes; the pages replaced become unreachable, which is
 * free in a db without a stored freelist (etcd's, spec §2.3).
 */
import { bucketHeaderValue } from './bolt-writer-page.js';
import type { BoltWriter } from './bolt-writer.js';
import { appendCount, isAppendRecords, rewriteTree, type AppendSource, type TreeEdit } from './bolt-rewrite.js';
import { bucketLeaves, bucketRefs, leafNodes, rootRef, FLAG_BUCKET, type BucketRef } from './bolt-walk.js';
import { forEachLeafElement, PageSet, type BoltFile } from './bolt-page.js';
import { bytesToText, compareBytes, copyBytes, u64le, u64leBig } from './bytes.js';
import { EtcdDataError } from './errors.js';
import { KEY_BUCKET, LEASE_BUCKET, META_BUCKET } from './etcd-buckets.js';
import {
  ALARM_BUCKET, ENSURED_BUCKETS, MEMBERS, MEMBERS_REMOVED, applyBump, decodeAlarmMember, memberRows, mergeEntries, metaOverrides, revisionKey,
  type RestoreDbOptions, type RestoreDbResult,
} from './restore-db.js';
import type { RestoreScan } from './restore-scan.js';

export interface RestoreEditOptions extends Pick<RestoreDbOptions, 'cluster' | 'bump'> {
  /**
   * Revisions to add after the snapshot's last one, ascending (key: 17-byte revision key,
   * value: the KeyValue), e.g. replayed from a WAL for a point-in-time restore. They are
   * appended before the bump, which then starts from the last of them. Leases such a restore
   * adds would go into `lease` by ID, anywhere in its tree: that needs an insert edit in
   * bolt-rewrite.ts (the same copy-on-write descent as `drop`), not an append.
   */
  extraRevisions?: AppendSource;
  /**
   * Lease records a point-in-time restore adds (ascending by key; an ID the snapshot has
   * keeps its own record). The lease bucket is small, so with these it is rewritten whole,
   * as members and meta are, rather than edited in place.
   */
  extraLeases?: readonly { key: Uint8Array; value: Uint8Array }[];
}

const enc = new TextEncoder();

interface Entry {
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * Writes the edits into `writer` (created with `firstPgid` = the snapshot's pgid) and finishes
 * it (root tree and metas). `file` is the snapshot (or its copy: the same pages); `scan` the
 * visitor of its verification walk. Returns the restore's result, as writeRestoredDb does.
 */
export function editRestoredDb(file: BoltFile, scan: RestoreScan, writer: BoltWriter, options: RestoreEditOptions): RestoreDbResult {
  const result: RestoreDbResult = {
    revisionBefore: 0n, revisionAfter: 0n, bumpedBy: 0n, kubernetes: scan.kubernetes, entries: 0, buckets: [], droppedMembers: [], alarms: [], reservedDropped: scan.reservedDropped,
  };
  const extra = options.extraRevisions ?? [];
  const bulk = isAppendRecords(extra) ? extra : undefined;
  const keyAt = (i: number) => (bulk ? bulk.keyAt(i) : ((extra as readonly Entry[])[i] as Entry).key);
  if (extra.length > 0 && scan.lastKey && compareBytes(keyAt(0), scan.lastKey) <= 0) {
    throw new RangeError('editRestoredDb: extra revisions must sort after the last key of the snapshot');
  }
  applyBump(result, extra.length > 0 ? keyAt(extra.length - 1) : scan.lastKey, options.bump);
  const keyAppend: Entry[] = bulk ? [] : [...(extra as readonly Entry[])];
  if (result.bumpedBy > 0n) keyAppend.push({ key: revisionKey(result.revisionAfter), value: new Uint8Array(0) });
  const edits = new Map<string, TreeEdit>([
    [KEY_BUCKET, { drop: scan.droppedRevisions, append: keyAppend, ...(bulk ? { bulk } : {}) }],
    [LEASE_BUCKET, { drop: scan.droppedLeases, append: [] }],
  ]);

  const refs: BucketRef[] = [];
  for (const leaf of leafNodes(file, file.root, rootRef(file), new PageSet(file.pgid))) refs.push(...bucketRefs(leaf, true));
  const pending = [...ENSURED_BUCKETS];
  let i = 0;
  for (;;) {
    const ref = refs[i];
    const ensured = pending[0];
    const useEnsured = ensured !== undefined && (ref === undefined || compareBytes(enc.encode(ensured), ref.name) < 0);
    if (!useEnsured && ref === undefined) break;
    const name = useEnsured ? (ensured as string) : bytesToText((ref as BucketRef).name);
    if (pending[0] === name) pending.shift();
    const source = useEnsured ? undefined : ref;
    if (!useEnsured) i++;
    result.buckets.push(name);
    const nameBytes = source?.name ?? enc.encode(name);
    const sequence = source && source.value.length >= 16 ? u64leBig(source.value, 8) : 0n;
    if (name === MEMBERS || name === MEMBERS_REMOVED || name === META_BUCKET) {
      const old = source ? entriesOf(file, source, name) : [];
      writer.beginBucket(nameBytes, sequence);
      if (name === MEMBERS) {
        result.droppedMembers.push(...old.map((e) => bytesToText(e.key)));
        for (const [k, v] of memberRows(options.cluster)) put(writer, result, k, v);
      } else if (name === META_BUCKET) {
        for (const _ of mergeEntries(name, old, metaOverrides(options.cluster, result), (k, v) => put(writer, result, k, v), () => ({ entries: 0, pages: 0 }))) {
          // mergeEntries yields progress only; a meta bucket is a few entries.
        }
      }
      writer.endBucket();
      continue;
    }
    if (name === LEASE_BUCKET && (options.extraLeases?.length ?? 0) > 0) {
      writer.beginBucket(nameBytes, sequence);
      for (const e of mergedLeases(source ? entriesOf(file, source, name) : [], scan.droppedLeases, options.extraLeases ?? [])) put(writer, result, e.key, e.value);
      writer.endBucket();
      continue;
    }
    if (name === ALARM_BUCKET && source) for (const e of entriesOf(file, source, name)) result.alarms.push(decodeAlarmMember(e.key));
    const edit = edits.get(name) ?? { drop: [], append: [] };
    result.entries += (scan.entryCounts.get(name) ?? 0) - edit.drop.length + appendCount(edit);
    editBucket(file, writer, nameBytes, sequence, source, edit);
  }
  writer.finish();
  return result;
}

/**
 * The records of `extra` whose keys sort after `last` (a snapshot may hold a few revisions
 * past the backup's recorded one, where the deltas start): `extra` itself when all do.
 */
export function recordsAfter(extra: AppendSource, last: Uint8Array | undefined): AppendSource {
  if (!last) return extra;
  if (!isAppendRecords(extra)) return extra.filter((e) => compareBytes(e.key, last) > 0);
  // Ascending keys: binary search for the first one after `last`.
  let a = 0;
  let b = extra.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (compareBytes(extra.keyAt(m), last) > 0) b = m;
    else a = m + 1;
  }
  return a === 0 ? extra : extra.skip(a);
}

/** The snapshot's leases without the dropped ones, with `extra` merged in key order (the snapshot's record wins). */
function mergedLeases(old: readonly Entry[], dropped: readonly Uint8Array[], extra: readonly Entry[]): Entry[] {
  const hex = (k: Uint8Array) => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('hex');
  const gone = new Set(dropped.map(hex));
  const kept = old.filter((e) => !gone.has(hex(e.key)));
  const out: Entry[] = [];
  let x = 0;
  for (const e of kept) {
    for (; x < extra.length && compareBytes((extra[x] as Entry).key, e.key) <= 0; x++) if (compareBytes((extra[x] as Entry).key, e.key) < 0) out.push(extra[x] as Entry);
    out.push(e);
  }
  for (; x < extra.length; x++) out.push(extra[x] as Entry);
  return out;
}

function put(writer: BoltWriter, result: RestoreDbResult, key: Uint8Array, value: Uint8Array): boolean {
  writer.put(key, value);
  result.entries++;
  return false;
}

/** The entries of a (small) bucket, copied. */
function entriesOf(file: BoltFile, ref: BucketRef, bucket: string): Entry[] {
  const out: Entry[] = [];
  for (const leaf of bucketLeaves(file, ref, new PageSet(file.pgid))) {
    const b = leaf.bytes;
    forEachLeafElement(leaf, (flags, keyStart, keyEnd, valueEnd) => {
      if ((flags & FLAG_BUCKET) !== 0) throw new EtcdDataError('Nested bucket (etcd never creates one; kubekeeper cannot restore it)', bucket, copyBytes(b, keyStart, keyEnd));
      out.push({ key: copyBytes(b, keyStart, keyEnd), value: copyBytes(b, keyEnd, valueEnd) });
    });
  }
  return out;
}

/** A bucket kept as it is, its tree edited copy-on-write, or (inline, absent) rebuilt. */
function editBucket(file: BoltFile, writer: BoltWriter, name: Uint8Array, sequence: bigint, source: BucketRef | undefined, edit: TreeEdit): void {
  const unchanged = edit.drop.length === 0 && appendCount(edit) === 0;
  if (source && unchanged) {
    writer.putBucketValue(name, source.value);
    return;
  }
  const root = source ? u64le(source.value, 0) : 0;
  if (source && root !== 0) {
    const newRoot = rewriteTree(file, root, edit, (leaf, elements) => writer.placeNode(leaf, elements));
    if (newRoot !== undefined) {
      writer.putBucketValue(name, bucketHeaderValue(newRoot, sequence));
      return;
    }
  }
  // An inline bucket (a few entries), an absent one, or a tree left empty: write it anew.
  const kept = source && root === 0 ? entriesOf(file, source, bytesToText(name)).filter((e) => !edit.drop.some((d) => compareBytes(d, e.key) === 0)) : [];
  writer.beginBucket(name, sequence);
  for (const e of kept) writer.put(e.key, e.value);
  edit.bulk?.forEachRecord((key, value) => writer.put(key, value));
  for (const e of edit.append) writer.put(e.key, e.value);
  writer.endBucket();
}
