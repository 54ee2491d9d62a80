/**
 * upgrade_strategy rules (spec §5.1 and its production acceptance table): batch sizes that take
 * too much capacity, drain disabled (cordon only), and node_drain_input choices.
 */
import { asBool, asNumber } from './cluster-file.js';
import type { ReviewContext, ReviewFinding } from './finding.js';
import { resolveMaxUnavailable } from './max-unavailable.js';

/** A worker batch larger than this share of the pool takes too much capacity at once. */
const MAX_WORKER_SHARE = 0.25;
/** A drain timeout this short gives PDB-blocked evictions no time to be retried (5 s apart). */
const MIN_DRAIN_TIMEOUT_SECONDS = 60;
/** Rancher's validation range for node_drain_input.timeout. */
const MAX_DRAIN_TIMEOUT_SECONDS = 10_800;

const US = 'upgrade_strategy';

export function reviewUpgradeStrategy({ file, roles }: ReviewContext): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  const add = (rule: string, severity: ReviewFinding['severity'], key: string[], message: string, why: string, fix: string) =>
    out.push({ rule, severity, path: [US, ...key].join('.'), line: file.lineOf([US, ...key]), message, why, fix });

  // With a single node of a role every batch is the whole role; the topology rules report that.
  const cp = file.get([US, 'max_unavailable_controlplane']) ?? '1';
  const cpMax = resolveMaxUnavailable(cp, roles.controlplane, 'controlplane');
  if (!cpMax.ok) add('upgrade.max-unavailable-invalid', 'high', ['max_unavailable_controlplane'], cpMax.error, '`rke up` refuses the file, so no upgrade can run', 'Set max_unavailable_controlplane: 1');
  else if (roles.controlplane > 1 && (cpMax.count >= roles.controlplane || (roles.controlplane >= 3 && cpMax.count > 1))) {
    add('upgrade.controlplane-batch-too-large', 'high', ['max_unavailable_controlplane'],
      `max_unavailable_controlplane "${cpMax.text}" upgrades ${cpMax.count} of ${roles.controlplane} control-plane node(s) at once`,
      'all or most kube-apiservers restart together: an API outage, and no failure tolerance left during the upgrade',
      'Set max_unavailable_controlplane: 1');
  }

  const worker = file.get([US, 'max_unavailable_worker']) ?? '10%';
  const wMax = resolveMaxUnavailable(worker, roles.worker, 'worker');
  if (!wMax.ok) add('upgrade.max-unavailable-invalid', 'high', ['max_unavailable_worker'], wMax.error, '`rke up` refuses the file, so no upgrade can run', 'Use a positive integer or percentage, e.g. "10%"');
  else if (roles.worker > 1 && wMax.count >= roles.worker) {
    add('upgrade.worker-batch-whole-pool', 'critical', ['max_unavailable_worker'],
      `max_unavailable_worker "${wMax.text}" takes all ${roles.worker} worker node(s) at once`,
      'the whole worker pool is cordoned and drained together: every workload goes down, and the failure threshold is meaningless',
      'Set max_unavailable_worker to "10%" (or 1 on small pools)');
  } else if (roles.worker > 0 && wMax.count / roles.worker > MAX_WORKER_SHARE) {
    add('upgrade.worker-batch-too-large', 'medium', ['max_unavailable_worker'],
      `max_unavailable_worker "${wMax.text}" takes ${wMax.count} of ${roles.worker} workers (${Math.round((100 * wMax.count) / roles.worker)}%) at once`,
      'that much capacity leaves at once; the remaining nodes must absorb every evicted pod or workloads go Pending',
      `Keep it at or below ${MAX_WORKER_SHARE * 100}% of the pool, e.g. "10%"`);
  }

  const drain = asBool(file.get([US, 'drain']));
  if (drain !== true) {
    add('upgrade.drain-disabled', 'high', ['drain'], drain === false ? 'drain: false — upgrades only cordon nodes' : 'drain is not set (defaults to false) — upgrades only cordon nodes',
      'pods are killed when kubelet and kube-proxy restart instead of being evicted first; PodDisruptionBudgets are never consulted',
      'Set upgrade_strategy.drain: true and review node_drain_input');
  }
  const nd = (key: string) => file.get([US, 'node_drain_input', key]);
  if (drain !== true) {
    if (file.has([US, 'node_drain_input'])) add('upgrade.drain-input-ignored', 'low', ['node_drain_input'], 'node_drain_input is set but drain is not true, so it is ignored', 'the settings look active but no drain happens', 'Set drain: true, or remove node_drain_input');
    return out;
  }
  if (asBool(nd('force')) === true) add('upgrade.drain-force', 'high', ['node_drain_input', 'force'], 'node_drain_input.force: true', 'pods without a controller are deleted for good: nothing recreates them', 'Set force: false and give such pods a controller (Deployment, StatefulSet)');
  if (asBool(nd('delete_local_data')) === true) add('upgrade.drain-delete-local-data', 'medium', ['node_drain_input', 'delete_local_data'], 'node_drain_input.delete_local_data: true', 'the emptyDir data of every evicted pod is lost; acceptable only for caches and scratch space', 'Set delete_local_data: false unless every emptyDir is disposable');
  if (asBool(nd('ignore_daemonsets')) === false) add('upgrade.drain-daemonsets', 'high', ['node_drain_input', 'ignore_daemonsets'], 'node_drain_input.ignore_daemonsets: false', 'drain fails on every node that runs a DaemonSet, which is every node: the upgrade stops', 'Set ignore_daemonsets: true (the default)');
  const grace = asNumber(nd('grace_period'));
  if (grace === 0) add('upgrade.drain-grace-zero', 'medium', ['node_drain_input', 'grace_period'], 'node_drain_input.grace_period: 0', 'pods are killed at once without a graceful shutdown: in-flight requests fail, data may not be flushed', 'Use -1 (each pod\'s own terminationGracePeriodSeconds)');
  const timeout = asNumber(nd('timeout'));
  if (timeout !== undefined && (timeout < 1 || timeout > MAX_DRAIN_TIMEOUT_SECONDS)) {
    add('upgrade.drain-timeout-invalid', 'high', ['node_drain_input', 'timeout'], `node_drain_input.timeout: ${timeout} is outside 1-${MAX_DRAIN_TIMEOUT_SECONDS}`, 'Rancher rejects the value', 'Use 120 (the default) or more');
  } else if (timeout !== undefined && timeout < MIN_DRAIN_TIMEOUT_SECONDS) {
    add('upgrade.drain-timeout-short', 'medium', ['node_drain_input', 'timeout'], `node_drain_input.timeout: ${timeout} seconds`,
      'evictions blocked by a PodDisruptionBudget are retried every 5 s; a short drain timeout aborts while they wait and the node upgrade fails',
      'Use at least 120 (the default), more for slow-terminating workloads');
  }
  return out;
}
