/**
 * --config, shared by the commands that run from a kubekeeper config file or an RKE
 * cluster.yml (`config check`, `backup run`, `generate *`, the daemon).
 */
import { AppError } from '../errors.js';
import type { FlagDef } from './command.js';

export const configFlags = {
  config: {
    type: 'string', short: 'c', env: ['KUBEKEEPER_CONFIG'], default: '/etc/kubekeeper/config.yaml', valueName: 'FILE',
    description: 'kubekeeper config (YAML), or an RKE cluster.yml whose services.etcd.backup_config is used',
  },
} as const satisfies Record<string, FlagDef>;

/** Command-line flags named in library hints, and the config key that sets the same thing. */
const CONFIG_KEY_OF_FLAG: Record<string, string> = {
  endpoints: 'etcd.endpoints', cacert: 'etcd.cacert', cert: 'etcd.cert', key: 'etcd.key', user: 'etcd.user', password: 'etcd.password',
  'dial-timeout': 'etcd.dial-timeout', 'command-timeout': 'etcd.command-timeout',
  'insecure-skip-tls-verify': 'etcd.insecure-skip-tls-verify', 'insecure-transport': 'etcd.insecure-transport',
  repo: 'repository.url', 's3-endpoint': 'repository.s3.endpoint', 's3-region': 'repository.s3.region', 's3-ca-file': 'repository.s3.caFile',
  's3-credentials-file': 'repository.s3.accessKeyId/secretAccessKey', recipient: 'backup.recipients', 'passphrase-file': 'backup.passphraseFile',
  identity: 'drill.identityFiles',
};

/**
 * Runs config-driven work (`backup run`, `daemon`): an error whose hint names a command-line
 * flag ("Check --endpoints") gets the config key instead, since these commands take no such
 * flag.
 */
export async function withConfigHints<T>(configFile: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof AppError) || !err.hint) throw err;
    let replaced = false;
    const hint = err.hint.replace(/(?<![\w-])--([a-z][a-z0-9-]*)/g, (flag, name: string) => {
      const key = CONFIG_KEY_OF_FLAG[name];
      if (key === undefined) return flag;
      replaced = true;
      return key;
    });
    if (!replaced) throw err;
    throw new AppError(err.code, err.message, { hint: `${hint} (in the config "${configFile}")`, cause: err, exitCode: err.exitCode });
  }
}
