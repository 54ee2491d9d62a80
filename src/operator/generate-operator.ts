/**
 * `kubekeeper generate operator`: everything that installs the operator, as objects in apply
 * order: a Namespace labelled for the privileged Pod Security level (hostNetwork and hostPath
 * volumes are not allowed at baseline), the CRDs, least-privilege RBAC, and a Deployment on
 * the control-plane (kubeadm) or etcd (RKE) nodes with hostNetwork and the etcd client PKI
 * mounted read-only. RBAC grants exactly the calls the operator makes: policies get/list and
 * their status patch, EtcdBackup list/create/delete, Secrets get, Events create, and its own
 * Lease (get/update by name; create cannot be limited to a name). With `allNamespaces` the
 * policy, backup, Secret and Event rules are a ClusterRole; otherwise a Role in the operator's
 * namespace, where the policies then live.
 */
import { operatorCrds } from './crd-schemas.js';
import { BACKUP_TYPE, GROUP, POLICY_TYPE } from './resources.js';

export interface OperatorManifestOptions {
  image: string;
  namespace: string;
  /** Name of the Deployment, ServiceAccount, roles and Lease. */
  name: string;
  replicas: number;
  /** RKE layout: etcd PKI in /etc/kubernetes/ssl, etcd nodes' labels and taints. */
  rke: boolean;
  /** Reconcile policies in every namespace (ClusterRole) instead of the operator's own. */
  allNamespaces: boolean;
  /** host:port for /metrics and /healthz in the pod (hostNetwork: the node's address). */
  metricsListen: string;
  /** A host directory mounted read-write at the same path, for local-directory repositories. */
  hostBackupDir?: string;
}

type Manifest = Record<string, unknown>;

/** kubeadm keeps the etcd CA and client certificates here; RKE keeps every certificate in /etc/kubernetes/ssl. */
export const KUBEADM_ETCD_PKI = '/etc/kubernetes/pki/etcd';
export const RKE_SSL_DIR = '/etc/kubernetes/ssl';

const LABELS = { 'app.kubernetes.io/name': 'kubekeeper', 'app.kubernetes.io/component': 'operator' };

function rules(): Manifest[] {
  return [
    { apiGroups: [GROUP], resources: [POLICY_TYPE.plural], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [GROUP], resources: [`${POLICY_TYPE.plural}/status`], verbs: ['patch'] },
    { apiGroups: [GROUP], resources: [BACKUP_TYPE.plural], verbs: ['list', 'create', 'delete'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
  ];
}

function rbac(o: OperatorManifestOptions): Manifest[] {
  const subject = [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }];
  const meta = (extra: Manifest = {}) => ({ name: o.name, labels: LABELS, ...extra });
  const leaseName = `${o.name}-lease`;
  const out: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta({ namespace: o.namespace }), automountServiceAccountToken: true },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { ...meta({ namespace: o.namespace }), name: leaseName },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [o.name], verbs: ['get', 'update'] },
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { ...meta({ namespace: o.namespace }), name: leaseName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseName }, subjects: subject },
  ];
  if (o.allNamespaces) {
    out.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(), rules: rules() },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: o.name }, subjects: subject },
    );
  } else {
    out.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta({ namespace: o.namespace }), rules: rules() },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta({ namespace: o.namespace }), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.name }, subjects: subject },
    );
  }
  return out;
}

function deployment(o: OperatorManifestOptions): Manifest {
  const pki = o.rke ? RKE_SSL_DIR : KUBEADM_ETCD_PKI;
  const port = Number(o.metricsListen.slice(o.metricsListen.lastIndexOf(':') + 1));
  const served = Number.isInteger(port) && port > 0;
  // hostNetwork: the kubelet probes the node's own port; a loopback listener needs host 127.0.0.1.
  const probeHost = o.metricsListen.slice(0, o.metricsListen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port, scheme: 'HTTP', ...(probeHost && probeHost !== '0.0.0.0' && probeHost !== '::' ? { host: probeHost } : {}) },
    periodSeconds, timeoutSeconds: 5, failureThreshold,
  });
  const hostVolumes = [
    { name: 'etcd-pki', hostPath: { path: pki, type: 'Directory' }, mount: { mountPath: pki, readOnly: true } },
    ...(o.hostBackupDir ? [{ name: 'backups', hostPath: { path: o.hostBackupDir, type: 'DirectoryOrCreate' }, mount: { mountPath: o.hostBackupDir, readOnly: false } }] : []),
  ];
  const args = [
    'operator', `--lease-namespace=${o.namespace}`, `--lease-name=${o.name}`, `--metrics-listen=${o.metricsListen}`,
    ...(o.allNamespaces ? ['--all-namespaces'] : [`--namespace=${o.namespace}`]),
  ];
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, labels: LABELS },
    spec: {
      replicas: o.replicas,
      // Never two pods at once on one node during a rollout: the metrics port is the node's.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          serviceAccountName: o.name,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          nodeSelector: o.rke ? { 'node-role.kubernetes.io/etcd': 'true' } : { 'node-role.kubernetes.io/control-plane': '' },
          tolerations: o.rke
            ? [{ key: 'node-role.kubernetes.io/etcd', operator: 'Exists', effect: 'NoExecute' }, { key: 'node-role.kubernetes.io/controlplane', operator: 'Exists', effect: 'NoSchedule' }]
            : [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }, { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' }],
          // One replica per node: a second leader candidate on another control-plane node.
          affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: LABELS }, topologyKey: 'kubernetes.io/hostname' }] } },
          // Root, to read the etcd client key (0600 root on kubeadm and RKE); nothing else is granted.
          securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'operator',
            image: o.image,
            imagePullPolicy: 'IfNotPresent',
            args,
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            ],
            ports: served ? [{ name: 'metrics', containerPort: port, protocol: 'TCP' }] : [],
            // /healthz fails after the operator's --liveness-timeout without the API server (or, leading, the policy watch).
            ...(served ? { livenessProbe: probe('/healthz', 20, 3), readinessProbe: probe('/readyz', 10, 1) } : {}),
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...hostVolumes.map((v) => ({ name: v.name, ...v.mount }))],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }, ...hostVolumes.map((v) => ({ name: v.name, hostPath: v.hostPath }))],
        },
      },
    },
  };
}

/** The manifests in apply order: Namespace, CRDs, RBAC, Deployment. */
export function generateOperatorManifests(o: OperatorManifestOptions): Manifest[] {
  const namespace = {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: {
      name: o.namespace,
      labels: {
        ...LABELS,
        // hostNetwork and hostPath volumes need the privileged level; audit and warn say so too.
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      },
    },
  };
  return [namespace, ...operatorCrds(), ...rbac(o), deployment(o)];
}
