import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateOperatorManifests, type OperatorManifestOptions } from './generate-operator.js';

const base: OperatorManifestOptions = { image: 'registry.example/kubekeeper:1.0', namespace: 'kk', name: 'kko', replicas: 2, rke: false, allNamespaces: false, metricsListen: '127.0.0.1:9477' };

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const find = (ms: Any[], kind: string, name?: string) => ms.find((m) => m.kind === kind && (name === undefined || m.metadata.name === name)) as Any;

test('generateOperatorManifests: privileged namespace, CRDs, namespaced least-privilege RBAC, then the Deployment', () => {
  const ms = generateOperatorManifests(base) as Any[];
  assert.deepEqual(ms.map((m) => m.kind), ['Namespace', 'CustomResourceDefinition', 'CustomResourceDefinition', 'ServiceAccount', 'Role', 'RoleBinding', 'Role', 'RoleBinding', 'Deployment']);
  assert.equal(find(ms, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
  const role = find(ms, 'Role', 'kko');
  assert.deepEqual(role.rules.map((r: Any) => `${r.apiGroups[0]}/${r.resources[0]}:${r.verbs.join(',')}`), [
    'kubekeeper.io/etcdbackuppolicies:get,list,watch', 'kubekeeper.io/etcdbackuppolicies/status:patch', 'kubekeeper.io/etcdbackups:list,create,delete',
    '/secrets:get', 'events.k8s.io/events:create',
  ]);
  const lease = find(ms, 'Role', 'kko-lease');
  assert.deepEqual(lease.rules[1], { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kko'], verbs: ['get', 'update'] });
  assert.equal(ms.some((m) => m.kind === 'ClusterRole'), false, 'nothing cluster-wide without --all-namespaces');
  const pod = find(ms, 'Deployment').spec.template.spec;
  assert.equal(pod.hostNetwork, true);
  assert.deepEqual(pod.nodeSelector, { 'node-role.kubernetes.io/control-plane': '' });
  assert.deepEqual(pod.volumes.find((v: Any) => v.name === 'etcd-pki').hostPath, { path: '/etc/kubernetes/pki/etcd', type: 'Directory' });
  const c = pod.containers[0];
  assert.equal(c.image, 'registry.example/kubekeeper:1.0');
  assert.deepEqual(c.volumeMounts.find((v: Any) => v.name === 'etcd-pki'), { name: 'etcd-pki', mountPath: '/etc/kubernetes/pki/etcd', readOnly: true });
  assert.deepEqual(c.args, ['operator', '--lease-namespace=kk', '--lease-name=kko', '--metrics-listen=127.0.0.1:9477', '--namespace=kk']);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  // hostNetwork: the kubelet probes the loopback address the operator listens on.
  assert.deepEqual(c.livenessProbe, { httpGet: { path: '/healthz', port: 9477, scheme: 'HTTP', host: '127.0.0.1' }, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 });
  assert.deepEqual(c.readinessProbe, { httpGet: { path: '/readyz', port: 9477, scheme: 'HTTP', host: '127.0.0.1' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 1 });
});

test('generateOperatorManifests probes the node\'s address when the operator listens on all interfaces, and nothing without a port', () => {
  const all = find(generateOperatorManifests({ ...base, metricsListen: ':9100' }) as Any[], 'Deployment').spec.template.spec.containers[0];
  assert.deepEqual(all.livenessProbe.httpGet, { path: '/healthz', port: 9100, scheme: 'HTTP' });
  const none = find(generateOperatorManifests({ ...base, metricsListen: '127.0.0.1:0' }) as Any[], 'Deployment').spec.template.spec.containers[0];
  assert.deepEqual([none.livenessProbe, none.readinessProbe], [undefined, undefined]);
});

test('generateOperatorManifests --rke --all-namespaces: RKE PKI and etcd nodes, ClusterRole for the policies', () => {
  const ms = generateOperatorManifests({ ...base, rke: true, allNamespaces: true, hostBackupDir: '/var/backups/kubekeeper' }) as Any[];
  const pod = find(ms, 'Deployment').spec.template.spec;
  assert.deepEqual(pod.nodeSelector, { 'node-role.kubernetes.io/etcd': 'true' });
  assert.ok(pod.tolerations.some((t: Any) => t.key === 'node-role.kubernetes.io/etcd' && t.effect === 'NoExecute'));
  assert.deepEqual(pod.volumes.map((v: Any) => v.hostPath?.path ?? v.name), ['tmp', '/etc/kubernetes/ssl', '/var/backups/kubekeeper']);
  assert.ok(pod.containers[0].args.includes('--all-namespaces'));
  assert.equal(find(ms, 'ClusterRole').rules.length, 5);
  assert.equal(find(ms, 'ClusterRoleBinding').subjects[0].namespace, 'kk');
});
