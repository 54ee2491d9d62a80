/**
 * `kubekeeper generate operator`: prints (or writes to --output-dir) the manifests that install
 * the operator: Namespace (privileged Pod Security), CRDs, RBAC, Deployment.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { generateOperatorManifests } from '../../operator/index.js';
import { defineCommand } from '../command.js';

const yaml = (o: unknown) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });

/** Files written with --output-dir, in apply order, and which manifests (by kind) go into each. */
const FILES: readonly { file: string; kinds: readonly string[] }[] = [
  { file: '00-namespace.yaml', kinds: ['Namespace'] },
  { file: '01-crds.yaml', kinds: ['CustomResourceDefinition'] },
  { file: '02-rbac.yaml', kinds: ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'] },
  { file: '03-deployment.yaml', kinds: ['Deployment'] },
];

export default defineCommand({
  name: 'generate operator',
  summary: 'Print the CRDs, RBAC, Namespace and Deployment that install "kubekeeper operator"',
  flags: {
    image: { type: 'string', default: 'kubekeeper:0.1.0', valueName: 'IMAGE', description: 'Container image with kubekeeper as entrypoint' },
    namespace: { type: 'string', short: 'n', default: 'kubekeeper-system', valueName: 'NS', description: 'Namespace of the operator (and of the policies, without --all-namespaces)' },
    name: { type: 'string', default: 'kubekeeper-operator', valueName: 'NAME', description: 'Name of the Deployment, ServiceAccount, roles and Lease' },
    replicas: { type: 'number', default: 2, min: 1, integer: true, valueName: 'N', description: 'Replicas (one leader; one per control-plane node at most)' },
    rke: { type: 'boolean', description: 'RKE layout: etcd certificates in /etc/kubernetes/ssl, run on etcd nodes' },
    'all-namespaces': { type: 'boolean', description: 'Reconcile policies in every namespace (a ClusterRole instead of a Role)' },
    'metrics-listen': { type: 'string', default: '127.0.0.1:9477', valueName: 'HOST:PORT', description: 'Where the pod serves /metrics and /healthz (hostNetwork: on the node)' },
    'host-backup-dir': { type: 'string', valueName: 'DIR', description: 'Mount this host directory read-write (for repositories that are a local directory)' },
    'output-dir': { type: 'string', short: 'o', valueName: 'DIR', description: 'Write 00-namespace.yaml ... 03-deployment.yaml here instead of stdout' },
  },
  details: [
    'kubeadm: the Deployment mounts /etc/kubernetes/pki/etcd read-only; a policy then names',
    '  caFile: /etc/kubernetes/pki/etcd/ca.crt, certFile/keyFile: .../healthcheck-client.{crt,key}.',
    'Example: kubekeeper generate operator --image registry.example/kubekeeper:0.1.0 | kubectl apply -f -',
  ].join('\n'),
  async run({ flags, io }) {
    const manifests = generateOperatorManifests({
      image: flags.image, namespace: flags.namespace, name: flags.name, replicas: flags.replicas, rke: flags.rke,
      allNamespaces: flags['all-namespaces'], metricsListen: flags['metrics-listen'], hostBackupDir: flags['host-backup-dir'],
    });
    const dir = flags['output-dir'];
    if (!dir) {
      io.stdout.write(manifests.map((m) => `---\n${yaml(m)}`).join(''));
      return;
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const { file, kinds } of FILES) {
      const docs = manifests.filter((m) => kinds.includes(String(m.kind)));
      await writeFile(path.join(dir, file), docs.map((m) => `---\n${yaml(m)}`).join(''), { mode: 0o600 });
      io.stdout.write(`${path.join(dir, file)}\n`);
    }
  },
});
