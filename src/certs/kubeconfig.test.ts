import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { AppError } from '../errors.js';
import { readKubeconfigCredentials, replaceKubeconfigCredentials } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CERT = '-----BEGIN CERTIFICATE-----\nOLD\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN EC PRIVATE KEY-----\nOLD\n-----END EC PRIVATE KEY-----\n';

// Written like kubeadm (Go yaml): lists not indented, a comment added by an operator, two users.
const KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64('CA')}
    server: https://10.0.0.5:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
- context:
    cluster: kubernetes
    user: other
  name: other@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: other
  user:
    client-certificate-data: ${b64('OTHER')}
    client-key-data: ${b64('OTHER')}
# rotated by hand in 2024
- name: kubernetes-admin
  user:
    client-certificate-data: "${b64(CERT)}"
    client-key-data: ${b64(KEY)}
`;

test('readKubeconfigCredentials returns the current context\'s user and its server', () => {
  const creds = readKubeconfigCredentials(KUBECONFIG, 'admin.conf');
  assert.equal(creds.userName, 'kubernetes-admin');
  assert.equal(creds.userIndex, 1);
  assert.equal(creds.server, 'https://10.0.0.5:6443');
  assert.equal(creds.clientCertificatePem, CERT);
  assert.equal(creds.clientKeyPem, KEY);
});

test('readKubeconfigCredentials returns file references when credentials are not embedded', () => {
  const text = 'users:\n- name: default-auth\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n';
  const creds = readKubeconfigCredentials(text, 'kubelet.conf');
  assert.equal(creds.clientCertificatePem, undefined);
  assert.equal(creds.clientCertificatePath, '/var/lib/kubelet/pki/kubelet-client-current.pem');
});

test('replaceKubeconfigCredentials changes exactly the two credential lines of the current user', () => {
  const out = replaceKubeconfigCredentials(KUBECONFIG, 'admin.conf', 'NEW CERT', 'NEW KEY');
  const before = KUBECONFIG.split('\n');
  const after = out.split('\n');
  assert.equal(after.length, before.length);
  const changed = before.flatMap((line, i) => (line === after[i] ? [] : [i]));
  assert.deepEqual(changed.map((i) => after[i]), [`    client-certificate-data: ${b64('NEW CERT')}`, `    client-key-data: ${b64('NEW KEY')}`]);
  const parsedBefore = parse(KUBECONFIG) as { users: { user: Record<string, string> }[] };
  const parsedAfter = parse(out) as typeof parsedBefore;
  assert.deepEqual({ ...parsedAfter, users: [] }, { ...parsedBefore, users: [] });
  assert.deepEqual(parsedAfter.users[0], parsedBefore.users[0]);
  assert.equal(readKubeconfigCredentials(out, 'x').clientCertificatePem, 'NEW CERT');
});

test('replaceKubeconfigCredentials refuses a kubeconfig whose user references files', () => {
  const text = 'users:\n- name: u\n  user:\n    client-certificate: /a.pem\n    client-key: /a.pem\n';
  assert.throws(() => replaceKubeconfigCredentials(text, 'k.conf', 'c', 'k'), (e: unknown) => e instanceof AppError && e.code === 'kubeconfig-unreadable' && /client-certificate-data/.test(e.message));
});

test('readKubeconfigCredentials throws kubeconfig-unreadable when the YAML is broken or the user is undefined', () => {
  assert.throws(() => readKubeconfigCredentials('users: [', 'a.conf'), (e: unknown) => e instanceof AppError && e.code === 'kubeconfig-unreadable');
  const dangling = 'contexts:\n- context: {user: ghost}\n  name: c\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n';
  assert.throws(() => readKubeconfigCredentials(dangling, 'a.conf'), /user "ghost" of the current context is not defined/);
});
