// The operator domain: EtcdBackupPolicy/EtcdBackup resources, their reconciler under Lease
// leader election, and the manifests that install it. Other folders import it through this file.
export { API_VERSION, BACKUP_TYPE, CONTROLLER_NAME, GROUP, POLICY_LABEL, POLICY_TYPE, VERSION, type EtcdBackup, type EtcdBackupPolicy, type EtcdBackupPolicySpec, type EtcdBackupSpec } from './resources.js';
export type { OperatorApi } from './operator-api.js';
export { runOperator, type OperatorOptions } from './operator.js';
export { operatorMetricFamilies, type OperatorState } from './operator-state.js';
export { firstPolicySlot, parsePolicySchedule, slotBackupName, slotOfBackupName } from './policy-schedule.js';
export { generateOperatorManifests, KUBEADM_ETCD_PKI, RKE_SSL_DIR, type OperatorManifestOptions } from './generate-operator.js';
export { operatorCrds } from './crd-schemas.js';
