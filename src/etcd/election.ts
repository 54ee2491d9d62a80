/**
 * One-at-a-time scheduled runs across control-plane nodes: before a run, a node campaigns for
 * `<RESERVED_PREFIX>election/<job>` with a put-if-absent Txn (`create_revision == 0`) carrying
 * a fresh lease. The winner keeps the lease alive during the run and revokes it after; a
 * loser learns the holder's identity and skips the slot. A holder that dies stops its
 * keep-alives, so etcd expires the lease and deletes the key within the TTL: the next
 * campaign after that wins. Every call is bounded by the client's command timeout.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppError } from '../errors.js';
import { RESERVED_PREFIX } from '../snapshot/index.js';
import { GrpcEtcdClient } from './client.js';
import { decodeLeaseResponse, decodePutIfAbsentTxn, encodeLeaseGrantRequest, encodeLeaseIdRequest, encodePutIfAbsentTxn } from './election-messages.js';
import { METHODS, type CallOptions } from './grpc-channel.js';
import type { EtcdClient } from './types.js';

/** Default lease TTL: a dead holder blocks the job for at most this long. */
export const ELECTION_TTL_SECONDS = 30;
const DEFAULT_TIMEOUT_MS = 5_000;

/** The calls the election needs: unary calls and one-response bidi calls (GrpcChannel). */
export interface ElectionChannel {
  unary(path: string, request: Uint8Array, options: CallOptions): Promise<Buffer>;
  bidiOnce(path: string, request: Uint8Array, options: CallOptions): Promise<Buffer>;
}

export interface CampaignOptions {
  /** The scheduled job: "backup", "drill". Letters, digits, '-' and '.'. */
  job: string;
  ttlSeconds?: number;
  /** Who campaigns; default `<hostname>/<pid>/<random hex>`. */
  identity?: string;
  /** Bound of each call in milliseconds. */
  timeoutMs?: number;
  /** Called once when a keep-alive fails or etcd says the lease is gone: leadership is lost. */
  onLost?: (reason: string) => void;
}

/** A won campaign: the key is ours until resign() or the lease expires. */
export interface Leadership {
  readonly key: string;
  readonly identity: string;
  readonly leaseId: bigint;
  /** Aborted when leadership is lost (keep-alive failed, lease expired). */
  readonly lost: AbortSignal;
  /** Stops the keep-alives and revokes the lease (which deletes the key). Safe to call twice. */
  resign(): Promise<void>;
}

export type CampaignResult = { won: true; leadership: Leadership } | { won: false; key: string; holder: string };

/** The election key of `job`. */
export function electionKey(job: string): string {
  if (!/^[A-Za-z0-9.-]+$/.test(job)) throw new AppError('usage', `Invalid election job name "${job}"`, { hint: 'Use letters, digits, "-" and "."', exitCode: 2 });
  return `${RESERVED_PREFIX}election/${job}`;
}

/** `<hostname>/<pid>/<8 random bytes hex>`: unique per campaign, readable in logs. */
export function newIdentity(): string {
  return `${hostname()}/${process.pid}/${randomBytes(8).toString('hex')}`;
}

/** The channel of a client opened by connectEtcd/openEtcdClient. */
export function electionChannelOf(client: EtcdClient): ElectionChannel {
  if (client instanceof GrpcEtcdClient) return client.channel;
  const maybe = client as unknown as Partial<ElectionChannel>;
  if (typeof maybe.unary === 'function' && typeof maybe.bidiOnce === 'function') return maybe as ElectionChannel;
  throw new AppError('etcd-election', 'This etcd client cannot take part in an election', { hint: 'Connect with connectEtcd' });
}

/** Campaigns once for `options.job` (see the file comment); does not wait for the holder. */
export async function campaign(client: EtcdClient | ElectionChannel, options: CampaignOptions): Promise<CampaignResult> {
  const channel = 'bidiOnce' in client ? client : electionChannelOf(client);
  const key = electionKey(options.job);
  const ttl = options.ttlSeconds ?? ELECTION_TTL_SECONDS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const identity = options.identity ?? newIdentity();
  const grant = decodeLeaseResponse(await channel.unary(METHODS.leaseGrant, encodeLeaseGrantRequest(ttl), { action: `grant a ${ttl}s lease for "${key}"`, timeoutMs }));
  if (grant.error !== '' || grant.id === 0n) {
    throw new AppError('etcd-election', `Cannot grant a lease for "${key}": ${grant.error || 'no lease ID'}`, { hint: 'Check the etcd member with kubekeeper endpoint health' });
  }
  const revoke = () => channel.unary(METHODS.leaseRevoke, encodeLeaseIdRequest(grant.id), { action: `revoke the lease of "${key}"`, timeoutMs });
  let txn;
  try {
    txn = decodePutIfAbsentTxn(await channel.unary(METHODS.txn, encodePutIfAbsentTxn(key, identity, grant.id), { action: `campaign for "${key}"`, timeoutMs }));
  } catch (err) {
    await revoke().catch(() => undefined);
    throw err;
  }
  if (!txn.succeeded) {
    // Not fatal: an unrevoked lease holds no key and expires within its TTL.
    await revoke().catch(() => undefined);
    return { won: false, key, holder: txn.current ? new TextDecoder().decode(txn.current.value) : '(gone)' };
  }
  return { won: true, leadership: keepAlive(channel, key, identity, grant.id, ttl, timeoutMs, options.onLost) };
}

function keepAlive(channel: ElectionChannel, key: string, identity: string, leaseId: bigint, ttl: number, timeoutMs: number, onLost?: (reason: string) => void): Leadership {
  const controller = new AbortController();
  let resigned = false;
  const lose = (reason: string) => {
    if (controller.signal.aborted || resigned) return;
    clearInterval(timer);
    controller.abort(new AppError('etcd-election-lost', `Lost the election key "${key}": ${reason}`, { hint: 'Another node may run this job now; the next slot campaigns again' }));
    onLost?.(reason);
  };
  // Three keep-alives per TTL, as clientv3 does: one lost round trip does not expire the lease.
  const timer = setInterval(() => {
    channel.bidiOnce(METHODS.leaseKeepAlive, encodeLeaseIdRequest(leaseId), { action: `keep the lease of "${key}" alive`, timeoutMs: Math.min(timeoutMs, (ttl * 1000) / 3) })
      .then((bytes) => { if (decodeLeaseResponse(bytes).ttl <= 0n) lose('the lease expired'); })
      .catch((err: unknown) => lose(err instanceof Error ? err.message : String(err)));
  }, Math.max(500, (ttl * 1000) / 3));
  timer.unref();
  return {
    key, identity, leaseId, lost: controller.signal,
    async resign() {
      if (resigned) return;
      resigned = true;
      clearInterval(timer);
      await channel.unary(METHODS.leaseRevoke, encodeLeaseIdRequest(leaseId), { action: `revoke the lease of "${key}"`, timeoutMs });
    },
  };
}
