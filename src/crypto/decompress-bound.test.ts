import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { canDecompressIntoFd, compressStream, decompressIntoFd, decompressStream, zstdAvailable } from './compression.js';
import { collect } from './testing.js';

const MiB = 1024 * 1024;
/** 256 MiB of zeros: a "zip bomb" of about 256 KB gzip. */
const bomb = gzipSync(Buffer.alloc(256 * MiB), { level: 9 });

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** `mebibytes` MiB of zeros, one reused 1 MiB chunk at a time. */
async function* zeros(mebibytes: number): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < mebibytes; i++) yield chunk;
}

test('decompressStream stops as soon as the output passes maxOutputBytes (a 256 MiB gzip bomb, 1 MiB allowed)', async () => {
  assert.ok(bomb.length < 512 * 1024);
  let seen = 0;
  const stream = decompressStream(once(bomb), 'gzip', { maxOutputBytes: MiB });
  await assert.rejects(async () => {
    for await (const chunk of stream) seen += chunk.length;
  }, (err: AppError) => err.code === 'decompress-too-large' && /more than 1048576 bytes/.test(err.message));
  assert.ok(seen <= MiB, `the consumer got ${seen} bytes, no more than the bound`);
});

test('decompressStream passes output of exactly maxOutputBytes', async () => {
  const plain = Buffer.alloc(MiB + 7, 1);
  const out = await collect(decompressStream(once(gzipSync(plain)), 'gzip', { maxOutputBytes: plain.length }));
  assert.equal(out.length, plain.length);
});

test('decompressIntoFd (the zstd program writing into a file) is killed soon after the file passes maxOutputBytes', { skip: canDecompressIntoFd('zstd') ? false : 'zstd decompresses in this process here (node:zlib) or is unavailable' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-bound-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const packed = await collect(compressStream(zeros(1024), 'zstd'));
  const fd = openSync(path.join(dir, 'out'), 'w');
  try {
    await assert.rejects(decompressIntoFd(once(packed), 'zstd', fd, { maxOutputBytes: MiB }), { code: 'decompress-too-large' });
    assert.ok(fstatSync(fd).size < 512 * MiB, `stopped at ${fstatSync(fd).size} bytes, not 1 GiB`);
  } finally {
    closeSync(fd);
  }
});

test('zstd streams are bounded too', { skip: zstdAvailable() ? false : 'no zstd here' }, async () => {
  const packed = await collect(compressStream(zeros(64), 'zstd'));
  await assert.rejects(collect(decompressStream(once(packed), 'zstd', { maxOutputBytes: MiB })), { code: 'decompress-too-large' });
});
