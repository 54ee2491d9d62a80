/**
 * audit search over real files: rotated and gzipped logs written by the event generator,
 * searched through the library, compared with a brute-force filter over every event written.
 */
import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdtemp, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { eventTimeKey, followAuditLog, searchAuditLogs, totalStats, type AuditEvent, type AuditFilter, type SearchMatch } from '../../src/audit/index.js';
import { goJson, SPECIAL_NAMESPACE, SPECIAL_POD_NAME, specialDeleteEvents } from '../../src/audit/testing.js';
import { writeAuditLogSet, type AuditLogSet } from '../support/audit-events.js';
import { tempDir } from '../support/temp.js';

let dir: string;
let set: AuditLogSet;
const written: AuditEvent[] = [];

after(() => rm(dir, { recursive: true, force: true }));
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-audit-'));
  set = await writeAuditLogSet({ dir, files: 4, eventsPerFile: 1500, gzipped: 2, plantIn: 1, malformedEvery: 700, seed: 3, onEvent: (e) => written.push(e) });
});

async function search(paths: string[], filter: AuditFilter): Promise<{ found: SearchMatch[]; stats: ReturnType<typeof totalStats>; raw: Awaited<ReturnType<typeof searchAuditLogs>> }> {
  const raw = await searchAuditLogs(paths, filter);
  const found: SearchMatch[] = [];
  for await (const m of raw.matches) found.push(m);
  return { found, stats: totalStats(raw.stats), raw };
}

function ids(events: readonly AuditEvent[]): string[] {
  return events.map((e) => `${e.auditID}/${e.stage}`);
}

function expected(predicate: (e: AuditEvent) => boolean): string[] {
  const key = (e: AuditEvent) => eventTimeKey(e) ?? 0;
  return ids(written.filter(predicate).sort((a, b) => key(a) - key(b)));
}

test('searchAuditLogs finds exactly the planted delete in a gzipped rotated file', async () => {
  const { found, stats } = await search([dir], { verbs: ['delete'], names: [SPECIAL_POD_NAME], resources: ['pods'] });
  assert.deepEqual(ids(found.map((m) => m.event)), ids(set.planted));
  assert.ok(found[0]?.file.endsWith('.log.gz'), `found in ${found[0]?.file}`);
  assert.equal(stats.files, 4);
  assert.equal(stats.malformed, set.malformedLines);
  assert.ok(stats.parsed < 20, `only candidate lines are parsed (${stats.parsed})`);
});

test('searchAuditLogs returns every delete across plain and gzipped files in time order', async () => {
  const { found } = await search([dir], { verbs: ['delete'] });
  assert.deepEqual(ids(found.map((m) => m.event)), expected((e) => e.verb === 'delete'));
  assert.ok(found.length > 100);
});

test('searchAuditLogs applies --since and --until to the event time', async () => {
  const times = written.map((e) => eventTimeKey(e) ?? 0).sort((a, b) => a - b);
  const since = times[1000] as number;
  const until = times[2500] as number;
  const { found } = await search([dir], { users: ['bob@example.com'], sinceMicros: since, untilMicros: until });
  assert.deepEqual(ids(found.map((m) => m.event)), expected((e) => e.user.username === 'bob@example.com' && (eventTimeKey(e) ?? 0) >= since && (eventTimeKey(e) ?? 0) <= until));
  assert.ok(found.length > 0);
});

test('searchAuditLogs skips files that start after --until without reading them', async () => {
  const until = eventTimeKey(written[10] as AuditEvent) as number;
  const { raw, found } = await search([dir], { untilMicros: until });
  assert.equal(found.length, 11);
  assert.equal(raw.stats.files.filter((f) => f.skipped).length, 3);
});

test('searchAuditLogs interleaves overlapping logs of two API servers by time', async (t) => {
  const other = await tempDir(t);
  const second: AuditEvent[] = [];
  await writeAuditLogSet({ dir: other, files: 2, eventsPerFile: 800, seed: 99, onEvent: (e) => second.push(e) });
  const { found } = await search([dir, other], { verbs: ['patch'], namespaces: ['kube-system'] });
  const all = [...written, ...second].filter((e) => e.verb === 'patch' && e.objectRef?.namespace === 'kube-system');
  const times = found.map((m) => m.timeKey);
  assert.deepEqual([...times].sort((a, b) => a - b), times, 'time order');
  assert.deepEqual(ids(found.map((m) => m.event)).sort(), ids(all).sort());
});

