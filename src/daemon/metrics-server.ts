/**
 * The daemon's HTTP endpoint: GET /metrics (Prometheus text format) and GET /healthz (200
 * or 503 with a one-line JSON reason), and GET /readyz the same way when a `ready` check is given. Nothing else is served and nothing is read from the
 * request beyond method and path. Rendering happens per request from the daemon's state.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.js';
import type { HealthReport } from './health.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';

export interface MetricsServerOptions {
  /** "host:port", ":port" (all interfaces) or "[v6]:port"; port 0 picks a free one. */
  listen: string;
  metrics: () => Promise<string>;
  health: () => HealthReport;
  /** Serves /readyz (the operator: ready once it reached the API server and listed its policies). */
  ready?: () => HealthReport;
}

export interface MetricsServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Splits "host:port"; an empty host means all interfaces. */
export function parseListen(listen: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(listen);
  if (!m || Number(m[3]) > 65535) {
    throw new AppError('metrics-listen-invalid', `Cannot serve metrics on "${listen}": not host:port`, { hint: 'Set metrics.listen to host:port, e.g. 127.0.0.1:9477' });
  }
  return { host: m[1] ?? (m[2] || undefined), port: Number(m[3]) };
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port } = parseListen(options.listen);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      options.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : body),
        () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
      );
    } else if (path === '/healthz' || (path === '/readyz' && options.ready)) {
      const report = path === '/readyz' && options.ready ? options.ready() : options.health();
      res.writeHead(report.healthy ? 200 : 503, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(report)}\n`);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  // Keep-alive sockets of scrapers must not hold the daemon open at shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new AppError('metrics-listen-failed', `Cannot serve metrics on "${options.listen}": ${err.code ?? err.message}`, {
      hint: err.code === 'EADDRINUSE' ? 'Another process uses the port: pick another metrics.listen' : 'Check metrics.listen in the config',
    })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
