/**
 * Leftovers of runs killed mid-way (SIGKILL, OOM killer, power loss): restore staging dirs,
 * `.part` files, scratch dirs. Each is named with its owner's identity (PID and kernel start
 * time, `<pid>-<start>`), so the next run can prove it is ours and its owner is dead before
 * removing it; a live owner's, or one it cannot attribute, is kept and reported with the fix.
 */

/** What the next run found and did about one leftover. */
export interface Leftover {
  path: string;
  kind: 'restore-staging' | 'part-file' | 'scratch-dir' | 'tmp-object';
  action: 'removed' | 'kept';
  /** Why: "owner PID 123 is gone", "owner PID 123 is still running", ... */
  reason: string;
}

/** Told about each leftover found; the library never prints. */
export type LeftoverListener = (leftover: Leftover) => void;

export { ownerGone, ownerTag, parseOwnerTag, startTimeOf } from '../process-owner.js';
