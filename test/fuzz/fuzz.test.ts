/**
 * A seeded fuzz run over the formats kubekeeper reads from disk and from repositories:
 * snapshot files, age files, backup manifests, audit log lines and config YAML. Every target
 * gets FUZZ_ITERATIONS mutations of a valid input (byte flips, random bytes, insertions,
 * deletions, duplicated ranges, truncation, extreme 32-bit lengths; for text also structural
 * characters). Each input must end in a clean result or an AppError: no other exception, no
 * input taking more than FUZZ_INPUT_LIMIT_MS, and no heap beyond FUZZ_HEAP_LIMIT_BYTES. The
 * seed is printed on failure; replay with KK_FUZZ_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { minimalDb } from '../fixtures/snapshot/minimal-db.js';
import { repoRoot } from '../support/paths.js';
import { parseAuditLine } from '../../src/audit/index.js';
import { fakeSnapshotSource, withTrailer } from '../../src/backup/backup-fakes.js';
import { BackupRepository, parseManifest, saveBackup } from '../../src/backup/index.js';
import { encodeManifest } from '../../src/backup/manifest.js';
import { decryptStream, encryptStream, generateIdentity, parseIdentityFile, parseRecipient } from '../../src/crypto/index.js';
import { collect } from '../../src/crypto/testing.js';
import { parseConfigText } from '../../src/daemon/index.js';
import { AppError } from '../../src/errors.js';
import { seededRandom } from '../../src/seeded-random.js';
import { openRestoreSource, randomAccessFromBytes, snapshotStatus, verifySnapshot } from '../../src/snapshot/index.js';
import { MemoryBackend } from '../../src/storage/index.js';

/** Mutated inputs per target. */
const FUZZ_ITERATIONS = Number(process.env.KK_FUZZ_ITERATIONS ?? 1500);
/** One input taking longer than this is a hang. */
const FUZZ_INPUT_LIMIT_MS = 2000;
/** The heap must stay below this while fuzzing (inputs are a few KiB; a length read from one must not become an allocation). */
const FUZZ_HEAP_LIMIT_BYTES = 768 * 1024 * 1024;
const SEED = Number(process.env.KK_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);
const STRUCTURAL = [':', '"', "'", '{', '}', '[', ']', '\n', '- ', '&a', '*a', '!!binary ', '|', '>', '#', '\t', '\\u0000', '1e999', '-1', '99999999999999999999', 'null', '~', '<<: *a'];

/** One random mutation of `input`. */
function mutate(input: Uint8Array, random: Random, text: boolean): Uint8Array {
  const bytes = Buffer.from(input);
  const at = int(random, Math.max(1, bytes.length));
  switch (int(random, text ? 8 : 7)) {
    case 0: bytes[at] = (bytes[at] ?? 0) ^ (1 << int(random, 8)); return bytes;
    case 1: bytes[at] = int(random, 256); return bytes;
    case 2: return Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(random, 16) }, () => int(random, 256))), bytes.subarray(at)]);
    case 3: return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + int(random, 64)))]);
    case 4: {
      const len = 1 + int(random, 256);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + len), bytes.subarray(at)]);
    }
    case 5: return bytes.subarray(0, at);
    case 6: {
      if (bytes.length < at + 4) return bytes;
      bytes.writeUInt32LE([0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 4096, 65536][int(random, 7)] as number, at);
      return bytes;
    }
    default: return Buffer.concat([bytes.subarray(0, at), Buffer.from(STRUCTURAL[int(random, STRUCTURAL.length)] as string), bytes.subarray(at)]);
  }
}

/**
 * Runs `parse` on FUZZ_ITERATIONS mutations (1-4 stacked) of one of `seeds`; every outcome
 * must be a value or an AppError.
 */
