/**
 * Point-in-time recovery benchmark (bench/pitr.sh): writes `--events` synthetic delta events
 * (puts over `--keys` keys with ~`--value-bytes` values, every 10th revision a delete) as
 * segments of `--segment-events` into a local repository, age-encrypted and zstd-compressed as
 * the streamer stores them, after revision `--after` (a snapshot's last revision); then times
 * the restore side: chain planning and manifest checks, reading, decrypting, decompressing,
 * hash checks and decoding into key-bucket entries. Prints one JSON line.
 * With --skip-read only the segments are written (bench/pitr.sh then times the CLI restore),
 * into `--repo` as it is (a full backup already there is kept).
 * Usage: node dist/bench/pitr-deltas.js --repo .bench/pitr/repo --events 1000000 [--after 1000] [--cluster-id HEX] [--key-file KEY --skip-read]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBackupIdentities, loadBackupRecipients, loadDeltaRestore, openBackupRepository, planDeltaRestore, type Manifest } from '../src/backup/index.js';
import type { DeltaEvent } from '../src/backup/delta-segment.js';
import { writeDeltaSegment } from '../src/backup/delta-store.js';
import { defaultCompression } from '../src/crypto/index.js';
import { ProtoWriter } from '../src/protobuf/index.js';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', default: '.bench/pitr/repo' },
    events: { type: 'string', default: '1000000' },
    keys: { type: 'string', default: '100000' },
    'value-bytes': { type: 'string', default: '200' },
    'segment-events': { type: 'string', default: '100000' },
    after: { type: 'string', default: '1000' },
    'cluster-id': { type: 'string', default: 'cdf818194e3a8c32' },
    'key-file': { type: 'string' },
    'skip-read': { type: 'boolean', default: false },
  },
});
const repoDir = values.repo as string;
const total = Number(values.events);
const keys = Number(values.keys);
const valueBytes = Number(values['value-bytes']);
const perSegment = Number(values['segment-events']);
const after = Number(values.after);
if (!values['skip-read']) await rm(repoDir, { recursive: true, force: true });
await mkdir(repoDir, { recursive: true, mode: 0o700 });
const keyFile = values['key-file'] ?? path.join(path.dirname(repoDir), 'pitr-key.txt');
if (!values['key-file']) {
  await rm(keyFile, { force: true });
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
}
const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
const recipients = await loadBackupRecipients({ recipients: [recipient] });
const identities = await loadBackupIdentities({ identityFiles: [keyFile] });
const repo = await openBackupRepository(repoDir);

const enc = new TextEncoder();
const version = new Map<number, { create: number; version: number }>();
const filler = 'x'.repeat(valueBytes);
let contentBytes = 0;
function eventAt(rev: number): DeltaEvent {
  const k = (rev * 7919) % keys;
  const key = enc.encode(`/registry/configmaps/ns-${k % 100}/cm-${k}`);
  const live = version.get(k);
  if (rev % 10 === 0 && live) {
    version.delete(k);
    const kv = new ProtoWriter().bytes(1, key).varint(3, rev).finish();
    return { kind: 'event', main: BigInt(rev), sub: 0, type: 'delete', kv };
  }
  const v = live ? { create: live.create, version: live.version + 1 } : { create: rev, version: 1 };
  version.set(k, v);
  const kv = new ProtoWriter().bytes(1, key).varint(2, v.create).varint(3, rev).varint(4, v.version).bytes(5, `${rev}:${filler}`).finish();
  return { kind: 'event', main: BigInt(rev), sub: 0, type: 'put', kv };
}

const writeStart = performance.now();
const writeCpu = process.cpuUsage();
let previous: { name: string; lastRevision: number } | undefined;
for (let first = after + 1; first <= after + total; first += perSegment) {
  const last = Math.min(first + perSegment - 1, after + total);
  const events: DeltaEvent[] = [];
  for (let rev = first; rev <= last; rev++) {
    const e = eventAt(rev);
    contentBytes += e.kv.length + 18;
    events.push(e);
  }
  const m = await writeDeltaSegment(repo, {
    clusterId: values['cluster-id'] as string, firstRevision: first, lastRevision: last, records: events, ...(previous ? { previous } : {}),
    receivedAt: [[last, Date.now()]], compression: (process.env.KK_BENCH_COMPRESSION as 'zstd' | 'gzip' | 'none' | undefined) ?? defaultCompression(), recipients,
  });
  previous = { name: m.name, lastRevision: m.lastRevision };
}
const writeSeconds = (performance.now() - writeStart) / 1000;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
const writeCpuSeconds = cpuSeconds(process.cpuUsage(writeCpu));
const MB = 1e6;
if (values['skip-read']) {
  await repo.backend.close();
  console.log(JSON.stringify({ events: total, lastRevision: after + total, deltaContentMB: +(contentBytes / MB).toFixed(1), deltaContentBytes: contentBytes, writeSeconds: +writeSeconds.toFixed(2) }));
  process.exit(0);
}

// A full backup's manifest as the plan needs it: its revision and cluster.
const full = { name: 'bench', cluster: { revision: after, clusterId: values['cluster-id'] } } as unknown as Manifest;
const readStart = performance.now();
const readCpu = process.cpuUsage();
const plan = await planDeltaRestore(repo, full, { toRevision: after + total });
const loaded = await loadDeltaRestore(repo, plan, { identities, snapshotRevision: after });
const readSeconds = (performance.now() - readStart) / 1000;
const readCpuSeconds = cpuSeconds(process.cpuUsage(readCpu));
await repo.backend.close();
console.log(JSON.stringify({
  events: total, segments: plan.segments.length, entries: loaded.entries.length, deltaContentMB: +(contentBytes / MB).toFixed(1),
  writeSeconds: +writeSeconds.toFixed(2), writeMBps: +(contentBytes / MB / writeSeconds).toFixed(1),
  writeCpuSeconds: +writeCpuSeconds.toFixed(2), writeMBpsPerCpuSecond: +(contentBytes / MB / writeCpuSeconds).toFixed(1),
  replaySeconds: +readSeconds.toFixed(2), replayMBps: +(contentBytes / MB / readSeconds).toFixed(1),
  replayCpuSeconds: +readCpuSeconds.toFixed(2), replayMBpsPerCpuSecond: +(contentBytes / MB / readCpuSeconds).toFixed(1),
  loadAverage: (await import('node:os')).loadavg()[0],
  rssMB: Math.round(process.memoryUsage().rss / MB),
}));
