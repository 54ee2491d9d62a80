/**
 * The throwaway etcd of a restore drill: the I/O edge that spawns a real etcd on 127.0.0.1
 * from a restored data dir, waits until it answers, and stops it by PID. Ports are picked
 * free at random. That etcd serves a copy of every Secret of the cluster, so its client and
 * peer URLs speak mutual TLS with certificates made for this drill alone (certs/throwaway-pki:
 * the CA key never leaves memory, so only this drill's client certificate is accepted), and it
 * gets an allowlisted environment (child-env.ts): no KUBEKEEPER_*, AWS_* or ETCD_* variable
 * (etcd also refuses a flag that an environment variable sets).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { access, constants, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv } from '../child-env.js';
import { AppError, throwIfAborted } from '../errors.js';
import { type EtcdClient, connectEtcd } from '../etcd/index.js';

/** Between health probes while etcd starts: a refused connection costs ~1 ms, a late answer a whole interval. */
const PROBE_INTERVAL_MS = 25;
/** Raft timing of the single-member drill etcd (etcd requires election >= 5 x heartbeat). */
const HEARTBEAT_MS = 10;
const ELECTION_TIMEOUT_MS = 100;
/** Kept from etcd's stderr for the failure reason. */
const LOG_TAIL_BYTES = 8 * 1024;

/** Every drill etcd still running; killed if the process exits without stopping them. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port that was free on 127.0.0.1 a moment ago. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The etcd binary's path: `binary` itself when it has a slash, else the first match in PATH. */
export async function findEtcdBinary(binary: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const candidates = binary.includes('/') ? [binary] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, binary));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here (or not executable): try the next PATH entry
    }
  }
  const where = binary.includes('/') ? `"${binary}" does not exist or is not executable` : `no "${binary}" binary found in PATH`;
  throw new AppError('drill-etcd-missing', `Cannot run a restore drill: ${where}`, {
    hint: 'A drill starts a real etcd: install etcd (the version the cluster runs), or give its path with --etcd-binary (drill.etcdBinary in the daemon config)',
  });
}

/** The peer URL the drill etcd listens on (the restore records it in the member list). */
export function drillPeerUrl(peerPort: number): string {
  return `https://127.0.0.1:${peerPort}`;
}

/** PEM files of the drill's throwaway PKI, inside its private dir. */
export interface DrillTlsFiles {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/**
 * Issues the drill's throwaway PKI and writes it (0600, in a new 0700 `dir`). No CA key is
 * written: it is never extractable.
 */
export async function writeDrillTls(dir: string): Promise<DrillTlsFiles> {
  // Loaded here, not at the top: only a drill needs the x509 library.
  const { issueThrowawayPki } = await import('../certs/index.js');
  const pki = await issueThrowawayPki({ name: 'kubekeeper-drill' });
  await mkdir(dir, { mode: 0o700 });
  const files: DrillTlsFiles = {
    caFile: path.join(dir, 'ca.crt'), serverCertFile: path.join(dir, 'server.crt'), serverKeyFile: path.join(dir, 'server.key'),
    clientCertFile: path.join(dir, 'client.crt'), clientKeyFile: path.join(dir, 'client.key'),
  };
  const contents: [string, string][] = [
    [files.caFile, pki.caCertPem], [files.serverCertFile, pki.serverCertPem], [files.serverKeyFile, pki.serverKeyPem],
    [files.clientCertFile, pki.clientCertPem], [files.clientKeyFile, pki.clientKeyPem],
  ];
  for (const [file, pem] of contents) await writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  return files;
}

export interface DrillEtcdOptions {
  binary: string;
  name: string;
  dataDir: string;
  /** The throwaway PKI (writeDrillTls): client and peer URLs require its certificates. */
  tls: DrillTlsFiles;
  clientPort: number;
  peerPort: number;
  quotaBackendBytes: number;
  /** Give up waiting for etcd to answer after this long. */
  startTimeoutMs: number;
  /** The caller's environment; only its allowlisted part (child-env.ts) reaches etcd. */
  env?: NodeJS.ProcessEnv;
  /** Called with etcd's PID right after it is spawned (the drill records it for reaping). */
  onSpawn?: (pid: number) => void;
  signal?: AbortSignal;
}

export interface DrillEtcd {
  pid: number;
  clientUrl: string;
  /** A connected client; closed by stop(). */
  client: EtcdClient;
  /** SIGKILL by PID (its data is thrown away: no graceful shutdown to wait for); resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Starts etcd and resolves once it answers Status; stops it again on any failure. */
export async function startDrillEtcd(options: DrillEtcdOptions): Promise<DrillEtcd> {
  const clientUrl = `https://127.0.0.1:${options.clientPort}`;
  const peerUrl = drillPeerUrl(options.peerPort);
  const { tls } = options;
  const args = [
    '--name', options.name, '--data-dir', options.dataDir,
    '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `${options.name}=${peerUrl}`,
    '--quota-backend-bytes', String(options.quotaBackendBytes),
    // One member on loopback: etcd's defaults (100 ms ticks, 1 s election timeout) would
    // leave it leaderless for up to a second after start-up even with ticks fast-forwarded.
    '--heartbeat-interval', String(HEARTBEAT_MS), '--election-timeout', String(ELECTION_TIMEOUT_MS),
    '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
    '--client-cert-auth', '--trusted-ca-file', tls.caFile, '--cert-file', tls.serverCertFile, '--key-file', tls.serverKeyFile,
    '--peer-client-cert-auth', '--peer-trusted-ca-file', tls.caFile, '--peer-cert-file', tls.serverCertFile, '--peer-key-file', tls.serverKeyFile,
  ];
  const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv(options.env ?? process.env) });
  running.add(child);
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-LOG_TAIL_BYTES)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(child);
    resolve();
  }));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      // A throwaway member: its data dir is removed next, so a graceful stop (closing the
      // backend, a last commit) would only add its time to every drill.
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  };
  const failure = (why: string) => new AppError('drill-etcd-start', `The drill etcd did not start: ${why}${log ? `; its last log lines: ${lastLines(log)}` : ''}`, {
    hint: 'Check that the etcd binary can serve this data (same or newer version than the cluster) and that the work dir has room',
  });

  const deadline = Date.now() + options.startTimeoutMs;
  try {
    for (;;) {
      throwIfAborted(options.signal, 'The restore drill');
      if (spawnError) throw failure(spawnError.message);
      if (child.exitCode !== null || child.signalCode !== null) throw failure(`etcd exited with ${child.exitCode ?? child.signalCode}`);
      if (Date.now() > deadline) throw failure(`no answer on ${clientUrl} after ${options.startTimeoutMs} ms`);
      const client = await connectEtcd({
        endpoints: [clientUrl], caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile, dialTimeoutMs: 1000, commandTimeoutMs: 5000,
      }, options.signal).catch(() => undefined);
      if (client) {
        return { pid: child.pid as number, clientUrl, client, stop: async () => { client.close(); await stop(); } };
      }
      await sleep(PROBE_INTERVAL_MS);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}

function lastLines(log: string): string {
  return log.trim().split('\n').slice(-3).map((l) => l.trim()).join(' | ');
}
