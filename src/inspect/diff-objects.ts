/**
 * What changed between two states of a cluster (two snapshots, or a snapshot and a live
 * etcd): objects added, removed and changed, by resource/namespace/name. Values are compared
 * by digest, so a restore that bumped revisions does not show every object as changed.
 */
import { createHash } from 'node:crypto';
import type { BoltDb } from '../snapshot/index.js';
import { encryptionOf } from './decode-value.js';
import { forEachLiveKey, keyId, type KeyFilter, type LiveKey } from './live-keys.js';
import { compareObjects } from './list-objects.js';
import { parseRegistryKey, type ObjectKey } from './registry-key.js';

export interface ObjectState {
  modRevision: bigint;
  digest: string;
  /** "<provider>/<key name>" when the value is encrypted at rest (aescbc/key1, secretbox/key2, kms/v2/...). */
  encryption?: string;
}

export interface ObjectChange extends ObjectKey {
  change: 'added' | 'removed' | 'changed';
  before?: ObjectState;
  after?: ObjectState;
}

const decoder = new TextDecoder();

function stateOf(live: LiveKey): ObjectState {
  const state: ObjectState = { modRevision: live.modRevision, digest: createHash('sha1').update(live.value).digest('base64') };
  const encryption = encryptionOf(live.value);
  if (encryption) state.encryption = `${encryption.provider}/${encryption.keyName}`;
  return state;
}

/** Reduces live keys (e.g. from a live etcd) to a digest per key; values are not kept. */
export async function collectStates(keys: AsyncIterable<LiveKey>): Promise<Map<string, ObjectState>> {
  const states = new Map<string, ObjectState>();
  for await (const live of keys) states.set(keyId(live.key), stateOf(live));
  return states;
}

/** The same for a snapshot. */
export function snapshotStates(db: BoltDb, accept?: KeyFilter): Map<string, ObjectState> {
  const states = new Map<string, ObjectState>();
  forEachLiveKey(db, accept, (live) => states.set(keyId(live.key), stateOf(live)));
  return states;
}

function toObjectKey(id: string): ObjectKey {
  const key = Buffer.from(id, 'latin1');
  const text = decoder.decode(key);
  return parseRegistryKey(text) ?? { resource: '(raw key)', name: text, key: text };
}

/** Changes from `before` to `after`, sorted like `snapshot ls`. */
export function diffStates(before: Map<string, ObjectState>, after: Map<string, ObjectState>): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const [id, a] of before) {
    const b = after.get(id);
    if (!b) changes.push({ ...toObjectKey(id), change: 'removed', before: a });
    else if (b.digest !== a.digest) changes.push({ ...toObjectKey(id), change: 'changed', before: a, after: b });
  }
  for (const [id, b] of after) if (!before.has(id)) changes.push({ ...toObjectKey(id), change: 'added', after: b });
  return changes.sort(compareObjects);
}
