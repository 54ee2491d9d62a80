/**
 * `kubekeeper snapshot verify` on a real etcd snapshot (saved by the real etcdctl) and on
 * damaged copies of it: a flipped byte in the trailer, a meta page, a branch page and a leaf
 * page, and truncation at every page boundary. Exit 0 only when all checks pass, 3 when a
 * check fails, and the failed check names the page and offset.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/errors.js';
import { randomAccessFromBytes, snapshotStatus, verifySnapshot, type VerifyReport } from '../../src/snapshot/index.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';
import { describeKeyBucket, etcdctlTxnPut, kubekeeperInProcess, type SnapshotPages } from '../support/snapshot-data.js';
import { runKubekeeper } from '../support/cli.js';

interface JsonReport { ok: boolean; checks: { name: string; ok: boolean; skipped?: boolean; warning?: boolean; detail: string; pageId?: number; offset?: number }[] }

describe('snapshot verify on a real etcd snapshot', () => {
  let dir: string;
  let good: Uint8Array;
  let pages: SnapshotPages;

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kk-verify-'));
    const member = await startEtcd({ extraArgs: ['--max-txn-ops', '2000'] });
    try {
      await etcdctlTxnPut(member, Array.from({ length: 2000 }, (_, i) => [`/registry/pods/ns/p${i}`, 'x'.repeat(80)]));
      await etcdctlOk(member, ['put', 'big', 'B'.repeat(9000)]);
      await etcdctlOk(member, ['snapshot', 'save', path.join(dir, 'good.db')]);
    } finally {
      await member.stop();
    }
    good = await readFile(path.join(dir, 'good.db'));
    pages = describeKeyBucket(good);
    assert.equal(pages.keyRootIsBranch, true, 'the key bucket has a branch root');
  });

  /** Writes a damaged copy and runs the CLI on it (in-process), parsing the JSON report. */
  async function verifyCopy(name: string, damage: (bytes: Uint8Array) => Uint8Array | void): Promise<{ code: number; report: JsonReport }> {
    const copy = Uint8Array.from(good);
    const bytes = damage(copy) ?? copy;
    const file = path.join(dir, `${name}.db`);
    await writeFile(file, bytes);
    const r = await kubekeeperInProcess(['snapshot', 'verify', '-w', 'json', file]);
    return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
  }
  const failed = (report: JsonReport) => report.checks.filter((c) => !c.ok).map((c) => c.name);
  const check = (report: JsonReport, name: string) => report.checks.find((c) => c.name === name) as JsonReport['checks'][number];
  const stripTrailer = (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 32);

  test('verify exits 0 with every check passed when the snapshot is intact', async () => {
    const { code, report } = await verifyCopy('intact', () => undefined);
    assert.equal(code, 0);
    assert.deepEqual(failed(report), []);
    assert.equal(check(report, 'trailer').skipped, undefined);
  });

  test('verify exits 3 and fails only the trailer check when a trailer byte is flipped', async () => {
    const { code, report } = await verifyCopy('trailer', (b) => void (b[b.length - 1] = (b[b.length - 1] as number) ^ 1));
    assert.equal(code, 3);
    assert.deepEqual(failed(report), ['trailer']);
    assert.equal(check(report, 'trailer').offset, good.length - 32);
  });

  test('verify warns on the meta check of page 0 (bbolt uses page 1) and fails the trailer when a meta byte is flipped', async () => {
    const { code, report } = await verifyCopy('meta', (b) => void (b[40] = (b[40] as number) ^ 0x40));
    assert.equal(code, 3);
    assert.deepEqual(failed(report), ['trailer']);
    assert.equal(check(report, 'meta').warning, true);
    assert.equal(check(report, 'meta').pageId, 0);
  });

  for (const withTrailer of [true, false]) {
    test(`verify fails the structure check at the branch page when a child pointer is damaged (${withTrailer ? 'with' : 'without'} trailer)`, async () => {
      const at = pages.keyRoot * pages.pageSize + 16 + 8 + 5; // element 0's child pgid, a high byte
      const { code, report } = await verifyCopy(`branch-${withTrailer}`, (b) => {
        b[at] = 0x7f;
        return withTrailer ? b : stripTrailer(b);
      });
      assert.equal(code, 3);
      assert.deepEqual(failed(report), withTrailer ? ['trailer', 'structure'] : ['structure']);
      assert.equal(check(report, 'structure').pageId, pages.keyRoot);
      assert.equal(check(report, 'structure').offset, at - 5);
      assert.equal(check(report, 'revisions').skipped, true);
    });
  }

  test('verify fails the revisions check at the leaf page when a stored KeyValue is damaged (no trailer)', async () => {
    // Keys from one txn share a main revision, so damaging a key would break key order
    // first; damaging the value's first protobuf tag leaves the order alone.
    const leaf = pages.keyLeaves[3] as number;
    const base = leaf * pages.pageSize;
    const view = Buffer.from(good);
    const keyAt = base + 16 + view.readUInt32LE(base + 16 + 4);
    const valueAt = keyAt + view.readUInt32LE(base + 16 + 8);
    const { code, report } = await verifyCopy('leaf', (b) => {
      b[valueAt] = 0x0f; // field 1, wire type 7: not a protobuf wire type
      return stripTrailer(b);
    });
    assert.equal(code, 3);
    assert.deepEqual(failed(report), ['revisions']);
    assert.match(check(report, 'revisions').detail, /wire type 7/);
    assert.equal(check(report, 'revisions').pageId, leaf);
    assert.equal(check(report, 'revisions').offset, keyAt);
  });

  test('verify and status report errors, never crash, when truncated at every page boundary', () => {
    const reports: VerifyReport[] = [];
    for (let page = 0; page <= pages.pgid; page++) {
      for (const cut of [page * pages.pageSize, page * pages.pageSize + 100]) {
        // Cutting exactly the trailer leaves a whole db, like a data-dir copy: that one is fine.
        if (cut >= good.length || cut === pages.pgid * pages.pageSize) continue;
        const bytes = good.subarray(0, cut);
        const report = verifySnapshot(randomAccessFromBytes(bytes));
        assert.equal(report.ok, false, `cut at ${cut}`);
        reports.push(report);
        if (cut < pages.pgid * pages.pageSize) assert.throws(() => snapshotStatus(randomAccessFromBytes(bytes)), AppError, `cut at ${cut}`);
      }
    }
    assert.ok(reports.length > 2 * pages.pgid - 2);
  });

  test('the built CLI exits 3 and prints the failed check with its location when run as a process', async () => {
    const file = path.join(dir, 'cli-branch.db');
    const bytes = Uint8Array.from(good);
    bytes[pages.keyRoot * pages.pageSize + 16 + 8 + 5] = 0x7f;
    await writeFile(file, bytes);
    const r = await runKubekeeper(['snapshot', 'verify', file]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, new RegExp(`^FAIL  structure .*\\[at page ${pages.keyRoot}, offset \\d+\\]$`, 'm'));
    assert.match(r.stdout, /failed 2 checks: trailer, structure\n$/);
    const status = await runKubekeeper(['snapshot', 'status', file]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /^Error: .*outside the data pages.*\(page \d+, offset \d+\)\nHint: /);
  });

  test('verify exits 1 with a hint when the file does not exist', async () => {
    const r = await kubekeeperInProcess(['snapshot', 'verify', path.join(dir, 'missing.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no such file\nHint: /);
  });
});
