import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from './event.js';
import { emptyScanStats, scanAuditLines, type ScanMatch } from './line-scanner.js';
import { compileFilter, type AuditFilter } from './search-filter.js';
import { createEventGenerator, goJson, nearMissEvents, SPECIAL_POD_NAME, specialDeleteEvents } from './testing.js';

interface Fixture {
  bytes: Buffer;
  events: AuditEvent[];
  malformed: number;
}

/** `count` generated events, the planted delete, near misses, and every kind of bad line. */
function fixture(count: number): Fixture {
  const gen = createEventGenerator({ seed: 7 });
  const events: AuditEvent[] = [];
  const lines: string[] = [];
  let malformed = 0;
  for (let i = 0; i < count; i++) {
    const batch = i === count / 2 ? [...specialDeleteEvents(gen.nowMicros), ...nearMissEvents(gen.nowMicros + 10)] : [gen.next()];
    for (const e of batch) {
      events.push(e);
      lines.push(goJson(e));
    }
    if (i % 100 === 13) {
      lines.push(goJson(gen.next()).slice(0, 300), '2024-05-01T00:00:00.1Z AUDIT: id="x" stage="ResponseComplete" method="delete"', '', '   ');
      malformed += 2;
    }
  }
  // One CRLF line and a last line without a newline.
  const last = gen.next();
  events.push(last);
  const crlf = gen.next();
  events.splice(events.length - 1, 0, crlf);
  const text = `${lines.join('\n')}\n${goJson(crlf)}\r\n${goJson(last)}`;
  return { bytes: Buffer.from(text), events, malformed };
}

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield new Uint8Array(bytes.subarray(i, i + size));
}

async function scan(bytes: Buffer, filter: AuditFilter, size: number) {
  const stats = emptyScanStats();
  const found: ScanMatch[] = [];
  for await (const m of scanAuditLines(chunks(bytes, size), compileFilter(filter), stats)) found.push(m);
  return { found, stats };
}

const FILTERS: Record<string, [AuditFilter, (e: AuditEvent) => boolean]> = {
  'delete of the special pod': [{ verbs: ['delete'], names: [SPECIAL_POD_NAME] }, (e) => e.verb === 'delete' && e.objectRef?.name === SPECIAL_POD_NAME],
  'pods only, completed': [{ names: [SPECIAL_POD_NAME], resources: ['pods'], stages: ['ResponseComplete'] }, (e) => e.objectRef?.name === SPECIAL_POD_NAME && e.objectRef.resource === 'pods' && !e.objectRef.subresource && e.stage === 'ResponseComplete'],
  'user with an escaped character': [{ users: ['https://sso.example.com#carol&ops'] }, (e) => e.user.username === 'https://sso.example.com#carol&ops'],
  'impersonated user': [{ users: ['system:serviceaccount:payments:cleanup'] }, (e) => e.impersonatedUser?.username === 'system:serviceaccount:payments:cleanup'],
  'two verbs in one namespace': [{ verbs: ['create', 'patch'], namespaces: ['kube-system'] }, (e) => ['create', 'patch'].includes(e.verb) && e.objectRef?.namespace === 'kube-system'],
  'leases in apps group (none)': [{ resources: ['leases.apps'] }, () => false],
};

const fixture2000 = fixture(1200);
const data = fixture2000;
// One byte at a time is slow: a smaller log for that size.
const small = fixture(40);

for (const [name, [filter, expected]] of Object.entries(FILTERS)) {
  for (const size of [1, 511, 513, 65536]) {
    if (size === 1 && !name.startsWith('delete')) continue;
    test(`scanAuditLines finds exactly the "${name}" events when chunks are ${size} bytes`, async () => {
      const data = size === 1 ? small : fixture2000;
      const { found, stats } = await scan(data.bytes, filter, size);
      const want = data.events.filter(expected).map((e) => `${e.auditID}/${e.stage}`);
      assert.deepEqual(found.map((m) => `${m.event.auditID}/${m.event.stage}`), want);
      assert.equal(stats.malformed, data.malformed);
      assert.equal(stats.bytes, data.bytes.length);
      assert.ok(stats.parsed < data.events.length / 4 || !filter.names, 'the name pre-filter skips most lines');
    });
  }
}

test('scanAuditLines finds the planted delete with both stages and the user who impersonated', async () => {
  const { found } = await scan(data.bytes, { verbs: ['delete'], names: [SPECIAL_POD_NAME], resources: ['pods'] }, 65536);
  assert.deepEqual(found.map((m) => m.event.stage), ['RequestReceived', 'ResponseComplete']);
  assert.equal(found[1]?.event.user.username, 'alice@example.com');
  assert.equal(found[1]?.event.impersonatedUser?.username, 'system:serviceaccount:payments:cleanup');
});

test('scanAuditLines reports malformed lines with line numbers and reasons', async () => {
  const { stats } = await scan(data.bytes, {}, 4096);
  assert.equal(stats.malformed, data.malformed);
  assert.deepEqual(stats.malformedSamples.slice(0, 2).map((s) => s.reason), ['not-json', 'legacy-format']);
  const text = data.bytes.toString().split('\n');
  assert.ok(text[(stats.malformedSamples[1]?.line ?? 0) - 1]?.includes(' AUDIT: id='));
});

test('scanAuditLines skips a line longer than the limit and counts it as malformed', async () => {
  const long = Buffer.from(`{"x":"${'a'.repeat(5000)}"}\n${goJson(specialDeleteEvents(1)[1])}\n`);
  const stats = emptyScanStats();
  const found = [];
  for await (const m of scanAuditLines(chunks(long, 100), compileFilter({ verbs: ['delete'] }), stats, 1000)) found.push(m);
  assert.equal(found.length, 1);
  assert.deepEqual(stats.malformedSamples, [{ line: 1, reason: 'too-long' }]);
  assert.equal(found[0]?.line, 2);
});
