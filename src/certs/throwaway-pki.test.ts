import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import { issueThrowawayPki } from './throwaway-pki.js';

test('issueThrowawayPki issues a server and a client certificate that verify against its CA, and no CA key', async () => {
  const pki = await issueThrowawayPki({ name: 'kk-test' });
  const ca = new X509Certificate(pki.caCertPem);
  const server = new X509Certificate(pki.serverCertPem);
  const client = new X509Certificate(pki.clientCertPem);
  assert.equal(ca.ca, true);
  assert.ok(server.verify(ca.publicKey) && client.verify(ca.publicKey));
  assert.ok(server.checkIP('127.0.0.1'));
  assert.ok(server.checkPrivateKey(createPrivateKey(pki.serverKeyPem)) && client.checkPrivateKey(createPrivateKey(pki.clientKeyPem)));
  assert.deepEqual(Object.keys(pki).sort(), ['caCertPem', 'clientCertPem', 'clientKeyPem', 'serverCertPem', 'serverKeyPem']);
});

test('a TLS server with the throwaway PKI accepts its client certificate and refuses a client without one', async (t) => {
  const pki = await issueThrowawayPki({ name: 'kk-test' });
  const server = tls.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: true }, (s) => s.end('hello'));
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const talk = (extra: tls.ConnectionOptions) => new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: pki.caCertPem, ...extra });
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.equal(await talk({ cert: pki.clientCertPem, key: pki.clientKeyPem }), 'hello');
  await assert.rejects(talk({}), /certificate required|alert|ECONNRESET|socket hang up/i);
});
