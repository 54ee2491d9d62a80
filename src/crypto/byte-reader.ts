/**
 * Pull-style reading of an AsyncIterable<Uint8Array>: lines for the age header and armor,
 * fixed-size blocks for STREAM chunks. Holds at most one block plus one source chunk, so a
 * payload is never buffered whole. Returned arrays may share memory with source chunks.
 */

const EMPTY = new Uint8Array(0);
const LF = 0x0a;

/** How a line read ended: at its LF, at the end of the input, or at the length limit. */
export type LineEnd = 'lf' | 'eof' | 'too-long';

export class ByteReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  #buf: Uint8Array = EMPTY;
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /**
   * Appends the next non-empty source chunk to the buffer; false at the end of the input.
   * Callers empty the buffer first, except peek(), so joining copies at most a peek's worth.
   */
  async #pull(): Promise<boolean> {
    while (!this.#done) {
      const next = await this.#iterator.next();
      if (next.done) {
        this.#done = true;
        break;
      }
      if (next.value.length === 0) continue;
      this.#buf = this.#buf.length === 0 ? next.value : concat([this.#buf, next.value]);
      return true;
    }
    return false;
  }

  /**
   * Reads `maxBytes` bytes, or fewer only when the input ends first. Collects parts before
   * joining them once, so a 64 KiB block made of 1-byte source chunks costs one copy.
   */
  async read(maxBytes: number): Promise<Uint8Array> {
    if (this.#buf.length >= maxBytes) return this.#take(maxBytes);
    const parts: Uint8Array[] = [this.#take(this.#buf.length)];
    let total = parts[0]!.length;
    while (total < maxBytes && (await this.#pull())) {
      const part = this.#take(Math.min(this.#buf.length, maxBytes - total));
      parts.push(part);
      total += part.length;
    }
    return join(parts);
  }

  /** Returns up to `maxBytes` bytes without consuming them. */
  async peek(maxBytes: number): Promise<Uint8Array> {
    while (this.#buf.length < maxBytes && (await this.#pull()));
    return this.#buf.subarray(0, maxBytes);
  }

  /**
   * Reads one line without its LF. Stops at `maxBytes` bytes without an LF ('too-long'); at
   * the end of the input, returns what was read ('eof', possibly empty). A line spanning
   * many small source chunks is joined once, not re-copied per chunk.
   */
  async readLine(maxBytes: number): Promise<{ line: Uint8Array; end: LineEnd }> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const room = maxBytes - length;
      const at = this.#buf.indexOf(LF);
      if (at >= 0 && at <= room) {
        parts.push(this.#take(at));
        this.#take(1);
        return { line: join(parts), end: 'lf' };
      }
      if (this.#buf.length > room) {
        parts.push(this.#take(room));
        return { line: join(parts), end: 'too-long' };
      }
      length += this.#buf.length;
      parts.push(this.#take(this.#buf.length));
      if (!(await this.#pull())) return { line: join(parts), end: 'eof' };
    }
  }

  /** True when no byte is left in the input. */
  async atEof(): Promise<boolean> {
    return this.#buf.length === 0 && !(await this.#pull());
  }

  /** Releases the source early (its iterator's return()), e.g. after an error. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#buf = EMPTY;
    await this.#iterator.return?.();
  }

  #take(n: number): Uint8Array {
    const out = this.#buf.subarray(0, n);
    this.#buf = n === this.#buf.length ? EMPTY : this.#buf.subarray(n);
    return out;
  }
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : concat(parts);
}

/** Joins byte arrays into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
