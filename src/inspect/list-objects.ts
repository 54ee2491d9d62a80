/**
 * Kubernetes objects in a snapshot, from the latest live revision of every /registry key:
 * what `kubectl get` would have shown at the moment of the snapshot. The object's
 * resourceVersion is its key's mod revision (the API server does not store it).
 */
import type { BoltDb } from '../snapshot/index.js';
import { decodeValueHeader } from './decode-value.js';
import { forEachLiveKey, liveKeyIndex, type LiveKey } from './live-keys.js';
import { normalizeResource, parseRegistryKey, REGISTRY_PREFIX, type ObjectKey } from './registry-key.js';

export interface ObjectSummary extends ObjectKey {
  apiVersion?: string;
  kind?: string;
  encoding: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  /** = metadata.resourceVersion as the API server would report it. */
  modRevision: bigint;
  createRevision: bigint;
  sizeBytes: number;
  /** For values encrypted at rest: provider and key name. */
  encryption?: { provider: string; keyName: string };
  /** Why the value could not be decoded. */
  error?: string;
}

export interface ObjectFilter {
  /** kubectl spelling: "deploy", "deployments", "crontabs". */
  resource?: string;
  namespace?: string;
}

const decoder = new TextDecoder();
const REGISTRY_BYTES = new TextEncoder().encode(REGISTRY_PREFIX);

function underRegistry(key: Uint8Array): boolean {
  if (key.length <= REGISTRY_BYTES.length) return false;
  for (let i = 0; i < REGISTRY_BYTES.length; i++) if (key[i] !== REGISTRY_BYTES[i]) return false;
  return true;
}

/** Accepts keys of objects that match the filter; used to prune the snapshot walk. */
export function objectMatcher(filter: ObjectFilter): (key: Uint8Array) => boolean {
  const resource = filter.resource === undefined ? undefined : normalizeResource(filter.resource);
  return (key) => {
    if (!underRegistry(key)) return false;
    if (resource === undefined && filter.namespace === undefined) return true;
    const parsed = parseRegistryKey(decoder.decode(key));
    if (!parsed) return false;
    return (resource === undefined || parsed.resource === resource) && (filter.namespace === undefined || parsed.namespace === filter.namespace);
  };
}

/** Summarises one live key; undefined when the key is not an object key. */
export function summarizeObject(live: LiveKey): ObjectSummary | undefined {
  const parsed = parseRegistryKey(decoder.decode(live.key));
  if (!parsed) return undefined;
  const base = { ...parsed, modRevision: live.modRevision, createRevision: live.createRevision, sizeBytes: live.value.length };
  const decoded = decodeValueHeader(live.value);
  switch (decoded.encoding) {
    case 'protobuf':
    case 'json':
      return {
        ...base, encoding: decoded.encoding, apiVersion: decoded.apiVersion, kind: decoded.kind,
        uid: decoded.metadata.uid, creationTimestamp: decoded.metadata.creationTimestamp, labels: decoded.metadata.labels,
      };
    case 'encrypted':
      return { ...base, encoding: 'encrypted', encryption: { provider: decoded.provider, keyName: decoded.keyName } };
    case 'corrupt':
      return { ...base, encoding: 'corrupt', error: `${decoded.claimed} value does not decode: ${decoded.error}` };
    default:
      return { ...base, encoding: decoded.encoding };
  }
}

export function compareObjects(a: ObjectKey, b: ObjectKey): number {
  const ka = `${a.group ?? ''}\0${a.resource}\0${a.namespace ?? ''}\0${a.name}`;
  const kb = `${b.group ?? ''}\0${b.resource}\0${b.namespace ?? ''}\0${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Objects matching the filter, sorted by resource, namespace and name. */
export function listObjects(db: BoltDb, filter: ObjectFilter = {}): ObjectSummary[] {
  const out: ObjectSummary[] = [];
  forEachLiveKey(db, objectMatcher(filter), (live) => {
    const summary = summarizeObject(live);
    if (summary) out.push(summary);
  });
  return out.sort(compareObjects);
}

export interface ResourceCount {
  resource: string;
  group?: string;
  count: number;
  sizeBytes: number;
}

/** Counts per resource from the first pass alone, without reading values: `snapshot ls --summary`. */
export function countObjects(db: BoltDb, filter: ObjectFilter = {}): ResourceCount[] {
  const counts = new Map<string, ResourceCount>();
  // Keys of one resource and namespace share everything up to the last '/': classify each
  // such prefix once (parsing every one of a million keys costs more than the walk itself).
  const byPrefix = new Map<string, ResourceCount | null>();
  for (const [id, ref] of liveKeyIndex(db, objectMatcher(filter))) {
    const cut = id.lastIndexOf('/') + 1;
    if (cut === id.length) continue;
    const prefix = id.slice(0, cut);
    let c = byPrefix.get(prefix);
    if (c === undefined) {
      const parsed = parseRegistryKey(`${Buffer.from(prefix, 'latin1').toString('utf8')}x`);
      const group = parsed ? `${parsed.group ?? ''}/${parsed.resource}` : '';
      c = parsed ? (counts.get(group) ?? { resource: parsed.resource, group: parsed.group, count: 0, sizeBytes: 0 }) : null;
      if (c) counts.set(group, c);
      byPrefix.set(prefix, c);
    }
    if (c === null) continue;
    c.count++;
    c.sizeBytes += ref.valueBytes;
  }
  return [...counts.values()].sort((a, b) => `${a.group ?? ''}/${a.resource}`.localeCompare(`${b.group ?? ''}/${b.resource}`));
}
