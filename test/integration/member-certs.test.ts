/**
 * The new member's certificates issued by `member replace --etcd-ca-dir`: from an ECDSA CA and
 * from an RSA CA like kubeadm's default, checked with openssl (chain, purposes, SANs) and used
 * by a real etcd 3.6 as its server certificate, reached by etcdctl over mutual TLS with the CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../../src/k8s/index.js';
import { issueMemberCertificates } from '../../src/members/index.js';
import { etcdctlOk, freePort, startEtcd } from '../support/etcd.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { tempDir } from '../support/temp.js';
import { generateTls } from '../support/tls.js';

const openssl = (args: string[], cwd?: string) => execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

for (const kind of ['ecdsa', 'rsa'] as const) {
  test(`issueMemberCertificates issues kubeadm-shaped server and peer certificates from an ${kind} etcd CA that etcd serves with`, async (t) => {
    const dir = await tempDir(t, 'kk-member-certs-');
    const tls = generateTls(dir);
    const caDir = path.join(dir, 'etcd-ca');
    mkdirSync(caDir);
    if (kind === 'rsa') {
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=etcd-ca', '-keyout', 'ca.key', '-out', 'ca.crt',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment'], caDir);
    } else {
      openssl(['ec', '-in', tls.caKey, '-out', path.join(caDir, 'ca.key')]);
      openssl(['x509', '-in', tls.caCert, '-out', path.join(caDir, 'ca.crt')]);
    }
    const clientPort = await freePort();
    const outDir = path.join(dir, 'm4-pki');
    const detail = await issueMemberCertificates({ caDir, outDir, name: 'm4', urls: [`https://127.0.0.1:${clientPort}`, 'https://10.1.2.3:2380', 'https://etcd-4.example:2380'], clock: systemClock });
    assert.match(detail, /CN m4, SANs m4, localhost, etcd-4\.example, 127\.0\.0\.1, 10\.1\.2\.3, (::1|0:0:0:0:0:0:0:1)\)/);
    assert.equal(statSync(outDir).mode & 0o777, 0o700);
    for (const f of ['ca.crt', 'server.crt', 'server.key', 'peer.crt', 'peer.key']) assert.equal(statSync(path.join(outDir, f)).mode & 0o777, 0o600, f);
    for (const which of ['server', 'peer']) {
      const crt = path.join(outDir, `${which}.crt`);
      assert.match(openssl(['verify', '-CAfile', path.join(caDir, 'ca.crt'), '-purpose', 'sslserver', crt]), /: OK/);
      assert.match(openssl(['verify', '-CAfile', path.join(caDir, 'ca.crt'), '-purpose', 'sslclient', crt]), /: OK/);
      const text = openssl(['x509', '-in', crt, '-noout', '-text']);
      assert.match(text, /Subject: CN\s?=\s?m4/);
      assert.match(text, /DNS:m4, DNS:localhost, DNS:etcd-4\.example, IP Address:127\.0\.0\.1, IP Address:10\.1\.2\.3, IP Address:0:0:0:0:0:0:0:1/);
      assert.match(text, kind === 'rsa' ? /Public Key Algorithm: rsaEncryption/ : /Public Key Algorithm: id-ecPublicKey/);
      // The key belongs to the certificate.
      assert.equal(openssl(['x509', '-in', crt, '-noout', '-pubkey']), openssl(['pkey', '-in', path.join(outDir, `${which}.key`), '-pubout']));
    }
    const { peer, missing } = findEtcd(pinnedVersions.ETCD_36 as string);
    if (!peer || kind === 'rsa') {
      if (!peer) t.diagnostic(`etcd serving check skipped: ${missing}`);
      return;
    }
    // The test CA signed the client certificate too, so etcdctl authenticates with it.
    const etcd = await startEtcd({
      binDir: peer.binDir, clientPort,
      tls: { ...tls, caCert: path.join(outDir, 'ca.crt'), serverCert: path.join(outDir, 'server.crt'), serverKey: path.join(outDir, 'server.key') },
    });
    try {
      assert.match(await etcdctlOk(etcd, ['endpoint', 'health']), /is healthy/);
    } finally {
      await etcd.stop();
    }
  });
}
