import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuditLine, timestampMicros } from './event.js';

const line = (extra: object = {}) =>
  JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a', stage: 'ResponseComplete', requestURI: '/api', verb: 'get', user: { username: 'u' }, requestReceivedTimestamp: '2024-05-01T10:00:00.000001Z', stageTimestamp: '2024-05-01T10:00:00.123456Z', ...extra });

test('timestampMicros keeps all 6 fractional digits of a MicroTime', () => {
  assert.equal(timestampMicros('2024-05-01T10:00:00.123456Z'), Date.UTC(2024, 4, 1, 10) * 1000 + 123456);
  assert.equal(timestampMicros('2024-05-01T12:00:00.5+02:00'), Date.UTC(2024, 4, 1, 10) * 1000 + 500000);
  assert.equal(timestampMicros('2024-05-01T10:00:00Z'), Date.UTC(2024, 4, 1, 10) * 1000);
  assert.equal(timestampMicros('yesterday'), undefined);
});

test('parseAuditLine orders by stageTimestamp when it is present', () => {
  const parsed = parseAuditLine(line());
  assert.ok(parsed.ok);
  assert.equal(parsed.timeKey, Date.UTC(2024, 4, 1, 10) * 1000 + 123456);
});

test('parseAuditLine accepts events without optional fields and without stageTimestamp', () => {
  const parsed = parseAuditLine(JSON.stringify({ auditID: 'b', stage: 'RequestReceived', verb: 'watch', requestURI: '/x', requestReceivedTimestamp: '2024-05-01T10:00:00.000001Z' }));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.event.user, {});
  assert.equal(parsed.timeKey, Date.UTC(2024, 4, 1, 10) * 1000 + 1);
});

test('parseAuditLine rejects the legacy format, non-JSON, non-events and bad timestamps with reasons', () => {
  assert.deepEqual(parseAuditLine('2017-03-21T03:57:09.106841886-04:00 AUDIT: id="c939d2a7" stage="RequestReceived" ip="127.0.0.1" method="get" user="admin"'), { ok: false, reason: 'legacy-format' });
  assert.deepEqual(parseAuditLine('{"verb":"get",'), { ok: false, reason: 'not-json' });
  assert.deepEqual(parseAuditLine('{"kind":"Pod","verb":"get","auditID":"a","stage":"x"}'), { ok: false, reason: 'not-an-event' });
  assert.deepEqual(parseAuditLine('[1,2]'), { ok: false, reason: 'not-an-event' });
  assert.deepEqual(parseAuditLine(line({ stageTimestamp: 'soon', requestReceivedTimestamp: 'never' })), { ok: false, reason: 'bad-timestamp' });
});

test('parseAuditLine keeps every stage of one request as separate events', () => {
  const a = parseAuditLine(line({ stage: 'RequestReceived' }));
  const b = parseAuditLine(line({ stage: 'ResponseComplete' }));
  assert.ok(a.ok && b.ok);
  assert.equal(a.event.auditID, b.event.auditID);
  assert.notEqual(a.event.stage, b.event.stage);
});
