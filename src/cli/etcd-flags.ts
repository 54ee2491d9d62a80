/**
 * The etcd connection flags every networked command shares, named and defaulted as
 * etcdctl's (v3) with the same ETCDCTL_* environment variables, so an operator's habits and
 * scripts carry over.
 */
import type { EtcdConnectOptions } from '../etcd/index.js';
import { UsageError } from '../errors.js';
import type { FlagDef, FlagValues } from './command.js';

export const etcdFlags = {
  endpoints: { type: 'list', env: ['ETCDCTL_ENDPOINTS'], default: ['127.0.0.1:2379'], valueName: 'URLS', description: 'gRPC endpoints' },
  cacert: { type: 'string', env: ['ETCDCTL_CACERT'], valueName: 'FILE', description: 'Verify the server certificate with this CA bundle' },
  cert: { type: 'string', env: ['ETCDCTL_CERT'], valueName: 'FILE', description: 'Client certificate for TLS' },
  key: { type: 'string', env: ['ETCDCTL_KEY'], valueName: 'FILE', description: 'Client private key for TLS' },
  user: { type: 'string', env: ['ETCDCTL_USER'], valueName: 'NAME[:PASSWORD]', secret: true, description: 'Username, or username:password' },
  password: { type: 'string', env: ['ETCDCTL_PASSWORD'], valueName: 'PASSWORD', secret: true, description: 'Password (instead of user:password)' },
  'dial-timeout': { type: 'duration', env: ['ETCDCTL_DIAL_TIMEOUT'], default: 2000, description: 'Timeout to connect to an endpoint' },
  'command-timeout': { type: 'duration', env: ['ETCDCTL_COMMAND_TIMEOUT'], default: 5000, description: 'Timeout of short requests (not snapshot streams)' },
  'insecure-skip-tls-verify': { type: 'boolean', env: ['ETCDCTL_INSECURE_SKIP_TLS_VERIFY'], description: 'Do not verify the server certificate (unsafe)' },
  'insecure-transport': { type: 'boolean', env: ['ETCDCTL_INSECURE_TRANSPORT'], default: true, description: 'Allow plain-text connections when no TLS file is given' },
} as const satisfies Record<string, FlagDef>;

/** Turns parsed etcd flags into connection options; splits --user name:password like etcdctl. */
export function etcdOptionsFromFlags(flags: FlagValues<typeof etcdFlags>): EtcdConnectOptions {
  let user = flags.user;
  let password = flags.password;
  if (user !== undefined && password === undefined) {
    const colon = user.indexOf(':');
    if (colon < 0) throw new UsageError('--user needs a password and there is no terminal to ask for it', 'Set ETCDCTL_PASSWORD (it stays out of the process list), or run on a terminal to be asked');
    password = user.slice(colon + 1);
    user = user.slice(0, colon);
  }
  if (flags.endpoints.length === 0) throw new UsageError('--endpoints is empty');
  return {
    endpoints: flags.endpoints,
    caFile: flags.cacert,
    certFile: flags.cert,
    keyFile: flags.key,
    insecureSkipVerify: flags['insecure-skip-tls-verify'],
    useTls: !flags['insecure-transport'],
    user,
    password,
    dialTimeoutMs: flags['dial-timeout'],
    commandTimeoutMs: flags['command-timeout'],
  };
}
