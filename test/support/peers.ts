/**
 * Where the real peers built by scripts/peers.sh live: etcd 3.4 (Debian bookworm), 3.5 (Debian
 * trixie's .deb), 3.6 and 3.7 (built), Kubernetes (kube-apiserver, kube-controller-manager,
 * kubectl) and versitygw. The versions come from peers/versions.env, the paths from the cache's
 * peers.list that peers.sh writes after a complete build.
 *
 * A conformance suite asks for its peers through `requirePeer`: when the peers were not built
 * (KK_PEERS=0 in local development) the suite is skipped with that reason printed; in CI a missing
 * peer is a failure, never a skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** Pinned versions, by the variable names of peers/versions.env. */
export const pinnedVersions: Readonly<Record<string, string>> = parseEnvFile(path.join(repoRoot, 'peers', 'versions.env'));

function parseEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S+)\s*$/.exec(line);
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

export function peersCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.KK_PEERS_CACHE || path.join(xdg, 'kubekeeper', 'peers');
}

function readPeerList(): Map<string, string> {
  const file = path.join(peersCacheDir(), 'peers.list');
  const map = new Map<string, string>();
  if (!existsSync(file)) return map;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) map.set(line.slice(0, i), line.slice(i + 1));
  }
  return map;
}

export interface EtcdPeer {
  /** Full version, e.g. "3.6.17". */
  version: string;
  /** Minor line, e.g. "3.6". */
  minor: string;
  /** Directory holding etcd, etcdctl and (from 3.5) etcdutl. */
  binDir: string;
  /** etcdutl exists from 3.5; 3.4's snapshot status/restore are etcdctl's. */
  hasEtcdutl: boolean;
}

/** Every etcd line the conformance suite covers, oldest first, from the pinned versions. */
export const etcdVersions: readonly string[] = ['ETCD_34_DEBIAN', 'ETCD_35_DEBIAN', 'ETCD_36', 'ETCD_37'].map((k) => {
  const v = pinnedVersions[k];
  if (!v) throw new Error(`peers/versions.env has no ${k}`);
  return v;
});

export interface PeerLookup<T> {
  peer?: T;
  /** Why the peer is missing (for t.skip), when it is. */
  missing?: string;
}

/**
 * The bin dir of a peer named as in peers.list ("etcd-3.6.17", "kubernetes-1.37.2", ...), checked
 * to contain `binaries`. Missing in CI throws: a listed peer must have been built.
 */
export function findPeerBinDir(name: string, binaries: readonly string[]): PeerLookup<string> {
  const dir = readPeerList().get(name);
  let missing: string | undefined;
  if (dir === undefined) missing = `peer ${name} was not built (run scripts/peers.sh; KK_PEERS=0 skips it)`;
  else {
    const absent = binaries.filter((b) => !existsSync(path.join(dir, b)));
    if (absent.length > 0) missing = `peer ${name} lacks ${absent.join(', ')} in ${dir}`;
  }
  if (missing === undefined) return { peer: dir as string };
  if (process.env.CI === 'true') throw new Error(`${missing}: CI never skips a real peer`);
  return { missing };
}

export function findEtcd(version: string): PeerLookup<EtcdPeer> {
  const minor = version.split('.').slice(0, 2).join('.');
  const hasEtcdutl = minor !== '3.4';
  const found = findPeerBinDir(`etcd-${version}`, hasEtcdutl ? ['etcd', 'etcdctl', 'etcdutl'] : ['etcd', 'etcdctl']);
  if (!found.peer) return { missing: found.missing as string };
  return { peer: { version, minor, binDir: found.peer, hasEtcdutl } };
}

export interface KubernetesPeer {
  version: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
}

/** The Kubernetes minors the conformance suite covers, newest first: 1.37 (the default) and 1.35. */
export const kubernetesVersions: readonly string[] = ['KUBERNETES_137', 'KUBERNETES_135'].map((k) => {
  const v = pinnedVersions[k];
  if (!v) throw new Error(`peers/versions.env has no ${k}`);
  return v;
});

export function findKubernetes(version = pinnedVersions.KUBERNETES_137 as string): PeerLookup<KubernetesPeer> {
  const found = findPeerBinDir(`kubernetes-${version}`, ['kube-apiserver', 'kube-controller-manager', 'kubectl']);
  if (!found.peer) return { missing: found.missing as string };
  const bin = found.peer;
  return {
    peer: {
      version,
      kubeApiserver: path.join(bin, 'kube-apiserver'),
      kubeControllerManager: path.join(bin, 'kube-controller-manager'),
      kubectl: path.join(bin, 'kubectl'),
    },
  };
}

export function findVersitygw(version = pinnedVersions.VERSITYGW as string): PeerLookup<string> {
  const found = findPeerBinDir(`versitygw-${version}`, ['versitygw']);
  if (!found.peer) return { missing: found.missing as string };
  return { peer: path.join(found.peer, 'versitygw') };
}
