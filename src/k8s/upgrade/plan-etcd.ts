/**
 * etcd's part of an upgrade plan (spec §4.4): minor versions one at a time, never a downgrade
 * (kubeadm keeps a newer etcd: "Won't downgrade etcd"), latest patch of the current minor first.
 */
import type { ComponentVersion } from '../versions/check-skew.js';
import type { EtcdForKubernetes } from '../versions/etcd-versions.js';
import type { Version } from '../versions/kube-version.js';
import { compareVersions, parseVersion } from '../versions/kube-version.js';

export interface EtcdPlan {
  /** The etcd image tag every member ends at; undefined when etcd is not seen (external/RKE). */
  target: string | undefined;
  blockers: string[];
  warnings: string[];
  /** Target for a member now at `current` (a newer member keeps its version). */
  targetFor(current: string): string;
}

export function planEtcd(members: readonly ComponentVersion[], wanted: EtcdForKubernetes): EtcdPlan {
  const blockers: string[] = [];
  const warnings: string[] = [];
  const versions = members.map((m) => ({ m, v: parseVersion(m.version) })).filter((x): x is { m: ComponentVersion; v: Version } => x.v !== undefined);
  if (versions.length === 0) {
    warnings.push(`etcd version unknown (no etcd static pods): make sure etcd is at least ${wanted.image} before the control plane, one minor at a time`);
    return { target: undefined, blockers, warnings, targetFor: () => '' };
  }
  const newest = versions.reduce((a, b) => (compareVersions(a.v, b.v) >= 0 ? a : b));
  const keepNewer = compareVersions(newest.v, wanted.version) > 0;
  const target = keepNewer ? newest.m.version : wanted.image;
  const targetVersion = keepNewer ? newest.v : wanted.version;
  if (keepNewer) warnings.push(`etcd ${newest.m.version} is newer than ${wanted.image} (kubeadm's etcd for this release): etcd is never downgraded, it stays at ${newest.m.version}`);
  for (const { m, v } of versions) {
    if (v.major !== targetVersion.major || targetVersion.minor - v.minor > 1) {
      blockers.push(`etcd ${m.version}${m.node ? ` on node "${m.node}"` : ''} cannot go straight to ${target}: etcd upgrades one minor version at a time (${v.major}.${v.minor} -> ${v.major}.${v.minor + 1} first)`);
    } else if (targetVersion.minor - v.minor === 1) {
      warnings.push(`etcd ${m.version}${m.node ? ` on node "${m.node}"` : ''} changes minor version: upgrade it to the latest ${v.major}.${v.minor} patch first${v.minor === 5 && targetVersion.minor === 6 ? ' (the 3.5 -> 3.6 guide requires 3.5.26 or later)' : ''}`);
    }
  }
  return {
    target,
    blockers,
    warnings,
    targetFor: (current) => {
      const v = parseVersion(current);
      // A member already at the target release (or newer) keeps what it runs.
      return v && compareVersions(v, targetVersion) >= 0 ? current : target;
    },
  };
}
