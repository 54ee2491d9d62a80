/**
 * planUpgrade: what a Kubernetes upgrade to `target` involves and whether the skew policy
 * allows it (spec §4.1, §4.3, §4.4). Pure: the inventory comes in, a plan comes out with the
 * component table (like `kubeadm upgrade plan`), the current skew violations, the blockers that
 * refuse the target, and the ordered steps with the checks between them: a verified etcd
 * backup first, then health, etcd members one at a time, control-plane nodes one at a time,
 * workers one at a time, kube-proxy, and a final health check.
 */
import type { ComponentVersion, SkewFinding } from '../versions/check-skew.js';
import { allowedNodeLag, checkSkew } from '../versions/check-skew.js';
import { etcdForKubernetes } from '../versions/etcd-versions.js';
import type { Version } from '../versions/kube-version.js';
import { compareVersions, formatKubeVersion, formatMinor, minorDistance, parseVersion, versionRange } from '../versions/kube-version.js';
import type { ClusterInventory } from './inventory.js';
import { planEtcd } from './plan-etcd.js';
import type { UpgradeComponentRow, UpgradeStep } from './upgrade-steps.js';
import { planSteps } from './upgrade-steps.js';

export type { UpgradeComponentRow, UpgradeStep } from './upgrade-steps.js';

export interface UpgradePlan {
  /** Oldest kube-apiserver version: the version the cluster is "at". */
  clusterVersion: string;
  target: string | undefined;
  /** What the skew policy allows from here, in words. */
  allowed: string[];
  components: UpgradeComponentRow[];
  skew: SkewFinding[];
  /** Reasons the target is refused; steps are empty when there is any. */
  blockers: string[];
  warnings: string[];
  etcd: { current: string[]; target: string | undefined };
  steps: UpgradeStep[];
}

export interface PlanUpgradeInput {
  inventory: ClusterInventory;
  /** "1.29.3" or "v1.29.3"; undefined plans nothing and reports what is allowed. */
  target?: string;
}

function nodeBlockers(components: readonly ComponentVersion[], target: Version): string[] {
  const blockers: string[] = [];
  for (const c of components.filter((x) => x.component === 'kubelet' || x.component === 'kube-proxy')) {
    const v = parseVersion(c.version);
    if (!v) continue;
    const lag = allowedNodeLag(target, v);
    const behind = minorDistance(target, v);
    if (behind > lag) {
      const where = c.node ? ` on node "${c.node}"` : '';
      blockers.push(`${c.component} ${c.version}${where} would be ${behind} minor versions behind kube-apiserver ${formatKubeVersion(target)} (at most ${lag} supported): upgrade it to v${target.major}.${target.minor - lag} or later first`);
    }
  }
  return blockers;
}

function allowedFrom(oldest: Version, components: readonly ComponentVersion[]): string[] {
  const next = { ...oldest, minor: oldest.minor + 1, patch: 0 };
  const allowed = [`patch releases of ${formatMinor(oldest)} newer than ${formatKubeVersion(oldest)}`, `${formatMinor(next)}.x (one minor version up; never skip a minor)`];
  const needs = nodeBlockers(components, next);
  if (needs.length > 0) allowed.push(`before ${formatMinor(next)}: ${needs.length} kubelet/kube-proxy version(s) must be upgraded first`);
  return allowed;
}

/** Plans the upgrade. Pure and deterministic (golden-tested). */
export function planUpgrade(input: PlanUpgradeInput): UpgradePlan {
  const { inventory } = input;
  const components = inventory.components;
  const apiservers = versionRange(components.filter((c) => c.component === 'kube-apiserver').map((c) => parseVersion(c.version)).filter((v): v is Version => v !== undefined));
  const skew = checkSkew(components);
  const oldest = apiservers?.oldest ?? parseVersion(inventory.serverVersion);
  const plan: UpgradePlan = {
    clusterVersion: oldest ? formatKubeVersion(oldest) : inventory.serverVersion,
    target: undefined,
    allowed: oldest ? allowedFrom(oldest, components) : [],
    components: components.map((c) => ({ component: c.component, node: c.node, current: c.version, target: '' })),
    skew,
    blockers: [],
    warnings: [],
    etcd: { current: [...new Set(components.filter((c) => c.component === 'etcd').map((c) => c.version))], target: undefined },
    steps: [],
  };
  if (input.target === undefined || !oldest || !apiservers) return plan;
  const target = parseVersion(input.target);
  if (!target || target.suffix !== '') {
    plan.blockers.push(`"${input.target}" is not a Kubernetes release version (expected 1.x.y)`);
    return plan;
  }
  plan.target = formatKubeVersion(target);
  const { newest } = apiservers;
  if (compareVersions(target, newest) < 0) plan.blockers.push(`${plan.target} is older than the running kube-apiserver ${formatKubeVersion(newest)}: downgrades are not planned`);
  if (minorDistance(target, oldest) > 1) {
    const via = formatMinor({ ...oldest, minor: oldest.minor + 1 });
    plan.blockers.push(`${plan.target} is too high: upgrade one minor version at a time (${formatMinor(oldest)} -> ${via} -> ... -> ${formatMinor(target)})`);
  }
  if (minorDistance(newest, oldest) > 1) plan.blockers.push(`kube-apiserver instances already span ${formatKubeVersion(oldest)} to ${formatKubeVersion(newest)}: bring them within 1 minor first`);
  plan.blockers.push(...nodeBlockers(components, target));
  if (minorDistance(target, oldest) === 1) plan.warnings.push(`Upgrading to the latest patch release of ${formatMinor(oldest)} before moving to ${formatMinor(target)} is recommended`);
  const etcdTarget = etcdForKubernetes(target);
  if (etcdTarget.warning) plan.warnings.push(etcdTarget.warning);
  const etcd = planEtcd(components.filter((c) => c.component === 'etcd'), etcdTarget);
  plan.blockers.push(...etcd.blockers);
  plan.warnings.push(...etcd.warnings);
  plan.etcd.target = etcd.target;
  for (const row of plan.components) {
    if (row.component === 'etcd') row.target = etcd.targetFor(row.current);
    else row.target = plan.target;
  }
  if (plan.blockers.length === 0) plan.steps = planSteps(inventory, plan.components, plan.target, etcd.target);
  return plan;
}
