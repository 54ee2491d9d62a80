import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSigningKey } from '../crypto/index.js';
import { MemoryBackend, replayableBody } from '../storage/index.js';
import { RUN_RECORD_FORMAT, type RunRecord, encodeRunRecord, parseRunRecord, readRunRecords, writeRunRecord } from './run-record.js';

const record = (startedAt: string, ok = true): RunRecord => ({
  format: RUN_RECORD_FORMAT, kind: 'drill', startedAt, durationMs: 1500, ok, backupName: 'etcd-a', stepsMs: { download: 100, restore: 200, start: 300, keys: 50 },
  ...(ok ? {} : { failedStep: 'keys', reason: '3 keys missing' }),
});

test('run records read back newest first with their signature status when written signed and unsigned', async () => {
  const backend = new MemoryBackend();
  const { key } = generateSigningKey();
  const other = generateSigningKey().key;
  await writeRunRecord(backend, record('2026-12-01T10:00:00.000Z'), key);
  await writeRunRecord(backend, record('2026-12-03T10:00:00.000Z', false));
  await writeRunRecord(backend, record('2026-12-02T10:00:00.000Z'), other);
  const read = await readRunRecords(backend, [key.publicKey]);
  assert.deepEqual(read.map((r) => [r.record.startedAt, r.record.ok, r.signature.status]), [
    ['2026-12-03T10:00:00.000Z', false, 'unsigned'],
    ['2026-12-02T10:00:00.000Z', true, 'untrusted-signer'],
    ['2026-12-01T10:00:00.000Z', true, 'signed'],
  ]);
  assert.deepEqual(read[0]?.record, record('2026-12-03T10:00:00.000Z', false));
});

test('run record signature does not verify when a stored field was altered', async () => {
  const backend = new MemoryBackend();
  const { key } = generateSigningKey();
  const bytes = Buffer.from(encodeRunRecord(record('2026-12-01T10:00:00.000Z', false), key)).toString('utf8').replace('"ok": false', '"ok": true');
  await backend.save({ type: 'manifest', name: 'run-drill-20261201T100000000Z-00000000.record' }, replayableBody(Buffer.from(bytes)));
  const [read] = await readRunRecords(backend, [key.publicKey]);
  assert.equal(read?.record.ok, true);
  assert.equal(read?.signature.status, 'bad-signature');
});

test('run records are skipped when they are not records: other names, bad JSON, wrong format, oversized', async () => {
  const backend = new MemoryBackend();
  const save = (name: string, text: string) => backend.save({ type: 'manifest', name }, replayableBody(Buffer.from(text)));
  await save('etcd-a.json', JSON.stringify(record('2026-12-01T10:00:00.000Z')));
  await save('run-drill-20261201T100000000Z-00000001.record', '{not json');
  await save('run-drill-20261201T100000000Z-00000002.record', JSON.stringify({ ...record('2026-12-01T10:00:00.000Z'), format: 'other/v1' }));
  await save('run-drill-20261201T100000000Z-00000003.record', JSON.stringify({ ...record('2026-12-01T10:00:00.000Z'), pad: 'x'.repeat(70_000) }));
  await save('run-drill-20261201T100000000Z-00000004.record', JSON.stringify({ ...record('2026-12-01T10:00:00.000Z'), durationMs: -1 }));
  assert.deepEqual(await readRunRecords(backend, []), []);
  assert.equal(parseRunRecord(Buffer.from(JSON.stringify({ ...record('x') }))), undefined, 'an unparsable time is refused');
});

test('run records are read once when a cache is kept: stored objects are immutable', async () => {
  const backend = new MemoryBackend();
  await writeRunRecord(backend, record('2026-12-01T10:00:00.000Z'));
  const cache = new Map();
  const first = await readRunRecords(backend, [], undefined, cache);
  let loads = 0;
  const counting = Object.assign(Object.create(backend) as MemoryBackend, {
    load: (...args: Parameters<MemoryBackend['load']>) => {
      loads++;
      return backend.load(...args);
    },
  });
  await writeRunRecord(backend, record('2026-12-02T10:00:00.000Z', false));
  const second = await readRunRecords(counting, [], undefined, cache);
  assert.equal(loads, 1, 'only the new record is read');
  assert.deepEqual(second.map((r) => r.record.startedAt), ['2026-12-02T10:00:00.000Z', first[0]?.record.startedAt]);
});
