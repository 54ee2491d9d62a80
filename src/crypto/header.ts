/**
 * The age v1 header (spec §2-3): version line, recipient stanzas, MAC line. Parsing is strict
 * so that the MAC can be computed over the raw bytes read (identical to re-serialising).
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import { ByteReader, concat } from './byte-reader.js';
import { AgeHeaderError } from './errors.js';
import { hkdf, hmacSha256 } from './primitives.js';

export const VERSION_LINE = 'age-encryption.org/v1';
/** Base64 characters per stanza body line, i.e. 48 bytes. */
export const BODY_LINE_CHARS = 64;
/** Limits for reading a header from untrusted input; real headers are a few hundred bytes. */
export const MAX_HEADER_LINE_BYTES = 64 * 1024;
export const MAX_HEADER_BYTES = 1024 * 1024;
const ARGUMENT = /^[\x21-\x7e]+$/;
const LF = Uint8Array.of(0x0a);
const DASHES = Buffer.from('---', 'latin1');
const MAC_LINE = /^--- ([A-Za-z0-9+/]{43})$/;

/** One recipient stanza: `-> type args...` and its body. */
export interface Stanza {
  readonly type: string;
  /** Arguments after the type. */
  readonly args: readonly string[];
  readonly body: Uint8Array;
}

export interface ParsedHeader {
  readonly stanzas: readonly Stanza[];
  /** The header bytes covered by the MAC: everything up to and including "---". */
  readonly macInput: Uint8Array;
  readonly mac: Uint8Array;
}

/** Serialises one stanza: argument line, then the body wrapped at 64 columns ending with a short line. */
export function encodeStanza(stanza: Stanza): string {
  const words = [stanza.type, ...stanza.args];
  if (!words.every((w) => ARGUMENT.test(w))) throw new Error('stanza arguments must be printable ASCII without spaces');
  const b64 = encodeBase64(stanza.body);
  let text = `-> ${words.join(' ')}\n`;
  // Emits every full line, then the final short line, which is empty when the length is a multiple of 64.
  for (let i = 0; i <= b64.length; i += BODY_LINE_CHARS) text += `${b64.slice(i, i + BODY_LINE_CHARS)}\n`;
  return text;
}

export function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  return hmacSha256(hkdf(fileKey, new Uint8Array(0), 'header'), macInput);
}

/** The complete header for `stanzas`, MAC line included. */
export function encodeHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Buffer {
  const macInput = Buffer.from(`${VERSION_LINE}\n${stanzas.map(encodeStanza).join('')}---`, 'latin1');
  return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`, 'latin1')]);
}

/**
 * Reads the header from `reader`, leaving it at the first payload byte. Throws AgeHeaderError
 * for every grammar violation in spec §8 items 1-6; no cryptography happens here.
 */
export async function readHeader(reader: ByteReader): Promise<ParsedHeader> {
  const raw: Uint8Array[] = [];
  let rawBytes = 0;
  const nextLine = async (what: string): Promise<string> => {
    const { line, end } = await reader.readLine(MAX_HEADER_LINE_BYTES);
    if (end === 'too-long') throw new AgeHeaderError(`the ${what} is longer than ${MAX_HEADER_LINE_BYTES} bytes`);
    if (end === 'eof') {
      throw new AgeHeaderError(rawBytes === 0 && line.length === 0 ? 'the file is empty' : `the file ends inside the header (${what})`);
    }
    rawBytes += line.length + 1;
    if (rawBytes > MAX_HEADER_BYTES) throw new AgeHeaderError(`the header is longer than ${MAX_HEADER_BYTES} bytes`);
    raw.push(line, LF);
    // latin1 keeps one char per byte, so non-ASCII bytes fail the ASCII checks below.
    return Buffer.from(line).toString('latin1');
  };

  const version = await nextLine('version line');
  if (version !== VERSION_LINE) throw new AgeHeaderError(describeVersion(version));
  const stanzas: Stanza[] = [];
  for (;;) {
    const line = await nextLine('recipient stanza or MAC line');
    if (line.startsWith('---')) {
      // The MAC covers the header up to "---", without the space, the MAC and the LF.
      raw.splice(raw.length - 2, 2, DASHES);
      const mac = parseMacLine(line);
      if (stanzas.length === 0) throw new AgeHeaderError('it has no recipient stanza');
      return { stanzas, macInput: concat(raw), mac };
    }
    stanzas.push(await readStanza(line, nextLine));
  }
}

function describeVersion(line: string): string {
  if (line.startsWith('age-encryption.org/') && /^[\x21-\x7e]*$/.test(line)) {
    return `unsupported format version "${line.slice('age-encryption.org/'.length)}" (this tool reads v1)`;
  }
  return `the first line is not "${VERSION_LINE}"`;
}

async function readStanza(argumentLine: string, nextLine: (what: string) => Promise<string>): Promise<Stanza> {
  if (argumentLine === '->') throw new AgeHeaderError('a stanza has no arguments');
  if (!argumentLine.startsWith('-> ')) throw new AgeHeaderError('a line is neither a stanza ("-> ...") nor the MAC line ("--- ...")');
  const words = argumentLine.slice(3).split(' ');
  if (!words.every((w) => ARGUMENT.test(w))) {
    throw new AgeHeaderError('a stanza argument is empty or has a character outside printable ASCII');
  }
  const bodyParts: Uint8Array[] = [];
  for (;;) {
    const line = await nextLine('stanza body');
    const part = line.length <= BODY_LINE_CHARS ? decodeBase64(line) : undefined;
    if (line.length > BODY_LINE_CHARS) throw new AgeHeaderError(`a stanza body line is longer than ${BODY_LINE_CHARS} characters`);
    if (!part) {
      throw new AgeHeaderError(line.startsWith('-') ? 'a stanza body does not end with a short line' : 'a stanza body line is not canonical unpadded base64');
    }
    bodyParts.push(part);
    if (line.length < BODY_LINE_CHARS) break;
  }
  return { type: words[0]!, args: words.slice(1), body: concat(bodyParts) };
}

function parseMacLine(line: string): Uint8Array {
  const match = MAC_LINE.exec(line);
  const mac = match ? decodeBase64(match[1]!) : undefined;
  if (!mac || mac.length !== 32) throw new AgeHeaderError('the MAC line is malformed (expected "--- " and 43 base64 characters)');
  return mac;
}
