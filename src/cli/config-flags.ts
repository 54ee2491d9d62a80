/**
 * --config, shared by the commands that run from a kubekeeper config file or an RKE
 * cluster.yml (`config check`, `backup run`, `generate *`, the daemon).
 */
import type { FlagDef } from './command.js';

export const configFlags = {
  config: {
    type: 'string', short: 'c', env: ['KUBEKEEPER_CONFIG'], default: '/etc/kubekeeper/config.yaml', valueName: 'FILE',
    description: 'kubekeeper config (YAML), or an RKE cluster.yml whose services.etcd.backup_config is used',
  },
} as const satisfies Record<string, FlagDef>;
