/**
 * Random access to a snapshot's bytes without holding them in memory. The bbolt reader
 * walks pages through this interface; the I/O edge (a file descriptor) lives outside
 * snapshot/, which stays pure. Reads are synchronous on purpose: a tree walk reads one page
 * at a time, and a positioned read from the page cache costs ~1 µs where an async
 * round trip costs ~10x that.
 */
export interface RandomAccess {
  readonly sizeBytes: number;
  /**
   * Returns exactly `length` bytes at `offset`. The caller has checked the range against
   * `sizeBytes`; implementations throw if it is out of range. The returned view may be
   * reused by the next call: copy what must outlive it.
   */
  read(offset: number, length: number): Uint8Array;
}

/** RandomAccess over bytes already in memory (tests, small inline data). */
export function randomAccessFromBytes(bytes: Uint8Array): RandomAccess {
  return {
    sizeBytes: bytes.length,
    read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new RangeError(`read of ${length} bytes at ${offset} is outside a ${bytes.length}-byte snapshot`);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}
