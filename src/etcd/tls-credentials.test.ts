/**
 * TLS as both transports use it (grpc-js for unary calls, node:http2 for the snapshot stream),
 * against a local HTTP/2 server that answers Maintenance.Status and Snapshot like etcd, with
 * certificates from test/support/tls.ts: verification on by default, the IP or name of the
 * endpoint checked against the certificate, --insecure-skip-tls-verify, client certificates.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateTls, type TlsFiles } from '../../test/support/tls.js';
import type { AppError } from '../errors.js';
import { ProtoWriter } from '../protobuf/index.js';
import type { EtcdConnectOptions } from './connect-options.js';
import { connectEtcd } from './connect.js';

let tls: TlsFiles;
let server: http2.Http2SecureServer;
let port: number;
/** A server certificate for DNS:etcd.example only (no IP): 127.0.0.1 must not match it. */
let otherNameCert: string;

function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

function answer(stream: http2.ServerHttp2Stream, path: string | undefined): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  if (path === '/etcdserverpb.Maintenance/Status') {
    const header = new ProtoWriter().varint(1, 1).varint(2, 7).varint(3, 5).finish();
    stream.end(frame(new ProtoWriter().bytes(1, header).bytes(2, '3.4.23').varint(4, 7).finish()));
  } else {
    stream.write(frame(new ProtoWriter().bytes(3, 'snapshot-bytes').finish()));
    stream.end();
  }
}

async function listen(cert: string, key: string, requireClientCert: boolean): Promise<number> {
  server = http2.createSecureServer({ cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(tls.caCert), requestCert: requireClientCert, rejectUnauthorized: requireClientCert });
  server.on('stream', (stream, headers) => answer(stream, headers[':path']));
  server.on('sessionError', () => undefined);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kk-tls-'));
  tls = generateTls(dir);
  writeFileSync(path.join(dir, 'other.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:etcd.example\n');
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=etcd.example', '-keyout', 'other.key', '-out', 'other.csr'], { cwd: dir, stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', 'other.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'other.crt', '-extfile', 'other.ext'], { cwd: dir, stdio: 'ignore' });
  otherNameCert = path.join(dir, 'other');
  port = await listen(tls.serverCert, tls.serverKey, true);
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function options(extra: Partial<EtcdConnectOptions>): EtcdConnectOptions {
  return { endpoints: [`https://127.0.0.1:${port}`], caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey, dialTimeoutMs: 2000, commandTimeoutMs: 2000, ...extra };
}

async function snapshotText(opts: EtcdConnectOptions): Promise<string> {
  const client = await connectEtcd(opts);
  try {
    const parts: Uint8Array[] = [];
    for await (const p of client.snapshot()) parts.push(p);
    return Buffer.concat(parts).toString();
  } finally {
    client.close();
  }
}

test('TLS verifies the server against --cacert and the IP, and presents the client certificate', async () => {
  assert.equal(await snapshotText(options({})), 'snapshot-bytes');
  assert.equal(await snapshotText(options({ endpoints: [`https://localhost:${port}`] })), 'snapshot-bytes');
});

test('TLS refuses a server certificate from another CA, unless --insecure-skip-tls-verify', async () => {
  await assert.rejects(connectEtcd(options({ caFile: tls.otherCaCert })), (err: AppError) => err.code === 'etcd-tls' && /--cacert/.test(err.hint ?? ''));
  assert.equal(await snapshotText(options({ caFile: tls.otherCaCert, insecureSkipVerify: true })), 'snapshot-bytes');
});

test('TLS refuses a certificate that does not name the endpoint\'s IP', async () => {
  const saved = port;
  const oldServer = server;
  port = await listen(`${otherNameCert}.crt`, `${otherNameCert}.key`, false);
  try {
    await assert.rejects(connectEtcd(options({})), (err: AppError) => err.code === 'etcd-tls' && /does not match/.test(err.message) && /subjectAltName/.test(err.hint ?? ''));
    assert.equal(await snapshotText(options({ insecureSkipVerify: true })), 'snapshot-bytes');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = oldServer;
    port = saved;
  }
});

test('TLS without a client certificate is refused by a server that requires one', async () => {
  await assert.rejects(connectEtcd(options({ certFile: undefined, keyFile: undefined })), (err: AppError) => {
    assert.equal(err.code, 'etcd-tls');
    assert.match(err.message, /the server refused the TLS handshake \(tlsv13 alert certificate required\)$/);
    assert.match(err.hint ?? '', /--cert and --key/);
    return true;
  });
});

test('unreadable TLS files fail before connecting, naming the flag', async () => {
  await assert.rejects(connectEtcd(options({ caFile: '/no/such/ca.crt' })), (err: AppError) => err.code === 'etcd-tls-file' && /--cacert/.test(err.message));
  await assert.rejects(connectEtcd(options({ keyFile: undefined })), /--cert and --key must be given together/);
});
