/**
 * A minimal, time-bounded HTTPS client for a test API server, authenticated by a client
 * certificate and verifying the server against the test CA: one request, or a watch stream read
 * line by line.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface KubeCredentials {
  server: string;
  caCert: string;
  cert: string;
  key: string;
}

export interface KubeResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  json: unknown;
}

function tlsOptions(c: KubeCredentials) {
  return { ca: readFileSync(c.caCert), cert: readFileSync(c.cert), key: readFileSync(c.key) };
}

/** One request; the body (an object) is sent as JSON, or as a merge patch for PATCH. */
export function kubeRequest(
  c: KubeCredentials,
  method: string,
  path: string,
  body?: unknown,
  options: { timeoutMs?: number; contentType?: string } = {},
): Promise<KubeResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const contentType = options.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
  return new Promise((resolve, reject) => {
    const req = https.request(`${c.server}${path}`, {
      method,
      ...tlsOptions(c),
      headers: { accept: 'application/json', ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}) },
      timeout: options.timeoutMs ?? 15_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A request that must answer 2xx; returns the parsed body. */
export async function kubeOk<T = Record<string, unknown>>(c: KubeCredentials, method: string, path: string, body?: unknown): Promise<T> {
  const r = await kubeRequest(c, method, path, body);
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.text.slice(0, 500)}`);
  return r.json as T;
}

export interface WatchStream {
  status: Promise<number>;
  /** The next watch event (parsed line); rejects when the stream ends or fails first. */
  next(timeoutMs?: number): Promise<{ type: string; object: Record<string, unknown> }>;
  /** Resolves when the server closes the stream (or it breaks). */
  closed: Promise<void>;
  close(): void;
}

/** Opens `path` (which must carry watch=true) and reads events line by line. */
export function kubeWatch(c: KubeCredentials, path: string): WatchStream {
  const events: { type: string; object: Record<string, unknown> }[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  let res: IncomingMessage | undefined;
  let closedResolve: () => void = () => undefined;
  const closed = new Promise<void>((r) => (closedResolve = r));
  const wake = () => waiters.splice(0).forEach((w) => w());
  const finish = () => {
    ended = true;
    closedResolve();
    wake();
  };
  const status = new Promise<number>((resolve) => {
    const req = https.get(`${c.server}${path}`, { ...tlsOptions(c), headers: { accept: 'application/json' } }, (r) => {
      res = r;
      resolve(r.statusCode ?? 0);
      let buf = '';
      r.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
        }
        wake();
      });
      r.on('end', finish);
      r.on('error', finish);
      r.on('close', finish);
    });
    req.on('error', () => {
      resolve(0);
      finish();
    });
  });
  return {
    status,
    closed,
    close: () => res?.destroy(),
    async next(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        if (ended) throw new Error(`watch ${path} ended without another event`);
        if (Date.now() > deadline) throw new Error(`no watch event on ${path} within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
      return events.shift() as { type: string; object: Record<string, unknown> };
    },
  };
}
