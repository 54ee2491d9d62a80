/**
 * FNV-1a 64, the checksum bbolt stores in each meta page (spec §2.3): offset basis
 * 0xcbf29ce484222325, prime 0x100000001b3, per byte `h ^= b; h *= prime` mod 2^64.
 */

const OFFSET_BASIS = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** FNV-1a 64 of `data[start, end)` as an unsigned bigint. Only ever used on 56-byte metas. */
export function fnv1a64(data: Uint8Array, start = 0, end = data.length): bigint {
  let h = OFFSET_BASIS;
  for (let i = start; i < end; i++) {
    h = ((h ^ BigInt(data[i] as number)) * PRIME) & MASK;
  }
  return h;
}
