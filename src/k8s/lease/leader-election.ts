/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules (leaderelection.go):
 * - a candidate takes the Lease when nobody holds it, or when the holder's record has not
 *   changed for leaseDuration as measured on the candidate's own clock (no clock skew between
 *   nodes matters: only when the candidate last saw the record change counts);
 * - every write carries the resourceVersion read, so of two candidates only one wins;
 * - the leader renews every retryPeriod; when no renewal succeeded for renewDeadline (shorter
 *   than leaseDuration) it stops leading at once, before anyone else may take the Lease;
 * - on shutdown a leader releases the Lease (holder cleared), so a successor need not wait.
 * `lead` runs while this process leads; its signal fires when leadership ends.
 */
import { AbortedError, messageOf } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { type Clock, systemClock } from '../clock.js';
import { isNotFound, KubeApiError } from '../kube-api-error.js';
import { type Lease, type LeaseApi, microTime } from './lease-api.js';

export interface LeaderElectionOptions {
  api: LeaseApi;
  namespace: string;
  name: string;
  /** This candidate's identity (pod name or hostname plus a random suffix). */
  identity: string;
  leaseDurationMs: number;
  /** Must be shorter than leaseDurationMs. */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  signal: AbortSignal;
  logger: Logger;
  clock?: Clock;
  /** Runs each time this candidate becomes the leader; must settle soon after its signal fires. */
  lead(signal: AbortSignal): Promise<void>;
  /** Told whenever another holder is seen (for logs and metrics). */
  onHolder?(holder: string): void;
}

/** Checks the durations as client-go does; throws a RangeError naming the flag values. */
export function checkLeaseDurations(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number): void {
  if (leaseDurationMs < 1000 || leaseDurationMs % 1000 !== 0) throw new RangeError(`lease duration must be whole seconds, at least 1s (got ${leaseDurationMs} ms)`);
  if (renewDeadlineMs >= leaseDurationMs) throw new RangeError(`renew deadline (${renewDeadlineMs} ms) must be shorter than the lease duration (${leaseDurationMs} ms)`);
  if (retryPeriodMs <= 0 || retryPeriodMs >= renewDeadlineMs) throw new RangeError(`retry period (${retryPeriodMs} ms) must be positive and shorter than the renew deadline (${renewDeadlineMs} ms)`);
}

/** Campaigns, leads, and campaigns again after a lost leadership, until `signal` fires. */
export async function runLeaderElection(options: LeaderElectionOptions): Promise<void> {
  checkLeaseDurations(options.leaseDurationMs, options.renewDeadlineMs, options.retryPeriodMs);
  const election = new Election(options);
  while (!options.signal.aborted) {
    if (!(await election.acquire())) break;
    await election.leadUntilLost();
  }
}

class Election {
  private readonly clock: Clock;
  /** The holder record last seen, and when (on our clock) it was first seen like that. */
  private observed: { key: string; atMs: number } | undefined;
  private lease: Lease | undefined;

  constructor(private readonly o: LeaderElectionOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /** Resolves true once this candidate holds the Lease, false when the signal fired first. */
  async acquire(): Promise<boolean> {
    const { logger, identity } = this.o;
    while (!this.o.signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew()) {
          logger.log('info', 'leader.acquired', { lease: `${this.o.namespace}/${this.o.name}`, identity });
          return true;
        }
      } catch (err) {
        logger.log('warn', 'leader.acquire.failed', { error: messageOf(err) });
      }
      if (!(await this.sleep(this.o.retryPeriodMs))) return false;
    }
    return false;
  }

  /** Leads until a renewal misses renewDeadline or the signal fires; then releases or gives up. */
  async leadUntilLost(): Promise<void> {
    const stop = new AbortController();
    const leading = AbortSignal.any([this.o.signal, stop.signal]);
    const work = this.o.lead(leading).catch((err: unknown) => this.o.logger.log('error', 'leader.work.failed', { error: messageOf(err) }));
    let lastRenewMs = this.clock.now();
    while (!this.o.signal.aborted) {
      if (!(await this.sleep(this.o.retryPeriodMs))) break;
      let renewed = false;
      try {
        renewed = await this.tryAcquireOrRenew();
      } catch (err) {
        this.o.logger.log('warn', 'leader.renew.failed', { error: messageOf(err) });
      }
      if (renewed) lastRenewMs = this.clock.now();
      else if (this.clock.now() - lastRenewMs >= this.o.renewDeadlineMs || !this.holdsRecord()) {
        this.o.logger.log('error', 'leader.lost', { identity: this.o.identity, sinceRenewMs: this.clock.now() - lastRenewMs });
        break;
      }
    }
    stop.abort(new AbortedError('Leading'));
    await work;
    if (this.o.signal.aborted) await this.release();
  }

  private holdsRecord(): boolean {
    return this.lease?.spec.holderIdentity === this.o.identity;
  }

  /** client-go's tryAcquireOrRenew: one read and at most one write. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, name, identity } = this.o;
    const nowMs = this.clock.now();
    const spec = { holderIdentity: identity, leaseDurationSeconds: this.o.leaseDurationMs / 1000, acquireTime: microTime(nowMs), renewTime: microTime(nowMs), leaseTransitions: 0 };
    const current = await api.getLease(namespace, name).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!current) {
      this.lease = await this.write(() => api.createLease({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec }));
      return this.lease !== undefined;
    }
    const s = current.spec;
    const key = `${s.holderIdentity ?? ''}\u0000${s.renewTime ?? ''}\u0000${s.leaseDurationSeconds ?? ''}`;
    if (this.observed?.key !== key) this.observed = { key, atMs: nowMs };
    const holder = s.holderIdentity ?? '';
    const mine = holder === identity;
    const durationMs = (s.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && !mine) {
      this.o.onHolder?.(holder);
      if (this.observed.atMs + durationMs > nowMs) {
        this.lease = current;
        return false;
      }
    }
    const next: Lease = {
      ...current,
      spec: mine
        ? { ...s, renewTime: spec.renewTime, leaseDurationSeconds: spec.leaseDurationSeconds }
        : { ...spec, leaseTransitions: (s.leaseTransitions ?? 0) + 1 },
    };
    const written = await this.write(() => api.updateLease(next));
    if (written) this.lease = written;
    return written !== undefined;
  }

  /** The write's result, or undefined when another candidate wrote first (409). */
  private async write(fn: () => Promise<Lease>): Promise<Lease | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return undefined;
      throw err;
    }
  }

  /** Clears the holder so a successor takes over at once (client-go's ReleaseOnCancel). */
  private async release(): Promise<void> {
    if (!this.lease || !this.holdsRecord()) return;
    const nowMs = this.clock.now();
    try {
      await this.o.api.updateLease({ ...this.lease, spec: { ...this.lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(nowMs), acquireTime: microTime(nowMs) } });
      this.o.logger.log('info', 'leader.released', { identity: this.o.identity });
    } catch (err) {
      this.o.logger.log('warn', 'leader.release.failed', { error: messageOf(err) });
    }
  }

  private async sleep(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.o.signal);
      return true;
    } catch {
      return false;
    }
  }
}
