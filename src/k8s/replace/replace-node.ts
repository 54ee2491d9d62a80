/**
 * replaceNode: the node-replacement runbook, resumable through a state file:
 * cordon the old node -> drain it -> wait for the new node to register Ready (with the old
 * node's role labels and taints, or apply them when asked) -> uncordon the new node -> delete
 * the old Node object (UID precondition). The old node's labels, taints and UID are captured
 * at the start, so a resumed run still knows them after the old Node is gone.
 */
import { AppError } from '../../errors.js';
import type { Clock } from '../clock.js';
import { setNodeCordon } from '../cordon.js';
import type { DrainEvent } from '../drain/drain-api.js';
import type { DrainOptions } from '../drain/drain-options.js';
import { drainFailedError, drainNode } from '../drain/drain-node.js';
import { isNotFound } from '../kube-api-error.js';
import type { RunbookEvent, RunbookStep } from '../runbook/run-runbook.js';
import { runRunbook } from '../runbook/run-runbook.js';
import type { RunbookState } from '../runbook/state-file.js';
import { waitForNode } from '../runbook/wait-for-node.js';
import type { Taint } from '../types.js';
import { isNodeReady } from '../types.js';
import { carriedLabels, carriedTaints, describeDiff, replacementDiff } from './plan-replacement.js';
import type { ReplaceApi } from './replace-api.js';

export interface ReplaceNodeOptions {
  oldNode: string;
  newNode: string;
  /** Apply the old node's labels and taints to the new node instead of waiting for them. */
  applyLabels: boolean;
  drain: DrainOptions;
  readyTimeoutMs: number;
  stateFile: string;
  clock: Clock;
  signal?: AbortSignal;
  onEvent?: (event: RunbookEvent | DrainEvent | { type: 'waiting'; what: string; missing: string }) => void;
}

export interface ReplaceData {
  oldUid: string | undefined;
  labels: Record<string, string>;
  taints: Taint[];
}

/** Replaces (or resumes replacing) a node. Throws AppError at the first failed guard. */
export async function replaceNode(api: ReplaceApi, options: ReplaceNodeOptions): Promise<RunbookState<ReplaceData>> {
  const { oldNode, newNode, clock, signal } = options;
  if (oldNode === newNode) throw new AppError('usage', `The new node must differ from the old one ("${oldNode}")`, { exitCode: 2 });
  const emit = options.onEvent ?? (() => undefined);
  const steps: Array<RunbookStep<ReplaceData>> = [
    { name: 'cordon-old', title: `Cordon old node "${oldNode}"`, run: async () => (await setNodeCordon(api, oldNode, true)).outcome },
    {
      name: 'drain-old',
      title: `Drain old node "${oldNode}"`,
      run: async () => {
        const result = await drainNode(api, oldNode, options.drain, { clock, signal, onEvent: emit });
        if (!result.drained) throw drainFailedError(result, options.drain.timeoutMs);
        return `${result.plan.evict.length} pod(s) evicted`;
      },
    },
    {
      name: 'wait-new',
      title: `Wait for new node "${newNode}" to be Ready${options.applyLabels ? '' : ' with the old node\'s labels and taints'}`,
      run: async (state) => {
        await waitForNode(newNode, {
          getNode: (n) => api.getNode(n),
          clock,
          signal,
          timeoutMs: options.readyTimeoutMs,
          what: `node "${newNode}" to register Ready${options.applyLabels ? '' : ` with the labels and taints of "${oldNode}"`}`,
          missing: (n) => {
            if (!isNodeReady(n)) return 'not Ready';
            const missing = options.applyLabels ? undefined : describeDiff(replacementDiff(state.data, n));
            return missing === undefined ? undefined : `missing ${missing} (pass --apply-labels to copy them)`;
          },
          onWaiting: (missing) => emit({ type: 'waiting', what: newNode, missing }),
        });
        return 'Ready';
      },
    },
    {
      name: 'labels',
      title: `Carry labels and taints over to "${newNode}"`,
      run: async (state) => {
        const current = await api.getNode(newNode);
        const diff = replacementDiff(state.data, current);
        const missing = describeDiff(diff);
        if (missing === undefined) return { skipped: 'new node already has them' };
        if (!options.applyLabels) throw new AppError('replace-labels', `Node "${newNode}" lacks ${missing}`, { hint: 'Pass --apply-labels to copy them from the old node' });
        const taints = diff.taints.length > 0 ? [...(current.spec?.taints ?? []), ...diff.taints] : undefined;
        await api.patchNodeMetadata(newNode, { ...(Object.keys(diff.labels).length > 0 ? { labels: diff.labels } : {}), ...(taints ? { taints } : {}) });
        return `applied ${missing}`;
      },
    },
    { name: 'uncordon-new', title: `Uncordon new node "${newNode}"`, run: async () => (await setNodeCordon(api, newNode, false)).outcome },
    {
      name: 'delete-old',
      title: `Delete the Node object "${oldNode}"`,
      run: async (state) => {
        try {
          await api.deleteNode(oldNode, state.data.oldUid);
          return 'deleted';
        } catch (err) {
          if (isNotFound(err)) return { skipped: 'already gone' };
          throw err;
        }
      },
    },
  ];
  return runRunbook(steps, {
    name: 'replace-node',
    stateFile: options.stateFile,
    key: { old: oldNode, new: newNode },
    init: async () => {
      const old = await api.getNode(oldNode);
      return { oldUid: old.metadata.uid, labels: carriedLabels(old), taints: carriedTaints(old) };
    },
    clock,
    signal,
    onEvent: emit,
  });
}
