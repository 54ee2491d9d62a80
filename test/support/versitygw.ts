/**
 * A real S3 server that verifies SigV4 signatures, for the conformance suite: versitygw
 * (scripts/peers.sh builds it) over a POSIX directory, on 127.0.0.1 and a free port, plain
 * HTTP or HTTPS with a certificate the test made. The root key pair travels in the child's
 * environment (ROOT_ACCESS_KEY_ID / ROOT_SECRET_ACCESS_KEY, versitygw's own variables), never
 * in argv. With `virtualDomain` it also serves virtual-hosted addressing ("<bucket>.<domain>").
 *
 * Defaults read from versitygw 1.8.0's cmd/versitygw/main.go: it listens on ":7070" (all
 * interfaces) unless --port says otherwise, so --port is always 127.0.0.1:<port>; the admin
 * API, web UI, metrics and event sinks are off unless asked for; there is no IAM service,
 * which means single-account mode with the root key pair only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './etcd.js';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface VersitygwOptions {
  /** Path of the versitygw binary (findVersitygw()). */
  bin: string;
  /** Buckets created as directories before the start; default ["kk-test"]. */
  buckets?: string[];
  /** Serve HTTPS with this key and certificate (the CA is the test's). */
  tls?: { keyFile: string; certFile: string };
  /** Enable virtual-hosted addressing for "<bucket>.<virtualDomain>". */
  virtualDomain?: string;
}

export interface VersitygwServer {
  pid: number;
  port: number;
  /** http(s)://127.0.0.1:port */
  endpoint: string;
  /** The POSIX root: one directory per bucket. */
  dir: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Env vars that make the AWS SDK (and kubekeeper) use the root key pair. */
  env: Record<string, string>;
  /** SIGTERM, wait, remove the directory. */
  stop(): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

/** Resolves once the server answers HTTP on the port (any status: an unsigned request gets 403). */
async function waitUntilServing(endpoint: string, exited: Promise<unknown>, log: () => string): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  for (let i = 0; i < 300; i++) {
    if (dead) throw new Error(`versitygw exited before serving:\n${log()}`);
    const answered = await new Promise<boolean>((resolve) => {
      const get = endpoint.startsWith('https:') ? https.get : http.get;
      const req = get(`${endpoint}/`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (answered) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`versitygw never served on ${endpoint}:\n${log()}`);
}

/** Starts versitygw; retries with another port when the chosen one was taken meanwhile. */
export async function startVersitygw(options: VersitygwOptions): Promise<VersitygwServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
      if (!/address already in use/.test(String(err))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(options: VersitygwOptions): Promise<VersitygwServer> {
  const buckets = options.buckets ?? ['kk-test'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-vgw-'));
  for (const b of buckets) mkdirSync(path.join(dir, b), { mode: 0o700 });
  const accessKeyId = `KKTEST${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const port = await freePort();
  const args = ['--port', `127.0.0.1:${port}`, '--quiet'];
  if (options.tls) args.push('--cert', options.tls.certFile, '--key', options.tls.keyFile);
  if (options.virtualDomain) args.push('--virtual-domain', options.virtualDomain);
  // Objects and directories private to this user, as kubekeeper's own files are.
  args.push('posix', '--dir-perms', '0700', '--file-perms', '0600', dir);
  const child = spawn(options.bin, args, {
    // Only what versitygw needs: the root key pair stays out of argv (and of ps).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  let log = '';
  const keep = (d: string) => (log = (log + d).slice(-20_000));
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const endpoint = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, exited, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    pid: child.pid as number,
    port,
    endpoint,
    dir,
    bucket: buckets[0] ?? '',
    accessKeyId,
    secretAccessKey,
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: 'us-east-1' },
    exited,
    kill: (signal) => child.kill(signal),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
