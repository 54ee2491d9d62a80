/**
 * `snapshot status` output, byte for byte like `etcdctl snapshot status -w <format>` (spec
 * §4.2): the hash as unpadded hex in simple/table, decimal in json/fields; sizes via
 * go-humanize in simple/table, raw bytes in json/fields.
 */
import { formatSizeSI, type SnapshotStatus } from '../../snapshot/index.js';
import { renderTable } from './table.js';

export const STATUS_FORMATS = ['simple', 'table', 'json', 'fields'] as const;
export type StatusFormat = (typeof STATUS_FORMATS)[number];

/** The whole output for one status, ending with a newline. */
export function renderSnapshotStatus(status: SnapshotStatus, format: StatusFormat): string {
  const hashHex = status.hash.toString(16);
  const size = formatSizeSI(status.totalSize);
  switch (format) {
    case 'simple':
      return `${hashHex}, ${status.revision}, ${status.totalKey}, ${size}\n`;
    case 'table':
      return renderTable(['hash', 'revision', 'total keys', 'total size'], [[hashHex, String(status.revision), String(status.totalKey), size]]);
    case 'json':
      // Written by hand: revision is a bigint, and etcdctl's key order and spacing are fixed.
      return `{"hash":${status.hash},"revision":${status.revision},"totalKey":${status.totalKey},"totalSize":${status.totalSize}}\n`;
    case 'fields':
      return `"Hash" : ${status.hash}\n"Revision" : ${status.revision}\n"Keys" : ${status.totalKey}\n"Size" : ${status.totalSize}\n`;
  }
}
