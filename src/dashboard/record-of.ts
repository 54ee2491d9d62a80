/**
 * Run records made from what a drill, a verify or a failed backup run returned: names,
 * times, durations, the failed step and its reason. Pure.
 */
import type { RestoreDrillResult, VerifyBackupResult } from '../backup/index.js';
import { RUN_RECORD_FORMAT, type RunRecord } from './run-record.js';

/** Step durations of a drill, summed per step (a step appears once, but stay safe). */
export function drillRunRecord(result: RestoreDrillResult): RunRecord {
  const stepsMs: Record<string, number> = {};
  for (const c of result.checks) stepsMs[c.step] = (stepsMs[c.step] ?? 0) + c.durationMs;
  return {
    format: RUN_RECORD_FORMAT, kind: 'drill', startedAt: result.startedAt, durationMs: result.durationMs, ok: result.ok, stepsMs,
    ...(result.backupName ? { backupName: result.backupName } : {}),
    ...(result.failedStep ? { failedStep: result.failedStep } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
  };
}

/** A drill that could not run at all (timeout, no etcd binary): its error code and message. */
export function drillErrorRecord(startedAt: Date, durationMs: number, code: string, message: string): RunRecord {
  return { format: RUN_RECORD_FORMAT, kind: 'drill', startedAt: startedAt.toISOString(), durationMs, ok: false, failedStep: code, reason: message };
}

export function verifyRunRecord(result: VerifyBackupResult, startedAt: Date): RunRecord {
  const failed = result.checks.find((c) => !c.ok);
  return {
    format: RUN_RECORD_FORMAT, kind: 'verify', startedAt: startedAt.toISOString(), durationMs: result.durationMs, ok: result.ok, backupName: result.name,
    ...(failed ? { failedStep: failed.name, reason: failed.detail } : {}),
  };
}

/** A scheduled backup that failed: no manifest tells of it, so this record does. */
export function backupFailureRecord(startedAt: Date, durationMs: number, code: string, message: string): RunRecord {
  return { format: RUN_RECORD_FORMAT, kind: 'backup', startedAt: startedAt.toISOString(), durationMs, ok: false, failedStep: code, reason: message };
}
