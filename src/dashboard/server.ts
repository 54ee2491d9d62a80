/**
 * The dashboard's own listener (never the metrics port): read-only, every answer but the
 * login form behind the bearer token, with a strict Content-Security-Policy. A browser logs
 * in once with the token (a form, no script) and then carries an HttpOnly, SameSite=Strict
 * session cookie derived from it; scripts send "Authorization: Bearer TOKEN". Bound off
 * loopback it serves only TLS.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { AppError, ExitCode } from '../errors.js';
import { type DashboardAssets, SERVED_CSP, servedPageHtml } from './assets.js';
import type { DashboardData } from './dashboard-data.js';
import { sessionValue, tokenMatches } from './token.js';

export interface DashboardServerOptions {
  /** "host:port" or "[v6]:port"; port 0 picks a free one. Off loopback, `tls` is required. */
  listen: string;
  token: string;
  tls?: { certFile: string; keyFile: string };
  assets: DashboardAssets;
  /** Read per request (at most once per `cacheMs`). */
  data: () => Promise<DashboardData>;
  cacheMs?: number;
}

export interface DashboardServer {
  host: string;
  port: number;
  /** http://127.0.0.1:PORT/ or https://... */
  url: string;
  close(): Promise<void>;
}

const COOKIE = 'kk_dashboard';
const MAX_LOGIN_BODY_BYTES = 4096;

export class DashboardListenError extends AppError {
  constructor(listen: string, problem: string, hint: string) {
    super('dashboard-listen-invalid', `Cannot serve the dashboard on "${listen}": ${problem}`, { hint, exitCode: ExitCode.usage });
  }
}

/** Splits "host:port"; the host is required (an empty host would mean every interface). */
export function parseDashboardListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(listen);
  if (!m || Number(m[3]) > 65535) throw new DashboardListenError(listen, 'not host:port', 'Set dashboard.listen to host:port, e.g. 127.0.0.1:9478');
  return { host: (m[1] ?? m[2]) as string, port: Number(m[3]) };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': SERVED_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin',
};

const LOGIN_PAGE = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>kubekeeper dashboard: log in</title></head><body><main>'
  + '<h1>kubekeeper dashboard</h1><p>Enter the token from the daemon\'s dashboard.tokenFile.</p>'
  + '<form method="post" action="login"><label for="token">Token</label> <input id="token" name="token" type="password" autocomplete="current-password" required> '
  + '<button type="submit">Log in</button></form></main></body></html>\n';

function cookieOf(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
  }
  return undefined;
}

function authorized(req: http.IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return tokenMatches(token, auth.slice('Bearer '.length).trim());
  return tokenMatches(sessionValue(token), cookieOf(req));
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_LOGIN_BODY_BYTES) return undefined;
    parts.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(parts).toString('utf8'));
}

/** Starts the listener; DashboardListenError for a bad address or a non-loopback one without TLS. */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const { host, port } = parseDashboardListen(options.listen);
  if (!isLoopbackHost(host) && !options.tls) {
    throw new DashboardListenError(options.listen, 'not a loopback address, and no TLS certificate is configured', 'Set dashboard.tlsCert and dashboard.tlsKey, or listen on 127.0.0.1');
  }
  const secure = Boolean(options.tls);
  const cacheMs = options.cacheMs ?? 5000;
  let cached: { at: number; body: Promise<string> } | undefined;
  const dataJson = () => {
    if (!cached || Date.now() - cached.at > cacheMs) {
      const body = options.data().then((d) => JSON.stringify(d));
      cached = { at: Date.now(), body };
      body.catch(() => (cached = undefined));
    }
    return cached.body;
  };
  const send = (res: http.ServerResponse, status: number, type: string, body: string | undefined, extra: Record<string, string> = {}) =>
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra }).end(body);

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (path === '/login' && req.method === 'POST') {
      void readForm(req).then((form) => {
        if (form && tokenMatches(options.token, form.get('token') ?? undefined)) {
          const cookie = `${COOKIE}=${sessionValue(options.token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
          send(res, 303, 'text/plain; charset=utf-8', 'logged in\n', { Location: './', 'Set-Cookie': cookie });
        } else {
          send(res, 401, 'text/html; charset=utf-8', LOGIN_PAGE, { 'WWW-Authenticate': 'Bearer realm="kubekeeper"' });
        }
      }, () => send(res, 400, 'text/plain; charset=utf-8', 'bad request\n'));
      return;
    }
    if (req.method !== 'GET' && !head) return send(res, 405, 'text/plain; charset=utf-8', 'read-only\n', { Allow: 'GET, HEAD' });
    if (!authorized(req, options.token)) return send(res, 401, 'text/html; charset=utf-8', head ? undefined : LOGIN_PAGE, { 'WWW-Authenticate': 'Bearer realm="kubekeeper"' });
    const body = (s: string) => (head ? undefined : s);
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', body(servedPageHtml()));
    if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', body(options.assets.js));
    if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', body(options.assets.css));
    if (path === '/api/data') {
      dataJson().then(
        (json) => send(res, 200, 'application/json', body(json)),
        (err: unknown) => send(res, 500, 'application/json', body(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`)),
      );
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', body('not found\n'));
  };

  const server = options.tls
    ? https.createServer({ cert: await readFile(options.tls.certFile), key: await readFile(options.tls.keyFile), minVersion: 'TLSv1.2' }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new AppError('dashboard-listen-failed', `Cannot serve the dashboard on "${options.listen}": ${err.code ?? err.message}`, {
      hint: err.code === 'EADDRINUSE' ? 'Another process uses the port: pick another dashboard.listen' : 'Check dashboard.listen in the config',
    })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    host: address.address, port: address.port, url: `${secure ? 'https' : 'http'}://${shown}:${address.port}/`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
