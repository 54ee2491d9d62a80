import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { TAR_BLOCK_BYTES, encodeTarHeader, tarEnd, tarPadding } from './bundle-tar.js';

const mtime = new Date('2024-05-10T12:00:00Z');

test('encodeTarHeader writes a 512-byte ustar header with a valid checksum', () => {
  const block = encodeTarHeader({ path: 'etc/a.conf', type: 'file', mode: 0o644, uid: 0, gid: 0, sizeBytes: 5, mtime });
  assert.equal(block.length, TAR_BLOCK_BYTES);
  assert.equal(Buffer.from(block.subarray(257, 263)).toString(), 'ustar\0');
  const stored = parseInt(Buffer.from(block.subarray(148, 154)).toString(), 8);
  const copy = Buffer.from(block);
  copy.fill(0x20, 148, 156);
  assert.equal(stored, copy.reduce((s, b) => s + b, 0));
});

test('a tar with long names, a directory and a symlink lists and extracts with the system tar', async (t) => {
  const dir = await tempDir(t);
  const long = `very/${'deep/'.repeat(30)}file.txt`;
  const content = Buffer.from('hello\n');
  const parts = [
    encodeTarHeader({ path: 'very/', type: 'directory', mode: 0o755, uid: 0, gid: 0, sizeBytes: 0, mtime }),
    encodeTarHeader({ path: long, type: 'file', mode: 0o600, uid: 0, gid: 0, sizeBytes: content.length, mtime }), content, tarPadding(content.length),
    encodeTarHeader({ path: 'very/link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, sizeBytes: 0, mtime, linkTarget: 'x'.repeat(150) }),
    tarEnd(),
  ];
  const file = path.join(dir, 'a.tar');
  writeFileSync(file, Buffer.concat(parts));
  const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
  assert.match(listing, new RegExp(long.replace(/\//g, '\\/')));
  assert.match(listing, new RegExp(`very/link -> ${'x'.repeat(150)}`));
  execFileSync('tar', ['-xf', file, '-C', dir]);
  assert.equal(execFileSync('cat', [path.join(dir, long)], { encoding: 'utf8' }), 'hello\n');
});

test('tarPadding pads content to a whole block', () => {
  assert.equal(tarPadding(0).length, 0);
  assert.equal(tarPadding(1).length, 511);
  assert.equal(tarPadding(512).length, 0);
  assert.equal(tarPadding(513).length, 511);
});
