import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { chunksOf, collect, collectUntilError, EDGE_LENGTHS, patternBytes } from './testing.js';
import { ZSTD_PROGRAM_ENV, zstdDecompressIntoFd, zstdProgram, zstdThroughProcess } from './zstd-process.js';

const PROGRAM = zstdProgram();
const NO_PROGRAM = PROGRAM ? false : 'no zstd program on PATH (scripts/setup.sh installs Debian\'s zstd)';

/** Compressible but not trivially so: words from a small vocabulary in pseudo-random order. */
function textLike(length: number): Buffer {
  const words = ['etcd', 'registry', 'pods', 'kube-system', 'secret', 'lease', 'revision', '{"kind":"Pod"}', '\n'];
  const out = Buffer.alloc(length);
  let seed = 12345;
  for (let i = 0; i < length; ) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    i += out.write(words[seed % words.length]!, i);
  }
  return out;
}

/** PIDs of zstd processes whose parent is this test process. */
function zstdChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (comm === 'zstd' && ppid === process.pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe('zstd through the zstd program', { skip: NO_PROGRAM }, () => {
  const saved = { program: process.env[ZSTD_PROGRAM_ENV], level: process.env.ZSTD_CLEVEL };
  afterEach(() => {
    if (saved.program === undefined) delete process.env[ZSTD_PROGRAM_ENV];
    else process.env[ZSTD_PROGRAM_ENV] = saved.program;
    if (saved.level === undefined) delete process.env.ZSTD_CLEVEL;
    else process.env.ZSTD_CLEVEL = saved.level;
  });

  it('writes standard zstd frames that `zstd -d` reads, and reads what `zstd` writes', async () => {
    const plain = textLike(700_000);
    const packed = await collect(zstdThroughProcess(chunksOf(plain, 513), 'compress'));
    assert.equal(packed.readUInt32LE(0), 0xfd2fb528, 'zstd frame magic');
    assert.ok(packed.length < plain.length / 3, `compressed ${packed.length} of ${plain.length}`);
    assert.deepEqual(execFileSync(PROGRAM!, ['-d', '-c', '-q'], { input: packed, maxBuffer: 8 << 20 }), plain);
    const theirs = execFileSync(PROGRAM!, ['-c', '-q', '-19'], { input: plain, maxBuffer: 8 << 20 });
    assert.deepEqual(await collect(zstdThroughProcess(chunksOf(theirs, 4096), 'decompress')), plain);
  });

  for (const n of EDGE_LENGTHS) {
    it(`round-trips ${n} bytes`, async () => {
      const packed = await collect(zstdThroughProcess(chunksOf(patternBytes(n), 4096), 'compress'));
      assert.deepEqual(await collect(zstdThroughProcess(chunksOf(packed, 777), 'decompress')), patternBytes(n));
    });
  }

  it('hands on output in pieces of at least 1 MiB but the last', async () => {
    const plain = textLike(5 * 1024 * 1024);
    const packed = await collect(zstdThroughProcess(chunksOf(plain, 65536), 'compress'));
    const sizes: number[] = [];
    for await (const chunk of zstdThroughProcess(chunksOf(packed, 65536), 'decompress')) sizes.push(chunk.length);
    assert.equal(sizes.reduce((a, b) => a + b, 0), plain.length);
    assert.ok(sizes.slice(0, -1).every((size) => size >= 1024 * 1024), sizes.join(','));
  });

  it('honours the level and ignores ZSTD_CLEVEL from the environment', async () => {
    const plain = textLike(2_000_000);
    const level1 = await collect(zstdThroughProcess(chunksOf(plain, 65536), 'compress', 1));
    const level19 = await collect(zstdThroughProcess(chunksOf(plain, 65536), 'compress', 19));
    assert.ok(level19.length < level1.length, `level 19 ${level19.length} < level 1 ${level1.length}`);
    const defaultLevel = await collect(zstdThroughProcess(chunksOf(plain, 65536), 'compress'));
    process.env.ZSTD_CLEVEL = '19';
    assert.deepEqual(await collect(zstdThroughProcess(chunksOf(plain, 65536), 'compress')), defaultLevel);
  });

  it('reports corrupt and truncated input as decompress-failed with zstd\'s message', async () => {
    const garbage = await collectUntilError(zstdThroughProcess(chunksOf(Buffer.from('not zstd at all'), 4), 'decompress'));
    assert.equal((garbage.error as { code?: string }).code, 'decompress-failed');
    assert.match((garbage.error as Error).message, /zstd exited with code \d+: .+/);
    const packed = await collect(zstdThroughProcess(chunksOf(textLike(300_000), 4096), 'compress'));
    const truncated = await collectUntilError(zstdThroughProcess(chunksOf(packed.subarray(0, packed.length - 20), 1000), 'decompress'));
    assert.equal((truncated.error as { code?: string }).code, 'decompress-failed');
    assert.deepEqual(zstdChildren(), []);
  });

  it('passes the source\'s error through unchanged instead of ending the frame early', async () => {
    const boom = new Error('snapshot stream broke');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield textLike(200_000);
      throw boom;
    }
    const result = await collectUntilError(zstdThroughProcess(failing(), 'compress'));
    assert.equal(result.error, boom);
    assert.deepEqual(zstdChildren(), []);
  });

  it('kills zstd when the consumer stops early', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        produced += 1;
        yield patternBytes(65536);
      }
    }
    for await (const chunk of zstdThroughProcess(endless(), 'compress')) {
      assert.ok(chunk.length > 0);
      break;
    }
    assert.ok(produced > 0);
    assert.deepEqual(zstdChildren(), []);
  });

  it('decompresses straight into a file descriptor, and reports bad input and source errors the same way', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-zstd-fd-'));
    try {
      const plain = textLike(3 * 1024 * 1024 + 5);
      const packed = await collect(zstdThroughProcess(chunksOf(plain, 65536), 'compress'));
      const into = async (source: AsyncIterable<Uint8Array>, name: string) => {
        const fd = openSync(path.join(dir, name), 'wx', 0o600);
        try {
          await zstdDecompressIntoFd(source, fd);
        } finally {
          closeSync(fd);
        }
        return readFileSync(path.join(dir, name));
      };
      assert.deepEqual(await into(chunksOf(packed, 4097), 'ok.db'), plain);
      await assert.rejects(into(chunksOf(Buffer.from('not zstd at all'), 3), 'bad.db'), { code: 'decompress-failed' });
      const boom = new Error('stored object hash mismatch');
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield packed.subarray(0, packed.length >> 1);
        throw boom;
      }
      await assert.rejects(into(failing(), 'short.db'), (err: unknown) => err === boom);
      assert.deepEqual(zstdChildren(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is unavailable, with an install hint, when the program is switched off or missing', async () => {
    process.env[ZSTD_PROGRAM_ENV] = '';
    assert.equal(zstdProgram(), undefined);
    await assert.rejects(collect(zstdThroughProcess(chunksOf(Buffer.from('x'), 1), 'decompress')), (err: Error & { code?: string; hint?: string }) => {
      assert.equal(err.code, 'compression-unavailable');
      assert.match(err.hint ?? '', /apt-get install zstd/);
      return true;
    });
    process.env[ZSTD_PROGRAM_ENV] = '/nonexistent/zstd';
    assert.equal(zstdProgram(), undefined);
    assert.equal(zstdProgram({ PATH: '/nonexistent:/also-not' }), undefined);
    assert.equal(zstdProgram({ PATH: `/nonexistent:${PROGRAM!.replace(/\/zstd$/, '')}` }), PROGRAM);
  });
});
