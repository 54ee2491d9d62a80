/**
 * Writes a set of realistic kube-apiserver audit logs for bench/audit.sh: `--files` files of
 * equal size adding up to `--mib`, named like rotated logs, the live `audit.log` last, with
 * the delete of pod "pod-with-special-name" planted in the middle file. Deterministic.
 * Usage: node dist/bench/audit-generate.js --dir .bench/audit/logs --mib 1024 --files 8 [--gzipped 0]
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { writeAuditLogSet } from '../test/support/audit-events.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '.bench/audit/logs' },
    mib: { type: 'string', default: '1024' },
    files: { type: 'string', default: '8' },
    gzipped: { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
  },
});
const files = Number(values.files);
const dir = values.dir as string;
await mkdir(dir, { recursive: true });
const started = Date.now();
const set = await writeAuditLogSet({
  dir,
  files,
  bytesPerFile: Math.ceil((Number(values.mib) * 1024 * 1024) / files),
  gzipped: Number(values.gzipped),
  plantIn: Math.floor(files / 2),
  seed: Number(values.seed),
});
console.log(JSON.stringify({ files: set.paths.length, events: set.events, uncompressedBytes: set.uncompressedBytes, planted: set.planted.length, seconds: (Date.now() - started) / 1000 }));
