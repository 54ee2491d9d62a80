import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { armorDecode, armorEncode, isArmored } from './armor.js';
import { ByteReader } from './byte-reader.js';
import { AgeArmorError } from './errors.js';
import { chunksOf, collect, collectUntilError, patternBytes } from './testing.js';

const decode = (text: string | Buffer, size = 5) => collectUntilError(armorDecode(new ByteReader(chunksOf(Buffer.from(text), size))));
const BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const END = '-----END AGE ENCRYPTED FILE-----';

async function rejects(text: string, reason: RegExp): Promise<void> {
  const { error } = await decode(text);
  assert.ok(error instanceof AgeArmorError, String(error));
  assert.match(error.reason, reason);
}

describe('armorEncode', () => {
  for (const n of [1, 47, 48, 49, 96, 48 * 1024 + 5, 200_000]) {
    it(`wraps ${n} bytes at 64 columns with padding only on the last line and round-trips`, async () => {
      const data = patternBytes(n);
      const text = (await collect(armorEncode(chunksOf(data, 511)))).toString('latin1');
      const lines = text.split('\n');
      assert.equal(lines[0], BEGIN);
      assert.deepEqual(lines.slice(-2), [END, '']);
      const body = lines.slice(1, -2);
      assert.ok(body.slice(0, -1).every((l) => l.length === 64));
      assert.ok(body.at(-1)!.length >= 1 && body.at(-1)!.length <= 64);
      assert.equal(Buffer.from(body.join(''), 'base64').equals(data), true);
      const { released, error } = await decode(text, 7);
      assert.equal(error, undefined);
      assert.deepEqual(released, data);
    });
  }
});

describe('armorDecode', () => {
  const line = Buffer.alloc(48, 1).toString('base64');
  it('accepts CRLF line ends and no LF after END', async () => {
    const { released, error } = await decode(`${BEGIN}\r\n${line}\r\nAQ==\r\n${END}`);
    assert.equal(error, undefined);
    assert.equal(released.length, 49);
  });
  it('rejects an empty line', () => rejects(`${BEGIN}\n\n${line}\n${END}\n`, /empty line/));
  it('rejects a line over 64 characters', () => rejects(`${BEGIN}\n${line}AAAA\n${END}\n`, /longer than 64/));
  it('rejects a short line that is not the last', () => rejects(`${BEGIN}\nAQ==\n${line}\n${END}\n`, /short line is not followed/));
  it('rejects missing padding', () => rejects(`${BEGIN}\nAQ\n${END}\n`, /canonical padded base64/));
  it('rejects a missing END line', () => rejects(`${BEGIN}\n${line}\n`, /ends before/));
  it('rejects data after END', () => rejects(`${BEGIN}\nAQ==\n${END}\ngarbage\n`, /data follows/));
  it('rejects more than 1024 bytes of whitespace after END', () => rejects(`${BEGIN}\nAQ==\n${END}\n${' '.repeat(1100)}`, /too much whitespace/));
  it('rejects a wrong label', () => rejects(`-----BEGIN AGE ENCRYPTED MESSAGE-----\nAQ==\n${END}\n`, /first line/));
});

describe('isArmored', () => {
  it('detects leading dashes after whitespace and not a binary age file', async () => {
    assert.equal(await isArmored(new ByteReader(chunksOf(Buffer.from(`\n  ${BEGIN}\n`), 1))), true);
    assert.equal(await isArmored(new ByteReader(chunksOf(Buffer.from('age-encryption.org/v1\n'), 1))), false);
    assert.equal(await isArmored(new ByteReader(chunksOf(Buffer.alloc(0), 1))), false);
  });
});
