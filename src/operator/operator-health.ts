/**
 * /healthz and /readyz of an operator replica, from what its loops last achieved. Alive: the
 * API server answered this replica (a Lease read or write, which every replica does each retry
 * period, or a policy list or watch) within the liveness timeout, and, while it leads, its
 * policy list/watch answered within that timeout too (a stuck watch loop, or a leader that can
 * no longer renew, turns it unhealthy, so the kubelet restarts it). Ready: it reached the API
 * server once and, while it leads, listed its policies. Pure, apart from `observeLeaseApi`
 * which only wraps calls.
 */
import type { HealthReport } from '../daemon/index.js';
import { KubeApiError, type LeaseApi } from '../k8s/index.js';
import type { OperatorState } from './operator-state.js';

const secs = (ms: number) => `${Math.round(ms / 1000)}s`;

/** The /healthz verdict now: unhealthy past `livenessTimeoutMs` without an answer (or, leading, without the watch). */
export function operatorHealth(state: OperatorState, now: Date, livenessTimeoutMs: number): HealthReport {
  const sinceContact = now.getTime() - (state.lastContactAt ?? state.startedAt).getTime();
  if (sinceContact > livenessTimeoutMs) {
    return { healthy: false, reason: `no answer from the API server for ${secs(sinceContact)} (limit ${secs(livenessTimeoutMs)}): the Lease cannot be renewed nor the policies watched` };
  }
  if (state.leading && state.leadingSince) {
    const sinceWatch = now.getTime() - Math.max(state.leadingSince.getTime(), state.lastWatchAt?.getTime() ?? 0);
    if (sinceWatch > livenessTimeoutMs) {
      return { healthy: false, reason: `leading, but the policy list/watch has not answered for ${secs(sinceWatch)} (limit ${secs(livenessTimeoutMs)})` };
    }
    return { healthy: true, reason: 'leading: running the policies' };
  }
  return { healthy: true, reason: 'standing by: another replica holds the Lease' };
}

/** The /readyz verdict: the API server answered once and, when leading, the policies were listed. */
export function operatorReadiness(state: OperatorState): HealthReport {
  if (!state.lastContactAt) return { healthy: false, reason: 'not ready: the API server has not answered yet' };
  if (state.leading && !state.listed) return { healthy: false, reason: 'not ready: leading, the policies are not listed yet' };
  return { healthy: true, reason: state.leading ? 'ready: leading, policies listed' : 'ready: standing by' };
}

/** The Lease calls, recording each answer of the API server (an error status is an answer too). */
export function observeLeaseApi(api: LeaseApi, onAnswer: () => void): LeaseApi {
  const observe = async <T>(call: Promise<T>): Promise<T> => {
    try {
      const result = await call;
      onAnswer();
      return result;
    } catch (err) {
      if (err instanceof KubeApiError) onAnswer();
      throw err;
    }
  };
  return {
    getLease: (namespace, name) => observe(api.getLease(namespace, name)),
    createLease: (lease) => observe(api.createLease(lease)),
    updateLease: (lease) => observe(api.updateLease(lease)),
  };
}
