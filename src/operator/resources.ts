/**
 * The operator's API: group kubekeeper.io, version v1alpha1. EtcdBackupPolicy (namespaced,
 * written by people) says what to back up, where, when and how long to keep it; EtcdBackup
 * (namespaced, written only by the operator) is one stored backup, an inventory entry like
 * k3s's ETCDSnapshotFile. Field names and shapes here are the contract the CRDs
 * (crd-schemas.ts) validate.
 */
import type { KubeObject, ResourceType } from '../k8s/index.js';

export const GROUP = 'kubekeeper.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const POLICY_TYPE: ResourceType = { group: GROUP, version: VERSION, plural: 'etcdbackuppolicies', kind: 'EtcdBackupPolicy' };
export const BACKUP_TYPE: ResourceType = { group: GROUP, version: VERSION, plural: 'etcdbackups', kind: 'EtcdBackup' };

/** Labels on EtcdBackup objects: which policy made them (the inventory is rebuilt from these). */
export const POLICY_LABEL = 'kubekeeper.io/policy';
/** The name reported in Events and managedFields. */
export const CONTROLLER_NAME = 'kubekeeper.io/operator';

export interface SecretKeyRef {
  name: string;
  key?: string;
}

export interface EtcdBackupPolicySpec {
  /** Five-field cron (UTC) or a macro (@hourly, @daily, ...), or "@every <duration>" (grid-aligned). */
  schedule: string;
  suspend?: boolean;
  etcd: {
    endpoints: string[];
    /** A Secret with ca.crt, tls.crt and tls.key (kubernetes.io/tls plus the CA). */
    tlsSecretRef?: { name: string };
    /** Or files on the node (the Deployment mounts the kubeadm or RKE PKI read-only). */
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    dialTimeout?: string;
    commandTimeout?: string;
  };
  repository: {
    /** "s3://bucket/folder" or an absolute directory. */
    url: string;
    s3?: { endpoint?: string; region?: string; pathStyle?: boolean; caBundle?: string };
    /** A Secret with accessKeyId and secretAccessKey (S3). */
    credentialsSecretRef?: { name: string };
    /** kksign1... keys: retention and drills count only manifests one of them signed. */
    trustedSigners?: string[];
  };
  /** Sign every manifest with the key in this Secret (key "signing.key" unless given; kubekeeper keygen --signing). */
  signing?: { keySecretRef: SecretKeyRef };
  encryption: { recipients: string[] };
  compression?: 'zstd' | 'gzip' | 'none';
  /** Backup names are "<namePrefix>-<slot time>"; default the policy's name. */
  namePrefix?: string;
  retention?: { keepLast?: number; keepWithin?: string; keepHourly?: number; keepDaily?: number; keepWeekly?: number; keepMonthly?: number; keepYearly?: number };
  /** Restore drills; needs the etcd binary in the image and the identity in a Secret (key "identity"). */
  drill?: { schedule: string; identitySecretRef: SecretKeyRef; expectKeys?: string[]; etcdBinary?: string; timeout?: string };
  /** Continuous deltas between snapshots (point-in-time recovery): the delta streamer runs on the policy's repository while this replica leads. */
  continuousDeltas?: boolean;
  /** Whole backup run bound (default 30m). */
  timeout?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface EtcdBackupPolicyStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastBackup?: string;
  lastBackupTime?: string;
  lastSuccessfulBackupTime?: string;
  nextBackupTime?: string;
  backupCount?: number;
}

export type EtcdBackupPolicy = KubeObject & { spec: EtcdBackupPolicySpec; status?: EtcdBackupPolicyStatus };

/** The spec of an EtcdBackup: what the repository says about one stored backup. */
export interface EtcdBackupSpec {
  policyName: string;
  backupName: string;
  repository: string;
  createdAt: string;
  completedAt: string;
  sizeBytes: number;
  snapshotSizeBytes: number;
  revision: number;
  etcdVersion: string;
  clusterId: string;
  snapshotSha256: string;
  encrypted: boolean;
  signed: boolean;
  /** Stored objects were re-read and matched their sha256 when saved (the repository listed it as ok). */
  verified: boolean;
}

export type EtcdBackup = KubeObject & { spec: EtcdBackupSpec };
