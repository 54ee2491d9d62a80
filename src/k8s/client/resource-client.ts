/**
 * Custom resources, Secrets, Leases and events.k8s.io Events over KubeRest, as plain JSON.
 * Implements LeaseApi (leader election) and the generic calls the operator's role is made of;
 * each call names its action and object in the error it throws.
 */
import { randomInt } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../kube-api-error.js';
import type { Lease, LeaseApi } from '../lease/lease-api.js';
import { KubeRest } from './kube-rest.js';
import { type WatchEvent, type WatchRequestOptions, watchRequest } from './kube-watch.js';

/** Where a custom resource lives: /apis/<group>/<version>/namespaces/<ns>/<plural>. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** Any object in its JSON shape. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** An events.k8s.io/v1 Event about an object (the Event is created in the object's namespace). */
export interface EventRecord {
  regarding: { apiVersion: string; kind: string; name: string; namespace: string; uid?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
  reportingController: string;
  reportingInstance: string;
  eventTimeMs: number;
}

const enc = encodeURIComponent;

export class ResourceClient implements LeaseApi {
  private readonly rest: KubeRest;

  constructor(private readonly kc: KubeConfig, options: { requestTimeoutMs?: number } = {}) {
    this.rest = new KubeRest(kc, options);
  }

  get server(): string {
    return this.rest.server;
  }

  private base(t: ResourceType, namespace?: string): string {
    return `/apis/${t.group}/${t.version}${namespace === undefined ? '' : `/namespaces/${enc(namespace)}`}/${t.plural}`;
  }

  /** All objects of the type (in every namespace when `namespace` is undefined), optionally by label selector. */
  async list<T extends KubeObject>(t: ResourceType, namespace?: string, labelSelector?: string): Promise<T[]> {
    return (await this.listVersioned<T>(t, namespace, labelSelector)).items;
  }

  /** As list, with the list's resourceVersion: a watch from it misses no change. */
  async listVersioned<T extends KubeObject>(t: ResourceType, namespace?: string, labelSelector?: string): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const q = new URLSearchParams({ limit: '500' });
      if (labelSelector) q.set('labelSelector', labelSelector);
      if (cont) q.set('continue', cont);
      const page = await this.rest.request<{ items?: T[]; metadata?: { continue?: string; resourceVersion?: string } }>(`Cannot list ${t.plural}.${t.group}`, 'GET', `${this.base(t, namespace)}?${q}`);
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** The changes after `resourceVersion` (with bookmarks), until the server's timeout or `signal`; see kube-watch.ts. */
  watch<T extends KubeObject>(t: ResourceType, namespace: string | undefined, resourceVersion: string, options: WatchRequestOptions): AsyncGenerator<WatchEvent<T>> {
    const q = new URLSearchParams({ resourceVersion, allowWatchBookmarks: 'true' });
    return watchRequest<T>(this.kc, `Cannot watch ${t.plural}.${t.group}`, `${this.base(t, namespace)}?${q}`, options);
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject>(t: ResourceType, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.rest.request<T>(`Cannot get ${t.kind} "${namespace}/${name}"`, 'GET', `${this.base(t, namespace)}/${enc(name)}`);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  create<T extends KubeObject>(t: ResourceType, namespace: string, object: T): Promise<T> {
    return this.rest.request<T>(`Cannot create ${t.kind} "${namespace}/${object.metadata.name}"`, 'POST', this.base(t, namespace), { ...object, apiVersion: `${t.group}/${t.version}`, kind: t.kind });
  }

  /** Deletes it; an object already gone is not an error. */
  async delete(t: ResourceType, namespace: string, name: string): Promise<void> {
    try {
      await this.rest.request(`Cannot delete ${t.kind} "${namespace}/${name}"`, 'DELETE', `${this.base(t, namespace)}/${enc(name)}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** JSON merge patch of the status subresource. */
  patchStatus<T extends KubeObject>(t: ResourceType, namespace: string, name: string, status: unknown): Promise<T> {
    return this.rest.request<T>(`Cannot update the status of ${t.kind} "${namespace}/${name}"`, 'PATCH', `${this.base(t, namespace)}/${enc(name)}/status`, { status });
  }

  /** The data of a Secret, decoded; throws KubeApiError 404 when it does not exist. */
  async getSecretData(namespace: string, name: string): Promise<Record<string, Buffer>> {
    const secret = await this.rest.request<{ data?: Record<string, string> }>(`Cannot read Secret "${namespace}/${name}"`, 'GET', `/api/v1/namespaces/${enc(namespace)}/secrets/${enc(name)}`);
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  }

  async createEvent(e: EventRecord): Promise<void> {
    const time = new Date(e.eventTimeMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const body = {
      apiVersion: 'events.k8s.io/v1', kind: 'Event',
      // client-go's name: "<object>.<hex nanoseconds>" (generateName must not end in ".").
      metadata: { name: `${e.regarding.name}.${(BigInt(e.eventTimeMs) * 1_000_000n + BigInt(randomInt(1_000_000))).toString(16)}`, namespace: e.regarding.namespace },
      eventTime: time, type: e.type, reason: e.reason, action: e.action, note: e.note.slice(0, 1024),
      regarding: e.regarding, reportingController: e.reportingController, reportingInstance: e.reportingInstance,
    };
    await this.rest.request(`Cannot create an Event about ${e.regarding.kind} "${e.regarding.namespace}/${e.regarding.name}"`, 'POST', `/apis/events.k8s.io/v1/namespaces/${enc(e.regarding.namespace)}/events`, body);
  }

  async getLease(namespace: string, name: string): Promise<Lease | undefined> {
    try {
      return await this.rest.request<Lease>(`Cannot get Lease "${namespace}/${name}"`, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${enc(namespace)}/leases/${enc(name)}`);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  createLease(lease: Lease): Promise<Lease> {
    const { namespace, name } = lease.metadata;
    return this.rest.request<Lease>(`Cannot create Lease "${namespace}/${name}"`, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${enc(namespace)}/leases`, lease);
  }

  updateLease(lease: Lease): Promise<Lease> {
    const { namespace, name } = lease.metadata;
    return this.rest.request<Lease>(`Cannot update Lease "${namespace}/${name}"`, 'PUT', `/apis/coordination.k8s.io/v1/namespaces/${enc(namespace)}/leases/${enc(name)}`, lease);
  }
}
