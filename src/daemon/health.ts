/**
 * /healthz: healthy while the newest good backup is younger than `staleAfterMs`. A daemon
 * that has no backup yet gets the same grace from its start, so a fresh install is not
 * reported unhealthy before its first scheduled run. A repository holding a backup dated
 * after the host's clock is unhealthy whatever the age: the clock or the repository is wrong. Pure.
 */
import { FUTURE_SKEW_MS } from '../backup/index.js';
import type { DaemonState } from './daemon-state.js';

export interface HealthReport {
  healthy: boolean;
  /** One sentence for humans and probes' logs. */
  reason: string;
  /** Age of the newest good backup in seconds, when one is known. */
  lastSuccessAgeSeconds?: number;
}

export function checkHealth(state: DaemonState, now: Date, staleAfterMs: number): HealthReport {
  const limit = `${Math.round(staleAfterMs / 1000)}s`;
  if (state.futureDated.length > 0) {
    return { healthy: false, reason: `backup(s) dated after this host's clock (${now.toISOString()}): ${state.futureDated.join(', ')}; check the clocks, or remove them with "kubekeeper backup delete"` };
  }
  if (!state.lastSuccessAt) {
    const upMs = now.getTime() - state.startedAt.getTime();
    return upMs <= staleAfterMs
      ? { healthy: true, reason: `no good backup yet; started ${Math.round(upMs / 1000)}s ago (limit ${limit})` }
      : { healthy: false, reason: `no good backup since the daemon started ${Math.round(upMs / 1000)}s ago (limit ${limit})` };
  }
  const ageMs = now.getTime() - state.lastSuccessAt.getTime();
  if (ageMs < -FUTURE_SKEW_MS) return { healthy: false, reason: `newest good backup is dated ${state.lastSuccessAt.toISOString()}, after this host's clock (${now.toISOString()})` };
  const age = Math.round(ageMs / 1000);
  return ageMs <= staleAfterMs
    ? { healthy: true, reason: `newest good backup is ${age}s old (limit ${limit})`, lastSuccessAgeSeconds: age }
    : { healthy: false, reason: `newest good backup is ${age}s old, older than ${limit}`, lastSuccessAgeSeconds: age };
}
