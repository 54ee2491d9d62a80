/**
 * Polling until the cluster shows something done (a member started, caught up, promotable),
 * with the session's clock and bound. Each round either returns the result or says what is
 * still missing; the last reason is in the timeout error.
 */
import { AppError, throwIfAborted } from '../errors.js';
import { formatDuration } from '../k8s/index.js';
import type { MemberSession } from './member-session.js';

export type Poll<T> = { done: T } | { missing: string };

/** Resolves with the first `done`; throws AppError "member-wait-timeout" at the session's bound. */
export async function waitUntil<T>(session: MemberSession, what: string, round: () => Promise<Poll<T>>, hint: string): Promise<T> {
  const deadline = session.clock.now() + session.waitTimeoutMs;
  let lastMissing = '';
  for (;;) {
    throwIfAborted(session.signal, `Waiting for ${what}`);
    const r = await round();
    if ('done' in r) return r.done;
    if (r.missing !== lastMissing) session.emit({ type: 'waiting', what, missing: r.missing });
    lastMissing = r.missing;
    const left = deadline - session.clock.now();
    if (left <= 0) {
      throw new AppError('member-wait-timeout', `Timed out after ${formatDuration(session.waitTimeoutMs)} waiting for ${what}: ${r.missing}`, { hint });
    }
    await session.clock.sleep(Math.min(session.pollIntervalMs, left), session.signal);
  }
}
