/**
 * The live keys of a running etcd under a prefix, read in pages at one fixed revision so the
 * listing is a consistent picture even while the cluster keeps writing.
 */
import type { EtcdClient } from '../etcd/index.js';
import { isReservedKey } from '../snapshot/index.js';
import type { LiveKey } from './live-keys.js';

/** Keys per Range request: small enough to keep each response well under gRPC's 4 MiB default. */
export const LIVE_PAGE_KEYS = 500;

/** The exclusive end of a prefix range, as etcdctl's --prefix computes it. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Uint8Array.of(0); // all keys
}

export async function* liveEtcdKeys(client: EtcdClient, prefix: string, signal?: AbortSignal): AsyncGenerator<LiveKey> {
  const start = new TextEncoder().encode(prefix);
  const end = prefixEnd(start);
  let key: Uint8Array = start;
  let revision: bigint | undefined;
  for (;;) {
    signal?.throwIfAborted();
    const page = await client.range({ key, rangeEnd: end, limit: LIVE_PAGE_KEYS, revision });
    revision ??= page.header.revision;
    for (const kv of page.kvs) if (!isReservedKey(kv.key)) yield kv;
    const last = page.kvs[page.kvs.length - 1];
    if (!page.more || !last) return;
    key = Uint8Array.from([...last.key, 0]); // the next key after `last`
  }
}
