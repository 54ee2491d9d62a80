/**
 * A watch on the whole keyspace from a start revision, as the delta streamer needs it:
 * fragments reassembled (one WatchResponse holds complete revisions: etcd never splits a
 * revision across responses), progress requests on demand, and compaction reported as such.
 * One gRPC stream, no deadline; ended by the caller's signal or a broken connection.
 */
import { AppError } from '../errors.js';
import { GrpcEtcdClient } from './client.js';
import { METHODS } from './grpc-channel.js';
import { decodeLeaseLeasesResponse, decodeLeaseTimeToLiveResponse, decodeWatchResponse, encodeLeaseTimeToLiveRequest, encodeWatchCreateRequest, encodeWatchProgressRequest, type WatchResponse } from './watch-messages.js';
import type { EtcdClient } from './types.js';

/** The start revision was compacted away: deltas from there cannot be had any more. */
export class WatchCompactedError extends AppError {
  constructor(readonly requestedRevision: bigint, readonly compactRevision: bigint) {
    super('etcd-watch-compacted', `Cannot watch from revision ${requestedRevision}: etcd compacted up to revision ${compactRevision}`, {
      hint: 'A new full backup is needed ("kubekeeper backup save"); the stream resumes from its revision',
    });
  }
}

export interface KeyspaceWatch {
  /** Complete responses with events or progress, in order; ends when the stream ends. */
  responses(): AsyncGenerator<WatchResponse>;
  /** Asks etcd for a progress response (its current revision, once every event up to it was sent). */
  requestProgress(): void;
  cancel(): void;
}

function grpcClientOf(client: EtcdClient): GrpcEtcdClient {
  if (client instanceof GrpcEtcdClient) return client;
  throw new AppError('etcd-watch', 'This etcd client cannot watch', { hint: 'Connect with connectEtcd' });
}

/** Opens a watch on every key from `startRevision` (see the file comment). */
export function watchKeyspace(client: EtcdClient, options: { startRevision: bigint; signal?: AbortSignal }): KeyspaceWatch {
  const channel = grpcClientOf(client).channel;
  const call = channel.openStream(METHODS.watch, { action: `watch the keyspace from revision ${options.startRevision}`, signal: options.signal });
  const queue: WatchResponse[] = [];
  let failure: Error | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  let partial: WatchResponse | undefined;
  call.onData((bytes) => {
    const r = decodeWatchResponse(bytes);
    if (partial) {
      partial.events.push(...r.events);
      partial.header = r.header;
    } else {
      partial = r;
    }
    if (r.fragment) return;
    queue.push(partial);
    partial = undefined;
    wake?.();
  });
  call.onEnd((error) => {
    failure = error;
    done = true;
    wake?.();
  });
  call.write(encodeWatchCreateRequest({ startRevision: options.startRevision, fragment: true }));
  return {
    async *responses() {
      for (;;) {
        const next = queue.shift();
        if (next) {
          if (next.compactRevision > 0n) throw new WatchCompactedError(options.startRevision, next.compactRevision);
          if (next.canceled) throw new AppError('etcd-watch-canceled', `etcd canceled the watch from revision ${options.startRevision}: ${next.cancelReason || 'no reason given'}`, { hint: 'Check the member with "kubekeeper endpoint health"' });
          if (!next.created) yield next;
          continue;
        }
        if (done) {
          if (failure) throw failure;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    requestProgress: () => call.write(encodeWatchProgressRequest()),
    cancel: () => call.cancel(),
  };
}

/** A lease etcd holds: its ID and granted TTL. */
export interface LeaseGrant {
  id: bigint;
  grantedTtlSeconds: number;
}

/** Every lease etcd holds now, with its granted TTL (LeaseLeases, then LeaseTimeToLive each). */
export async function listLeases(client: EtcdClient, timeoutMs: number): Promise<{ revision: bigint; leases: LeaseGrant[] }> {
  const channel = grpcClientOf(client).channel;
  const listed = decodeLeaseLeasesResponse(await channel.unary(METHODS.leaseLeases, new Uint8Array(0), { action: 'list the leases', timeoutMs }));
  const leases: LeaseGrant[] = [];
  for (const id of listed.ids) {
    const ttl = decodeLeaseTimeToLiveResponse(await channel.unary(METHODS.leaseTimeToLive, encodeLeaseTimeToLiveRequest(id), { action: `read the TTL of lease ${id.toString(16)}`, timeoutMs }));
    // TTL -1: revoked or expired between the two calls.
    if (ttl.ttl >= 0n) leases.push({ id, grantedTtlSeconds: Number(ttl.grantedTtl) });
  }
  return { revision: listed.header.revision, leases };
}