async function fuzz(name: string, seeds: Uint8Array[], text: boolean, parse: (input: Uint8Array) => unknown): Promise<{ ok: number; refused: number }> {
  const random = seededRandom(SEED ^ [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  let ok = 0;
  let refused = 0;
  for (let i = 0; i < FUZZ_ITERATIONS; i++) {
    let input = seeds[int(random, seeds.length)] as Uint8Array;
    for (let m = 1 + int(random, 4); m > 0; m--) input = mutate(input, random, text);
    const where = `${name} #${i} (replay: KK_FUZZ_SEED=${SEED}); input (base64): ${Buffer.from(input).toString('base64').slice(0, 2000)}`;
    const started = Date.now();
    try {
      await parse(input);
      ok++;
    } catch (err) {
      if (!(err instanceof AppError)) assert.fail(`${where}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.stack ?? String(err)}`);
      assert.ok(err.code && err.message, `${where}: an AppError without code or message`);
      refused++;
    }
    assert.ok(Date.now() - started < FUZZ_INPUT_LIMIT_MS, `${where}: took ${Date.now() - started} ms`);
    if (i % 100 === 0) assert.ok(process.memoryUsage().heapUsed < FUZZ_HEAP_LIMIT_BYTES, `${where}: heap ${process.memoryUsage().heapUsed} bytes`);
  }
  return { ok, refused };
}

test(`fuzz: snapshot files give a report or an AppError (seed ${SEED})`, async () => {
  const snapshot = withTrailer(minimalDb());
  const result = await fuzz('snapshot', [snapshot], false, (bytes) => {
    const ra = randomAccessFromBytes(bytes);
    verifySnapshot(ra, { requireTrailer: false });
    snapshotStatus(ra);
    const source = openRestoreSource(ra);
    for (const bucket of source.buckets()) for (const entry of bucket.entries()) void entry;
  });
  assert.ok(result.ok + result.refused === FUZZ_ITERATIONS && result.refused > 0, JSON.stringify(result));
});

test(`fuzz: age files decrypt or fail with an AppError (seed ${SEED})`, async () => {
  const generated = generateIdentity();
  const identities = parseIdentityFile(generated.identity);
  const plain = Buffer.from('etcd snapshot bytes '.repeat(4000));
  const sealed = await collect(encryptStream((async function* () { yield plain; })(), [parseRecipient(generated.recipient)]));
  const result = await fuzz('age', [sealed], false, async (bytes) => {
    await collect(decryptStream((async function* () { yield bytes; })(), identities));
  });
  assert.ok(result.refused > FUZZ_ITERATIONS / 2, JSON.stringify(result));
});

test(`fuzz: backup manifests parse or fail with an AppError (seed ${SEED})`, async () => {
  const repo = new BackupRepository(new MemoryBackend());
  const { manifest } = await saveBackup(repo, fakeSnapshotSource(withTrailer(minimalDb())), { recipients: [], allowUnencrypted: true, compression: 'gzip', name: 'seed' });
  const result = await fuzz('manifest', [encodeManifest(manifest)], true, (bytes) => parseManifest(bytes, 'seed'));
  assert.ok(result.refused > 0, JSON.stringify(result));
});

test(`fuzz: audit log lines are parsed or refused, never thrown (seed ${SEED})`, async () => {
  const line = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a1', stage: 'ResponseComplete', requestURI: '/api/v1/namespaces/default/secrets/x', verb: 'get', user: { username: 'admin', groups: ['system:masters'] }, objectRef: { resource: 'secrets', namespace: 'default', name: 'x' }, requestReceivedTimestamp: '2024-06-01T10:00:00.000000Z', stageTimestamp: '2024-06-01T10:00:00.001000Z' });
  const result = await fuzz('audit', [Buffer.from(line)], true, (bytes) => {
    const parsed = parseAuditLine(Buffer.from(bytes).toString('utf8'));
    if (typeof parsed.ok !== 'boolean') throw new Error('no verdict');
  });
  assert.equal(result.ok, FUZZ_ITERATIONS);
});

test(`fuzz: config YAML loads or fails with an AppError (seed ${SEED})`, async () => {
  const seeds = ['kubekeeper.yaml', 'rke-cluster.yml', 'rke-documented-s3.yml'].map((f) => readFileSync(path.join(repoRoot, 'test/fixtures/config', f)));
  const env = { KUBEKEEPER_RECIPIENTS: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', KK_TEST_ACCESS_KEY: 'AKID' };
  const result = await fuzz('config', seeds, true, (bytes) => parseConfigText('/etc/kubekeeper/config.yaml', Buffer.from(bytes).toString('utf8'), env));
  assert.ok(result.refused > 0, JSON.stringify(result));
});
