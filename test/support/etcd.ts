/**
 * Starts real etcd processes (Debian's etcd-server 3.4) on 127.0.0.1 with random free ports
 * and temp data dirs, plain or with mutual TLS, and stops them by PID. Every process started
 * here is also killed when the test process exits, so a failing test never leaks an etcd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { runProcess, type CliResult } from './cli.js';
import { freePort } from './ports.js';
import { generateTls, type TlsFiles } from './tls.js';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A loopback port reserved for this test process (test/support/ports.ts). */
export { freePort };

export interface EtcdOptions {
  name?: string;
  /** Directory of the etcd binary to run (a peer from test/support/peers.ts); default: etcd on PATH (Debian's 3.4). */
  binDir?: string;
  /** Reuse a data dir (e.g. a restored one); otherwise a fresh temp dir is made and removed on stop. */
  dataDir?: string;
  /** Extra WAL dir, as etcd --wal-dir. */
  walDir?: string;
  clientPort?: number;
  peerPort?: number;
  /** Client TLS with client-certificate auth; pass true to generate a fresh set. */
  tls?: boolean | TlsFiles;
  initialCluster?: string;
  initialClusterToken?: string;
  initialClusterState?: 'new' | 'existing';
  quotaBackendBytes?: number;
  extraArgs?: string[];
  /** How long to wait for /health; default 30 s. */
  startTimeoutMs?: number;
  /** Do not wait for /health (e.g. a member of a cluster that is still forming). */
  noWait?: boolean;
}

export interface EtcdProcess {
  name: string;
  pid: number;
  /** Directory of this member's etcd (and its etcdctl/etcdutl), undefined for the etcd on PATH. */
  binDir: string | undefined;
  dataDir: string;
  clientUrl: string;
  peerUrl: string;
  tls: TlsFiles | undefined;
  /** etcdctl-style flags to reach this member: --endpoints (+ TLS files). */
  clientFlags: string[];
  /** The stderr log so far, for diagnosing a failed start. */
  log(): string;
  /** Waits until /health answers {"health":"true"}. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** SIGTERM, wait for exit (SIGKILL after 10 s); removes a temp data dir it created. */
  stop(): Promise<void>;
  /** Sends a signal without cleanup (to simulate a crash use SIGKILL). */
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

function probe(url: string, tls: TlsFiles | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const options = tls
      ? { ca: readFileSync(tls.caCert), cert: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey), timeout: 1000 }
      : { timeout: 1000 };
    const req = (tls ? https : http).get(`${url}/health`, options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdProcess> {
  const name = options.name ?? 'kk-test';
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'kk-etcd-'));
  const tls = options.tls === true ? generateTls(mkdtempSync(path.join(os.tmpdir(), 'kk-tls-'))) : options.tls || undefined;
  const clientPort = options.clientPort ?? (await freePort());
  const peerPort = options.peerPort ?? (await freePort());
  const scheme = tls ? 'https' : 'http';
  const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', name, '--data-dir', dataDir,
    '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', options.initialCluster ?? `${name}=${peerUrl}`,
    '--initial-cluster-token', options.initialClusterToken ?? 'kk-test-token',
    '--initial-cluster-state', options.initialClusterState ?? 'new',
    '--listen-metrics-urls', `http://127.0.0.1:${await freePort()}`,
    '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
    '--quota-backend-bytes', String(options.quotaBackendBytes ?? 2 * 1024 ** 3),
  ];
  if (options.walDir) args.push('--wal-dir', options.walDir);
  if (tls) args.push('--cert-file', tls.serverCert, '--key-file', tls.serverKey, '--client-cert-auth', '--trusted-ca-file', tls.caCert);
  args.push(...(options.extraArgs ?? []));

  const binary = options.binDir ? path.join(options.binDir, 'etcd') : 'etcd';
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: '' } });
  live.add(child);
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  if (child.pid === undefined) throw new Error('etcd did not start (is etcd-server installed?)');

  const clientFlags = [`--endpoints=${clientUrl}`];
  if (tls) clientFlags.push(`--cacert=${tls.caCert}`, `--cert=${tls.clientCert}`, `--key=${tls.clientKey}`);

  let stopped = false;
  const member: EtcdProcess = {
    name, pid: child.pid, binDir: options.binDir, dataDir, clientUrl, peerUrl, tls, clientFlags, exited,
    log: () => log,
    async waitHealthy(timeoutMs = options.startTimeoutMs ?? 30_000) {
      const deadline = Date.now() + timeoutMs;
      let dead = false;
      void exited.then(() => (dead = true));
      while (Date.now() < deadline) {
        if (dead) throw new Error(`etcd ${name} exited during start:\n${log.slice(-4000)}`);
        if (await probe(clientUrl, tls)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`etcd ${name} not healthy after ${timeoutMs} ms:\n${log.slice(-4000)}`);
    },
    kill(signal) {
      child.kill(signal);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid as number, 'SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
      if (options.tls === true && tls) rmSync(tls.dir, { recursive: true, force: true });
    },
  };
  if (!options.noWait) {
    try {
      await member.waitHealthy();
    } catch (err) {
      await member.stop();
      throw err;
    }
  }
  return member;
}

