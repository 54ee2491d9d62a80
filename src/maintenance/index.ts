export { DEFAULT_QUOTA_BYTES, describeMember, roundPercent, type MemberDetail } from './member-detail.js';
export { DEFAULT_DEFRAG_POLICY, decideMember, planDefrag, type DefragPlan, type DefragPolicy, type DefragStep, type MemberDecision } from './defrag-plan.js';
export { applyDefragPlan, type ApplyDefragOptions, type DefragActions, type DefragResult, type DefragStepResult, type SizeSnapshot } from './defrag-apply.js';
export { UnhealthyClusterError, waitClusterHealthy, type HealthGateOptions, type HealthSource } from './health-gate.js';
export { memberEndpoints, readClusterView, readMembership, resolveEndpoints, statusDetails, type ClusterView, type ClusterViewOptions, type UnreachableEndpoint } from './cluster-view.js';
export { etcdDefragActions, type EtcdActionsOptions } from './etcd-actions.js';
export { checkHashKV, type HashKVCheck, type HashKVCheckOptions, type MemberHash } from './hashkv-check.js';
