/**
 * The guard of `demo load`: demo objects must never land in a real cluster's etcd. kubeadm's
 * etcd listens on 127.0.0.1 too, so "loopback only" protects nothing on a control-plane node;
 * what tells a throwaway etcd apart is what it holds. A demo object is recognised by its
 * identity, which no API server would produce: its uid is sampleUid(kind, namespace, name) and
 * its creationTimestamp the sample's; the encrypted sample Secret by its exact bytes. Any other
 * key (a real object, a lease, anything) makes the target foreign.
 */
import type { EtcdClient } from '../etcd/index.js';
import { decodeValueHeader } from './decode-value.js';
import { SAMPLE_CREATED, sampleBase, sampleUid } from './sample-cluster.js';

/** Keys per page while looking; and how many keys a demo etcd may hold before it is not one. */
const PAGE_KEYS = 500;
export const DEMO_MAX_KEYS = 10_000;

const decoder = new TextDecoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** True when `value` at `key` is an object `demo load` writes. */
export function isDemoObject(key: Uint8Array, value: Uint8Array): boolean {
  const name = decoder.decode(key);
  const base = sampleBase().find((e) => e.key === name);
  if (base && sameBytes(base.value, value)) return true;
  const decoded = decodeValueHeader(value);
  if (decoded.encoding !== 'protobuf' && decoded.encoding !== 'json') return false;
  const { metadata } = decoded;
  const kind = decoded.kind ?? '';
  return metadata.name !== undefined && metadata.creationTimestamp === SAMPLE_CREATED
    && metadata.uid === sampleUid(kind, metadata.namespace ?? '', metadata.name);
}

/** Why the target must not receive demo data, or undefined when it holds nothing but demo objects. */
export async function foreignContent(client: Pick<EtcdClient, 'range'>, signal?: AbortSignal): Promise<string | undefined> {
  const all = { key: Uint8Array.of(0), rangeEnd: Uint8Array.of(0) };
  const { count } = await client.range({ ...all, keysOnly: true, limit: 1 });
  if (count > DEMO_MAX_KEYS) return `it holds ${count} keys, more than a demo writes`;
  let key: Uint8Array = all.key;
  let revision: bigint | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const page = await client.range({ key, rangeEnd: all.rangeEnd, limit: PAGE_KEYS, revision });
    revision ??= page.header.revision;
    for (const kv of page.kvs) {
      if (!isDemoObject(kv.key, kv.value)) return `it holds "${decoder.decode(kv.key).replace(/[^\x20-\x7e]/g, '?')}", which demo load did not write`;
    }
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || !last) return undefined;
    key = Uint8Array.from([...last.key, 0]);
  }
}
