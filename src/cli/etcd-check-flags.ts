/**
 * Optional etcd flags for commands whose etcd part runs only when asked (health, upgrade plan,
 * upgrade node): the etcdctl connection flags prefixed with "etcd-" (--etcd-endpoints,
 * --etcd-cacert, ...), and the adapter from kubekeeper's etcd client to the k8s health role.
 */
import type { EtcdClient, EtcdConnectOptions } from '../etcd/index.js';
import { checkEndpointHealth, connectEtcd } from '../etcd/index.js';
import type { EtcdHealthSource } from '../k8s/index.js';
import type { FlagDef, FlagValues } from './command.js';
import { etcdFlags, etcdOptionsFromFlags } from './etcd-flags.js';

export const etcdCheckFlags = {
  'etcd-endpoints': { type: 'list', env: ['ETCDCTL_ENDPOINTS'], valueName: 'URLS', description: 'etcd endpoints; etcd is checked only when given' },
  'etcd-cacert': etcdFlags.cacert,
  'etcd-cert': etcdFlags.cert,
  'etcd-key': etcdFlags.key,
  'etcd-user': etcdFlags.user,
  'etcd-password': etcdFlags.password,
  'etcd-dial-timeout': etcdFlags['dial-timeout'],
  'etcd-command-timeout': etcdFlags['command-timeout'],
  'etcd-insecure-skip-tls-verify': etcdFlags['insecure-skip-tls-verify'],
  'etcd-insecure-transport': etcdFlags['insecure-transport'],
} as const satisfies Record<string, FlagDef>;

/** The etcd connection options, or undefined when no --etcd-endpoints were given. */
export function etcdOptionsFromCheckFlags(flags: FlagValues<typeof etcdCheckFlags>): EtcdConnectOptions | undefined {
  if (flags['etcd-endpoints'].length === 0) return undefined;
  return etcdOptionsFromFlags({
    endpoints: flags['etcd-endpoints'],
    cacert: flags['etcd-cacert'],
    cert: flags['etcd-cert'],
    key: flags['etcd-key'],
    user: flags['etcd-user'],
    password: flags['etcd-password'],
    'dial-timeout': flags['etcd-dial-timeout'],
    'command-timeout': flags['etcd-command-timeout'],
    'insecure-skip-tls-verify': flags['etcd-insecure-skip-tls-verify'],
    'insecure-transport': flags['etcd-insecure-transport'],
  });
}

const hex = (id: bigint) => id.toString(16);

/**
 * The etcd health role over kubekeeper's etcd client. Connects lazily, so an unreachable
 * cluster shows up as failed checks in the report instead of aborting the whole command.
 */
export function etcdHealthSource(options: EtcdConnectOptions, signal?: AbortSignal): { source: EtcdHealthSource; close(): void } {
  let pending: Promise<EtcdClient> | undefined;
  const client = () => (pending ??= connectEtcd(options, signal));
  const source: EtcdHealthSource = {
    endpoints: options.endpoints,
    memberList: async () => (await (await client()).memberList()).map((m) => ({ id: hex(m.id), name: m.name, peerUrls: m.peerURLs, clientUrls: m.clientURLs, isLearner: m.isLearner })),
    endpointHealth: async (endpoint) => {
      const h = await checkEndpointHealth(options, endpoint, signal);
      return { healthy: h.health, tookMs: h.tookMs, ...(h.error ? { error: h.error } : {}) };
    },
    endpointStatus: async (endpoint) => {
      const s = await (await client()).status(endpoint);
      return {
        memberId: hex(s.memberId), version: s.version, dbSizeBytes: s.dbSize, leaderId: hex(s.leader),
        raftTerm: Number(s.raftTerm), raftIndex: Number(s.raftIndex), isLearner: s.isLearner, errors: s.errors,
      };
    },
    alarms: async () => (await (await client()).alarms()).filter((a) => a.alarm !== 'NONE').map((a) => ({ memberId: hex(a.memberId), alarm: a.alarm })),
  };
  return {
    source,
    close: () => {
      pending?.then((c) => c.close(), () => undefined);
    },
  };
}
