/**
 * The restored member's db with etcd 3.5 (`etcdutl snapshot restore`) semantics (spec
 * §5.5.2), computed while copying every bucket of the snapshot into a fresh compact bbolt
 * file in one pass:
 * - `members` holds exactly the new members and `members_removed` is emptied (3.4 kept the
 *   old cluster's members there and tombstoned user keys named like them, §5.5.1; 3.5's trim
 *   is the behaviour etcd kept, and etcd 3.4 starts from it);
 * - optionally the revision is bumped: one key `rev(latest + B, 0)` with an empty value is
 *   appended to `key` and `meta/scheduledCompactRev` points at it, so etcd compacts there on
 *   start and every watch from an older revision is told "compacted";
 * - `meta/consistent_index` = N and `meta/term` = 1 match the WAL and .snap written beside it.
 * `key` sorts before `members` and `meta`, so the bump can be decided from what the copy of
 * `key` has seen (Kubernetes data or not) before anything that depends on it is written.
 * `snapshot restore` itself edits a copy of the snapshot instead (restore-edit.ts, same
 * result, only the changed pages written); this full rebuild is the reference its tests
 * compare with, and the helpers below are shared by both.
 */
import type { BoltWriter } from './bolt-writer.js';
import { compareBytes, u64beBig } from './bytes.js';
import { EtcdDataError } from './errors.js';
import { KEY_BUCKET, keyValueKeyStartsWith, LEASE_BUCKET, META_BUCKET, REVISION_KEY_BYTES } from './etcd-buckets.js';
import { memberJson } from './go-json.js';
import { formatId, type RestoreCluster } from './member-id.js';
import { readFields, WireType } from '../protobuf/index.js';
import { RestoreConfigError } from './member-id-url.js';
import { ReservedKeyFilter } from './restore-reserved.js';
import type { EntryView, RestoreSource } from './restore-source.js';

/** `--bump-revision` semantics: a fixed amount (0 = none), or kubekeeper's Kubernetes default. */
export type RevisionBump =
  | { mode: 'fixed'; amount: bigint }
  | { mode: 'kubernetes'; amount: bigint };

/** What the Kubernetes docs recommend, and kubekeeper applies to Kubernetes snapshots by default. */
export const KUBERNETES_BUMP_REVISION = 1_000_000_000n;
/** etcd keys of the Kubernetes API server (default --etcd-prefix). */
export const KUBERNETES_KEY_PREFIX = '/registry/';

export interface RestoreDbOptions {
  cluster: RestoreCluster;
  bump: RevisionBump;
  /** Entries copied between progress reports (each one a chance to abort). */
  progressEvery?: number;
  /** Pages written between progress reports, whichever comes first (large values). */
  progressEveryPages?: number;
}

export interface RestoreDbProgress {
  entries: number;
  pages: number;
}

export interface RestoreDbResult {
  /** Latest revision in the snapshot's `key` bucket (main part), 0 when empty. */
  revisionBefore: bigint;
  /** Latest revision in the restored db: revisionBefore + bump. */
  revisionAfter: bigint;
  /** The bump applied (0 = none); with a bump the db is also marked compacted at revisionAfter. */
  bumpedBy: bigint;
  /** The snapshot holds keys under /registry/. */
  kubernetes: boolean;
  /** Entries written, over all buckets. */
  entries: number;
  buckets: string[];
  /** The old cluster's members dropped from `members` (hex IDs); `members_removed` is emptied too. */
  droppedMembers: string[];
  /**
   * Alarms in the snapshot's `alarm` bucket (copied as etcdutl copies them): etcd starts with
   * them active, e.g. NOSPACE refuses every write until `etcdctl alarm disarm`.
   */
  alarms: { memberId: string; alarm: string }[];
  /** Revisions of keys under RESERVED_PREFIX dropped from `key` (their leases are dropped too). */
  reservedDropped: number;
}

/** etcdserverpb.AlarmType names. */
const ALARM_NAMES = ['NONE', 'NOSPACE', 'CORRUPT'];
export const ALARM_BUCKET = 'alarm';

/** Decodes an `alarm` bucket key (etcdserverpb.AlarmMember: 1 = member ID, 2 = alarm type). */
export function decodeAlarmMember(key: Uint8Array): { memberId: string; alarm: string } {
  let memberId = 0n;
  let alarm = 0n;
  try {
    for (const f of readFields(key)) {
      if (f.field === 1 && f.wireType === WireType.varint) memberId = f.varint;
      else if (f.field === 2 && f.wireType === WireType.varint) alarm = f.varint;
    }
  } catch (err) {
    throw new EtcdDataError(`Alarm key is not an AlarmMember (${err instanceof Error ? err.message : String(err)})`, ALARM_BUCKET, key);
  }
  return { memberId: formatId(memberId), alarm: ALARM_NAMES[Number(alarm)] ?? `alarm type ${alarm}` };
}

