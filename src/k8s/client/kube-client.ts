/**
 * The one implementation of kubekeeper's Kubernetes roles (DrainApi, HealthApi, InventoryApi,
 * ReplaceApi) over @kubernetes/client-node 1.4. Every failure becomes a KubeApiError (with the
 * server's Status: code, reason, causes) or a KubeUnreachableError; objects are returned in
 * their JSON shape (see ../types.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, ServerConfiguration, VersionApi, createConfiguration, setHeaderOptions } from '@kubernetes/client-node';
import type { Configuration, KubeConfig } from '@kubernetes/client-node';
import type { KubeStatus } from '../kube-api-error.js';
import { KubeApiError, KubeUnreachableError } from '../kube-api-error.js';
import type { DaemonSet, Node, Pod, Taint } from '../types.js';
import { podKey } from '../types.js';
import type { DrainApi } from '../drain/drain-api.js';
import { POD_LIST_CHUNK_SIZE } from '../drain/drain-options.js';
import type { HealthApi, HealthEndpointReply } from '../health/health-api.js';
import type { InventoryApi } from '../upgrade/inventory-api.js';
import type { ReplaceApi } from '../replace/replace-api.js';

/**
 * Default bound on one API request. The API server ends a non-watch request after 60 s
 * (--request-timeout) when etcd does not answer; a client that waits longer learns nothing more.
 */
export const KUBE_REQUEST_TIMEOUT_MS = 30_000;

export interface KubeClientOptions {
  /** Bound on each request (default KUBE_REQUEST_TIMEOUT_MS); a request past it fails as unreachable. */
  requestTimeoutMs?: number;
}

/** A health body is a few lines; anything larger is not a health endpoint. */
const MAX_HEALTH_BODY_BYTES = 64 * 1024;

function parseStatus(body: unknown): KubeStatus | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as KubeStatus;
    } catch {
      return { message: body.trim().slice(0, 200) || undefined };
    }
  }
  return body !== null && typeof body === 'object' ? (body as KubeStatus) : undefined;
}

/** Runs one API call, translating client-node's errors into ours. */
async function call<T>(action: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiException) throw new KubeApiError(action, err.code, parseStatus(await err.body));
    // The timeout middleware's AbortSignal surfaces as fetch's AbortError ("The user aborted a request.").
    if (err instanceof Error && err.name === 'AbortError') throw new KubeUnreachableError(action, new Error(`no answer within ${timeoutMs / 1000} s`));
    throw new KubeUnreachableError(action, err);
  }
}

/** client-node returns class instances with Date fields; roles hand out plain JSON. */
const json = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

