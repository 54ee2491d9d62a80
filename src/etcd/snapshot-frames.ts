/**
 * Parses the body of a Maintenance.Snapshot response as it arrives over HTTP/2: gRPC
 * length-prefixed messages (1 flag byte + u32 BE length), each an etcdserverpb.SnapshotResponse
 * {header=1, remaining_bytes=2, blob=3, version=4}. Blob bytes are passed on as views of the
 * received chunks, never copied or reassembled, so a 1 GiB snapshot costs no extra memory.
 * Pure and incremental: chunks may split anything anywhere.
 */
import { ProtobufError } from '../protobuf/index.js';

/** etcd sends 32 KiB blobs; anything far larger is not a snapshot response. */
export const MAX_SNAPSHOT_MESSAGE_BYTES = 64 * 1024 * 1024;

const enum State { Prefix, Tag, Varint, Length, Blob, Skip }

export class SnapshotFrameParser {
  /** remaining_bytes of the first message plus its blob: the image size (without the trailer). */
  firstTotalBytes: number | undefined;
  messages = 0;
  private state = State.Prefix;
  private prefix = new Uint8Array(5);
  private prefixLength = 0;
  /** Bytes left in the current gRPC message. */
  private messageLeft = 0;
  private field = 0;
  private varint = 0n;
  private varintShift = 0n;
  private left = 0;
  private remainingBytes = 0;
  private blobBytes = 0;
  private offset = 0;

  /** Feeds one received chunk; returns the blob pieces it contained, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.state === State.Blob || this.state === State.Skip) {
        const n = Math.min(this.left, chunk.length - i);
        if (this.state === State.Blob) {
          out.push(chunk.subarray(i, i + n));
          this.blobBytes += n;
        }
        i += n;
        this.left -= n;
        this.consumed(n);
        if (this.left === 0) this.fieldDone();
        continue;
      }
      this.byte(chunk[i] as number);
      i++;
    }
    return out;
  }

  /** True between messages: a stream that ends elsewhere was cut off. */
  get atMessageBoundary(): boolean {
    return this.state === State.Prefix && this.prefixLength === 0;
  }

  private fail(message: string): never {
    throw new ProtobufError(`Malformed snapshot stream: ${message}`, this.offset);
  }

  private consumed(n: number): void {
    this.offset += n;
    this.messageLeft -= n;
  }

  private byte(b: number): void {
    if (this.state === State.Prefix) {
      this.offset++;
      this.prefix[this.prefixLength++] = b;
      if (this.prefixLength < 5) return;
      this.prefixLength = 0;
      if (this.prefix[0] !== 0) this.fail('compressed gRPC message (none was negotiated)');
      this.messageLeft = new DataView(this.prefix.buffer).getUint32(1);
      if (this.messageLeft > MAX_SNAPSHOT_MESSAGE_BYTES) this.fail(`message of ${this.messageLeft} bytes`);
      this.remainingBytes = 0;
      this.blobBytes = 0;
      this.startTag();
      if (this.messageLeft === 0) this.messageDone();
      return;
    }
    this.consumed(1);
    this.varint |= BigInt(b & 0x7f) << this.varintShift;
    this.varintShift += 7n;
    if (b & 0x80) {
      if (this.varintShift >= 70n) this.fail('varint longer than 10 bytes');
      if (this.messageLeft <= 0) this.fail('varint runs past the end of the message');
      return;
    }
    const value = this.varint;
    this.varint = 0n;
    this.varintShift = 0n;
    if (this.state === State.Tag) this.onTag(value);
    else if (this.state === State.Varint) {
      if (this.field === 2) this.remainingBytes = Number(value);
      this.fieldDone();
    } else this.onLength(value);
  }

  private onTag(tag: bigint): void {
    this.field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (wireType === 0) this.state = State.Varint;
    else if (wireType === 2) this.state = State.Length;
    else if (wireType === 1 || wireType === 5) this.startSkip(wireType === 1 ? 8 : 4);
    else this.fail(`wire type ${wireType} for field ${this.field}`);
    if (this.messageLeft <= 0 && this.state !== State.Skip) this.fail('field runs past the end of the message');
  }

  private onLength(length: bigint): void {
    if (length > BigInt(this.messageLeft)) this.fail(`field ${this.field} of ${length} bytes in ${this.messageLeft} remaining`);
    if (length === 0n) return this.fieldDone();
    this.left = Number(length);
    this.state = this.field === 3 ? State.Blob : State.Skip;
  }

  private startSkip(n: number): void {
    if (n > this.messageLeft) this.fail(`fixed-width field past the end of the message`);
    this.left = n;
    this.state = State.Skip;
  }

  private startTag(): void {
    this.state = State.Tag;
  }

  private fieldDone(): void {
    if (this.messageLeft > 0) return this.startTag();
    this.messageDone();
  }

  private messageDone(): void {
    this.messages++;
    if (this.firstTotalBytes === undefined) this.firstTotalBytes = this.blobBytes + this.remainingBytes;
    this.state = State.Prefix;
  }
}
