/** An in-memory BoltSink for the snapshot tests: assembles the file the writer writes. */
import { BoltWriter, type BoltSink } from '../../src/snapshot/bolt-writer.js';

/** A sink over a copy of `initial` (empty by default) that grows as pages are written; counts writes. */
export function memorySink(initial: Uint8Array = new Uint8Array(0)): BoltSink & { bytes(): Uint8Array; writes: number } {
  let file: Uint8Array = initial.slice();
  const sink = {
    writes: 0,
    write(offset: number, bytes: Uint8Array) {
      sink.writes++;
      if (offset + bytes.length > file.length) {
        const bigger = new Uint8Array(offset + bytes.length);
        bigger.set(file);
        file = bigger;
      }
      file.set(bytes, offset);
    },
    bytes: () => file,
  };
  return sink;
}

/** A bbolt file of `buckets` (name, then key/value pairs in key order), written in memory by BoltWriter. */
export function buildDb(buckets: readonly [string, readonly (readonly [Uint8Array, Uint8Array])[]][], pageSize = 4096): Uint8Array {
  const sink = memorySink();
  const w = new BoltWriter({ pageSize, sink });
  for (const [name, entries] of buckets) {
    w.beginBucket(new TextEncoder().encode(name));
    for (const [k, v] of entries) w.put(k, v);
    w.endBucket();
  }
  w.finish();
  return sink.bytes();
}
