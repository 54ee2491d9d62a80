/**
 * A MemberSession on real etcd: a client on the first endpoint of --endpoints that answers
 * with a leader (reconnected after a connectivity error, since the member it used may be the
 * one that is removed or restarted), Status and health of other endpoints with the same TLS
 * and auth options.
 */
import {
  asMemberAdmin, checkEndpointHealth, connectEtcd, CONNECTIVITY_CODES, getEndpointStatus,
  type EtcdClient, type EtcdConnectOptions, type EtcdMemberAdmin,
} from '../etcd/index.js';
import { AppError } from '../errors.js';
import type { Clock } from '../k8s/index.js';
import type { MemberEvent, MemberSession } from './member-session.js';

/** How often the runbooks poll the cluster while waiting. */
export const MEMBER_POLL_INTERVAL_MS = 1_000;

export interface OpenSessionOptions {
  etcd: EtcdConnectOptions;
  clock: Clock;
  signal?: AbortSignal;
  emit: (event: MemberEvent) => void;
  waitTimeoutMs: number;
  pollIntervalMs?: number;
}

export interface ClosableMemberSession extends MemberSession {
  /** Also changes where later clients connect (recover: the restored member). */
  setEndpoints(endpoints: string[]): void;
  close(): void;
}

/** Opens nothing yet: the first call to client() connects. */
export function openMemberSession(options: OpenSessionOptions): ClosableMemberSession {
  let etcd = options.etcd;
  let current: (EtcdClient & EtcdMemberAdmin) | undefined;
  const drop = () => {
    current?.close();
    current = undefined;
  };
  const lostConnection = (err: unknown) => err instanceof AppError && CONNECTIVITY_CODES.has(err.code);
  // A read reconnects once when the member it used went away (removed, restarted).
  const guarded = <A extends unknown[], R>(call: (c: EtcdClient & EtcdMemberAdmin, ...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await call(await connect(), ...args);
    } catch (err) {
      if (!lostConnection(err)) throw err;
      drop();
      return call(await connect(), ...args);
    }
  };
  // A membership change is never sent twice here: its answer may be lost after etcd applied it.
  // The caller looks at the member list and decides; the next call reconnects.
  const once = <A extends unknown[], R>(call: (c: EtcdClient & EtcdMemberAdmin, ...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await call(await connect(), ...args);
    } catch (err) {
      if (lostConnection(err)) drop();
      throw err;
    }
  };
  const connect = async () => (current ??= asMemberAdmin(await connectEtcd(etcd, options.signal)));
  const wrapped: EtcdClient & EtcdMemberAdmin = {
    get endpoint() {
      return current?.endpoint ?? etcd.endpoints[0] ?? '';
    },
    snapshot: (signal, o) => {
      if (!current) throw new Error('snapshot() before connect');
      return current.snapshot(signal, o);
    },
    status: guarded((c, endpoint?: string) => c.status(endpoint)),
    memberList: guarded((c) => c.memberList()),
    memberListWithHeader: guarded((c) => c.memberListWithHeader()),
    alarms: guarded((c) => c.alarms()),
    range: guarded((c, o: Parameters<EtcdClient['range']>[0]) => c.range(o)),
    put: guarded((c, k: Uint8Array | string, v: Uint8Array | string, l?: bigint) => c.put(k, v, l)),
    deleteRange: guarded((c, k: Uint8Array | string, e?: Uint8Array | string) => c.deleteRange(k, e)),
    memberListLinearizable: guarded((c) => c.memberListLinearizable()),
    memberAdd: once((c, urls: readonly string[], learner: boolean) => c.memberAdd(urls, learner)),
    memberRemove: once((c, id: bigint) => c.memberRemove(id)),
    memberPromote: once((c, id: bigint) => c.memberPromote(id)),
    close: drop,
  };
  return {
    client: async () => {
      await connect();
      return wrapped;
    },
    statusOf: (endpoint) => getEndpointStatus(etcd, endpoint, options.signal),
    healthOf: (endpoint) => checkEndpointHealth(etcd, endpoint, options.signal),
    clock: options.clock,
    signal: options.signal,
    emit: options.emit,
    waitTimeoutMs: options.waitTimeoutMs,
    pollIntervalMs: options.pollIntervalMs ?? MEMBER_POLL_INTERVAL_MS,
    setEndpoints(endpoints) {
      drop();
      etcd = { ...etcd, endpoints };
    },
    close: drop,
  };
}
