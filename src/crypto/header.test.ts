import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from './byte-reader.js';
import { AgeHeaderError } from './errors.js';
import { encodeHeader, encodeStanza, MAX_HEADER_LINE_BYTES, readHeader, type Stanza } from './header.js';
import { chunksOf } from './testing.js';

const MAC = 'A'.repeat(43);
const V = 'age-encryption.org/v1\n';
const STANZA = '-> X25519 WGmv9FBUlzLLqu1eXfmzCm2jHLDldCutWtShp2jxpns\nsnRJckTaHu3kg2MfWeKo8jQlZ46TMwULwCrV5KeF0mI\n';

function parse(text: string | Buffer, chunkBytes = 7) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  return readHeader(new ByteReader(chunksOf(bytes, chunkBytes)));
}

async function rejects(text: string | Buffer, reason: RegExp): Promise<void> {
  await assert.rejects(parse(text), (err: unknown) => {
    assert.ok(err instanceof AgeHeaderError, `expected AgeHeaderError, got ${String(err)}`);
    assert.match(err.reason, reason);
    assert.equal(err.code, 'age-header-invalid');
    return true;
  });
}

describe('encodeStanza', () => {
  const stanza = (n: number): Stanza => ({ type: 'example.com/grease', args: ['a'], body: Buffer.alloc(n, 7) });
  it('ends a body whose length is a multiple of 48 (also 0) with an empty line', () => {
    assert.equal(encodeStanza(stanza(0)), '-> example.com/grease a\n\n');
    assert.match(encodeStanza(stanza(48)), /^-> example.com\/grease a\n[A-Za-z0-9+/]{64}\n\n$/);
  });
  it('wraps a 100-byte body as 64 + 64 + 6 characters', () => {
    const lines = encodeStanza(stanza(100)).split('\n');
    assert.deepEqual(lines.slice(1).map((l) => l.length), [64, 64, 6, 0]);
  });
});

