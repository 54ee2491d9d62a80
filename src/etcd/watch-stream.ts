/**
 * One Watch gRPC stream carrying keyspace watches one after another: each watch is created on
 * it, read until its caller is done, then cancelled with a cancel request, and the stream stays
 * open for the next one (a polling reader opens a watch several times a second: no new HTTP/2
 * stream, no server goroutines, no cancelled-call error each time). Each watch has its own ID
 * (1, 2, ... given in the create request, etcd 3.4+); responses are reassembled from fragments
 * and told apart by it: what a cancelled watch still had in flight is dropped.
 */
import { AppError } from '../errors.js';
import { type DuplexCall, type GrpcChannel, METHODS } from './grpc-channel.js';
import { decodeWatchResponse, encodeWatchCancelRequest, encodeWatchCreateRequest, encodeWatchProgressRequest, type KeyspaceWatch, type WatchResponse } from './watch-messages.js';

/** The start revision was compacted away: deltas from there cannot be had any more. */
export class WatchCompactedError extends AppError {
  constructor(readonly requestedRevision: bigint, readonly compactRevision: bigint) {
    super('etcd-watch-compacted', `Cannot watch from revision ${requestedRevision}: etcd compacted up to revision ${compactRevision}`, {
      hint: 'A new full backup is needed ("kubekeeper backup save"); the stream resumes from its revision',
    });
  }
}

/** etcd's watch ID of a progress response for every watch of a stream (clientv3.InvalidWatchID). */
const ALL_WATCHES = -1n;

export class WatchStream {
  private readonly call: DuplexCall;
  private readonly queue: WatchResponse[] = [];
  private failure: Error | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  private partial: WatchResponse | undefined;
  private lastId = 0n;

  constructor(channel: GrpcChannel, action: string, signal?: AbortSignal) {
    this.call = channel.openStream(METHODS.watch, { action, signal });
    this.call.onData((bytes) => {
      const r = decodeWatchResponse(bytes);
      if (this.partial) {
        for (const ev of r.events) this.partial.events.push(ev);
        this.partial.header = r.header;
      } else {
        this.partial = r;
      }
      if (r.fragment) return;
      this.queue.push(this.partial);
      this.partial = undefined;
      this.wake?.();
    });
    this.call.onEnd((error) => {
      this.failure = error;
      this.ended = true;
      this.wake?.();
    });
  }

  /** The next whole response; undefined once the server ended the stream; throws its failure. */
  private async next(): Promise<WatchResponse | undefined> {
    for (;;) {
      const r = this.queue.shift();
      if (r) return r;
      if (this.ended) {
        if (this.failure) throw this.failure;
        return undefined;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /**
   * Creates a watch on every key from `startRevision`, with the next watch ID of this stream.
   * Its responses() end when the server ends the stream; cancel() cancels this watch only (the
   * stream stays open for the next), close() the stream.
   */
  watch(startRevision: bigint): KeyspaceWatch {
    const id = ++this.lastId;
    this.call.write(encodeWatchCreateRequest({ startRevision, watchId: id, fragment: true }));
    const state = { cancelled: false };
    return {
      responses: () => this.responsesOf(id, startRevision, state),
      requestProgress: () => this.call.write(encodeWatchProgressRequest()),
      cancel: () => {
        if (state.cancelled) return;
        state.cancelled = true;
        this.call.write(encodeWatchCancelRequest(id));
      },
    };
  }

  private async *responsesOf(id: bigint, startRevision: bigint, state: { cancelled: boolean }): AsyncGenerator<WatchResponse> {
    for (let r = await this.next(); r && !state.cancelled; r = await this.next()) {
      // Another watch's (one cancelled, its last responses in flight): not this one's.
      if (r.watchId !== id && !(r.watchId === ALL_WATCHES && r.events.length === 0 && !r.created)) continue;
      if (r.compactRevision > 0n) throw new WatchCompactedError(startRevision, r.compactRevision);
      if (r.canceled) throw new AppError('etcd-watch-canceled', `etcd canceled the watch from revision ${startRevision}: ${r.cancelReason || 'no reason given'}`, { hint: 'Check the member with "kubekeeper endpoint health"' });
      if (!r.created) yield r;
    }
  }

  close(): void {
    this.call.cancel();
  }
}
