/**
 * A Kubernetes CronJob running `kubekeeper backup run` on a control-plane node: host
 * network (etcd listens on the node's loopback), tolerations and nodeSelector for control-
 * plane nodes, the etcd PKI and DR bundle paths mounted read-only from the host, the config
 * from a ConfigMap, credentials from a Secret (env vars and files), and the host's lock
 * directory so runs from systemd or cron on the same node are excluded too. Pure: config in,
 * a plain object out (the command prints it as YAML).
 */
import path from 'node:path';
import { parseRepository } from '../storage/index.js';
import type { KubekeeperConfig } from './config.js';
import { backupCron } from './generate-schedule.js';

export interface CronJobOptions {
  image: string;
  namespace?: string;
  name?: string;
  /** ConfigMap holding the config file under key `configKey`. */
  configMap?: string;
  configKey?: string;
  /** Secret exposed as env vars and as files under /etc/kubekeeper/secrets. */
  secret?: string;
}

/** Where the ConfigMap and the Secret appear in the container. */
export const CONTAINER_CONFIG_DIR = '/etc/kubekeeper';
export const CONTAINER_SECRETS_DIR = '/etc/kubekeeper/secrets';

interface HostMount { name: string; path: string; type: string; readOnly: boolean }

const isUnder = (p: string, dir: string) => p === dir || p.startsWith(`${dir.replace(/\/$/, '')}/`);

/** Host paths the run reads (PKI dirs, bundle paths, recipients, signing key and signers files) or writes (lock, local repository). */
export function hostMounts(config: KubekeeperConfig): HostMount[] {
  const read = new Set<string>();
  for (const file of [config.etcd.caFile, config.etcd.certFile, config.etcd.keyFile, config.repository.s3?.caBundleFile]) if (file) read.add(path.dirname(file));
  for (const p of config.backup.include) read.add(p);
  // Key files: under /etc/kubekeeper/secrets they come from the Secret (the signing key
  // belongs there: put signing.key in the Secret and set backup.signingKeyFile to
  // /etc/kubekeeper/secrets/signing.key); elsewhere they are mounted read-only from the host.
  const keyFiles = [config.backup.passphraseFile, config.backup.signingKeyFile, ...(config.repository.trustedSigners ?? [])];
  for (const r of [...config.backup.recipients, ...keyFiles]) if (r?.startsWith('/')) read.add(r);
  const location = parseRepository(config.repository.url);
  const write = [path.dirname(config.lockFile), ...(location.kind === 'local' ? [location.path] : [])];
  // Paths under /etc/kubekeeper come from the ConfigMap/Secret; nested host mounts are covered by their parent.
  const reads = [...read].filter((p) => !isUnder(p, CONTAINER_CONFIG_DIR)).sort();
  const outer = reads.filter((p) => !reads.some((q) => q !== p && isUnder(p, q)) && !write.some((w) => isUnder(p, w)));
  const mounts: HostMount[] = [
    ...outer.map((p) => ({ path: p, type: '', readOnly: true })),
    ...write.map((p) => ({ path: p, type: 'DirectoryOrCreate', readOnly: false })),
  ].map((m, i) => ({ ...m, name: `host-${i}` }));
  return mounts;
}

/** The CronJob manifest (batch/v1) for `config`. */
export function generateCronJob(config: KubekeeperConfig, options: CronJobOptions): Record<string, unknown> {
  const name = options.name ?? 'kubekeeper-backup';
  const configKey = options.configKey ?? 'config.yaml';
  const secret = options.secret ?? 'kubekeeper-credentials';
  const mounts = hostMounts(config);
  const labels = { 'app.kubernetes.io/name': 'kubekeeper', 'app.kubernetes.io/component': 'etcd-backup' };
  const podSpec = {
    hostNetwork: true,
    dnsPolicy: 'ClusterFirstWithHostNet',
    restartPolicy: 'Never',
    priorityClassName: 'system-cluster-critical',
    nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
    tolerations: [
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
      // RKE taints etcd-only and controlplane nodes with these.
      { key: 'node-role.kubernetes.io/etcd', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node-role.kubernetes.io/controlplane', operator: 'Exists', effect: 'NoSchedule' },
    ],
    // Root, to read the etcd client key (0600 root on kubeadm and RKE); nothing else is granted.
    securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'backup',
      image: options.image,
      imagePullPolicy: 'IfNotPresent',
      args: ['backup', 'run', '--config', `${CONTAINER_CONFIG_DIR}/${configKey}`],
      envFrom: [{ secretRef: { name: secret, optional: true } }],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] } },
      volumeMounts: [
        { name: 'config', mountPath: CONTAINER_CONFIG_DIR, readOnly: true },
        { name: 'credentials', mountPath: CONTAINER_SECRETS_DIR, readOnly: true },
        { name: 'tmp', mountPath: '/tmp' },
        ...mounts.map((m) => ({ name: m.name, mountPath: m.path, readOnly: m.readOnly })),
      ],
    }],
    volumes: [
      { name: 'config', configMap: { name: options.configMap ?? 'kubekeeper-config' } },
      { name: 'credentials', secret: { secretName: secret, optional: true, defaultMode: 0o400 } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      ...mounts.map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.type } })),
    ],
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: options.namespace ?? 'kube-system', labels },
    spec: {
      schedule: backupCron(config),
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: Math.ceil(config.backup.timeoutMs / 1000) + 300,
          ttlSecondsAfterFinished: 86_400,
          template: { metadata: { labels }, spec: podSpec },
        },
      },
    },
  };
}
