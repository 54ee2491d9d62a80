/**
 * What a joining member is started with: the flags that differ from a first start
 * (--initial-cluster with every current member, --initial-cluster-state=existing), as an
 * etcd command line and as an environment file (etcd reads ETCD_<FLAG> variables; systemd's
 * EnvironmentFile= and the RKE/Docker `--env-file` take the same file). Pure.
 */
import type { Member } from '../etcd/index.js';

/** The new member as the runbook knows it (it has no name in the member list until it starts). */
export interface JoiningMember {
  name: string;
  peerURLs: string[];
  /** Shown in the flags when known. */
  clientURLs?: string[];
  dataDir?: string;
}

/**
 * `--initial-cluster` for a member joining `members` (which already hold it, added with
 * MemberAdd): one name=url per peer URL; the unstarted entry (empty name) with the joining
 * member's peer URLs takes its name.
 */
export function initialClusterFor(members: readonly Member[], joining: JoiningMember): string {
  const entries: string[] = [];
  for (const m of members) {
    const isJoining = m.peerURLs.some((u) => joining.peerURLs.includes(u));
    const name = isJoining ? joining.name : m.name;
    for (const url of m.peerURLs) entries.push(`${name}=${url}`);
  }
  return entries.join(',');
}

/** The flags, in etcd's own spelling, that make `joining` join the cluster. */
export function joinFlags(members: readonly Member[], joining: JoiningMember): Array<[string, string]> {
  const flags: Array<[string, string]> = [
    ['name', joining.name],
    ['initial-cluster', initialClusterFor(members, joining)],
    ['initial-cluster-state', 'existing'],
    ['initial-advertise-peer-urls', joining.peerURLs.join(',')],
  ];
  if (joining.clientURLs?.length) flags.push(['advertise-client-urls', joining.clientURLs.join(',')]);
  if (joining.dataDir) flags.push(['data-dir', joining.dataDir]);
  return flags;
}

/** `etcd --name=... --initial-cluster=...` (values need no shell quoting: names and URLs). */
export function renderCommandLine(flags: ReadonlyArray<[string, string]>): string {
  return ['etcd', ...flags.map(([k, v]) => `--${k}=${v}`)].join(' ');
}

/** ETCD_NAME=...\nETCD_INITIAL_CLUSTER=...\n */
export function renderEnvFile(flags: ReadonlyArray<[string, string]>): string {
  return flags.map(([k, v]) => `ETCD_${k.toUpperCase().replace(/-/g, '_')}=${v}\n`).join('');
}

/** Parses renderEnvFile's output back into flags (for tests and for a resumed run). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^ETCD_([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[(m[1] as string).toLowerCase().replace(/_/g, '-')] = m[2] as string;
  }
  return out;
}