test('searchAuditLogs reports a damaged gzip file and still searches the others', async (t) => {
  const copy = await tempDir(t);
  for (const p of set.paths) await copyFile(p, path.join(copy, path.basename(p)));
  const gz = path.join(copy, path.basename(set.paths[1] as string));
  await truncate(gz, Math.floor((await stat(gz)).size / 2));
  const { found, raw } = await search([copy], { verbs: ['delete'] });
  const damaged = raw.stats.files.find((f) => f.path === gz);
  assert.match(damaged?.error ?? '', /unexpected end of file/);
  assert.ok(found.some((m) => m.file.endsWith('audit.log')));
});

test('searchAuditLogs counts blank, truncated and legacy lines without failing', async (t) => {
  const d = await tempDir(t);
  const [received, completed] = specialDeleteEvents(1_714_521_600_000_000);
  await writeFile(path.join(d, 'audit.log'), `\n${goJson(received).slice(0, 50)}\nnot json\n\n${goJson(completed)}\n2024-05-01T00:00:00Z AUDIT: id="a" method="delete"\n`);
  const { found, stats, raw } = await search([d], { names: [SPECIAL_POD_NAME] });
  assert.deepEqual(ids(found.map((m) => m.event)), ids([completed as AuditEvent]));
  assert.equal(stats.malformed, 3);
  assert.deepEqual(raw.stats.files[0]?.malformedSamples.map((s) => s.line), [2, 3, 6]);
});

test('searchAuditLogs throws AppError with a hint for a missing path', async () => {
  await assert.rejects(searchAuditLogs([path.join(dir, 'nope')], {}), (err: unknown) => err instanceof AppError && /no such file/.test(err.message) && err.hint !== undefined);
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('followAuditLog yields new events as they are appended and across a rotation', async (t) => {
  const d = await tempDir(t);
  const live = path.join(d, 'audit.log');
  const [first, second] = specialDeleteEvents(1_714_521_600_000_000, 'follow-1');
  await writeFile(live, `${goJson(first)}\n`);
  const controller = new AbortController();
  const restarts: string[] = [];
  const followed = followAuditLog(live, { namespaces: [SPECIAL_NAMESPACE] }, { signal: controller.signal, pollMs: 10, onRestart: (r) => restarts.push(r) });
  const seen: string[] = [];
  const done = (async () => {
    for await (const m of followed.matches) seen.push(`${m.event.auditID}/${m.event.stage}`);
  })();
  await until(() => seen.length === 1, 'the existing event');
  // Written in two pieces: a half line must wait for its end.
  const line = `${goJson(second)}\n`;
  await appendFile(live, line.slice(0, 100));
  await appendFile(live, line.slice(100));
  await until(() => seen.length === 2, 'the appended event');
  await rename(live, path.join(d, 'audit-2024-05-01T00-00-01.000.log'));
  const [, rotated] = specialDeleteEvents(1_714_521_700_000_000, 'follow-2');
  await writeFile(live, `${goJson(rotated)}\n`);
  await until(() => seen.length === 3, 'the event in the new file');
  controller.abort();
  await done;
  assert.deepEqual(seen, ['follow-1/RequestReceived', 'follow-1/ResponseComplete', 'follow-2/ResponseComplete']);
  assert.deepEqual(restarts, ['rotated']);
  assert.equal(followed.stats.files[0]?.malformed, 0);
});

test('followAuditLog starts over when the file is truncated in place', async (t) => {
  const d = await tempDir(t);
  const live = path.join(d, 'audit.log');
  const [a, b] = specialDeleteEvents(1_714_521_600_000_000, 'trunc-1');
  await writeFile(live, `${goJson(a)}\n${goJson(b)}\n`);
  const controller = new AbortController();
  const restarts: string[] = [];
  const followed = followAuditLog(live, {}, { signal: controller.signal, pollMs: 10, onRestart: (r) => restarts.push(r) });
  const seen: string[] = [];
  const done = (async () => {
    for await (const m of followed.matches) seen.push(m.event.auditID);
  })();
  await until(() => seen.length === 2, 'both events');
  const [c] = specialDeleteEvents(1_714_521_700_000_000, 'trunc-2');
  await writeFile(live, `${goJson(c)}\n`); // shorter than before: copytruncate-style rotation
  await until(() => seen.length === 3, 'the event after truncation');
  controller.abort();
  await done;
  assert.deepEqual(restarts, ['truncated']);
  assert.equal(seen[2], 'trunc-2');
  assert.ok((await readFile(live, 'utf8')).includes('trunc-2'));
});
