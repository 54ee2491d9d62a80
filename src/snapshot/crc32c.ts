/**
 * CRC-32C (Castagnoli), the checksum `snapshot status` reports as "hash" (spec §4.1).
 * Table-driven slicing-by-8: status hashes almost every byte of the database, so the inner
 * loop matters; eight table lookups per eight input bytes keeps it within a small factor of
 * a hardware CRC without native code.
 */

const POLY = 0x82f63b78;

/** 8 tables of 256 entries; table k maps a byte to its CRC contribution k bytes later. */
export const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/**
 * Continues a CRC-32C over `data[start, end)`. `prev` is a finished CRC (0 for a fresh one),
 * like Go's `crc32.Update(prev, castagnoli, data)`, so `crc32c(b, crc32c(a)) === crc32c(a ‖ b)`.
 * Returns an unsigned 32-bit number.
 */
export function crc32c(data: Uint8Array, prev = 0, start = 0, end = data.length): number {
  return ~crc32cUpdate(~prev, data, start, end) >>> 0;
}

/** The register before any data: pass to crc32cUpdate, finish with `~state >>> 0`. */
export const CRC32C_INIT = ~0;

/**
 * The hot loop on the raw (inverted, signed int32) register. Hashing many small pieces, a
 * caller keeps the state as int32 so V8 stores it as a small integer instead of allocating
 * a heap number per update.
 */
export function crc32cUpdate(state: number, data: Uint8Array, start: number, end: number): number {
  const t = TABLES;
  let crc = state;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    const lo = crc ^ ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24));
    crc =
      (t[1792 + (lo & 0xff)] as number) ^
      (t[1536 + ((lo >>> 8) & 0xff)] as number) ^
      (t[1280 + ((lo >>> 16) & 0xff)] as number) ^
      (t[1024 + (lo >>> 24)] as number) ^
      (t[768 + (data[i + 4] as number)] as number) ^
      (t[512 + (data[i + 5] as number)] as number) ^
      (t[256 + (data[i + 6] as number)] as number) ^
      (t[data[i + 7] as number] as number);
    i += 8;
  }
  while (i < end) crc = (t[(crc ^ (data[i++] as number)) & 0xff] as number) ^ (crc >>> 8);
  return crc;
}

/** The JavaScript engine behind the Crc32cEngine interface (see crc32c-wasm.ts): no copy. */
export function createJsCrc32c(): { load(bytes: Uint8Array): void; update(state: number, start: number, end: number): number } {
  let loaded: Uint8Array = new Uint8Array(0);
  return {
    load(bytes) {
      loaded = bytes;
    },
    update(state, start, end) {
      return crc32cUpdate(state, loaded, start, end);
    },
  };
}
