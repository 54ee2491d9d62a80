/**
 * A watch on the whole keyspace from a start revision, as the delta streamer needs it:
 * fragments reassembled (one WatchResponse holds complete revisions: etcd never splits a
 * revision across responses), progress requests on demand, and compaction reported as such
 * (watch-stream.ts). One gRPC stream, no deadline; ended by the caller's signal or a broken
 * connection. Also the lease listing the streamer records at each flush.
 */
import { AppError } from '../errors.js';
import { GrpcEtcdClient } from './client.js';
import { METHODS } from './grpc-channel.js';
import { decodeLeaseLeasesResponse, decodeLeaseTimeToLiveResponse, encodeLeaseTimeToLiveRequest, type KeyspaceWatch } from './watch-messages.js';
import type { EtcdClient } from './types.js';
import { pollingWatch } from './watch-poll.js';
import { WatchStream } from './watch-stream.js';

export type { KeyspaceWatch } from './watch-messages.js';
export { WatchCompactedError } from './watch-stream.js';

function grpcClientOf(client: EtcdClient): GrpcEtcdClient {
  if (client instanceof GrpcEtcdClient) return client;
  throw new AppError('etcd-watch', 'This etcd client cannot watch', { hint: 'Connect with connectEtcd' });
}

/**
 * Opens a watch on every key from `startRevision` (see the file comment). With `pollMs`, it is
 * held open only until it has caught up, and opened again at most pollMs later (watch-poll.ts).
 */
export function watchKeyspace(client: EtcdClient, options: { startRevision: bigint; signal?: AbortSignal; pollMs?: number }): KeyspaceWatch {
  const channel = grpcClientOf(client).channel;
  const stream = new WatchStream(channel, `watch the keyspace from revision ${options.startRevision}`, options.signal);
  if (!options.pollMs) {
    const watch = stream.watch(options.startRevision);
    return { ...watch, cancel: () => stream.close() };
  }
  return pollingWatch(stream, { startRevision: options.startRevision, maxPollMs: options.pollMs, signal: options.signal });
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
