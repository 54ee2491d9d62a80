import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { AbortedError, type AppError } from '../errors.js';
import { ProtoWriter } from '../protobuf/index.js';
import { parseEndpoint } from './endpoint.js';
import { streamSnapshot } from './snapshot-stream.js';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

/** A plain-text HTTP/2 server on 127.0.0.1 standing in for etcd's Maintenance.Snapshot. */
async function fakeEtcd(t: TestContext, handler: Handler): Promise<string> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    handler(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Connections a test left open must not keep the server alive.
    for (const s of sessions) s.destroy();
  }));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function grpcMessage(remaining: number, blob: Uint8Array): Buffer {
  const message = new ProtoWriter().varintIfNonZero(2, remaining).bytes(3, blob).finish();
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

function target(endpoint: string, token?: string) {
  const options = { endpoints: [endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 2000 };
  return { endpoint: parseEndpoint(endpoint, options), tls: undefined, token, dialTimeoutMs: 2000 };
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

test('streamSnapshot yields the blobs, sends the auth token, and reports the total size', async (t) => {
  let seen: http2.IncomingHttpHeaders = {};
  const endpoint = await fakeEtcd(t, (stream, headers) => {
    seen = headers;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.write(grpcMessage(3, Buffer.from('abc')));
    stream.write(grpcMessage(0, Buffer.from('def')));
    stream.end();
  });
  let total: number | undefined;
  const data = await collect(streamSnapshot(target(endpoint, 'tok.1'), { onTotalBytes: (n) => (total = n) }));
  assert.equal(data.toString(), 'abcdef');
  assert.equal(seen[':path'], '/etcdserverpb.Maintenance/Snapshot');
  assert.equal(seen.token, 'tok.1');
  assert.equal(seen['content-type'], 'application/grpc');
  assert.equal(total, 3 + 3 + 32);
});

test('streamSnapshot maps a Trailers-Only permission error to etcd-permission-denied', async (t) => {
  const endpoint = await fakeEtcd(t, (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': 'etcdserver%3A permission denied' }, { endStream: true });
  });
  await assert.rejects(collect(streamSnapshot(target(endpoint))), (err: AppError) => {
    assert.equal(err.code, 'etcd-permission-denied');
    assert.match(err.message, /etcdserver: permission denied/);
    return true;
  });
});

test('streamSnapshot reports a stream that ends without a gRPC status as a lost connection', async (t) => {
  const endpoint = await fakeEtcd(t, (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.end(grpcMessage(10, Buffer.from('abc')));
  });
  await assert.rejects(collect(streamSnapshot(target(endpoint))), (err: AppError) => err.code === 'etcd-connection-lost');
});

test('streamSnapshot reports a connection dropped mid-message as a lost connection', async (t) => {
  const endpoint = await fakeEtcd(t, (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(grpcMessage(100, Buffer.alloc(50_000, 1)).subarray(0, 20_000), () => stream.session?.destroy());
  });
  await assert.rejects(collect(streamSnapshot(target(endpoint))), (err: AppError) => err.code === 'etcd-connection-lost' && /^Cannot stream the snapshot: /.test(err.message));
});

test('streamSnapshot stops with AbortedError when the signal fires mid-stream', async (t) => {
  const endpoint = await fakeEtcd(t, (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(grpcMessage(100, Buffer.alloc(1000, 1)));
    // Never ends: only the abort can stop the client.
  });
  const controller = new AbortController();
  const stream = streamSnapshot(target(endpoint), { signal: controller.signal });
  await assert.rejects((async () => {
    for await (const _ of stream) controller.abort();
  })(), AbortedError);
});

test('streamSnapshot reports a refused connection as etcd-unreachable', async () => {
  const closed = await new Promise<number>((resolve) => {
    const s = http2.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  await assert.rejects(collect(streamSnapshot(target(`127.0.0.1:${closed}`))), (err: AppError) => err.code === 'etcd-unreachable');
});

test('streamSnapshot stays quiet when aborted while its consumer is not pulling (no ping on a destroyed session)', async (t) => {
  const endpoint = await fakeEtcd(t, (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(grpcMessage(6, Buffer.from('abc')));
    // ...and never finishes: the consumer is busy elsewhere when Ctrl-C arrives.
  });
  const controller = new AbortController();
  const iterator = streamSnapshot({ ...target(endpoint), keepaliveMs: 20 }, { signal: controller.signal })[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert.equal(Buffer.from(first.value as Uint8Array).toString(), 'abc');
  controller.abort();
  // Several keepalive periods pass before the consumer resumes; a throwing ping would be an
  // uncaught exception here and fail the test.
  await new Promise((resolve) => setTimeout(resolve, 150));
  await assert.rejects(iterator.next(), AbortedError);
});
