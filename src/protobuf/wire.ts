/**
 * The protobuf wire format, by hand: the few etcd and Kubernetes messages kubekeeper reads
 * and writes are encoded from their field numbers, with no generated code. Pure; bigint for
 * 64-bit values (member IDs, revisions and lease IDs exceed 2^53).
 */
import { AppError } from '../errors.js';

export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** Malformed protobuf input: truncated varint, length past the end, unknown wire type. */
export class ProtobufError extends AppError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('protobuf', `${message} at byte ${offset}`);
    this.offset = offset;
  }
}

const textEncoder = new TextEncoder();

/** Appends fields; `finish()` returns the bytes. Fields are written in call order. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  private flushScratch(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.length += this.scratch.length;
    this.scratch = [];
  }

  private rawVarint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  /** Field numbers go up to 2^29 - 1: the tag past 2^31 is computed in BigInt, not with 32-bit shifts. */
  private tag(field: number, wireType: number): void {
    this.rawVarint((BigInt(field) << 3n) | BigInt(wireType));
  }

  /** A varint field (int64/uint64/uint32/enum/bool); negative int64 as 10-byte two's complement. */
  varint(field: number, value: bigint | number | boolean): this {
    this.tag(field, WireType.varint);
    this.rawVarint(typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value));
    return this;
  }

  /** A varint field, omitted when zero (proto3 scalar semantics). */
  varintIfNonZero(field: number, value: bigint | number | boolean): this {
    return value === 0 || value === 0n || value === false ? this : this.varint(field, value);
  }

  /** A length-delimited field: bytes, string or an encoded sub-message. */
  bytes(field: number, value: Uint8Array | string): this {
    const data = typeof value === 'string' ? textEncoder.encode(value) : value;
    this.tag(field, WireType.bytes);
    this.rawVarint(BigInt(data.length));
    this.flushScratch();
    this.chunks.push(data);
    this.length += data.length;
    return this;
  }

  /** A length-delimited field, omitted when empty (proto3 semantics). */
  bytesIfNonEmpty(field: number, value: Uint8Array | string): this {
    return value.length === 0 ? this : this.bytes(field, value);
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

export interface ProtoField {
  field: number;
  wireType: number;
  /** Set for varint fields. */
  varint: bigint;
  /** Set for bytes fields (a view, not a copy), and for fixed32/fixed64 (their raw bytes). */
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** Iterates the fields of one message in wire order; throws ProtobufError on malformed input. */
export function* readFields(buf: Uint8Array, baseOffset = 0): Generator<ProtoField> {
  let pos = 0;
  // The first 7 bytes (49 bits) in number arithmetic, exact below 2^53; BigInt only past them.
  const varint = (): bigint | number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= buf.length) throw new ProtobufError('Truncated varint', baseOffset + pos);
      const b = buf[pos++] as number;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    let big = BigInt(result);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new ProtobufError('Truncated varint', baseOffset + pos);
      const b = buf[pos++] as number;
      big |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, big);
    }
    throw new ProtobufError('Varint longer than 10 bytes', baseOffset + pos);
  };
  while (pos < buf.length) {
    const start = pos;
    const key = varint();
    const field = typeof key === 'number' ? Math.floor(key / 8) : Number(key >> 3n);
    const wireType = typeof key === 'number' ? key % 8 : Number(key & 7n);
    if (field === 0) throw new ProtobufError('Field number 0', baseOffset + start);
    switch (wireType) {
      case WireType.varint:
        yield { field, wireType, varint: BigInt(varint()), bytes: EMPTY };
        break;
      case WireType.bytes: {
        const len = varint();
        if (len > buf.length - pos) throw new ProtobufError(`Length ${len} past the end of a ${buf.length}-byte message`, baseOffset + pos);
        const n = Number(len);
        yield { field, wireType, varint: 0n, bytes: buf.subarray(pos, pos + n) };
        pos += n;
        break;
      }
      case WireType.fixed64:
      case WireType.fixed32: {
        const n = wireType === WireType.fixed64 ? 8 : 4;
        if (pos + n > buf.length) throw new ProtobufError('Truncated fixed-width field', baseOffset + pos);
        yield { field, wireType, varint: 0n, bytes: buf.subarray(pos, pos + n) };
        pos += n;
        break;
      }
      default:
        throw new ProtobufError(`Unsupported wire type ${wireType} for field ${field}`, baseOffset + start);
    }
  }
}

/** Signed int64 from a varint (two's complement). */
export function toInt64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/** The varints of a packed repeated field's payload; throws ProtobufError on a truncated one. */
export function readPackedVarints(buf: Uint8Array, baseOffset = 0): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i === 10) throw new ProtobufError('Varint longer than 10 bytes', baseOffset + pos);
      if (pos >= buf.length) throw new ProtobufError('Truncated varint', baseOffset + pos);
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(BigInt.asUintN(64, result));
  }
  return out;
}
