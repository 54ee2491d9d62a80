/**
 * Streaming overhead on the live member (issue 20, performance): etcd's write throughput with
 * and without `kubekeeper backup stream` attached, in alternating runs. Each run: --clients
 * concurrent puts of --value-bytes through kubekeeper's etcd client for --duration seconds;
 * puts/s counted. Every run starts from the same state: etcd compacted at its revision and
 * defragmented (etcdctl on PATH). A "with" run then takes a full backup (small: the keyspace
 * is 1,000 keys) and starts the streamer (default settings: 10 s flushes, zstd or gzip, age)
 * from it, so it has no backlog and only its steady state is measured. Pairs alternate their order (without-with, with-without)
 * so that drift of a shared machine falls on both sides. A run lasts two flush intervals, so
 * each "with" run stores segments in it. CPU seconds of etcd and of the streamer over each run
 * are read from /proc: etcd's CPU per put with and without the watch, the streamer's per event,
 * and from them the CPU the stream adds per put, relative to etcd's own (a steadier figure than
 * throughput on a shared machine: it is what a CPU-bound etcd sharing its cores would lose).
 *
 * Prints one JSON line per run and a summary line, then a table. KK_BENCH_STREAMER_NODE_OPTIONS
 * is given to the streamer as NODE_OPTIONS (e.g. "--cpu-prof --cpu-prof-dir=DIR" to profile it);
 * KK_BENCH_STREAMER=etcdctl measures etcdctl's watch in its place (the reference floor).
 * Usage: node dist/bench/pitr-overhead.js --endpoint URL --etcd-pid PID --repo DIR --recipient AGE1 [--pairs 5] [--duration 20] [--clients 16] [--value-bytes 1024]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectEtcd } from '../src/etcd/index.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'http://127.0.0.1:2379' },
    'etcd-pid': { type: 'string' },
    repo: { type: 'string' },
    recipient: { type: 'string' },
    pairs: { type: 'string', default: '5' },
    duration: { type: 'string', default: '20' },
    clients: { type: 'string', default: '16' },
    'value-bytes': { type: 'string', default: '1024' },
    'clk-tck': { type: 'string', default: '100' },
  },
});
if (!values.repo || !values.recipient) throw new Error('--repo and --recipient are required');
const durationMs = Number(values.duration) * 1000;
const clients = Number(values.clients);
const valueBytes = Number(values['value-bytes']);
const clkTck = Number(values['clk-tck']);
const etcdPid = values['etcd-pid'] ? Number(values['etcd-pid']) : undefined;
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clkTck;
}

const client = await connectEtcd({ endpoints: [values.endpoint], dialTimeoutMs: 5000, commandTimeoutMs: 30_000 });
const value = randomBytes(valueBytes);
let keyCounter = 0;

/** --clients workers putting for durationMs; returns the puts done and the seconds taken. */
async function load(): Promise<{ puts: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + durationMs;
  let puts = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      // 1,000 distinct keys rewritten: the keyspace stays small, every put is a new revision.
      await client.put(`/bench/overhead/${String(keyCounter++ % 1000).padStart(4, '0')}`, value);
      puts++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return { puts, seconds: (performance.now() - started) / 1000 };
}

interface Streamer { child: ChildProcess; lines: string[]; exited: Promise<void> }

