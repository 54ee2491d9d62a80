/** Drain flags, named and defaulted as kubectl drain's. */

export interface DrainOptions {
  /** Also delete pods that declare no controller, and DaemonSet pods whose DaemonSet is gone. */
  force: boolean;
  /** Proceed despite DaemonSet-managed pods (they are never deleted). */
  ignoreDaemonSets: boolean;
  /** Allow deleting pods with an emptyDir volume (their data is lost). */
  deleteEmptyDirData: boolean;
  /** Label selector for the pods to drain; "" selects all. */
  podSelector: string;
  /** Negative: omitted from DeleteOptions (the pod's own grace period applies); 0: immediate. */
  gracePeriodSeconds: number;
  /** Global timeout of one node's drain in ms; 0 waits forever. */
  timeoutMs: number;
  /** DELETE pods instead of the Eviction API: bypasses PodDisruptionBudgets. */
  disableEviction: boolean;
  /** Pods terminating for longer than this (seconds, when > 0) are skipped and not waited for. */
  skipWaitForDeleteTimeoutSeconds: number;
}

export const DEFAULT_DRAIN_OPTIONS: DrainOptions = {
  force: false,
  ignoreDaemonSets: false,
  deleteEmptyDirData: false,
  podSelector: '',
  gracePeriodSeconds: -1,
  timeoutMs: 0,
  disableEviction: false,
  skipWaitForDeleteTimeoutSeconds: 0,
};

/** kubectl retries an eviction refused with 429 after this fixed delay (Retry-After is ignored). */
export const EVICT_RETRY_DELAY_MS = 5_000;

/** Waiting for a deleted pod to disappear polls at this interval. */
export const DELETE_POLL_INTERVAL_MS = 1_000;

/** Page size of pod lists (kubectl --chunk-size). */
export const POD_LIST_CHUNK_SIZE = 500;
