/** The schedule domain (pure): retention planning; schedules and next-run times live here too. */
export {
  type RetentionAction, type RetentionCandidate, type RetentionDecision, type RetentionPlan, type RetentionPolicy,
  checkPolicy, formatDuration, isEmptyPolicy, isoWeek, planRetention,
} from './retention.js';
export { type CronExpression, CronSyntaxError, cronMatchesDay, parseCron } from './cron.js';
export { type Schedule, checkSchedule, firstPlannedRun, nextCronTime, nextPlannedRun, nextPlannedRunAfter, nextRun } from './next-run.js';
