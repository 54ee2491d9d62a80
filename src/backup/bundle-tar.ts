/**
 * The tar format of DR bundles: POSIX ustar headers, with a PAX extended header for names
 * or link targets that do not fit, so `tar -xf` (GNU or BSD) extracts a downloaded bundle.
 * Pure: header bytes in, no I/O.
 */

export const TAR_BLOCK_BYTES = 512;
/** Largest size an 11-digit octal field holds; bundle files are far smaller. */
export const MAX_USTAR_SIZE = 0o77777777777;

export interface TarHeader {
  /** Relative path ("etc/kubernetes/pki/ca.crt"); directories end with "/". */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  sizeBytes: number;
  mtime: Date;
  linkTarget?: string;
}

const TYPEFLAG = { file: '0', directory: '5', symlink: '2' } as const;

function octal(value: number, width: number): string {
  // width includes the trailing NUL.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > length) throw new RangeError(`tar field of ${length} bytes cannot hold ${bytes.length} bytes`);
  block.set(bytes, offset);
}

function ustarBlock(h: TarHeader, name: string, linkName: string, typeflag: string, sizeBytes: number): Uint8Array {
  const block = new Uint8Array(TAR_BLOCK_BYTES);
  writeString(block, 0, 100, name);
  writeString(block, 100, 8, octal(h.mode & 0o7777, 8));
  writeString(block, 108, 8, octal(h.uid, 8));
  writeString(block, 116, 8, octal(h.gid, 8));
  writeString(block, 124, 12, octal(sizeBytes, 12));
  writeString(block, 136, 12, octal(Math.max(0, Math.floor(h.mtime.getTime() / 1000)), 12));
  writeString(block, 148, 8, '        ');
  writeString(block, 156, 1, typeflag);
  writeString(block, 157, 100, linkName);
  writeString(block, 257, 8, 'ustar\u000000');
  let sum = 0;
  for (const b of block) sum += b;
  // Checksum: six octal digits, NUL, space (the historical layout every tar accepts).
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** A PAX record "<len> key=value\n", where len counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function asciiTail(path: string, max: number): string {
  return path.replace(/[^\x20-\x7e]/g, '_').slice(-max).replace(/^\/+/, '');
}

/** Zero padding after `sizeBytes` of content, up to the next block. */
export function tarPadding(sizeBytes: number): Uint8Array {
  const rest = sizeBytes % TAR_BLOCK_BYTES;
  return new Uint8Array(rest === 0 ? 0 : TAR_BLOCK_BYTES - rest);
}

/** The header block(s) for one entry: a PAX header first when a name or size does not fit. */
export function encodeTarHeader(h: TarHeader): Uint8Array {
  if (!Number.isSafeInteger(h.sizeBytes) || h.sizeBytes < 0) throw new RangeError(`invalid tar entry size ${h.sizeBytes}`);
  const records: string[] = [];
  const nameFits = Buffer.byteLength(h.path) <= 100;
  const link = h.linkTarget ?? '';
  const linkFits = Buffer.byteLength(link) <= 100;
  if (!nameFits) records.push(paxRecord('path', h.path));
  if (!linkFits) records.push(paxRecord('linkpath', link));
  if (h.sizeBytes > MAX_USTAR_SIZE) records.push(paxRecord('size', String(h.sizeBytes)));
  // When PAX carries the real name, the ustar name is only a readable ASCII fallback.
  const main = ustarBlock(h, nameFits ? h.path : asciiTail(h.path, 99), linkFits ? link : '', TYPEFLAG[h.type], Math.min(h.sizeBytes, MAX_USTAR_SIZE));
  if (records.length === 0) return main;
  const pax = Buffer.from(records.join(''), 'utf8');
  const paxHeader = ustarBlock({ ...h, type: 'file' }, `PaxHeaders/${asciiTail(h.path, 80)}`, '', 'x', pax.length);
  return Buffer.concat([paxHeader, pax, tarPadding(pax.length), main]);
}

/** The end of archive: two zero blocks. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * TAR_BLOCK_BYTES);
}
