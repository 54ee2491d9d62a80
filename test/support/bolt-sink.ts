/** An in-memory BoltSink for the snapshot tests: assembles the file the writer writes. */
import type { BoltSink } from '../../src/snapshot/bolt-writer.js';

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