const MAX_INT64 = (1n << 63n) - 1n;
/**
 * Revisions a bumped restore must leave before int64 max: etcd panics (and crash-loops, the
 * write being in its WAL) when a write would take the revision past it. 2^40 is about 35
 * years of writes at 1000 per second; any sane bump (Kubernetes: 1e9) leaves far more.
 */
export const MIN_REVISION_HEADROOM = 1n << 40n;
/** The highest revision a bump may produce. */
export const MAX_BUMPED_REVISION = MAX_INT64 - MIN_REVISION_HEADROOM;
export const MEMBERS = 'members';
export const MEMBERS_REMOVED = 'members_removed';
/** Buckets etcd 3.5's restore guarantees (it creates cluster/members ones; key and meta it needs). */
export const ENSURED_BUCKETS = ['cluster', KEY_BUCKET, MEMBERS, MEMBERS_REMOVED, META_BUCKET];

const enc = new TextEncoder();
const dec = new TextDecoder();

/** 17-byte revision key `main ‖ '_' ‖ sub` (sub 0). */
export function revisionKey(main: bigint): Uint8Array {
  const k = new Uint8Array(REVISION_KEY_BYTES);
  const view = new DataView(k.buffer);
  view.setBigUint64(0, main, false);
  k[8] = 0x5f;
  return k;
}

function u64be(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, false);
  return b;
}

const REGISTRY = enc.encode(KUBERNETES_KEY_PREFIX);

/** True when a KeyValue's key (field 1, the first field etcd writes) starts with /registry/; the KeyValue is value[start, end). */
export function isKubernetesKeyValue(value: Uint8Array, start = 0, end = value.length): boolean {
  return keyValueKeyStartsWith(value, REGISTRY, start, end);
}

/**
 * Copies `db` into `writer` with the restore changes, yielding progress every
 * `progressEvery` entries; returns what was done. Does not call `writer.finish()`.
 * Entries may be views (see restore-source.ts): nothing here keeps one past its step.
 */
export function* writeRestoredDb(db: RestoreSource, writer: BoltWriter, options: RestoreDbOptions): Generator<RestoreDbProgress, RestoreDbResult> {
  const every = options.progressEvery ?? 16384;
  const everyPages = options.progressEveryPages ?? 2048;
  let reportedPages = 0;
  const result: RestoreDbResult = {
    revisionBefore: 0n, revisionAfter: 0n, bumpedBy: 0n, kubernetes: false, entries: 0, buckets: [], droppedMembers: [], alarms: [], reservedDropped: 0,
  };
  const reserved = new ReservedKeyFilter();
  let sinceReport = 0;
  const put = (key: Uint8Array, value: Uint8Array): boolean => {
    writer.put(key, value);
    result.entries++;
    return ++sinceReport >= every || writer.pagesWritten - reportedPages >= everyPages;
  };
  const progress = (): RestoreDbProgress => {
    sinceReport = 0;
    reportedPages = writer.pagesWritten;
    return { entries: result.entries, pages: writer.pagesWritten };
  };

  const source = db.buckets()[Symbol.iterator]();
  let next = source.next();
  const pendingEnsured = [...ENSURED_BUCKETS];
  for (;;) {
    const sourceName = next.done ? undefined : dec.decode(next.value.name);
    // Buckets the snapshot lacks are created empty, in name order among the others.
    const ensured = pendingEnsured[0];
    const useEnsured = ensured !== undefined && (sourceName === undefined || compareBytes(enc.encode(ensured), enc.encode(sourceName)) < 0);
    if (!useEnsured && next.done) break;
    const bucket = useEnsured ? undefined : next.value;
    const name = useEnsured ? (ensured as string) : (sourceName as string);
    if (pendingEnsured[0] === name) pendingEnsured.shift();
    result.buckets.push(name);
    writer.beginBucket(bucket?.name ?? enc.encode(name), bucket?.sequence ?? 0n);
    const entries: Iterable<EntryView> = bucket?.entries() ?? [];
    if (name === MEMBERS || name === MEMBERS_REMOVED) {
      for (const e of entries) if (name === MEMBERS) result.droppedMembers.push(dec.decode(e.key));
      if (name === MEMBERS) for (const [k, v] of memberRows(options.cluster)) put(k, v);
    } else if (name === KEY_BUCKET) {
      // The last key decides the bump; entries are views, so keep a copy.
      const lastBuffer = new Uint8Array(REVISION_KEY_BYTES + 1);
      let last: Uint8Array | undefined;
      for (const e of entries) {
        const value = valueOf(name, e);
        // The latest revision etcd will see is the last one kept (see restore-reserved.ts).
        if (reserved.dropKeyValue(value)) continue;
        if (!result.kubernetes && isKubernetesKeyValue(value)) result.kubernetes = true;
        if (e.key.length <= lastBuffer.length) {
          lastBuffer.set(e.key);
          last = lastBuffer.subarray(0, e.key.length);
        } else {
          last = e.key.slice();
        }
        if (put(e.key, value)) yield progress();
      }
      result.reservedDropped = reserved.dropped;
      applyBump(result, last, options.bump);
      if (result.bumpedBy > 0n) put(revisionKey(result.revisionAfter), new Uint8Array(0));
    } else if (name === META_BUCKET) {
      yield* mergeEntries(name, entries, metaOverrides(options.cluster, result), put, progress);
    } else {
      for (const e of entries) {
        if (name === ALARM_BUCKET) result.alarms.push(decodeAlarmMember(e.key));
        if (name === LEASE_BUCKET && reserved.dropLease(e.key)) continue;
        if (put(e.key, valueOf(name, e))) yield progress();
      }
    }
    writer.endBucket();
    if (!useEnsured) next = source.next();
  }
  return result;
}

