/**
 * Crash points for the fault tests: when KUBEKEEPER_TEST_CRASH_AT names a step, the process
 * SIGKILLs itself on reaching it, so a test can assert what the next run finds and reports
 * after a crash at exactly that step. Unset (always, outside the test suite) it costs one
 * environment lookup per step and does nothing.
 */

/** Test-only: the variable naming the step at which to die. */
export const CRASH_AT_ENV = 'KUBEKEEPER_TEST_CRASH_AT';

/** The named steps, for tests and docs. */
export const CRASH_POINTS = [
  'part-file.written', 'local-backend.tmp-written', 'verify.spooled', 'restore.staged',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** SIGKILLs this process when KUBEKEEPER_TEST_CRASH_AT equals `step`. */
export function crashPoint(step: CrashPoint): void {
  if (process.env[CRASH_AT_ENV] === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * For resumable runbooks: SIGKILLs this process when KUBEKEEPER_TEST_CRASH_AT equals
 * `<runbook>.<step>`, called right after the step's work and before it is recorded as done,
 * so the next run must redo a step whose effect is already there.
 */
export function crashPointAfterStep(runbook: string, step: string): void {
  if (process.env[CRASH_AT_ENV] === `${runbook}.${step}`) process.kill(process.pid, 'SIGKILL');
}
