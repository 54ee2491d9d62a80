import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from './byte-reader.js';
import { chunksOf, patternBytes } from './testing.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('ByteReader', () => {
  for (const size of [1, 2, 3, 7, 100]) {
    it(`readLine splits lines and reports the end of the input when chunks are ${size} bytes`, async () => {
      const reader = new ByteReader(chunksOf(Buffer.from('first\n\nthird\nrest'), size));
      assert.deepEqual([await reader.readLine(10), await reader.readLine(10), await reader.readLine(10)].map((r) => [text(r.line), r.end]),
        [['first', 'lf'], ['', 'lf'], ['third', 'lf']]);
      const last = await reader.readLine(10);
      assert.deepEqual([text(last.line), last.end], ['rest', 'eof']);
      assert.equal(await reader.atEof(), true);
    });
  }

  it('readLine stops at the limit when no LF comes within it', async () => {
    const reader = new ByteReader(chunksOf(Buffer.from('abcdefgh\n'), 3));
    const r = await reader.readLine(5);
    assert.equal(r.end, 'too-long');
    assert.equal(text(r.line), 'abcde');
  });

  it('readLine accepts a line of exactly the limit', async () => {
    const reader = new ByteReader(chunksOf(Buffer.from('abcde\nx'), 2));
    assert.equal(text((await reader.readLine(5)).line), 'abcde');
  });

  for (const size of [1, 511, 513, 65536, 65537]) {
    it(`read returns exact blocks and a short last block when chunks are ${size} bytes`, async () => {
      const data = patternBytes(135_000);
      const reader = new ByteReader(chunksOf(data, size));
      const a = await reader.read(65552);
      const b = await reader.read(65552);
      const c = await reader.read(65552);
      assert.deepEqual([a.length, b.length, c.length], [65552, 65552, 135_000 - 2 * 65552]);
      assert.deepEqual(Buffer.concat([a, b, c]), data);
      assert.equal((await reader.read(10)).length, 0);
    });
  }

  it('peek does not consume and skips empty source chunks', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(0);
      yield Buffer.from('ab');
      yield new Uint8Array(0);
      yield Buffer.from('cd');
    }
    const reader = new ByteReader(source());
    assert.equal(text(await reader.peek(3)), 'abc');
    assert.equal(text(await reader.read(4)), 'abcd');
    assert.equal(await reader.atEof(), true);
  });

  it('close ends the source early through its iterator', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield Buffer.from('a');
        yield Buffer.from('b');
      } finally {
        finished = true;
      }
    }
    const reader = new ByteReader(source());
    await reader.read(1);
    await reader.close();
    assert.equal(finished, true);
  });
});
