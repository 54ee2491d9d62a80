/**
 * Little-endian integer reads at arbitrary (unaligned) offsets of a byte view. bbolt stores
 * its structures in host order, which is little-endian on every platform etcd ships for.
 * Plain byte arithmetic: no DataView allocation per page in the hot walk.
 */

export function u16le(b: Uint8Array, off: number): number {
  return (b[off] as number) | ((b[off + 1] as number) << 8);
}

export function u32le(b: Uint8Array, off: number): number {
  return ((b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16) | ((b[off + 3] as number) << 24)) >>> 0;
}

/**
 * A u64 as a JS number: exact below 2^53, and still >= 2^53 (so it fails any bounds check
 * against a real page count) above it. Use `u64leBig` where the exact value matters.
 */
export function u64le(b: Uint8Array, off: number): number {
  return u32le(b, off + 4) * 0x100000000 + u32le(b, off);
}

export function u64leBig(b: Uint8Array, off: number): bigint {
  return (BigInt(u32le(b, off + 4)) << 32n) | BigInt(u32le(b, off));
}

/** Unsigned big-endian u64 (etcd revision, lease and meta values). */
export function u64beBig(b: Uint8Array, off: number): bigint {
  const hi = ((b[off] as number) << 24 | (b[off + 1] as number) << 16 | (b[off + 2] as number) << 8 | (b[off + 3] as number)) >>> 0;
  const lo = ((b[off + 4] as number) << 24 | (b[off + 5] as number) << 16 | (b[off + 6] as number) << 8 | (b[off + 7] as number)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** memcmp order: unsigned bytes, a prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return compareBytesAt(a, a.length, b, 0, b.length);
}

/** compareBytes(a[0, aLength), b[bStart, bEnd)) without views. */
export function compareBytesAt(a: Uint8Array, aLength: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aLength, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[bStart + i] as number);
    if (d !== 0) return d;
  }
  return aLength - (bEnd - bStart);
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const byte of b) s += byte.toString(16).padStart(2, '0');
  return s;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Bucket names and etcd keys are bytes; shown as text (invalid UTF-8 becomes U+FFFD). */
export function bytesToText(b: Uint8Array): string {
  return decoder.decode(b);
}

/**
 * A copy of `b[start, end)` as a plain Uint8Array. Not `b.slice()`: when `b` is a Node Buffer
 * (a file reader's block), Buffer#slice returns a view that the next read overwrites.
 */
export function copyBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}
