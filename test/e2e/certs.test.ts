/**
 * `kubekeeper certs ...` as an operator runs it: exit codes, table and JSON output, dry runs,
 * RKE recognition, and --restart-static-pods driven through a fake `crictl` on PATH that plays
 * a kubelet reacting at once to the manifests directory (no real kubelet is available here).
 */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { copyKubeadmPki, kubeadmPkiFixture, treeFingerprint, type KubeadmPki } from '../support/kubeadm-pki.js';
import { repoRoot } from '../support/paths.js';

let base: KubeadmPki & { remove(): Promise<void> };
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kk-certs-e2e-'));
after(async () => {
  await base?.remove();
  rmSync(scratch, { recursive: true, force: true });
});
before(async () => {
  base = await kubeadmPkiFixture({ keyType: 'ecdsa' });
});

let n = 0;
const node = () => copyKubeadmPki(base, path.join(scratch, `node-${n++}`));
const dirs = (pki: KubeadmPki) => ['--pki-dir', pki.pkiDir, '--kubeconfig-dir', pki.kubeconfigDir];

test('certs check prints kubeadm\'s table and exits 0 when nothing expires within 30 days', async () => {
  const r = await runKubekeeper(['certs', 'check', ...dirs(base)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^CERTIFICATE {16}EXPIRES {18}RESIDUAL TIME {3}CERTIFICATE AUTHORITY {3}EXTERNALLY MANAGED\n/);
  assert.match(r.stdout, /\nadmin\.conf {17}\w{3} \d\d, \d{4} \d\d:\d\d UTC {3}334d {12}ca {22}no {6}\n/);
  assert.match(r.stdout, /OK: nothing expires within 30d\.\n$/);
});

test('certs check exits 3 when a certificate expires within --warn-within, and -w json says why', async () => {
  const r = await runKubekeeper(['certs', 'check', ...dirs(base), '--warn-within', '400d', '-w', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const json = JSON.parse(r.stdout) as { kind: string; needsAttention: boolean; findings: { code: string }[]; certificates: unknown[] };
  assert.equal(json.kind, 'CertificateExpirationInfo');
  assert.equal(json.certificates.length, 12);
  assert.equal(json.needsAttention, true);
  assert.equal(json.findings.filter((f) => f.code === 'expiring').length, 12);
});

test('certs check exits 3 on a wrong key even when nothing expires soon', async () => {
  const fixture = path.join(repoRoot, 'test', 'fixtures', 'certs', 'kubeadm-node');
  const r = await runKubekeeper(['certs', 'check', '--pki-dir', path.join(fixture, 'pki'), '--kubeconfig-dir', fixture]);
  assert.equal(r.code, 3);
  assert.match(r.stdout, /\nerror {6}etcd-healthcheck-client {4}its private key does not match the certificate/);
});

test('certs check recognises an RKE certificate directory by its kube-ca.pem', async () => {
  const ssl = path.join(scratch, 'ssl');
  mkdirSync(ssl);
  for (const [from, to] of [['ca', 'kube-ca'], ['apiserver', 'kube-apiserver']]) {
    cpSync(path.join(base.pkiDir, `${from}.crt`), path.join(ssl, `${to}.pem`));
    cpSync(path.join(base.pkiDir, `${from}.key`), path.join(ssl, `${to}-key.pem`));
  }
  const r = await runKubekeeper(['certs', 'check', '--pki-dir', ssl, '--node-address', '10.0.0.5']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\nkube-apiserver {3}.* kube-ca {17}no /);
  assert.match(r.stdout, /RKE certificates in /);
  const renew = await runKubekeeper(['certs', 'renew', 'all', '--pki-dir', ssl]);
  assert.equal(renew.code, 1);
  assert.match(renew.stderr, /^Error: Cannot renew certificates in ".*": RKE certificates are managed by RKE\nHint: Rotate them from the workstation with "rke cert rotate/);
});

test('certs check fails with exit 1 and a hint when the directory does not exist', async () => {
  const r = await runKubekeeper(['certs', 'check', '--pki-dir', path.join(scratch, 'none')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: Cannot check certificates: directory ".*none" does not exist\nHint: Pass the certificate directory with --pki-dir\n$/);
});

test('certs renew all --dry-run prints the plan and changes nothing', async () => {
  const pki = node();
  const before = treeFingerprint(pki.root);
  const r = await runKubekeeper(['certs', 'renew', 'all', '--dry-run', ...dirs(pki)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Dry run: nothing was written\. A renewal would:\n {2}renew admin\.conf /);
  assert.match(r.stdout, /skip kubelet\.conf: the kubelet rotates its own client certificate/);
  assert.deepEqual(treeFingerprint(pki.root), before);
});

function fakeCrictl(manifestsDir: string): { bin: string; log: string } {
  const bin = path.join(scratch, `bin-${n++}`);
  mkdirSync(bin);
  const log = path.join(bin, 'observed.log');
  writeFileSync(path.join(bin, 'crictl'), `#!/bin/sh
# A kubelet that reacts at once: a static pod runs exactly while its manifest is present.
pod=""
for a in "$@"; do case "$a" in io.kubernetes.container.name=*) pod="\${a#io.kubernetes.container.name=}";; esac; done
state="${bin}/$pod"
if [ -f "${manifestsDir}/$pod.yaml" ]; then
  gen=$(cat "$state.gen" 2>/dev/null || echo 0)
  if [ ! -f "$state.up" ]; then gen=$((gen + 1)); echo "$gen" > "$state.gen"; touch "$state.up"; echo "$pod running $pod-$gen" >> "${log}"; fi
  echo "$pod-$gen"
else
  if [ -f "$state.up" ]; then rm -f "$state.up"; echo "$pod stopped" >> "${log}"; fi
fi
`);
  chmodSync(path.join(bin, 'crictl'), 0o755);
  return { bin, log };
}

test('certs renew all --restart-static-pods renews, then restarts etcd, kube-apiserver, controller-manager, scheduler in order', async () => {
  const pki = node();
  const crictl = fakeCrictl(pki.manifestsDir);
  const r = await runKubekeeper(['certs', 'renew', 'all', '--restart-static-pods', ...dirs(pki)], { env: { PATH: `${crictl.bin}:${process.env.PATH}` } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself renewed\n/);
  assert.match(r.stdout, /\nRestarted static pods: etcd, kube-apiserver, kube-controller-manager, kube-scheduler\.\n$/);
  const pods = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
  assert.deepEqual(readFileSync(crictl.log, 'utf8').trim().split('\n'), pods.flatMap((p) => [`${p} running ${p}-1`, `${p} stopped`, `${p} running ${p}-2`]));
  assert.deepEqual(r.stderr.trim().split('\n').slice(0, 4), ['etcd: moved-out', 'etcd: stopped', 'etcd: moved-back', 'etcd: running']);
  assert.deepEqual(readdirSync(pki.manifestsDir).sort(), pods.map((p) => `${p}.yaml`));
  assert.deepEqual(readdirSync(path.join(pki.root, 'tmp', 'parked-manifests')), []);
  const check = await runKubekeeper(['certs', 'check', ...dirs(pki)]);
  assert.match(check.stdout, /\napiserver {18}.* {3}364d /);
});

test('certs renew without --restart-static-pods prints the manual restart steps for the affected pods only', async () => {
  const pki = node();
  const r = await runKubekeeper(['certs', 'renew', 'scheduler.conf', 'front-proxy-client', ...dirs(pki)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /You must restart kube-apiserver, kube-scheduler so that they use the new certificates/);
  assert.ok(r.stdout.includes(`1. mv ${path.join(pki.manifestsDir, 'kube-apiserver.yaml')} ${path.join(pki.root, 'tmp', 'parked-manifests')}/`));
  assert.equal(r.stdout.includes('etcd:'), false);
  assert.equal(existsSync(path.join(pki.manifestsDir, 'kube-apiserver.yaml')), true);
});

test('certs renew refuses kubelet.conf and an unknown name with the right exit codes', async () => {
  const kubelet = await runKubekeeper(['certs', 'renew', 'kubelet.conf', ...dirs(base)]);
  assert.equal(kubelet.code, 1);
  assert.match(kubelet.stderr, /^Error: Cannot renew "kubelet\.conf": the kubelet rotates its own client certificate\n/);
  const unknown = await runKubekeeper(['certs', 'renew', 'apiserver.crt', ...dirs(base)]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^Error: Unknown certificate "apiserver\.crt"\nHint: Use "all" or one of: admin\.conf, apiserver,/);
});

test('certs rotate-ca insists on --dry-run and then prints the ordered plan', async () => {
  const refused = await runKubekeeper(['certs', 'rotate-ca', ...dirs(base)]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Hint: Add --dry-run/);
  const r = await runKubekeeper(['certs', 'rotate-ca', '--dry-run', '--ca', 'front-proxy-ca', ...dirs(base), '-w', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { ca: string; steps: { number: number; phase: string; title: string }[] };
  assert.equal(plan.ca, 'front-proxy-ca');
  assert.deepEqual(plan.steps.map((s) => s.phase), ['prepare', 'prepare', 'trust-both', 're-issue', 'verify', 'drop-old']);
});
