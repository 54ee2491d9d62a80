/**
 * Point-in-time restore cost (bench/pitr.sh): restores `--snapshot` alone, then again with
 * `--events` synthetic delta records appended after its last revision (puts over `--keys`
 * keys, ~`--value-bytes` values, every 10th a delete), and prints wall and CPU seconds of both
 * and their ratio (the target: full + deltas <= 2x the full alone). The records are
 * built in memory: the cost of reading them from a repository is bench/pitr-deltas.ts's.
 * Usage: node dist/bench/pitr-restore.js --snapshot FILE [--events 1000000] [--dir .bench/pitr]
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { revisionKey, restoreSnapshot, type SnapshotRestoreOptions } from '../src/backup/index.js';
import { ProtoWriter } from '../src/protobuf/index.js';

const { values } = parseArgs({
  options: {
    snapshot: { type: 'string' },
    events: { type: 'string', default: '1000000' },
    keys: { type: 'string', default: '100000' },
    'value-bytes': { type: 'string', default: '200' },
    dir: { type: 'string', default: '.bench/pitr' },
  },
});
const snapshot = values.snapshot as string;
const dir = values.dir as string;
await mkdir(dir, { recursive: true });
const cpu = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function timed(name: string, extra: Partial<SnapshotRestoreOptions>) {
  const dataDir = path.join(dir, `restored-${name}`);
  await rm(dataDir, { recursive: true, force: true });
  const options = {
    snapshotPath: snapshot, dataDir, name: 'bench', initialCluster: 'bench=http://127.0.0.1:2380', initialClusterToken: 'bench',
    initialAdvertisePeerUrls: ['http://127.0.0.1:2380'], skipHashCheck: false, markCompacted: false, dryRun: false, ...extra,
  } as SnapshotRestoreOptions;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const report = await restoreSnapshot(options);
  const result = { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: cpu(process.cpuUsage(c0)), revisionBefore: Number(report.revision.before) };
  await rm(dataDir, { recursive: true, force: true });
  return result;
}

const alone = await timed('full', {});
const enc = new TextEncoder();
const total = Number(values.events);
const keys = Number(values.keys);
const filler = 'x'.repeat(Number(values['value-bytes']));
const live = new Map<number, { create: number; version: number }>();
const extraRevisions: { key: Uint8Array; value: Uint8Array }[] = [];
let deltaBytes = 0;
for (let rev = alone.revisionBefore + 1; rev <= alone.revisionBefore + total; rev++) {
  const k = (rev * 7919) % keys;
  const key = enc.encode(`/registry/configmaps/pitr-${k % 100}/cm-${k}`);
  const v = live.get(k);
  if (rev % 10 === 0 && v) {
    live.delete(k);
    extraRevisions.push({ key: revisionKey(BigInt(rev), 0, true), value: new ProtoWriter().bytes(1, key).finish() });
  } else {
    const next = v ? { create: v.create, version: v.version + 1 } : { create: rev, version: 1 };
    live.set(k, next);
    extraRevisions.push({ key: revisionKey(BigInt(rev), 0, false), value: new ProtoWriter().bytes(1, key).varint(2, next.create).varint(3, rev).varint(4, next.version).bytes(5, `${rev}:${filler}`).finish() });
  }
  deltaBytes += (extraRevisions[extraRevisions.length - 1] as { value: Uint8Array }).value.length + 18;
}
const withDeltas = await timed('pitr', { extraRevisions } as Partial<SnapshotRestoreOptions>);
if (withDeltas.revisionBefore !== alone.revisionBefore + total) throw new Error(`the restore did not apply the delta records (revision ${withDeltas.revisionBefore}); this build lacks point-in-time restore`);
console.log(JSON.stringify({
  snapshotMB: Math.round((await import('node:fs')).statSync(snapshot).size / 1e6), events: total, deltaMB: +(deltaBytes / 1e6).toFixed(1),
  full: alone, fullPlusDeltas: withDeltas,
  wallRatio: +(withDeltas.wallSeconds / alone.wallSeconds).toFixed(2), cpuRatio: +(withDeltas.cpuSeconds / alone.cpuSeconds).toFixed(2),
  appliedRevision: withDeltas.revisionBefore, loadAverage: (await import('node:os')).loadavg()[0],
}));
