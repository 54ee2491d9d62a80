/**
 * The EtcdBackup inventory of one policy: one read-only object per backup in the policy's
 * repository whose name starts with the policy's prefix, created when a backup appears and
 * deleted when retention (or a person with `backup delete`) removed it. The objects are owned
 * by the policy, so deleting the policy lets the garbage collector remove them; the backups
 * themselves stay in the repository.
 */
import type { BackupEntry } from '../backup/index.js';
import type { OperatorApi } from './operator-api.js';
import { API_VERSION, BACKUP_TYPE, type EtcdBackup, type EtcdBackupPolicy, POLICY_LABEL } from './resources.js';

/** A DNS subdomain name for the object of `backupName` (lowercase; "_" becomes "-"). */
export function backupObjectName(policyName: string, backupName: string): string {
  return `${policyName}.${backupName.toLowerCase().replace(/_/g, '-')}`.slice(0, 253);
}

/** The EtcdBackup object a stored backup is listed as; undefined for a backup without a manifest. */
export function backupObject(policy: EtcdBackupPolicy, entry: BackupEntry): EtcdBackup | undefined {
  const m = entry.manifest;
  if (!m) return undefined;
  const sizeBytes = m.objects.reduce((sum, o) => sum + o.sizeBytes, 0);
  return {
    apiVersion: API_VERSION, kind: BACKUP_TYPE.kind,
    metadata: {
      name: backupObjectName(policy.metadata.name, entry.name),
      namespace: policy.metadata.namespace,
      labels: { [POLICY_LABEL]: policy.metadata.name },
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'EtcdBackupPolicy', name: policy.metadata.name, uid: policy.metadata.uid ?? '', controller: true }],
    },
    spec: {
      policyName: policy.metadata.name,
      backupName: entry.name,
      repository: policy.spec.repository.url,
      createdAt: m.createdAt,
      completedAt: m.completedAt,
      sizeBytes,
      snapshotSizeBytes: m.snapshot.sizeBytes,
      revision: m.cluster.revision,
      etcdVersion: m.cluster.etcdVersion,
      clusterId: m.cluster.clusterId,
      snapshotSha256: m.snapshot.sha256,
      encrypted: m.encryption.scheme !== 'none',
      signed: entry.signature !== undefined && entry.signature.status !== 'unsigned',
      verified: entry.status === 'ok',
    },
  };
}

export interface InventoryChange {
  created: string[];
  deleted: string[];
}

/** Makes the policy's EtcdBackup objects match `entries` (this policy's backups in the repository). */
export async function syncInventory(api: OperatorApi, policy: EtcdBackupPolicy, entries: readonly BackupEntry[]): Promise<InventoryChange> {
  const ns = policy.metadata.namespace ?? 'default';
  const existing = await api.list<EtcdBackup>(BACKUP_TYPE, ns, `${POLICY_LABEL}=${policy.metadata.name}`);
  const have = new Set(existing.map((o) => o.metadata.name));
  const want = new Map<string, EtcdBackup>();
  for (const entry of entries) {
    const object = backupObject(policy, entry);
    if (object) want.set(object.metadata.name, object);
  }
  const change: InventoryChange = { created: [], deleted: [] };
  for (const [name, object] of want) {
    if (have.has(name)) continue;
    await api.create(BACKUP_TYPE, ns, object);
    change.created.push(name);
  }
  for (const name of have) {
    if (want.has(name)) continue;
    await api.delete(BACKUP_TYPE, ns, name);
    change.deleted.push(name);
  }
  return change;
}
