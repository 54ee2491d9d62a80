/**
 * `snapshot status` output, byte for byte like the status command of the etcd version that
 * wrote the snapshot (spec §4.2; issue 16's decision: follow the writer where formats differ):
 * - no `storageVersion` in meta (etcd 3.4/3.5): `etcdctl 3.4`/`etcdutl 3.5` — four columns,
 *   "total keys" = every entry of every bucket;
 * - storageVersion 3.6: `etcdutl 3.6` — a fifth column VERSION, "total keys" = live user keys;
 * - storageVersion 3.7 and newer: `etcdutl 3.7` — as 3.6, the table drawn by tablewriter 1.x
 *   (box-drawing borders).
 * The hash is unpadded hex in simple/table, decimal in json/fields; sizes via go-humanize in
 * simple/table, raw bytes in json/fields. The revision is an int64 printed exactly (a JSON
 * number literal beyond 2^53, as Go's encoding/json writes it).
 */
import { formatSizeSI, type SnapshotStatus } from '../../snapshot/index.js';
import { renderTable } from './table.js';

export const STATUS_FORMATS = ['simple', 'table', 'json', 'fields'] as const;
export type StatusFormat = (typeof STATUS_FORMATS)[number];

/** Which tool's layout a status is printed in. */
type Layout = 'etcdctl-3.4' | 'etcdutl-3.6' | 'etcdutl-3.7';

function layoutOf(status: SnapshotStatus): Layout {
  if (status.storageVersion === undefined) return 'etcdctl-3.4';
  const [major, minor] = status.storageVersion.split('.').map(Number) as [number, number];
  return major === 3 && minor < 7 ? 'etcdutl-3.6' : 'etcdutl-3.7';
}

/** The whole output for one status, ending with a newline. */
export function renderSnapshotStatus(status: SnapshotStatus, format: StatusFormat): string {
  const layout = layoutOf(status);
  const hashHex = status.hash.toString(16);
  const size = formatSizeSI(status.totalSize);
  const versioned = layout !== 'etcdctl-3.4';
  const keys = versioned ? status.liveKeys ?? 0 : status.totalKey;
  const version = status.storageVersion ?? '';
  switch (format) {
    case 'simple':
      return `${[hashHex, String(status.revision), String(keys), size, ...(versioned ? [version] : [])].join(', ')}\n`;
    case 'table': {
      const headers = ['hash', 'revision', 'total keys', 'total size', ...(versioned ? ['version'] : [])];
      const row = [hashHex, String(status.revision), String(keys), size, ...(versioned ? [version] : [])];
      return renderTable(headers, [row], { border: layout === 'etcdutl-3.7' ? 'box' : 'ascii' });
    }
    case 'json': {
      // Written by hand: revision is a bigint, and the tools' key order and spacing are fixed.
      const tail = versioned ? `,"version":${JSON.stringify(version)}` : '';
      return `{"hash":${status.hash},"revision":${status.revision},"totalKey":${keys},"totalSize":${status.totalSize}${tail}}\n`;
    }
    case 'fields':
      return `"Hash" : ${status.hash}\n"Revision" : ${status.revision}\n"Keys" : ${keys}\n"Size" : ${status.totalSize}\n${versioned ? `"Version" : ${version}\n` : ''}`;
  }
}
