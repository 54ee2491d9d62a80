/**
 * `snapshot restore` drops kubekeeper's reserved keys (reserved-prefix.ts): every revision of
 * a key under RESERVED_PREFIX leaves the `key` bucket, and the leases those keys carried (each
 * election grants a lease of its own) leave the `lease` bucket, so a restored cluster has no
 * stale election holder and no lease that would expire into nothing.
 */
import { u64beBig } from './bytes.js';
import { decodeKeyValue, keyValueKeyStartsWith } from './etcd-buckets.js';
import { RESERVED_PREFIX } from './reserved-prefix.js';

const RESERVED = new TextEncoder().encode(RESERVED_PREFIX);

/** True when a KeyValue's key (field 1, written first by etcd) lies under RESERVED_PREFIX; cheap, no full decode. The KeyValue is value[start, end). */
export function isReservedKeyValue(value: Uint8Array, start = 0, end = value.length): boolean {
  return keyValueKeyStartsWith(value, RESERVED, start, end);
}

/** Collects what was dropped from `key`, to drop the matching `lease` entries after it. */
export class ReservedKeyFilter {
  /** Revisions (key bucket entries) dropped. */
  dropped = 0;
  readonly leases = new Set<bigint>();

  /** True (and remembered) when the `key` bucket value value[start, end) must be dropped. */
  dropKeyValue(value: Uint8Array, start = 0, end = value.length): boolean {
    if (!isReservedKeyValue(value, start, end)) return false;
    this.dropped++;
    const lease = decodeKeyValue(value.subarray(start, end)).lease;
    if (lease !== 0n) this.leases.add(lease);
    return true;
  }

  /** True when a `lease` bucket entry (key: the 8-byte big-endian ID) belonged to a dropped key. */
  dropLease(key: Uint8Array): boolean {
    return key.length === 8 && this.leases.has(BigInt.asIntN(64, u64beBig(key, 0)));
  }
}
