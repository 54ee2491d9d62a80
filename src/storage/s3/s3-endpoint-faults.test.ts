/**
 * Endpoints that are not what the operator thinks: a server that accepts connections and
 * never answers, a web page instead of the S3 API, https:// on a plain-HTTP port. Each must
 * end within the configured bound with our own message and a hint; nothing the SDK says
 * (its [WARN] lines, its messages, its file names) reaches the operator.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, test } from 'node:test';
import { StorageError } from '../errors.js';
import { listNames } from '../testing.js';
import { createS3Backend } from './create-s3-backend.js';
import { isLocalhostName, localhostLookup } from './localhost-lookup.js';
import { s3Error } from './s3-errors.js';
import { parseS3Timeout } from './s3-timeouts.js';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret-test' };
const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

/** A TCP server on 127.0.0.1 that accepts every connection and never writes a byte. */
async function silentServer(): Promise<{ port: number; accepted: () => number }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
}

async function httpServer(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return (server.address() as net.AddressInfo).port;
}

/** Collects what the process prints to stderr/console while `fn` runs. */
async function capturingConsole<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; printed: string }> {
  const printed: string[] = [];
  const saved = { warn: console.warn, error: console.error, log: console.log, write: process.stderr.write.bind(process.stderr) };
  console.warn = console.error = console.log = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => (printed.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { result: await fn(), error: undefined, printed: printed.join('\n') };
  } catch (error) {
    return { result: undefined, error, printed: printed.join('\n') };
  } finally {
    Object.assign(console, { warn: saved.warn, error: saved.error, log: saved.log });
    process.stderr.write = saved.write;
  }
}

test('s3 backend fails a listing with storage-timeout naming the bound when the endpoint accepts and never answers', async () => {
  const silent = await silentServer();
  const endpoint = `http://127.0.0.1:${silent.port}`;
  const backend = await createS3Backend({ bucket: 'kk-test', folder: 'f', endpoint, timeoutMs: 300, maxAttempts: 2 }, ENV);
  try {
    const { error, printed } = await capturingConsole(() => listNames(backend, 'manifest'));
    assert.ok(error instanceof StorageError, String(error));
    assert.equal(error.code, 'storage-timeout');
    assert.equal(error.message, `Cannot list "manifest" in "s3://kk-test/f": no answer from endpoint ${endpoint} within 300 ms per request (2 attempts)`);
    assert.match(error.hint ?? '', /--s3-timeout/);
    // Final: the SDK retried already; withRetry must not multiply the bound.
    assert.equal(error.transient, false);
    assert.equal(silent.accepted(), 2, 'one connection per attempt');
    assert.doesNotMatch(printed, /WARN|smithy|aws-sdk/i);
  } finally {
    await backend.close();
  }
});

test('s3 backend says the endpoint is not an S3 API when it answers with a web page', async () => {
  const port = await httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body>Object storage console</body></html>');
  });
  const backend = await createS3Backend({ bucket: 'kk-test', folder: 'f', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 }, ENV);
  try {
    // The SDK alone reads this page as an empty bucket: "no backups" instead of "wrong URL".
    await assert.rejects(listNames(backend, 'manifest'), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'storage-not-s3');
      assert.match(err.message, /did not answer like an S3 API \(HTTP 200\)/);
      assert.match(err.hint ?? '', /--s3-endpoint/);
      assert.doesNotMatch(`${err.message} ${err.hint}`, /node_modules|@aws-sdk|@smithy|\$response/);
      return true;
    });
  } finally {
    await backend.close();
  }
});