describe('readHeader', () => {
  it('round-trips stanzas of 0, 32, 47, 48, 49, 96 and 100 body bytes and MACs the bytes up to "---"', async () => {
    const stanzas = [0, 32, 47, 48, 49, 96, 100].map((n, i) => ({ type: `t${i}`, args: ['x', '!~'], body: Buffer.alloc(n, i) }));
    const header = encodeHeader(stanzas, Buffer.alloc(16, 1));
    const parsed = await parse(Buffer.concat([header, Buffer.from('payload')]), 1);
    assert.deepEqual(parsed.stanzas.map((s) => [s.type, s.args, Buffer.from(s.body)]), stanzas.map((s) => [s.type, s.args, s.body]));
    const macLineStart = header.lastIndexOf('--- ');
    assert.deepEqual(Buffer.from(parsed.macInput), header.subarray(0, macLineStart + 3));
  });

  it('leaves the reader at the first payload byte', async () => {
    const reader = new ByteReader(chunksOf(Buffer.from(`${V}${STANZA}--- ${MAC}\nPAYLOAD`, 'latin1'), 5));
    await readHeader(reader);
    assert.equal(Buffer.from(await reader.read(100)).toString(), 'PAYLOAD');
  });

  it('accepts unusual but valid argument characters (test kit stanza_valid_characters)', async () => {
    const parsed = await parse(`${V}-> !"#$%&'()*+,-./09:;<=>?@AZ[\\]^_\`az{|}~ x\n\n${STANZA}--- ${MAC}\n`);
    assert.equal(parsed.stanzas.length, 2);
  });

  // Checklist item 1: version line.
  it('rejects an empty file', () => rejects('', /the file is empty/));
  it('rejects an unsupported version', () => rejects(`age-encryption.org/v1234\n${STANZA}--- ${MAC}\n`, /unsupported format version "v1234"/));
  it('rejects a file that is not age', () => rejects('\x1f\x8b\x08\x00 gzip\n', /first line is not/));
  it('rejects a version line without its LF', () => rejects('age-encryption.org/v1', /ends inside the header/));

  // Item 2: LF endings, no CR anywhere.
  it('rejects a CRLF header (test kit header_crlf)', () => rejects(`age-encryption.org/v1\r\n${STANZA}--- ${MAC}\n`, /first line is not/));
  it('rejects a CR at the end of an argument line (stanza_spurious_cr)', () => rejects(`${V}-> X25519 abc\r\n\n--- ${MAC}\n`, /printable ASCII/));
  it('rejects a CR at the end of a body line', () => rejects(`${V}-> X25519 abc\nAAAA\r\n--- ${MAC}\n`, /not canonical/));
  it('rejects a header that ends without an LF', () => rejects(`${V}${STANZA}--- ${MAC}`, /ends inside the header/));

  // Item 3: argument lines.
  it('rejects a stanza with no arguments', () => rejects(`${V}->\n\n--- ${MAC}\n`, /no arguments/));
  it('rejects an empty argument', () => rejects(`${V}-> \n\n--- ${MAC}\n`, /argument is empty/));
  it('rejects two spaces between arguments', () => rejects(`${V}-> a  b\n\n--- ${MAC}\n`, /argument is empty/));
  it('rejects a trailing space after the arguments', () => rejects(`${V}-> a b \n\n--- ${MAC}\n`, /argument is empty/));
  it('rejects a tab inside an argument line', () => rejects(`${V}-> a\tb\n\n--- ${MAC}\n`, /printable ASCII/));
  it('rejects a non-ASCII byte in an argument', () => rejects(`${V}-> caf\xe9\n\n--- ${MAC}\n`, /printable ASCII/));
  it('rejects "->" without a space (stanza_bad_start)', () => rejects(`${V}->X25519 a\n\n--- ${MAC}\n`, /neither a stanza/));

  // Item 4: body lines.
  it('rejects a body line with an invalid character', () => rejects(`${V}-> a\nAB.D\n--- ${MAC}\n`, /not canonical/));
  it('rejects base64 padding in a body line (stanza_base64_padding)', () => rejects(`${V}-> a\nYWI=\n--- ${MAC}\n`, /not canonical/));
  it('rejects non-canonical base64 in a body line (stanza_not_canonical)', () => rejects(`${V}-> a\nYWJ\n--- ${MAC}\n`, /not canonical/));
  it('rejects a body line whose length is 1 mod 4', () => rejects(`${V}-> a\nAAAAA\n--- ${MAC}\n`, /not canonical/));
  it('rejects a body line longer than 64 characters (stanza_long_line)', () => rejects(`${V}-> a\n${'A'.repeat(68)}\n--- ${MAC}\n`, /longer than 64/));

  // Item 5: a stanza ends with exactly one short line.
  it('rejects a full body line followed by the MAC line (stanza_missing_final_line)', () =>
    rejects(`${V}-> a\n${'A'.repeat(64)}\n--- ${MAC}\n`, /does not end with a short line/));
  it('rejects a full body line followed by another stanza', () =>
    rejects(`${V}-> a\n${'A'.repeat(64)}\n${STANZA}--- ${MAC}\n`, /does not end with a short line/));
  it('rejects a stanza without any body line (stanza_missing_body)', () => rejects(`${V}-> a\n--- ${MAC}\n`, /does not end with a short line/));
  it('rejects a second short line (stanza_multiple_short_lines)', () => rejects(`${V}-> a\nAAAA\nAAAA\n--- ${MAC}\n`, /neither a stanza/));
  it('rejects the end of the file inside a stanza body', () => rejects(`${V}-> a\n${'A'.repeat(64)}\n`, /ends inside the header/));

  // Item 6: at least one stanza, a well-formed MAC line.
  it('rejects a header with no stanza', () => rejects(`${V}--- ${MAC}\n`, /no recipient stanza/));
  it('rejects a missing MAC line (hmac_missing)', () => rejects(`${V}${STANZA}`, /ends inside the header/));
  for (const [name, line] of [
    ['no space (hmac_no_space)', `---${MAC}`],
    ['two spaces (hmac_extra_space)', `---  ${MAC}`],
    ['a trailing space (hmac_trailing_space)', `--- ${MAC} `],
    ['a truncated MAC (hmac_truncated)', `--- ${MAC.slice(1)}`],
    ['extra characters (hmac_garbage)', `--- ${MAC}AAAA`],
    ['a non-canonical last character (hmac_not_canonical)', `--- ${MAC.slice(1)}B`],
    ['four dashes', `---- ${MAC}`],
  ] as const) {
    it(`rejects a MAC line with ${name}`, () => rejects(`${V}${STANZA}${line}\n`, /MAC line is malformed/));
  }

  it('rejects a header line longer than the limit', () => rejects(`${V}-> ${'a'.repeat(MAX_HEADER_LINE_BYTES)}\n`, /longer than/));
});
