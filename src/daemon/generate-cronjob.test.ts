import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { parseConfigText } from './config-load.js';
import { generateCronJob } from './generate-cronjob.js';

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const CONFIG = [
  'etcd:',
  '  endpoints: [https://127.0.0.1:2379]',
  '  cacert: /etc/kubernetes/pki/etcd/ca.crt',
  '  cert: /etc/kubernetes/pki/etcd/healthcheck-client.crt',
  '  key: /etc/kubernetes/pki/etcd/healthcheck-client.key',
  'repository:',
  '  url: /var/backups/kubekeeper',
  'backup:',
  `  recipients: [${RECIPIENT}, /etc/kubekeeper/recipients.txt]`,
  '  include: [/etc/kubernetes/pki, /etc/kubernetes/encryption-config.yaml]',
  '  timeout: 10m',
  'schedule:',
  '  interval: 4h',
  'lockFile: /run/kubekeeper/backup.lock',
].join('\n');

interface Manifest {
  apiVersion: string; kind: string;
  metadata: { name: string; namespace: string };
  spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { activeDeadlineSeconds: number; template: { spec: PodSpec } } } };
}
interface PodSpec {
  hostNetwork: boolean; nodeSelector: Record<string, string>; tolerations: { key: string }[]; restartPolicy: string;
  securityContext: { runAsUser: number };
  containers: { args: string[]; image: string; envFrom: { secretRef: { name: string } }[]; securityContext: Record<string, unknown>; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  volumes: { name: string; hostPath?: { path: string; type: string }; configMap?: { name: string }; secret?: { secretName: string } }[];
}

/** The generated manifest after a YAML round trip, as kubectl would read it. */
function generated(text = CONFIG): Manifest {
  const { config } = parseConfigText('/etc/kubekeeper/config.yaml', text, {});
  return parse(stringify(generateCronJob(config, { image: 'registry.example/kubekeeper:0.1.0', configKey: 'config.yaml' }), { aliasDuplicateObjects: false })) as Manifest;
}

test('generateCronJob makes a batch/v1 CronJob with Forbid concurrency and the schedule from the config', () => {
  const m = generated();
  assert.equal(m.apiVersion, 'batch/v1');
  assert.equal(m.kind, 'CronJob');
  assert.equal(m.metadata.name, 'kubekeeper-backup');
  assert.equal(m.metadata.namespace, 'kube-system');
  assert.equal(m.spec.schedule, '0 */4 * * *');
  assert.equal(m.spec.concurrencyPolicy, 'Forbid');
  assert.equal(m.spec.jobTemplate.spec.activeDeadlineSeconds, 600 + 300);
});

test('generateCronJob pins the pod to a control-plane node with host network and tolerations', () => {
  const pod = generated().spec.jobTemplate.spec.template.spec;
  assert.equal(pod.hostNetwork, true);
  assert.equal(pod.restartPolicy, 'Never');
  assert.deepEqual(pod.nodeSelector, { 'node-role.kubernetes.io/control-plane': '' });
  assert.ok(pod.tolerations.some((t) => t.key === 'node-role.kubernetes.io/control-plane'));
  const c = pod.containers[0];
  assert.ok(c);
  assert.deepEqual(c.args, ['backup', 'run', '--config', '/etc/kubekeeper/config.yaml']);
  assert.equal(c.envFrom[0]?.secretRef.name, 'kubekeeper-credentials');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual((c.securityContext.capabilities as { drop: string[] }).drop, ['ALL']);
});

test('generateCronJob mounts the etcd PKI and bundle read-only and only the lock and local repository writable', () => {
  const pod = generated().spec.jobTemplate.spec.template.spec;
  const mounts = pod.containers[0]?.volumeMounts ?? [];
  const hostPaths = new Map(pod.volumes.filter((v) => v.hostPath).map((v) => [v.name, v.hostPath?.path]));
  const byPath = new Map(mounts.filter((m) => hostPaths.has(m.name)).map((m) => [m.mountPath, m.readOnly]));
  // /etc/kubernetes/pki/etcd (cert dir) is inside /etc/kubernetes/pki (--include): one mount.
  assert.deepEqual([...byPath.entries()].sort(), [
    ['/etc/kubernetes/encryption-config.yaml', true], ['/etc/kubernetes/pki', true], ['/run/kubekeeper', false], ['/var/backups/kubekeeper', false],
  ]);
  for (const m of mounts) assert.equal(hostPaths.get(m.name) ?? m.mountPath, m.mountPath, 'host path and mount path match');
  assert.ok(pod.volumes.some((v) => v.configMap?.name === 'kubekeeper-config'));
  assert.ok(pod.volumes.some((v) => v.secret?.secretName === 'kubekeeper-credentials'));
  assert.ok(!byPath.has('/etc/kubekeeper/recipients.txt'), 'files under /etc/kubekeeper come from the ConfigMap');
});

test('generateCronJob takes the signing key from the Secret, and mounts one kept on the host read-only', () => {
  const withKey = (file: string) => CONFIG.replace('  timeout: 10m', `  timeout: 10m\n  signingKeyFile: ${file}`);
  const hostPathsOf = (m: Manifest) => m.spec.jobTemplate.spec.template.spec.volumes.flatMap((v) => (v.hostPath ? [v.hostPath.path] : []));
  const fromSecret = generated(withKey('/etc/kubekeeper/secrets/signing.key'));
  const pod = fromSecret.spec.jobTemplate.spec.template.spec;
  assert.ok(pod.containers[0]?.volumeMounts.some((m) => m.name === 'credentials' && m.mountPath === '/etc/kubekeeper/secrets' && m.readOnly === true));
  assert.ok(!hostPathsOf(fromSecret).some((p) => p.includes('signing')), 'the key comes from the Secret, not the host');
  const onHost = generated(withKey('/root/kubekeeper/signing.key'));
  assert.ok(hostPathsOf(onHost).includes('/root/kubekeeper/signing.key'), hostPathsOf(onHost).join(' '));
  const mount = onHost.spec.jobTemplate.spec.template.spec.containers[0]?.volumeMounts.find((m) => m.mountPath === '/root/kubekeeper/signing.key');
  assert.equal(mount?.readOnly, true);
});
