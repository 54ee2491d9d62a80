/** One object from a snapshot, by resource, namespace and name: `snapshot get`. */
import { AppError } from '../errors.js';
import type { BoltDb } from '../snapshot/index.js';
import { decodeValue, type DecodedValue } from './decode-value.js';
import { forEachLiveKey } from './live-keys.js';
import { normalizeResource, objectKey } from './registry-key.js';

export interface FoundObject {
  key: string;
  modRevision: bigint;
  decoded: DecodedValue;
}

/** "deploy", "default/nginx" -> the object; throws AppError 'object-not-found' with a hint. */
export function getObject(db: BoltDb, resourceArg: string, nameArg: string, namespaceFlag?: string): FoundObject {
  const [group, resource] = resourceArg.includes('.') ? [resourceArg.slice(resourceArg.indexOf('.') + 1), resourceArg.slice(0, resourceArg.indexOf('.'))] : [undefined, resourceArg];
  const slash = nameArg.indexOf('/');
  const namespace = slash >= 0 ? nameArg.slice(0, slash) : namespaceFlag;
  const name = slash >= 0 ? nameArg.slice(slash + 1) : nameArg;
  const key = objectKey(normalizeResource(resource), name, namespace, group);
  const target = new TextEncoder().encode(key);
  const same = (k: Uint8Array) => k.length === target.length && k.every((b, i) => b === target[i]);
  let found: FoundObject | undefined;
  forEachLiveKey(db, same, (live) => {
    found = { key, modRevision: live.modRevision, decoded: decodeValue(live.value) };
  });
  if (found) return found;
  throw new AppError('object-not-found', `No live object at "${key}" in the snapshot`, {
    hint: namespace === undefined ? 'Namespaced objects need <namespace>/<name> or --namespace; list them with "kubekeeper snapshot ls"' : 'List what the snapshot holds with "kubekeeper snapshot ls --resource <resource>"',
  });
}
