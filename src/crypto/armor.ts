/**
 * The ASCII armor of age files (spec §9): strict PEM with the label "AGE ENCRYPTED FILE",
 * padded base64 at 64 columns. Decoding follows the Go reference (and the test kit): LF or
 * CRLF line ends, whitespace allowed only around the block, every other deviation rejected.
 */
import { decodeBase64Padded } from './base64.js';
import { ByteReader } from './byte-reader.js';
import { AgeArmorError } from './errors.js';

const BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
const END = '-----END AGE ENCRYPTED FILE-----';
const DASHES = '-----';
const COLUMNS = 64;
const BYTES_PER_LINE = 48;
/** Whitespace tolerated before the BEGIN and after the END line, like Go. */
const MAX_WHITESPACE = 1024;
/** Lines handed to base64 at once when encoding (~48 KiB of input). */
const LINES_PER_BATCH = 1024;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((b) => WHITESPACE.has(b));
}

/**
 * True when the input, after leading whitespace, starts with five dashes. A binary age file
 * starts with "age-encryption.org/", so anything PEM-like is decoded as armor and a wrong
 * BEGIN line is reported as an armor error rather than as a foreign header. Consumes nothing.
 */
export async function isArmored(reader: ByteReader): Promise<boolean> {
  const start = await reader.peek(MAX_WHITESPACE + DASHES.length);
  let i = 0;
  while (i < start.length && WHITESPACE.has(start[i]!)) i++;
  return Buffer.from(start.subarray(i, i + DASHES.length)).toString('latin1') === DASHES;
}

/** Encodes an age file as armor. The BEGIN line is at byte 0 (age 1.1.1 detects it only there). */
export async function* armorEncode(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`${BEGIN}\n`);
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    carry = carry.length === 0 ? Buffer.from(chunk) : Buffer.concat([carry, chunk]);
    const whole = Math.floor(carry.length / (BYTES_PER_LINE * LINES_PER_BATCH)) * BYTES_PER_LINE * LINES_PER_BATCH;
    if (whole === 0) continue;
    yield wrapLines(carry.subarray(0, whole));
    carry = carry.subarray(whole);
  }
  if (carry.length > 0) yield wrapLines(carry);
  yield Buffer.from(`${END}\n`);
}

function wrapLines(bytes: Uint8Array): Buffer {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += COLUMNS) lines.push(b64.slice(i, i + COLUMNS));
  return Buffer.from(`${lines.join('\n')}\n`, 'latin1');
}

/** Decodes armor from `reader` (checked with isArmored) into the binary age file. Throws AgeArmorError. */
export async function* armorDecode(reader: ByteReader): AsyncGenerator<Uint8Array> {
  const nextLine = async (): Promise<string> => {
    const { line, end } = await reader.readLine(MAX_WHITESPACE + COLUMNS);
    if (end === 'too-long') throw new AgeArmorError('a line is longer than 64 characters');
    if (end === 'eof' && line.length === 0) throw new AgeArmorError(`the file ends before "${END}"`);
    const text = Buffer.from(line).toString('latin1');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  let skipped = 0;
  let first = await nextLine();
  while (isBlank(Buffer.from(first, 'latin1'))) {
    skipped += first.length + 1;
    if (skipped > MAX_WHITESPACE) throw new AgeArmorError('too much whitespace before the BEGIN line');
    first = await nextLine();
  }
  if (first !== BEGIN) throw new AgeArmorError(`the first line is not "${BEGIN}"`);
  for (;;) {
    const line = await nextLine();
    if (line === END) break;
    if (line === '') throw new AgeArmorError('an empty line inside the armored data');
    if (line.length > COLUMNS) throw new AgeArmorError('a line is longer than 64 characters');
    const bytes = decodeBase64Padded(line);
    if (!bytes) throw new AgeArmorError('a line is not canonical padded base64');
    yield bytes;
    if (bytes.length < BYTES_PER_LINE) {
      if ((await nextLine()) !== END) throw new AgeArmorError(`a short line is not followed by "${END}"`);
      break;
    }
  }
  const trailing = await reader.read(MAX_WHITESPACE);
  if (!isBlank(trailing)) throw new AgeArmorError(`data follows "${END}"`);
  if (trailing.length === MAX_WHITESPACE) throw new AgeArmorError(`too much whitespace follows "${END}"`);
}
