/**
 * Renewed certificates work for real: openssl verifies them against their CA, they keep
 * subjects, SANs and usages, and a real etcd serving a renewed server certificate accepts a
 * client presenting a renewed client certificate over mutual TLS (Go's chain building is
 * stricter than openssl's about the issuer name, which is why this test exists).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseCertificates, renewCertificates, type CertificateInfo } from '../../src/certs/index.js';
import { etcdctl, etcdctlOk, startEtcd } from '../support/etcd.js';
import { generateKubeadmPki, type FixtureKeyType, type KubeadmPki } from '../support/kubeadm-pki.js';

const DAY = 86_400_000;

interface Shape { subject: string; dns: string[]; ips: string[]; eku: string[]; ca: boolean }
const shape = (c: CertificateInfo): Shape => ({ subject: c.subject, dns: c.dnsNames, ips: c.ipAddresses, eku: c.extKeyUsages, ca: c.isCA });

function kubeconfigCert(file: string): string {
  const doc = parse(readFileSync(file, 'utf8')) as { users: { user: Record<string, string> }[] };
  return Buffer.from(doc.users[0]?.user['client-certificate-data'] ?? '', 'base64').toString('utf8');
}

/** name -> [PEM file or kubeconfig, CA file] for everything `renew all` replaces. */
function renewedFiles(pki: KubeadmPki): Record<string, [string, string]> {
  const p = (f: string) => path.join(pki.pkiDir, f);
  const k = (f: string) => path.join(pki.kubeconfigDir, f);
  return {
    apiserver: [p('apiserver.crt'), p('ca.crt')], 'apiserver-kubelet-client': [p('apiserver-kubelet-client.crt'), p('ca.crt')],
    'apiserver-etcd-client': [p('apiserver-etcd-client.crt'), p('etcd/ca.crt')], 'front-proxy-client': [p('front-proxy-client.crt'), p('front-proxy-ca.crt')],
    'etcd-server': [p('etcd/server.crt'), p('etcd/ca.crt')], 'etcd-peer': [p('etcd/peer.crt'), p('etcd/ca.crt')],
    'etcd-healthcheck-client': [p('etcd/healthcheck-client.crt'), p('etcd/ca.crt')],
    'admin.conf': [k('admin.conf'), p('ca.crt')], 'super-admin.conf': [k('super-admin.conf'), p('ca.crt')],
    'controller-manager.conf': [k('controller-manager.conf'), p('ca.crt')], 'scheduler.conf': [k('scheduler.conf'), p('ca.crt')],
  };
}

function certOf(file: string): CertificateInfo {
  const text = file.endsWith('.conf') ? kubeconfigCert(file) : readFileSync(file, 'utf8');
  return parseCertificates(text, file)[0] as CertificateInfo;
}

async function renewAllAndCheck(keyType: FixtureKeyType, printableStrings: boolean): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kk-renew-etcd-'));
  try {
    // Near expiry, like the cluster on its first birthday.
    const pki = await generateKubeadmPki(root, { keyType, printableStrings, advertiseAddress: '127.0.0.1',
      overrides: { 'etcd-server': { notAfter: new Date(Date.now() + 3 * DAY) }, 'apiserver-etcd-client': { notAfter: new Date(Date.now() + 3 * DAY) } } });
    const files = renewedFiles(pki);
    const before = Object.fromEntries(Object.entries(files).map(([n, [f]]) => [n, { cert: certOf(f), mode: statSync(f).mode & 0o7777 }]));
    const keyModes = ['apiserver.key', 'etcd/server.key'].map((f) => statSync(path.join(pki.pkiDir, f)).mode & 0o7777);
    const adminBefore = parse(readFileSync(path.join(pki.kubeconfigDir, 'admin.conf'), 'utf8')) as { clusters: unknown };

    const outcome = await renewCertificates({ names: ['all'], pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir, manifestsDir: pki.manifestsDir,
      now: new Date(), validityMs: 365 * DAY, dryRun: false });
    assert.equal(outcome.plan.items.filter((i) => i.action === 'renew').length, 11);

    for (const [name, [file, caFile]] of Object.entries(files)) {
      const after = certOf(file);
      const old = before[name] as { cert: CertificateInfo; mode: number };
      assert.deepEqual(shape(after), shape(old.cert), `${name} keeps subject, SANs and usages`);
      assert.notEqual(after.fingerprint256, old.cert.fingerprint256, `${name} is a new certificate`);
      assert.ok(after.notAfter.getTime() > Date.now() + 364 * DAY, `${name} valid for a year`);
      assert.equal(statSync(file).mode & 0o7777, old.mode, `${name} keeps its mode`);
      const verified = execFileSync('openssl', ['verify', '-CAfile', caFile], { input: after.pem }).toString().trim();
      assert.equal(verified, 'stdin: OK', `${name} verifies with openssl`);
    }
    assert.deepEqual(['apiserver.key', 'etcd/server.key'].map((f) => statSync(path.join(pki.pkiDir, f)).mode & 0o7777), keyModes);
    const adminAfter = parse(readFileSync(path.join(pki.kubeconfigDir, 'admin.conf'), 'utf8')) as { clusters: unknown };
    assert.deepEqual(adminAfter.clusters, adminBefore.clusters, 'server and CA data unchanged');

    const p = (f: string) => path.join(pki.pkiDir, f);
    const etcd = await startEtcd({ tls: {
      dir: root, caCert: p('etcd/ca.crt'), caKey: p('etcd/ca.key'), serverCert: p('etcd/server.crt'), serverKey: p('etcd/server.key'),
      clientCert: p('apiserver-etcd-client.crt'), clientKey: p('apiserver-etcd-client.key'), otherCaCert: p('ca.crt'),
    } });
    try {
      await etcdctlOk(etcd, ['put', '/registry/renewed', keyType]);
      assert.equal((await etcdctlOk(etcd, ['get', '/registry/renewed', '--print-value-only'])).trim(), keyType);
      const health = [`--endpoints=${etcd.clientUrl}`, `--cacert=${p('etcd/ca.crt')}`, `--cert=${p('etcd/healthcheck-client.crt')}`, `--key=${p('etcd/healthcheck-client.key')}`];
      await etcdctlOk({ clientFlags: health }, ['endpoint', 'health']);
      // The control: a renewed certificate from the other CA must be refused, so mTLS really checked.
      const wrong = [`--endpoints=${etcd.clientUrl}`, `--cacert=${p('etcd/ca.crt')}`, `--cert=${p('apiserver-kubelet-client.crt')}`, `--key=${p('apiserver-kubelet-client.key')}`];
      const refused = await etcdctl({ clientFlags: wrong }, ['get', '/registry/renewed', '--dial-timeout=2s', '--command-timeout=3s']);
      assert.notEqual(refused.code, 0);
    } finally {
      await etcd.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('renew all gives RSA certificates that openssl verifies and a real etcd accepts over mTLS', async () => {
  await renewAllAndCheck('rsa', false);
});

test('renew all gives ECDSA certificates with PrintableString names that a real etcd accepts over mTLS', async () => {
  await renewAllAndCheck('ecdsa', true);
});