/** Starts `backup stream` and resolves once it has stored every revision up to etcd's current one. */
async function startStreamer(): Promise<Streamer> {
  if (process.env.KK_BENCH_STREAMER === 'etcdctl') return startReferenceWatch();
  const current = Number((await client.status()).header.revision);
  // KK_BENCH_STREAMER_NICE=N: the streamer at nice N (what a unit's Nice= gives), so that it yields the CPU to etcd.
  const nice = process.env.KK_BENCH_STREAMER_NICE;
  const command = nice ? ['nice', '-n', nice, process.execPath] : [process.execPath];
  // KK_BENCH_WATCH_POLL=0: one watch held open instead of the default polling watch.
  const poll = process.env.KK_BENCH_WATCH_POLL ? ['--watch-poll', process.env.KK_BENCH_WATCH_POLL] : [];
  const child = spawn(command[0] as string, [...command.slice(1), cli, 'backup', 'stream', '--endpoints', values.endpoint as string, '--repo', values.repo as string, '-r', values.recipient as string, ...poll], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // e.g. "--cpu-prof --cpu-prof-dir=.bench/prof" to profile the streamer alone.
    env: { ...process.env, ...(process.env.KK_BENCH_STREAMER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.KK_BENCH_STREAMER_NODE_OPTIONS } : {}) },
  });
  const lines: string[] = [];
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let buffer = '';
  let from: number | undefined;
  let stored = 0;
  let wake: () => void = () => undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      lines.push(line);
      const start = /"event":"delta\.stream\.start".*"fromRevision":(\d+)/.exec(line);
      if (start) from = Number(start[1]);
      const written = /"event":"delta\.segment\.written".*"name":"delta\.\d{20}-(\d{20})"/.exec(line);
      if (written) stored = Number(written[1]);
      wake();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const deadline = Date.now() + 120_000;
  while (from === undefined || (from <= current && stored < current)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the streamer did not catch up to revision ${current}: ${stderr}${lines.slice(-5).join('\n')}`);
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 500);
    });
  }
  return { child, lines, exited };
}

/**
 * KK_BENCH_STREAMER=etcdctl: the "with" runs attach `etcdctl watch --prefix ''` (etcd's own Go
 * client, its output to /dev/null) instead of kubekeeper: what any client watching every key
 * costs this member, the floor under the streamer's overhead. Its "streamer CPU" is etcdctl's.
 */
async function startReferenceWatch(): Promise<Streamer> {
  const child = spawn('etcdctl', ['--endpoints', values.endpoint as string, 'watch', '--prefix', ''], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ETCDCTL_API: '3' } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (child.exitCode !== null) throw new Error('etcdctl watch exited');
  return { child, lines: [], exited };
}

/** Compacts etcd at its revision and defragments it: every run starts from the same small db. */
async function resetEtcd(): Promise<void> {
  const revision = (await client.status()).header.revision;
  const etcdctl = (...args: string[]) => execFileSync('etcdctl', ['--endpoints', values.endpoint as string, '--command-timeout=60s', ...args], { stdio: 'ignore', env: { ...process.env, ETCDCTL_API: '3' } });
  if (revision > 1n) etcdctl('compact', revision.toString());
  etcdctl('defrag');
}

/** A full backup at etcd's current revision: the streamer starts from it. */
function fullBackup(): void {
  execFileSync(process.execPath, [cli, 'backup', 'save', '--endpoints', values.endpoint as string, '--repo', values.repo as string, '-r', values.recipient as string], { stdio: 'ignore' });
}

interface Run { bench: string; pair: number; mode: 'with' | 'without'; puts: number; seconds: number; putsPerSec: number; etcdCpuUsPerPut: number; streamerCpuSeconds?: number; streamerCpuUsPerEvent?: number; segments?: number; loadAverage: number[] }

async function run(pair: number, mode: 'with' | 'without'): Promise<Run> {
  await resetEtcd();
  if (mode === 'with') fullBackup();
  const streamer = mode === 'with' ? await startStreamer() : undefined;
  const etcd0 = cpuSeconds(etcdPid);
  const s0 = cpuSeconds(streamer?.child.pid);
  const segments0 = streamer?.lines.filter((l) => l.includes('"event":"delta.segment.written"')).length ?? 0;
  const { puts, seconds } = await load();
  const etcdCpu = cpuSeconds(etcdPid) - etcd0;
  const r: Run = {
    bench: 'pitr-overhead', pair, mode, puts, seconds: Number(seconds.toFixed(2)), putsPerSec: Math.round(puts / seconds),
    etcdCpuUsPerPut: Math.round((etcdCpu / puts) * 1e6), loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
  if (streamer) {
    const streamerCpu = cpuSeconds(streamer.child.pid) - s0;
    r.streamerCpuSeconds = Number(streamerCpu.toFixed(2));
    r.streamerCpuUsPerEvent = Math.round((streamerCpu / puts) * 1e6);
    r.segments = streamer.lines.filter((l) => l.includes('"event":"delta.segment.written"')).length - segments0;
    streamer.child.kill('SIGTERM');
    await streamer.exited;
  }
  process.stdout.write(`${JSON.stringify(r)}\n`);
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

// A warm-up run (JIT, etcd's caches, the first segments), not counted.
await load();
const runs: Run[] = [];
for (let pair = 1; pair <= Number(values.pairs); pair++) {
  const order: ('with' | 'without')[] = pair % 2 ? ['without', 'with'] : ['with', 'without'];
  for (const mode of order) runs.push(await run(pair, mode));
}
client.close();
const rate = (mode: string) => runs.filter((r) => r.mode === mode).map((r) => r.putsPerSec);
const without = rate('without');
const withS = rate('with');
const pairLoss = runs.filter((r) => r.mode === 'with').map((w) => {
  const o = runs.find((r) => r.mode === 'without' && r.pair === w.pair) as Run;
  return (1 - w.putsPerSec / o.putsPerSec) * 100;
});
const streamerCpu = runs.filter((r) => r.mode === 'with').map((r) => r.streamerCpuUsPerEvent as number);
const summary = {
  bench: 'pitr-overhead-summary', pairs: Number(values.pairs), clients, valueBytes, durationSeconds: durationMs / 1000,
  withoutMedian: median(without), withoutMin: Math.min(...without), withoutMax: Math.max(...without),
  withMedian: median(withS), withMin: Math.min(...withS), withMax: Math.max(...withS),
  lossPercentOfMedians: Number(((1 - median(withS) / median(without)) * 100).toFixed(1)),
  pairLossPercentMedian: Number(median(pairLoss).toFixed(1)), pairLossPercentMin: Number(Math.min(...pairLoss).toFixed(1)), pairLossPercentMax: Number(Math.max(...pairLoss).toFixed(1)),
  etcdCpuUsPerPutWithout: median(runs.filter((r) => r.mode === 'without').map((r) => r.etcdCpuUsPerPut)),
  etcdCpuUsPerPutWith: median(runs.filter((r) => r.mode === 'with').map((r) => r.etcdCpuUsPerPut)),
  streamerCpuUsPerEvent: median(streamerCpu),
  addedCpuPercent: 0,
  loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
};
summary.addedCpuPercent = Number((((summary.etcdCpuUsPerPutWith - summary.etcdCpuUsPerPutWithout) / summary.etcdCpuUsPerPutWithout) * 100).toFixed(1));
const addedWithStreamer = Number((((summary.etcdCpuUsPerPutWith - summary.etcdCpuUsPerPutWithout + summary.streamerCpuUsPerEvent) / summary.etcdCpuUsPerPutWithout) * 100).toFixed(1));
process.stdout.write(`${JSON.stringify({ ...summary, addedCpuPercentWithStreamer: addedWithStreamer })}\n`);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |\n`;
process.stdout.write(`\n${row(['', 'puts/s median', 'min-max', 'etcd CPU µs/put', 'streamer CPU µs/event'])}${row(['---', '---', '---', '---', '---'])}`);
process.stdout.write(row(['without stream', summary.withoutMedian, `${summary.withoutMin}-${summary.withoutMax}`, summary.etcdCpuUsPerPutWithout, '-']));
process.stdout.write(row(['with `backup stream`', summary.withMedian, `${summary.withMin}-${summary.withMax}`, summary.etcdCpuUsPerPutWith, summary.streamerCpuUsPerEvent]));
process.stdout.write(`\nloss: ${summary.lossPercentOfMedians}% of the medians; per pair median ${summary.pairLossPercentMedian}% (${summary.pairLossPercentMin}% to ${summary.pairLossPercentMax}%)\n`);
process.stdout.write(`CPU per put added by the stream: etcd +${summary.addedCpuPercent}% (serving the watch); with the streamer's own CPU on the same cores +${addedWithStreamer}%\n`);