export class KubeClient implements DrainApi, HealthApi, InventoryApi, ReplaceApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly version: VersionApi;

  private readonly requestTimeoutMs: number;

  constructor(private readonly kc: KubeConfig, options: KubeClientOptions = {}) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? KUBE_REQUEST_TIMEOUT_MS;
    // kc.makeApiClient's configuration, plus a middleware that bounds every request in time.
    const timeoutMs = this.requestTimeoutMs;
    const config: Configuration = createConfiguration({
      baseServer: new ServerConfiguration(kc.getCurrentCluster()?.server ?? '', {}),
      authMethods: { default: kc },
      promiseMiddleware: [{
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return Promise.resolve(ctx);
        },
        post: (res) => Promise.resolve(res),
      }],
    });
    this.core = new CoreV1Api(config);
    this.apps = new AppsV1Api(config);
    this.version = new VersionApi(config);
  }

  private call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return call(action, fn, this.requestTimeoutMs);
  }

  /** The API server URL of the current context (for messages; never includes credentials). */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  getNode(name: string): Promise<Node> {
    return this.call(`Cannot get node "${name}"`, async () => json<Node>(await this.core.readNode({ name })));
  }

  /** All nodes, or those matching `labelSelector` (paged like kubectl, --chunk-size 500). */
  async listNodes(labelSelector = ''): Promise<Node[]> {
    const items: Node[] = [];
    let next: string | undefined;
    do {
      const page = await this.call('Cannot list nodes', () => this.core.listNode({ labelSelector: labelSelector || undefined, limit: POD_LIST_CHUNK_SIZE, _continue: next }));
      items.push(...json<Node[]>(page.items));
      next = page.metadata?._continue || undefined;
    } while (next);
    return items;
  }

  async setUnschedulable(name: string, unschedulable: boolean): Promise<void> {
    // Strategic merge patch like kubectl; null deletes the omitempty field on uncordon.
    const body = { spec: { unschedulable: unschedulable ? true : null } };
    await this.call(`Cannot ${unschedulable ? 'cordon' : 'uncordon'} node "${name}"`, () =>
      this.core.patchNode({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
  }

  async patchNodeMetadata(name: string, change: { labels?: Record<string, string>; taints?: Taint[] }): Promise<void> {
    const body: Record<string, unknown> = {};
    if (change.labels) body.metadata = { labels: change.labels };
    if (change.taints) body.spec = { taints: change.taints };
    await this.call(`Cannot update labels and taints of node "${name}"`, () =>
      this.core.patchNode({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
  }

  async deleteNode(name: string, uid: string | undefined): Promise<void> {
    // The UID precondition makes sure we delete the Node we checked, not a re-registered one.
    const body = uid ? { preconditions: { uid } } : {};
    await this.call(`Cannot delete node "${name}"`, () => this.core.deleteNode({ name, body }));
  }

  async listPodsOnNode(node: string, labelSelector: string): Promise<Pod[]> {
    return this.pagedPods(`Cannot list pods on node "${node}"`, (limit, cont) =>
      this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}`, labelSelector: labelSelector || undefined, limit, _continue: cont }));
  }

  async listPods(namespace: string, labelSelector: string): Promise<Pod[]> {
    return this.pagedPods(`Cannot list pods in namespace "${namespace}"`, (limit, cont) =>
      this.core.listNamespacedPod({ namespace, labelSelector: labelSelector || undefined, limit, _continue: cont }));
  }

  private async pagedPods(action: string, page: (limit: number, cont: string | undefined) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>): Promise<Pod[]> {
    const pods: Pod[] = [];
    let next: string | undefined;
    do {
      const result = await this.call(action, () => page(POD_LIST_CHUNK_SIZE, next));
      pods.push(...json<Pod[]>(result.items));
      next = result.metadata?._continue || undefined;
    } while (next);
    return pods;
  }

  async getDaemonSet(namespace: string, name: string): Promise<void> {
    await this.call(`Cannot get DaemonSet "${namespace}/${name}"`, () => this.apps.readNamespacedDaemonSet({ namespace, name }));
  }

  async listDaemonSets(namespace: string): Promise<DaemonSet[]> {
    const list = await this.call(`Cannot list DaemonSets in namespace "${namespace}"`, () => this.apps.listNamespacedDaemonSet({ namespace }));
    return json<DaemonSet[]>(list.items);
  }

  async evictionVersion(): Promise<string | undefined> {
    const list = await this.call('Cannot discover the API (GET /api/v1)', () => this.core.getAPIResources());
    const entry = list.resources.find((r) => r.name === 'pods/eviction' && r.kind === 'Eviction' && r.group && r.version);
    return entry ? `${entry.group}/${entry.version}` : undefined;
  }

  async evictPod(pod: Pod, options: { version: string; gracePeriodSeconds?: number }): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    const deleteOptions = options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds };
    const body = { apiVersion: options.version, kind: 'Eviction', metadata: { name, namespace }, deleteOptions };
    await this.call(`Cannot evict pod "${podKey(pod)}"`, () => this.core.createNamespacedPodEviction({ name, namespace, body }));
  }

  async deletePod(pod: Pod, options: { gracePeriodSeconds?: number }): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const body = options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds };
    await this.call(`Cannot delete pod "${podKey(pod)}"`, () => this.core.deleteNamespacedPod({ name: pod.metadata.name, namespace, body }));
  }

  getPod(namespace: string, name: string): Promise<Pod> {
    return this.call(`Cannot get pod "${namespace}/${name}"`, async () => json<Pod>(await this.core.readNamespacedPod({ namespace, name })));
  }

  async getServerVersion(): Promise<string> {
    const info = await this.call('Cannot read the API server version (GET /version)', () => this.version.getCode());
    return info.gitVersion;
  }

  /** GET /livez?verbose or /readyz?verbose. Any HTTP answer resolves: a 500 is a health result. */
  async getHealthEndpoint(endpoint: 'livez' | 'readyz'): Promise<HealthEndpointReply> {
    const cluster = this.kc.getCurrentCluster();
    const url = new URL(`${cluster?.server.replace(/\/+$/, '') ?? ''}/${endpoint}?verbose`);
    const options: https.RequestOptions = { method: 'GET', headers: {} };
    await this.kc.applyToHTTPSOptions(options);
    const transport = url.protocol === 'https:' ? https : http;
    const action = `Cannot check /${endpoint}`;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_HEALTH_BODY_BYTES) chunks.push(c);
        });
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new KubeUnreachableError(action, err)));
      });
      req.on('error', (err) => reject(new KubeUnreachableError(action, err)));
      req.setTimeout(this.requestTimeoutMs, () => req.destroy(new Error(`no answer within ${this.requestTimeoutMs / 1000} s`)));
      req.end();
    });
  }
}
