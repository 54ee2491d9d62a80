/**
 * Flags the maintenance commands share (defrag, endpoint status/hashkv), named as etcdctl's
 * where it has them (--cluster) and as etcd's where they mirror an etcd setting (--quota-bytes
 * for --quota-backend-bytes).
 */
import { DEFAULT_QUOTA_BYTES } from '../maintenance/index.js';
import type { FlagDef } from './command.js';

export const clusterFlag = {
  cluster: { type: 'boolean', description: 'Use all endpoints from the cluster member list (like etcdctl --cluster)' },
} as const satisfies Record<string, FlagDef>;

export const quotaFlag = {
  'quota-bytes': {
    type: 'number', integer: true, min: 1, default: DEFAULT_QUOTA_BYTES, valueName: 'BYTES',
    description: "The members' backend quota (etcd's quota-backend-bytes), for etcd < 3.6 which does not report it",
  },
} as const satisfies Record<string, FlagDef>;