/** The new `members` bucket, in key order. */
export function memberRows(cluster: RestoreCluster): (readonly [Uint8Array, Uint8Array])[] {
  const rows = cluster.members.map((m) => [enc.encode(formatId(m.id)), enc.encode(memberJson(m))] as const);
  // Bucket keys are hex text: their byte order is not the numeric order of the IDs.
  return rows.sort((a, b) => compareBytes(a[0], b[0]));
}

/** `meta` keys the restore sets: the WAL's index and term, and the compaction mark of a bump. */
export function metaOverrides(cluster: RestoreCluster, result: RestoreDbResult): Map<string, Uint8Array> {
  const overrides = new Map<string, Uint8Array>([
    ['consistent_index', u64be(BigInt(cluster.members.length))],
    ['term', u64be(1n)],
  ]);
  if (result.bumpedBy > 0n) overrides.set('scheduledCompactRev', revisionKey(result.revisionAfter));
  return overrides;
}

function valueOf(bucket: string, e: EntryView): Uint8Array {
  if (e.value === null) throw new EtcdDataError('Nested bucket (etcd never creates one; kubekeeper cannot restore it)', bucket, e.key);
  return e.value;
}

/** Decides the bump from the last `key` entry: the latest revision, tombstones included. */
export function applyBump(result: RestoreDbResult, last: Uint8Array | undefined, bump: RevisionBump): void {
  if (last !== undefined) {
    if (last.length < REVISION_KEY_BYTES) throw new EtcdDataError(`Revision key has ${last.length} bytes, expected 17 or 18`, KEY_BUCKET, last);
    result.revisionBefore = BigInt.asIntN(64, u64beBig(last, 0));
  }
  const amount = bump.mode === 'fixed' || result.kubernetes ? bump.amount : 0n;
  result.revisionAfter = result.revisionBefore + amount;
  if (amount > 0n && result.revisionAfter > MAX_BUMPED_REVISION) {
    const room = MAX_INT64 - result.revisionAfter;
    throw new RestoreConfigError(
      `Cannot bump the revision ${result.revisionBefore} by ${amount}: it would leave ${room < 0n ? 'no' : `only ${room}`} revisions before the int64 maximum ${MAX_INT64} (at least 2^40 are required; etcd panics when its revision overflows)`,
      `Use a smaller --bump-revision (at most ${MAX_BUMPED_REVISION - result.revisionBefore} for this snapshot; Kubernetes needs ${KUBERNETES_BUMP_REVISION})`,
    );
  }
  result.bumpedBy = amount;
}

/** Copies a bucket, replacing (or adding, in key order) the keys in `overrides`. */
export function* mergeEntries(
  bucket: string,
  entries: Iterable<EntryView>,
  overrides: Map<string, Uint8Array>,
  put: (k: Uint8Array, v: Uint8Array) => boolean,
  progress: () => RestoreDbProgress,
): Generator<RestoreDbProgress> {
  const extra = [...overrides].map(([k, v]) => [enc.encode(k), v] as const).sort((a, b) => compareBytes(a[0], b[0]));
  let i = 0;
  for (const e of entries) {
    while (i < extra.length && compareBytes((extra[i] as readonly [Uint8Array, Uint8Array])[0], e.key) < 0) {
      const [k, v] = extra[i++] as readonly [Uint8Array, Uint8Array];
      put(k, v);
    }
    if (overrides.has(dec.decode(e.key))) continue;
    if (put(e.key, valueOf(bucket, e))) yield progress();
  }
  for (; i < extra.length; i++) {
    const [k, v] = extra[i] as readonly [Uint8Array, Uint8Array];
    put(k, v);
  }
}
