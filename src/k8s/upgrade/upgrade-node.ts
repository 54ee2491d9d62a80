/**
 * upgradeNode: one node's upgrade with guards, resumable through a state file:
 * backup (control-plane nodes) -> cordon -> drain -> the operator's command -> wait until the
 * node is Ready with the expected kubelet version -> health -> uncordon. kubekeeper never
 * installs anything itself; the operator's command does (e.g. kubeadm + the kubelet package).
 */
import { AppError } from '../../errors.js';
import type { Clock } from '../clock.js';
import { setNodeCordon } from '../cordon.js';
import type { DrainApi, DrainEvent } from '../drain/drain-api.js';
import type { DrainOptions } from '../drain/drain-options.js';
import { drainFailedError, drainNode } from '../drain/drain-node.js';
import type { RunbookEvent, RunbookStep } from '../runbook/run-runbook.js';
import { runRunbook } from '../runbook/run-runbook.js';
import type { RunbookState } from '../runbook/state-file.js';
import { waitForNode } from '../runbook/wait-for-node.js';
import { isControlPlaneNode, isNodeReady } from '../types.js';
import { formatKubeVersion, parseVersion } from '../versions/kube-version.js';

/** The roles an upgrade step needs, each injected (the CLI wires real ones, tests fakes). */
export interface UpgradeNodeDeps {
  api: DrainApi;
  /** Takes and verifies an etcd snapshot; resolves with where it went. Only called for control-plane nodes. */
  takeBackup: (signal?: AbortSignal) => Promise<string>;
  /** Runs the operator's command; resolves with its exit code. */
  runCommand: (command: string, env: Record<string, string>, signal?: AbortSignal) => Promise<number>;
  /** Cluster health after the node came back. */
  checkHealth: (signal?: AbortSignal) => Promise<{ healthy: boolean; problems: string[] }>;
}

export interface UpgradeNodeOptions {
  node: string;
  /** Kubernetes version the node's kubelet must report afterwards ("1.29.3" or "v1.29.3"). */
  target: string;
  command: string;
  drain: DrainOptions;
  readyTimeoutMs: number;
  stateFile: string;
  clock: Clock;
  signal?: AbortSignal;
  onEvent?: (event: RunbookEvent | DrainEvent | { type: 'waiting'; what: string; missing: string }) => void;
}

interface UpgradeData {
  controlPlane: boolean;
}

/** Upgrades (or resumes upgrading) one node. Throws AppError at the first failed guard. */
export async function upgradeNode(deps: UpgradeNodeDeps, options: UpgradeNodeOptions): Promise<RunbookState<UpgradeData>> {
  const parsed = parseVersion(options.target);
  if (!parsed || parsed.suffix !== '') throw new AppError('usage', `"${options.target}" is not a Kubernetes version (expected 1.x.y)`, { exitCode: 2 });
  const target = formatKubeVersion(parsed);
  const { api, clock, signal } = { api: deps.api, clock: options.clock, signal: options.signal };
  const emit = options.onEvent ?? (() => undefined);
  const drain = async () => {
    const result = await drainNode(api, options.node, options.drain, { clock, signal, onEvent: emit });
    if (!result.drained) throw drainFailedError(result, options.drain.timeoutMs);
    return `${result.plan.evict.length} pod(s) evicted`;
  };
  const steps: Array<RunbookStep<UpgradeData>> = [
    {
      name: 'backup',
      title: 'Take and verify an etcd snapshot',
      run: async (state) => (state.data.controlPlane ? `snapshot ${await deps.takeBackup(signal)}` : { skipped: 'worker node: no etcd backup needed' }),
    },
    { name: 'cordon', title: `Cordon node "${options.node}"`, run: async () => (await setNodeCordon(api, options.node, true)).outcome },
    { name: 'drain', title: `Drain node "${options.node}"`, run: drain },
    {
      name: 'exec',
      title: `Run the upgrade command on "${options.node}"`,
      run: async () => {
        // After a pause someone may have uncordoned the node and pods came back: drain again first.
        if ((await api.getNode(options.node)).spec?.unschedulable !== true) {
          emit({ type: 'cordon', result: await setNodeCordon(api, options.node, true) });
          await drain();
        }
        const code = await deps.runCommand(options.command, { KUBEKEEPER_NODE: options.node, KUBEKEEPER_TARGET_VERSION: target }, signal);
        if (code !== 0) {
          throw new AppError('exec-failed', `The upgrade command for node "${options.node}" exited with code ${code}`, {
            hint: 'Fix the cause and rerun the same kubekeeper command: it resumes at this step and runs the command again',
          });
        }
        return 'exit code 0';
      },
    },
    {
      name: 'wait-ready',
      title: `Wait until "${options.node}" is Ready with kubelet ${target}`,
      run: async () => {
        const node = await waitForNode(options.node, {
          getNode: (n) => api.getNode(n),
          clock,
          signal,
          timeoutMs: options.readyTimeoutMs,
          what: `node "${options.node}" to be Ready with kubelet ${target}`,
          missing: (n) => {
            const version = n.status?.nodeInfo?.kubeletVersion ?? 'unknown';
            if (version !== target) return `kubelet reports ${version}`;
            return isNodeReady(n) ? undefined : 'node is not Ready';
          },
          onWaiting: (missing) => emit({ type: 'waiting', what: options.node, missing }),
        });
        return `Ready, kubelet ${node.status?.nodeInfo?.kubeletVersion}`;
      },
    },
    {
      name: 'health',
      title: 'Check cluster health',
      run: async () => {
        const health = await deps.checkHealth(signal);
        if (!health.healthy) {
          throw new AppError('health-failed', `The cluster is not healthy after upgrading node "${options.node}": ${health.problems.join('; ')}`, {
            hint: 'The node stays cordoned. Fix the problems (kubekeeper health), then rerun the same command to resume',
          });
        }
        return 'healthy';
      },
    },
    { name: 'uncordon', title: `Uncordon node "${options.node}"`, run: async () => (await setNodeCordon(api, options.node, false)).outcome },
  ];
  return runRunbook(steps, {
    name: 'upgrade-node',
    stateFile: options.stateFile,
    // The command is not part of the key: fixing a failed command and rerunning must resume.
    key: { node: options.node, target },
    init: async () => ({ controlPlane: isControlPlaneNode(await api.getNode(options.node)) }),
    clock,
    signal,
    onEvent: emit,
  });
}
