import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../logger.js';
import { KubeApiError } from '../kube-api-error.js';
import type { Lease, LeaseApi } from './lease-api.js';
import { checkLeaseDurations, runLeaderElection } from './leader-election.js';

/** One Lease in memory with the API server's optimistic concurrency: a stale resourceVersion gets 409. */
class MemoryLeases implements LeaseApi {
  lease: Lease | undefined;
  private version = 0;
  /** Candidates whose requests fail as if the API server were unreachable for them. */
  readonly cutOff = new Set<string>();
  writes: string[] = [];

  private guard(holder: string | null | undefined) {
    if (holder && this.cutOff.has(holder)) throw new Error('connection refused');
  }

  getLease(): Promise<Lease | undefined> {
    return Promise.resolve(this.lease && structuredClone(this.lease));
  }

  createLease(lease: Lease): Promise<Lease> {
    this.guard(lease.spec.holderIdentity);
    if (this.lease) return Promise.reject(new KubeApiError('create', 409, { reason: 'AlreadyExists' }));
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    this.writes.push(lease.spec.holderIdentity ?? '');
    return this.getLease() as Promise<Lease>;
  }

  updateLease(lease: Lease): Promise<Lease> {
    this.guard(lease.spec.holderIdentity ?? this.lease?.spec.holderIdentity);
    if (lease.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) return Promise.reject(new KubeApiError('update', 409, { reason: 'Conflict' }));
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    this.writes.push(lease.spec.holderIdentity ?? '');
    return this.getLease() as Promise<Lease>;
  }
}

/** Who leads right now, and the most that ever led at once. */
class Leadership {
  readonly leading = new Set<string>();
  maxAtOnce = 0;
  readonly order: string[] = [];

  lead(identity: string) {
    return async (signal: AbortSignal) => {
      this.leading.add(identity);
      this.order.push(identity);
      this.maxAtOnce = Math.max(this.maxAtOnce, this.leading.size);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      this.leading.delete(identity);
    };
  }
}

const waitFor = async (what: string, probe: () => boolean) => {
  for (let i = 0; i < 300 && !probe(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(probe(), what);
};

// 1.4 s between the renew deadline and the lease expiry: the margin client-go relies on too.
const durations = { leaseDurationMs: 2000, renewDeadlineMs: 600, retryPeriodMs: 50 };

function candidate(api: MemoryLeases, who: Leadership, identity: string) {
  const stop = new AbortController();
  const done = runLeaderElection({ api, namespace: 'ns', name: 'lease', identity, ...durations, signal: stop.signal, logger: silentLogger, lead: who.lead(identity) });
  return { stop, done };
}

test('runLeaderElection: one of two candidates leads; on shutdown it releases the Lease and the other takes over', async () => {
  const api = new MemoryLeases();
  const who = new Leadership();
  const a = candidate(api, who, 'a');
  const b = candidate(api, who, 'b');
  await waitFor('one leader', () => who.leading.size === 1);
  const first = [...who.leading][0] as string;
  const [leader, other] = first === 'a' ? [a, b] : [b, a];
  assert.equal(api.lease?.spec.holderIdentity, first);
  leader.stop.abort();
  await leader.done;
  assert.equal(api.lease?.spec.holderIdentity, null, 'released on shutdown');
  await waitFor('the other leads', () => who.leading.size === 1 && !who.leading.has(first));
  assert.equal(api.lease?.spec.leaseTransitions, 1);
  other.stop.abort();
  await other.done;
  assert.equal(who.maxAtOnce, 1, 'never two leaders at once');
});

test('runLeaderElection: a leader that cannot renew stops leading before the other candidate may take the Lease', async () => {
  const api = new MemoryLeases();
  const who = new Leadership();
  const a = candidate(api, who, 'a');
  await waitFor('a leads', () => who.leading.has('a'));
  const b = candidate(api, who, 'b');
  api.cutOff.add('a');
  await waitFor('b leads', () => who.leading.has('b'));
  assert.equal(who.maxAtOnce, 1, 'a stopped (renew deadline) before b acquired (lease duration)');
  assert.deepEqual(who.order, ['a', 'b']);
  api.cutOff.delete('a');
  for (const c of [a, b]) c.stop.abort();
  await Promise.all([a.done, b.done]);
});

test('checkLeaseDurations refuses durations client-go refuses', () => {
  assert.throws(() => checkLeaseDurations(1500, 1000, 100), /whole seconds/);
  assert.throws(() => checkLeaseDurations(3000, 3000, 100), /renew deadline/);
  assert.throws(() => checkLeaseDurations(3000, 2000, 2000), /retry period/);
  assert.doesNotThrow(() => checkLeaseDurations(15_000, 10_000, 2_000));
});
