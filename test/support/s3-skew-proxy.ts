/**
 * A fault proxy for S3 tests: a server whose clock is `skewMs` off. It moves the Date header
 * of each answer by `skewMs`, and the X-Amz-Date of each request back by as much, so that a
 * client that corrects its signing clock from the Date header (the AWS SDK does) is accepted
 * by the real server behind (s3rver does not check signatures, only their time). Listens on
 * 127.0.0.1 and a free port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SkewProxy {
  endpoint: string;
  close(): Promise<void>;
}

export async function startSkewProxy(target: string, skewMs: number): Promise<SkewProxy> {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    const amzDate = headers['x-amz-date'];
    if (typeof amzDate === 'string') headers['x-amz-date'] = shiftAmzDate(amzDate, -skewMs);
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (answer) => {
      const headers = { ...answer.headers, date: new Date(Date.now() + skewMs).toUTCString() };
      if ((answer.statusCode ?? 0) < 400) {
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        return;
      }
      // An error body may carry the server's time (RequestTimeTooSkewed): the same wrong clock.
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replace(/<ServerTime>([^<]+)<\/ServerTime>/, (_, t: string) => `<ServerTime>${new Date(Date.parse(t) + skewMs).toISOString()}</ServerTime>`));
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** "20261206T013800Z" moved by `ms`. */
function shiftAmzDate(value: string, ms: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return value;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + ms;
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
