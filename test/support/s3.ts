/**
 * A real S3-protocol server for tests: s3rver (dev dependency) in a child process on
 * 127.0.0.1, a random port and a temp dir, so a test can SIGKILL it mid-upload. s3rver's
 * limits shape what tests can check: it accepts any SigV4 signature (only the access key ID
 * must be its built-in "S3RVER"), has no AbortMultipartUpload (answers 405), and writes
 * objects in place while they stream in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The only credentials s3rver knows; the secret is never checked. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface S3ServerOptions {
  /** Buckets created at start; default ["kk-test"]. */
  buckets?: string[];
  /** Reuse a port (e.g. to restart a killed server); default random. */
  port?: number;
  /** Reuse a data dir (restart after a kill); default a temp dir removed by stop(). */
  dir?: string;
  /** TLS key and certificate files: serve https. */
  tls?: { keyFile: string; certFile: string };
}

export interface S3Server {
  pid: number;
  port: number;
  /** http(s)://127.0.0.1:port */
  endpoint: string;
  dir: string;
  bucket: string;
  /** Env vars that make the AWS SDK use this server's credentials. */
  env: Record<string, string>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM and wait; removes a temp dir it made. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

const s3rverBin = path.join(path.dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const buckets = options.buckets ?? ['kk-test'];
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'kk-s3-'));
  const args = [s3rverBin, '-d', dir, '-a', '127.0.0.1', '-p', String(options.port ?? 0), '--no-vhost-buckets'];
  if (options.tls) args.push('--key', options.tls.keyFile, '--cert', options.tls.certFile);
  for (const b of buckets) args.push('--configure-bucket', b);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-20_000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /S3rver listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
      // s3rver logs every request to stdout: keep only the tail.
      if (out.length > 20_000) out = out.slice(-1000);
    });
    void exited.then((code) => reject(new Error(`s3rver exited (${code}) before listening:\n${log}`)));
  });
  const scheme = options.tls ? 'https' : 'http';
  let stopped = false;
  return {
    pid: child.pid as number,
    port,
    endpoint: `${scheme}://127.0.0.1:${port}`,
    dir,
    bucket: buckets[0] ?? '',
    env: { AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY, AWS_REGION: 'us-east-1' },
    exited,
    kill: (signal) => child.kill(signal),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
