/**
 * What the operator needs from the API server, as a role (k8s's ResourceClient is the one
 * implementation; tests may pass a fake): custom resources and their status, Secrets of the
 * policies, events.k8s.io Events, and the Lease of leader election.
 */
import type { EventRecord, KubeObject, LeaseApi, ResourceType, WatchEvent, WatchRequestOptions } from '../k8s/index.js';

export interface OperatorApi extends LeaseApi {
  readonly server: string;
  list<T extends KubeObject>(t: ResourceType, namespace?: string, labelSelector?: string): Promise<T[]>;
  /** A list and its resourceVersion, to watch from. */
  listVersioned<T extends KubeObject>(t: ResourceType, namespace?: string): Promise<{ items: T[]; resourceVersion: string }>;
  /** The changes after `resourceVersion` until the server's timeout; throws KubeApiError 410 when it expired. */
  watch<T extends KubeObject>(t: ResourceType, namespace: string | undefined, resourceVersion: string, options: WatchRequestOptions): AsyncIterable<WatchEvent<T>>;
  get<T extends KubeObject>(t: ResourceType, namespace: string, name: string): Promise<T | undefined>;
  create<T extends KubeObject>(t: ResourceType, namespace: string, object: T): Promise<T>;
  delete(t: ResourceType, namespace: string, name: string): Promise<void>;
  patchStatus<T extends KubeObject>(t: ResourceType, namespace: string, name: string, status: unknown): Promise<T>;
  getSecretData(namespace: string, name: string): Promise<Record<string, Buffer>>;
  createEvent(e: EventRecord): Promise<void>;
}