type EtcdctlTarget = Pick<EtcdProcess, 'clientFlags'> & { binDir?: string | undefined };

/**
 * Runs the real etcdctl (API v3) against a member, with its TLS flags: the etcdctl of the member's
 * own version when it runs a peer build, else the one on PATH.
 */
export function etcdctl(member: EtcdctlTarget | undefined, args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  const binary = member?.binDir ? path.join(member.binDir, 'etcdctl') : 'etcdctl';
  return runProcess(binary, [...(member?.clientFlags ?? []), ...args], { env: { ETCDCTL_API: '3' }, timeoutMs });
}

/** etcdctl that must succeed; returns stdout. */
export async function etcdctlOk(member: EtcdctlTarget | undefined, args: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await etcdctl(member, args, timeoutMs);
  if (r.code !== 0) throw new Error(`etcdctl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** The peer fields the file-tool helpers need (an EtcdPeer from test/support/peers.ts). */
export interface EtcdToolPeer {
  binDir: string;
  hasEtcdutl: boolean;
}

/**
 * Runs that etcd version's offline snapshot tool: `etcdutl` from 3.5, `etcdctl` (API v3) for
 * 3.4, which has no etcdutl and serves `snapshot status/restore` itself.
 */
export function etcdutl(peer: EtcdToolPeer, args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
  const binary = path.join(peer.binDir, peer.hasEtcdutl ? 'etcdutl' : 'etcdctl');
  return runProcess(binary, args, { env: { ETCDCTL_API: '3' }, timeoutMs });
}

/** etcdutl that must succeed; returns stdout. */
export async function etcdutlOk(peer: EtcdToolPeer, args: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await etcdutl(peer, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${peer.hasEtcdutl ? 'etcdutl' : 'etcdctl'} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** What `endpoint status` says about one member, IDs as unpadded hex. */
export interface MemberStatus {
  memberId: string;
  clusterId: string;
  revision: number;
  raftIndex: number;
  raftTerm: number;
  dbSizeBytes: number;
}

/** `etcdctl endpoint status -w json` of the member's own etcdctl. */
export async function endpointStatus(member: EtcdctlTarget): Promise<MemberStatus> {
  const text = await etcdctlOk(member, ['endpoint', 'status', '-w', 'json']);
  // IDs are uint64: keep them exact.
  const [s] = JSON.parse(text.replace(/("(?:cluster_id|member_id|leader)":)(\d+)/g, '$1"$2"')) as {
    Status: { header: { cluster_id: string; member_id: string; revision: number; raft_term: number }; raftIndex: number; dbSize: number };
  }[];
  if (!s) throw new Error(`endpoint status printed nothing: ${text}`);
  return {
    memberId: BigInt(s.Status.header.member_id).toString(16),
    clusterId: BigInt(s.Status.header.cluster_id).toString(16),
    revision: s.Status.header.revision,
    raftIndex: s.Status.raftIndex,
    raftTerm: s.Status.header.raft_term,
    dbSizeBytes: s.Status.dbSize,
  };
}