test('s3 backend says the endpoint is not an S3 API when it answers JSON or plain text', async () => {
  for (const [type, body, status] of [['application/json', '{"ok":true}', 200], ['text/plain', 'Client sent an HTTP request to an HTTPS server.\n', 400]] as const) {
    const port = await httpServer((_req, res) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
    const backend = await createS3Backend({ bucket: 'kk-test', folder: 'f', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 }, ENV);
    try {
      await assert.rejects(listNames(backend, 'data'), (err: unknown) => {
        assert.ok(err instanceof StorageError);
        assert.equal(err.code, 'storage-not-s3', `${type}: ${err.message}`);
        assert.doesNotMatch(err.message, /XML parse|Deserialization|\$response/);
        return true;
      });
    } finally {
      await backend.close();
    }
  }
});

test('s3 backend says the port does not speak TLS when https:// points at a plain-HTTP port', async () => {
  const port = await httpServer((_req, res) => res.end());
  const backend = await createS3Backend({ bucket: 'kk-test', folder: 'f', endpoint: `https://127.0.0.1:${port}`, maxAttempts: 1 }, ENV);
  try {
    await assert.rejects(listNames(backend, 'manifest'), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, 'storage-not-s3');
      assert.match(err.message, /TLS handshake with endpoint https:\/\/127\.0\.0\.1:\d+ failed: the port does not speak TLS/);
      assert.match(err.hint ?? '', /http:\/\//);
      assert.doesNotMatch(err.message, /openssl|ssl3_get_record|\.\.\/deps/);
      return true;
    });
  } finally {
    await backend.close();
  }
});

test('parseS3Timeout reads durations and plain seconds and refuses zero or garbage', () => {
  assert.equal(parseS3Timeout('30s'), 30_000);
  assert.equal(parseS3Timeout('1m30s'), 90_000);
  assert.equal(parseS3Timeout('250ms'), 250);
  assert.equal(parseS3Timeout('45'), 45_000);
  for (const bad of ['0', '0s', '', 'soon', '10x', '-5s']) assert.equal(parseS3Timeout(bad), undefined, bad);
});

test('localhostLookup resolves names under .localhost to loopback and leaves others to the resolver', async () => {
  assert.ok(isLocalhostName('kk-test.localhost'));
  assert.ok(isLocalhostName('LOCALHOST.'));
  assert.ok(!isLocalhostName('localhost.example.com'));
  const lookup = (host: string, options: Parameters<typeof localhostLookup>[1]) =>
    new Promise<unknown>((resolve, reject) => localhostLookup(host, options, (err, address, family) => (err ? reject(err) : resolve({ address, family }))));
  assert.deepEqual(await lookup('kk-test.localhost', {}), { address: '127.0.0.1', family: 4 });
  assert.deepEqual(await lookup('kk-test.localhost', { all: true }), { address: [{ address: '127.0.0.1', family: 4 }], family: undefined });
  assert.deepEqual(await lookup('127.0.0.1', {}), { address: '127.0.0.1', family: 4 });
});

test('s3 backend points at conditional-writes=false when the store refuses create-only writes', async () => {
  let sawHeader = '';
  const port = await httpServer((req, res) => {
    if (req.method === 'HEAD') {
      res.writeHead(404).end();
      return;
    }
    sawHeader = String(req.headers['if-none-match'] ?? '');
    req.resume();
    res.writeHead(501, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>');
  });
  const backend = await createS3Backend({ bucket: 'kk-test', folder: 'f', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 }, ENV);
  try {
    await assert.rejects(backend.save({ type: 'manifest', name: 'm.json' }, (async function* () {
      yield new Uint8Array(10);
    })()), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.match(err.hint ?? '', /conditional-writes=false/);
      return true;
    });
    assert.equal(sawHeader, '*', 'the create carried If-None-Match: *');
  } finally {
    await backend.close();
  }
});

test('s3Error names the connect bound, not the request bound, when the connection never opens', () => {
  // What the SDK's handler throws when the TCP handshake does not complete in time.
  const sdk = Object.assign(new Error('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 10000 ms.'), { name: 'TimeoutError', $metadata: { attempts: 3 } });
  const err = s3Error(sdk, { action: 'Cannot list "data" in "s3://b/f"', location: 's3://b/f', bucket: 'b', endpoint: 'http://10.0.0.9:9000', timeoutMs: 60_000 });
  assert.ok(err instanceof StorageError);
  assert.equal(err.code, 'storage-timeout');
  assert.equal(err.message, 'Cannot list "data" in "s3://b/f": could not connect to endpoint http://10.0.0.9:9000 within 10 s (3 attempts)');
  assert.doesNotMatch(String(err.cause), /smithy/);
});
