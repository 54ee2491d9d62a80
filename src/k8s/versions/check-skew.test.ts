/** The version skew policy (spec §8 scenario 37) and the etcd table (scenario 40). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ComponentVersion } from './check-skew.js';
import { checkSkew } from './check-skew.js';
import { etcdForKubernetes } from './etcd-versions.js';
import { parseVersion, versionFromImage } from './kube-version.js';

const api = (version: string, node = 'cp1'): ComponentVersion => ({ component: 'kube-apiserver', node, version });
const kubelet = (version: string, node = 'w1'): ComponentVersion => ({ component: 'kubelet', node, version });

test('checkSkew rejects HA apiservers more than one minor apart', () => {
  assert.equal(checkSkew([api('v1.28.4', 'cp1'), api('v1.29.0', 'cp2')]).length, 0);
  assert.equal(checkSkew([api('v1.27.4', 'cp1'), api('v1.29.0', 'cp2')]).length, 2);
});

test('checkSkew rejects a kubelet newer than the oldest apiserver', () => {
  const findings = checkSkew([api('v1.28.4', 'cp1'), api('v1.29.0', 'cp2'), kubelet('v1.29.0')]);
  assert.equal(findings.length, 1);
  assert.match(findings[0]?.message ?? '', /newer than kube-apiserver v1\.28\.4/);
});

test('checkSkew accepts a kubelet three minors behind from 1.28 when the kubelet is at least 1.25', () => {
  assert.deepEqual(checkSkew([api('v1.28.0'), kubelet('v1.25.9')]), []);
  assert.equal(checkSkew([api('v1.27.0'), kubelet('v1.24.9')]).length, 1);
  assert.equal(checkSkew([api('v1.28.0'), kubelet('v1.24.9')]).length, 1, '1.24 kubelets may only be 2 behind');
  assert.equal(checkSkew([api('v1.29.0'), kubelet('v1.25.0')]).length, 1, '4 behind');
});

test('checkSkew rejects a controller-manager newer than the apiserver or two minors older', () => {
  const kcm = (version: string): ComponentVersion => ({ component: 'kube-controller-manager', node: 'cp1', version });
  assert.equal(checkSkew([api('v1.28.0'), kcm('v1.29.0')]).length, 1);
  assert.equal(checkSkew([api('v1.28.0'), kcm('v1.27.3')]).length, 0);
  assert.equal(checkSkew([api('v1.28.0'), kcm('v1.26.3')]).length, 1);
});

test('checkSkew rejects kube-proxy too far from the kubelet on its node', () => {
  const proxy: ComponentVersion = { component: 'kube-proxy', node: 'w1', version: 'v1.29.0' };
  assert.equal(checkSkew([api('v1.29.0'), kubelet('v1.25.0', 'w1'), proxy]).length, 2, 'kubelet 4 behind the apiserver, and 4 from kube-proxy');
});

test('etcdForKubernetes follows kubeadm\'s table including later patches', () => {
  assert.equal(etcdForKubernetes(parseVersion('1.29.0')!).image, '3.5.10-0');
  assert.equal(etcdForKubernetes(parseVersion('1.29.3')!).image, '3.5.12-0');
  assert.equal(etcdForKubernetes(parseVersion('1.34.1')!).image, '3.6.4-0');
  // kubeadm v1.36.1/v1.36.3 and v1.37.2 (cmd/kubeadm/app/constants: SupportedEtcdVersion, DefaultEtcdVersion).
  assert.equal(etcdForKubernetes(parseVersion('1.36.3')!).image, '3.6.8-0');
  assert.equal(etcdForKubernetes(parseVersion('1.37.2')!).image, '3.7.0-0');
  assert.equal(etcdForKubernetes(parseVersion('1.37.2')!).warning, undefined);
  assert.equal(etcdForKubernetes(parseVersion('1.29.3')!).warning, undefined);
});

test('etcdForKubernetes falls back to the nearest minor with kubeadm\'s warning when the minor is unknown', () => {
  const e = etcdForKubernetes(parseVersion('1.38.0')!);
  assert.equal(e.image, '3.7.0-0');
  assert.equal(e.warning, 'could not find officially supported version of etcd for Kubernetes v1.38.0, falling back to the nearest etcd version (3.7.0-0)');
});

test('versionFromImage reads tags and ignores registries with ports and digests', () => {
  assert.equal(versionFromImage('registry.k8s.io/kube-apiserver:v1.29.3'), 'v1.29.3');
  assert.equal(versionFromImage('localhost:5000/etcd:3.5.12-0@sha256:abc'), '3.5.12-0');
  assert.equal(versionFromImage('localhost:5000/etcd'), undefined);
});
