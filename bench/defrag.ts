/**
 * Defrag benchmark (issue 19): a 3-member etcd cluster on 127.0.0.1 whose members are filled
 * to --mib MiB and then about half freed (every other value deleted, compacted), defragmented
 * under a continuous client write load (test/support/write-load.ts: three writers over every
 * member, 5 s per write, 1 s per attempt, failing over to the next member like clientv3) twice:
 * once by `kubekeeper defrag --cluster` (need-based, one member at a time with a health gate,
 * the leader last after MoveLeader) and once by `etcdctl defrag --cluster` (one member after the
 * other, the leader in place), re-fragmented in between. Prints a markdown table: total time,
 * the worst client write latency, attempts that stalled or were dropped and failed over, and
 * writes that failed within their 5 s budget.
 * Usage: node dist/bench/defrag.js [--mib 1024] [--etcd 3.6.17] [--value-kib 100]
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { openEtcdClient, type EtcdClient } from '../src/etcd/index.js';
import { etcdctlOk } from '../test/support/etcd.js';
import { startEtcdCluster, type EtcdCluster } from '../test/support/etcd-test-cluster.js';
import { runProcess } from '../test/support/cli.js';
import { cliPath } from '../test/support/paths.js';
import { findEtcd } from '../test/support/peers.js';
import { startWriteLoad, type WriteLoadReport } from '../test/support/write-load.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, etcd: { type: 'string', default: '3.6.17' }, 'value-kib': { type: 'string', default: '100' } } });
const MIB = 1024 * 1024;
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

/** Writes `mib` MiB of fresh keys under `prefix`, 16 puts in flight. */
async function fill(client: EtcdClient, prefix: string, mib: number): Promise<number> {
  const value = randomBytes(Number(values['value-kib']) * 1024);
  const count = Math.ceil((mib * MIB) / value.length);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < count; i = next++) {
      await client.put(`${prefix}${String(i).padStart(7, '0')}`, value);
      if (i % 1000 === 0) log(`  ${prefix}: ${i}/${count}`);
    }
  }));
  return count;
}

/** Deletes every other key under `prefix` (or all), compacts, and waits until every member counts the free pages. */
async function free(cluster: EtcdCluster, client: EtcdClient, prefix: string, count: number, everyOther: boolean): Promise<string> {
  let next = 0;
  let revision = 0n;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < count; i = next++) {
      if (everyOther && i % 2 === 1) continue;
      const r = await client.deleteRange(`${prefix}${String(i).padStart(7, '0')}`);
      if (r.revision > revision) revision = r.revision;
    }
  }));
  await etcdctlOk(cluster, ['compaction', '--physical', '--command-timeout=10m', String(revision)], 600_000);
  for (;;) {
    await client.put('/bench-tick', 'x');
    // kubekeeper's own status: etcdctl 3.7's columns (with the percentage not in use) for every etcd version.
    const r = await runProcess(process.execPath, [cliPath, 'endpoint', 'status', '-w', 'simple', ...cluster.clientFlags]);
    const s = r.stdout;
    const percents = [...s.matchAll(/, (\d+)%, /g)].map((m) => Number(m[1]));
    if (percents.length === 3 && percents.every((p) => p >= 40)) return s.trim();
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Measured { name: string; ms: number; load: WriteLoadReport; pinned: WriteLoadReport }

async function measure(name: string, cluster: EtcdCluster, run: () => Promise<void>): Promise<Measured> {
  const endpoints = cluster.members.map((m) => m.clientUrl);
  const load = await startWriteLoad(endpoints, { prefix: '/bench-load/' });
  // Clients that cannot fail over: one per member, no retry, a long budget, to see the stall.
  const pinnedLoad = await startWriteLoad(endpoints, { prefix: '/bench-pinned/', failover: false, timeoutMs: 600_000 });
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const [report, pinned] = [await load.stop(), await pinnedLoad.stop()];
  log(`${name}: ${(ms / 1000).toFixed(1)} s, ${report.writes} writes, worst ${report.worstMs.toFixed(0)} ms, ${report.retries} retried, ${report.failures.length} failed; pinned worst ${pinned.worstMs.toFixed(0)} ms`);
  return { name, ms, load: report, pinned };
}

const { peer, missing } = findEtcd(values.etcd as string);
if (!peer) throw new Error(missing);
const mib = Number(values.mib);
log(`3-member etcd ${peer.version} cluster, ${mib} MiB per member, half of it freed`);
const cluster = await startEtcdCluster({ binDir: peer.binDir, quotaBackendBytes: 8 * 1024 * MIB });
// Stopped by a signal: stop the members too (the exit hook of test/support/etcd.ts does not run on a signal).
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cluster.stop().finally(() => process.exit(130)));
const first = cluster.members[0]?.clientUrl as string;
const client = await openEtcdClient({ endpoints: [first], dialTimeoutMs: 5000, commandTimeoutMs: 120_000 }, first);
const results: Measured[] = [];
try {
  const count = await fill(client, '/bench/a/', mib);
  log(await free(cluster, client, '/bench/a/', count, true));
  results.push(await measure('kubekeeper defrag --cluster', cluster, async () => {
    const r = await runProcess(process.execPath, [cliPath, 'defrag', '--cluster', '--min-reclaim-bytes', '0', '--defrag-timeout', '20m', '--health-timeout', '5m', '-w', 'json', ...cluster.clientFlags], { timeoutMs: 3_600_000 });
    if (r.code !== 0) throw new Error(`kubekeeper defrag failed: ${r.stderr}`);
    log(`  steps: ${(JSON.parse(r.stdout) as { steps: { kind: string; endpoint: string; tookMs: number }[] }).steps.map((s) => `${s.kind} ${s.endpoint} ${s.tookMs} ms`).join('; ')}`);
  }));
  // Fragment again to the same shape: fill the space back up, then free every other new value.
  const again = await fill(client, '/bench/b/', Math.round(mib / 2));
  log(await free(cluster, client, '/bench/b/', again, false));
  results.push(await measure('etcdctl defrag --cluster', cluster, async () => {
    await etcdctlOk(cluster, ['defrag', '--cluster', '--command-timeout=20m'], 3_600_000);
  }));
} finally {
  client.close();
  await cluster.stop();
}
process.stdout.write(`\netcd ${peer.version}, 3 members, ${mib} MiB each, ~50% free (${path.basename(cliPath)})\n\n`);
process.stdout.write('| tool | total time | worst write latency (fail-over client) | attempts failed over | writes failed (5 s) | writes | worst write latency (client pinned to one member) |\n|---|---|---|---|---|---|---|\n');
for (const r of results) {
  process.stdout.write(`| ${r.name} | ${(r.ms / 1000).toFixed(1)} s | ${r.load.worstMs.toFixed(0)} ms | ${r.load.retries} | ${r.load.failures.length} | ${r.load.writes} | ${r.pinned.worstMs.toFixed(0)} ms |\n`);
}
