/**
 * Member and cluster IDs of a restored cluster, computed exactly as etcd does so that every
 * member restored from the same flags agrees, and so that the IDs equal etcdctl's (spec §5.3).
 * Restore hashes no timestamp: the same flags always give the same IDs.
 */
import { createHash } from 'node:crypto';
import {
  RestoreConfigError, compareBytewise, formatInitialCluster, parseInitialCluster, parsePeerUrls,
} from './member-id-url.js';

/** One member of the new cluster, as restore writes it (never a learner, no client URLs). */
export interface RestoreMember {
  id: bigint;
  name: string;
  /** Canonical peer URLs, sorted bytewise. */
  peerUrls: string[];
}

/** The new cluster: members sorted by ascending numeric ID, and the one being restored here. */
export interface RestoreCluster {
  clusterId: bigint;
  members: RestoreMember[];
  local: RestoreMember;
  token: string;
}

export interface RestoreClusterOptions {
  /** `--name`: this member's name, a key of `initialCluster`. */
  name: string;
  /** `--initial-cluster`: `name=url,...`. */
  initialCluster: string;
  /** `--initial-cluster-token`. */
  initialClusterToken: string;
  /** `--initial-advertise-peer-urls`, split on ",". */
  initialAdvertisePeerUrls: readonly string[];
}

const CLUSTER_HINT = 'Give every member as --initial-cluster name=peer-url,... and this member\'s own URLs in --initial-advertise-peer-urls';

/** sha1(sorted URLs joined without separator ‖ token), first 8 bytes big-endian. */
export function computeMemberId(sortedPeerUrls: readonly string[], token: string): bigint {
  const digest = createHash('sha1').update(sortedPeerUrls.join('') + token, 'utf8').digest();
  return digest.readBigUInt64BE(0);
}

/** sha1 of the member IDs sorted ascending, each as 8 bytes big-endian; first 8 bytes. */
export function computeClusterId(memberIds: readonly bigint[]): bigint {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = Buffer.alloc(8 * sorted.length);
  sorted.forEach((id, i) => bytes.writeBigUInt64BE(id, 8 * i));
  return createHash('sha1').update(bytes).digest().readBigUInt64BE(0);
}

/** Unpadded lowercase hex, as etcd prints IDs and names `members` bucket keys (Go %x). */
export function formatId(id: bigint): string {
  return id.toString(16);
}

/**
 * Validates the restore flags in etcd's order (spec §5.2) and computes the new cluster.
 * Throws RestoreConfigError with etcd's message for the first problem found.
 */
export function planRestoreCluster(options: RestoreClusterOptions): RestoreCluster {
  const advertised = parsePeerUrls(options.initialAdvertisePeerUrls);
  const cluster = parseInitialCluster(options.initialCluster);
  const ownUrls = cluster.get(options.name);
  if (ownUrls === undefined) {
    throw new RestoreConfigError(`couldn't find local name "${options.name}" in the initial cluster configuration`, CLUSTER_HINT);
  }
  checkAdvertiseMatchesCluster(options.name, advertised, ownUrls);
  const seen = new Set<string>();
  for (const urls of cluster.values()) {
    for (const url of urls) {
      if (seen.has(url)) throw new RestoreConfigError(`initial cluster ${formatInitialCluster(cluster)} has duplicate url`, CLUSTER_HINT);
      seen.add(url);
    }
  }
  if (cluster.size === 0) throw new RestoreConfigError('initial cluster unset and no discovery URL found', CLUSTER_HINT);

  const members: RestoreMember[] = [];
  for (const [name, peerUrls] of cluster) {
    const id = computeMemberId(peerUrls, options.initialClusterToken);
    const twin = members.find((m) => m.id === id);
    if (twin) throw new RestoreConfigError(`member exists with identical ID ${formatId(id)} (members "${twin.name}" and "${name}")`, CLUSTER_HINT);
    if (id === 0n) throw new RestoreConfigError('cannot use 0 as member id', 'Change --initial-cluster-token');
    members.push({ id, name, peerUrls });
  }
  members.sort((a, b) => (a.id < b.id ? -1 : 1));
  const local = members.find((m) => m.name === options.name) as RestoreMember;
  return { clusterId: computeClusterId(members.map((m) => m.id)), members, local, token: options.initialClusterToken };
}

/** etcd's advertiseMatchesCluster, without its DNS fallback (see the file comment). */
function checkAdvertiseMatchesCluster(name: string, advertised: readonly string[], ownUrls: readonly string[]): void {
  if (advertised.length === ownUrls.length && advertised.every((u, i) => u === ownUrls[i])) return;
  const missingFromAdvertised = ownUrls.filter((u) => !advertised.includes(u));
  const hint = 'kubekeeper compares these URLs as text (it never resolves host names during a restore); spell them the same in both flags';
  if (missingFromAdvertised.length > 0) {
    throw new RestoreConfigError(
      `--initial-cluster has ${missingFromAdvertised.map((u) => `${name}=${u}`).join(',')} but missing from --initial-advertise-peer-urls=${advertised.join(',')}`,
      hint,
    );
  }
  const missingFromCluster = [...new Set(advertised.filter((u) => !ownUrls.includes(u)))].sort(compareBytewise);
  const own = formatInitialCluster(new Map([[name, [...advertised]]]));
  if (missingFromCluster.length > 0) {
    throw new RestoreConfigError(`--initial-advertise-peer-urls has ${missingFromCluster.join(',')} but missing from --initial-cluster=${own}`, hint);
  }
  // Same sets, different multiplicity (a URL listed twice on one side).
  throw new RestoreConfigError(`failed to resolve ${advertised.join(',')} to match --initial-cluster=${own}`, hint);
}
