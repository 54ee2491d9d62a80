/**
 * The audit.k8s.io/v1 Event, one JSON object per line of a log written with
 * --audit-log-format=json (spec §3.3), and the checks that tell an event from a line that only
 * looks like JSON. Pure.
 */
import type { AuditLevel, AuditStage } from './policy.js';

export interface AuditUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface AuditEvent {
  kind?: 'Event';
  apiVersion?: string;
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUserInfo;
  impersonatedUser?: AuditUserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus?: { code?: number; status?: string; reason?: string; message?: string; metadata?: object };
  requestObject?: unknown;
  responseObject?: unknown;
  /** MicroTime: RFC 3339 with 6 fractional digits. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Why a line is not an audit event. */
export type MalformedReason = 'not-json' | 'legacy-format' | 'not-an-event' | 'bad-timestamp' | 'too-long';

export type ParsedLine = { ok: true; event: AuditEvent; timeKey: number } | { ok: false; reason: MalformedReason };

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * Microseconds since the epoch of an RFC 3339 timestamp; undefined when it is not one.
 * Microseconds (not Date's milliseconds) keep the order of events within one millisecond.
 */
export function timestampMicros(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = ((m[2] ?? '') + '000000').slice(0, 6);
  return ms * 1000 + Number(fraction);
}

/** The legacy (--audit-log-format=legacy) one-line text format: `<time> AUDIT: id="..." ...`. */
export function isLegacyAuditLine(line: string): boolean {
  return /^\S+ AUDIT: id="/.test(line);
}

/** The time an event is ordered by: when the stage was reached, as the API server writes them. */
export function eventTimeKey(event: Pick<AuditEvent, 'stageTimestamp' | 'requestReceivedTimestamp'>): number | undefined {
  return timestampMicros(event.stageTimestamp ?? '') ?? timestampMicros(event.requestReceivedTimestamp ?? '');
}

/** Parses one line (without its newline); never throws. */
export function parseAuditLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: isLegacyAuditLine(line) ? 'legacy-format' : 'not-json' };
  }
  return checkEvent(value);
}

/** Checks that a parsed JSON value is an audit event and finds its time. */
export function checkEvent(value: unknown): ParsedLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not-an-event' };
  const e = value as Partial<AuditEvent>;
  if (typeof e.verb !== 'string' || typeof e.auditID !== 'string' || typeof e.stage !== 'string') return { ok: false, reason: 'not-an-event' };
  if (e.kind !== undefined && e.kind !== 'Event') return { ok: false, reason: 'not-an-event' };
  const timeKey = eventTimeKey(e as AuditEvent);
  if (timeKey === undefined) return { ok: false, reason: 'bad-timestamp' };
  if (typeof e.user !== 'object' || e.user === null) (e as AuditEvent).user = {};
  return { ok: true, event: e as AuditEvent, timeKey };
}
