/**
 * Bech32 (BIP-173, checksum constant 1, not Bech32m) without the 90-character limit, for
 * age1... recipients and AGE-SECRET-KEY-1... identities (spec §6). The HRP is returned as
 * written so callers can compare its case: age rejects "AGE1..." and "age-secret-key-1...".
 */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const CHECKSUM_CHARS = 6;

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
  }
  return chk;
}

function expandHrp(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
}

/** Regroups bits; without `pad`, leftover bits must be fewer than `from` and all zero. */
function convertBits(data: ArrayLike<number>, from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxValue = (1 << to) - 1;
  for (let i = 0; i < data.length; i++) {
    acc = (acc << from) | data[i]!;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxValue);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxValue);
  } else if (bits >= from || acc !== 0) {
    return undefined;
  }
  return out;
}

/** Encodes `data` with a lowercase `hrp`; the result is all lowercase. */
export function bech32Encode(hrp: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true)!;
  const mod = polymod([...expandHrp(hrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  let checksum = '';
  for (let i = 0; i < CHECKSUM_CHARS; i++) checksum += CHARSET[(mod >> (5 * (5 - i))) & 31];
  return `${hrp}1${words.map((w) => CHARSET[w]).join('')}${checksum}`;
}

/** Decodes a Bech32 string; throws an Error naming what is wrong (never echoing the input). */
export function bech32Decode(text: string): { hrp: string; data: Uint8Array } {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) throw new Error('it contains a character outside printable ASCII');
  }
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) throw new Error('it mixes upper and lower case');
  const separator = lower.lastIndexOf('1');
  if (separator < 1 || separator + CHECKSUM_CHARS + 1 > lower.length) throw new Error('it has no valid separator');
  const words: number[] = [];
  for (const c of lower.slice(separator + 1)) {
    const w = CHARSET.indexOf(c);
    if (w < 0) throw new Error('it contains a character outside the Bech32 alphabet');
    words.push(w);
  }
  if (polymod([...expandHrp(lower.slice(0, separator)), ...words]) !== 1) throw new Error('its checksum is wrong (a typo?)');
  const data = convertBits(words.slice(0, -CHECKSUM_CHARS), 5, 8, false);
  if (!data) throw new Error('it has invalid padding bits');
  return { hrp: text.slice(0, separator), data: Uint8Array.from(data) };
}
