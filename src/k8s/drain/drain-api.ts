/** The narrow view of the Kubernetes API that drain needs, and the events it reports. */
import type { CordonApi, CordonResult } from '../cordon.js';
import type { Pod } from '../types.js';

/** Everything drain calls. Methods throw KubeApiError (status, reason, causes) on non-2xx. */
export interface DrainApi extends CordonApi {
  /**
   * GET /api/v1/pods?fieldSelector=spec.nodeName=<node>&labelSelector=<sel>&limit=500, following
   * `metadata.continue` until the last page; pods of all namespaces.
   */
  listPodsOnNode(node: string, labelSelector: string): Promise<Pod[]>;
  /** GET /apis/apps/v1/namespaces/{ns}/daemonsets/{name}; resolves when it exists. */
  getDaemonSet(namespace: string, name: string): Promise<void>;
  /** Discovery (GET /api/v1): the group/version of the pods/eviction subresource, or undefined. */
  evictionVersion(): Promise<string | undefined>;
  /** POST /api/v1/namespaces/{ns}/pods/{name}/eviction; gracePeriodSeconds is omitted when undefined. */
  evictPod(pod: Pod, options: { version: string; gracePeriodSeconds?: number }): Promise<void>;
  /** DELETE /api/v1/namespaces/{ns}/pods/{name}; gracePeriodSeconds is omitted when undefined. */
  deletePod(pod: Pod, options: { gracePeriodSeconds?: number }): Promise<void>;
  /** GET /api/v1/namespaces/{ns}/pods/{name}; 404 when it is gone. */
  getPod(namespace: string, name: string): Promise<Pod>;
}

/** What a drain reports while it runs; renderers turn these into kubectl's lines. */
export type DrainEvent =
  | { type: 'cordon'; result: CordonResult }
  | { type: 'cordon-failed'; node: string; message: string }
  | { type: 'warning'; node: string; text: string }
  | { type: 'evicting'; pod: string; method: 'eviction' | 'delete'; dryRun: boolean }
  | { type: 'evict-retry'; pod: string; message: string; budget: string | undefined; retryInMs: number; namespaceTerminating: boolean }
  | { type: 'gone'; pod: string; method: 'eviction' | 'delete' }
  | { type: 'skip-wait'; pod: string; seconds: number }
  | { type: 'drained'; node: string; dryRun: boolean };
