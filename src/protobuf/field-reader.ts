/**
 * A protobuf field reader for hot paths (a watch's events, thousands a second): it moves over
 * one message's fields without allocating, where readFields yields an object and BigInts per
 * field. Varints are JS numbers, exact below 2^53: read with it only fields known to stay below
 * (revisions, lengths, enums); a larger varint (a lease ID) is skipped correctly but its
 * `value` is approximate. Malformed input throws ProtobufError as readFields does.
 */
import { ProtobufError, WireType } from './wire.js';

export class FieldReader {
  field = 0;
  wireType = 0;
  /** A varint field's value (exact below 2^53). */
  value = 0;
  /** A length-delimited or fixed-width field's payload: buf[start, end) (offsets into the whole buf). */
  start = 0;
  end = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** The message is buf[first, limit). */
  private first = 0;
  private limit = 0;

  /**
   * Starts reading the message buf[start, end) (default: all of `buf`) from its first field;
   * returns this. Offsets (start, end) stay offsets into `buf`.
   */
  reset(buf: Uint8Array, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = this.first = start;
    this.limit = end;
    return this;
  }

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.limit) return false;
    const at = this.pos - this.first;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wireType = key % 8;
    if (this.field === 0) throw new ProtobufError('Field number 0', at);
    switch (this.wireType) {
      case WireType.varint:
        this.value = this.varint();
        return true;
      case WireType.bytes: {
        const n = this.varint();
        if (n > this.limit - this.pos) throw new ProtobufError(`Length ${n} past the end of a ${this.limit - this.first}-byte message`, this.pos - this.first);
        this.start = this.pos;
        this.end = this.pos += n;
        return true;
      }
      case WireType.fixed64:
      case WireType.fixed32: {
        const n = this.wireType === WireType.fixed64 ? 8 : 4;
        if (this.pos + n > this.limit) throw new ProtobufError('Truncated fixed-width field', this.pos - this.first);
        this.start = this.pos;
        this.end = this.pos += n;
        return true;
      }
      default:
        throw new ProtobufError(`Unsupported wire type ${this.wireType} for field ${this.field}`, at);
    }
  }

  /** The current length-delimited field's bytes (a view). */
  bytes(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  private varint(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) throw new ProtobufError('Truncated varint', this.pos - this.first);
      const b = buf[this.pos++] as number;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtobufError('Varint longer than 10 bytes', this.pos - this.first);
  }
}
