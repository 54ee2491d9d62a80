/**
 * A test Kubernetes API server: a real HTTPS server on 127.0.0.1 (its own CA, bearer token
 * auth, as a kubeconfig describes a real cluster) that speaks the REST protocol
 * for what kubekeeper uses (nodes, pods with field/label selectors and paging, the eviction
 * subresource with PodDisruptionBudget accounting, deletion with grace and UID preconditions,
 * DaemonSets, PodDisruptionBudgets, discovery, /version, /livez, /readyz, /healthz), with JSON
 * bodies, real status codes and Status objects. It is NOT a kube-apiserver (none can be
 * installed here); its behaviour follows the spec's facts and is kept in KubeStore.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Json, PodBehaviour, StatusReply, StoredObject } from './kube-apiserver-store.js';
import { clone, KubeStore, notFound, status } from './kube-apiserver-store.js';
import type { TlsFiles } from './tls.js';
import { generateTls } from './tls.js';

export { KubeStore } from './kube-apiserver-store.js';
export type { StoredObject, PodBehaviour } from './kube-apiserver-store.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: Json | undefined;
}

export interface KubeApiServerOptions {
  gitVersion?: string;
  /** Group/version serving pods/eviction in discovery; null = no eviction subresource. */
  evictionVersion?: 'policy/v1' | 'policy/v1beta1' | null;
  /** Bearer token every request must carry; undefined = anonymous allowed. */
  token?: string;
}

export interface KubeApiServer {
  url: string;
  /** PEM file of the CA that signed the server certificate (for clients other than the kubeconfig). */
  caFile: string;
  /** The bearer token clients must send ("" when anonymous access is allowed). */
  token: string;
  store: KubeStore;
  /** Stores objects in their JSON shape (e.g. from src/k8s/testing.ts builders), as `kubectl create` would. */
  addNode(node: object): StoredObject;
  addPod(pod: object, behaviour?: PodBehaviour): StoredObject;
  addDaemonSet(namespace: string, name: string, image?: string): StoredObject;
  /** A policy/v1 PodDisruptionBudget selecting `matchLabels` with minAvailable (or maxUnavailable). */
  addPdb(namespace: string, name: string, matchLabels: Record<string, string>, budget: { minAvailable?: number | string; maxUnavailable?: number | string }): StoredObject;
  requests: RecordedRequest[];
  /** Names of /livez and /readyz checks currently failing (e.g. "etcd"). */
  failingChecks: Set<string>;
  /** Answer matching requests with this reply instead (fault injection); return undefined to pass. */
  intercept: ((req: RecordedRequest) => StatusReply | undefined) | undefined;
  /** Called after every eviction request with the reply code. */
  onEviction: ((podKey: string, code: number) => void) | undefined;
  /** Writes a kubeconfig for this server into `dir`; returns its path. */
  writeKubeconfig(dir: string, options?: { context?: string }): Promise<string>;
  close(): Promise<void>;
}

const LIVEZ_CHECKS = ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-informers', 'poststarthook/start-apiextensions-controllers'];
const READYZ_CHECKS = [...LIVEZ_CHECKS.slice(0, 3), 'etcd-readiness', 'informer-sync', ...LIVEZ_CHECKS.slice(3), 'shutdown'];
const POD_FIELDS = ['spec.nodeName', 'metadata.name', 'metadata.namespace', 'status.phase'];

const get = (obj: Json, dotted: string): string => String(dotted.split('.').reduce<unknown>((o, k) => (o as Json | undefined)?.[k], obj) ?? '');

/** Label selector semantics of the API server (=, ==, !=, exists, !key, in, notin). */
function labelMatcher(text: string | null): ((labels: Record<string, string> | undefined) => boolean) | StatusReply {
  if (!text) return () => true;
  const terms = text.match(/[^,(]+(\([^)]*\))?/g)?.map((t) => t.trim()) ?? [];
  const tests: Array<(l: Record<string, string>) => boolean> = [];
  for (const term of terms) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [key, op, values] = [m[1] as string, m[2], (m[3] as string).split(',').map((v) => v.trim())];
      tests.push((l) => (op === 'in' ? key in l && values.includes(l[key] as string) : !(key in l) || !values.includes(l[key] as string)));
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term))) {
      const [key, op, value] = [m[1] as string, m[2], m[3]];
      tests.push((l) => (op === '!=' ? l[key] !== value : l[key] === value));
    } else if ((m = /^!([\w./-]+)$/.exec(term))) {
      const key = m[1] as string;
      tests.push((l) => !(key in l));
    } else if ((m = /^([\w./-]+)$/.exec(term))) {
      const key = m[1] as string;
      tests.push((l) => key in l);
    } else return status(400, 'BadRequest', `unable to parse requirement: found '${term}', expected: identifier`);
  }
  return (labels) => tests.every((t) => t(labels ?? {}));
}

function fieldMatcher(text: string | null, allowed: readonly string[]): ((o: Json) => boolean) | StatusReply {
  if (!text) return () => true;
  const tests: Array<(o: Json) => boolean> = [];
  for (const term of text.split(',')) {
    const m = /^([\w.]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) return status(400, 'BadRequest', `invalid selector: '${text}'; can't understand '${term}'`);
    const [field, op, value] = [m[1] as string, m[2], m[3]];
    if (!allowed.includes(field)) return status(400, 'BadRequest', `field label not supported: ${field}`);
    tests.push((o) => (op === '!=' ? get(o, field) !== value : get(o, field) === value));
  }
  return (o) => tests.every((t) => t(o));
}

/** A paged list response: `limit` and an opaque `continue` token, as the API server pages. */
function list(kind: string, items: StoredObject[], query: URLSearchParams, store: KubeStore, fields: readonly string[]): StatusReply {
  const labels = labelMatcher(query.get('labelSelector'));
  if (typeof labels !== 'function') return labels;
  const fieldTest = fieldMatcher(query.get('fieldSelector'), fields);
  if (typeof fieldTest !== 'function') return fieldTest;
  const matching = items.filter((o) => labels(o.metadata.labels) && fieldTest(o as Json)).sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  let start = 0;
  const token = query.get('continue');
  if (token) {
    const parsed = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^start:/, ''));
    if (!Number.isInteger(parsed) || parsed < 0) return status(400, 'BadRequest', 'continue key is not valid: invalid token');
    start = parsed;
  }
  const limit = Number(query.get('limit') ?? 0);
  const end = limit > 0 ? Math.min(matching.length, start + limit) : matching.length;
  const metadata: Json = { resourceVersion: store.nextResourceVersion() };
  if (end < matching.length) {
    metadata.continue = Buffer.from(`start:${end}`).toString('base64url');
    metadata.remainingItemCount = matching.length - end;
  }
  return { code: 200, body: { kind, apiVersion: kind === 'PodDisruptionBudgetList' ? 'policy/v1' : kind === 'DaemonSetList' ? 'apps/v1' : 'v1', metadata, items: matching.slice(start, end).map(clone) } };
}

/** JSON merge patch (RFC 7386); strategic merge on the fields we patch behaves the same (lists replace). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Json = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const PATCH_TYPES = ['application/strategic-merge-patch+json', 'application/merge-patch+json'];

function healthReply(endpoint: 'livez' | 'readyz' | 'healthz', check: string | undefined, query: URLSearchParams, failing: Set<string>): StatusReply & { text: string } {
  const checks = endpoint === 'livez' ? LIVEZ_CHECKS : READYZ_CHECKS;
  if (check !== undefined) {
    if (!checks.includes(check)) return { ...notFound('healthz', check), text: '404 page not found\n' };
    return failing.has(check) ? { code: 500, body: {}, text: `internal server error: ${check} check failed\n` } : { code: 200, body: {}, text: 'ok' };
  }
  const excluded = query.getAll('exclude');
  const lines: string[] = [];
  let failed = false;
  for (const name of checks) {
    if (excluded.includes(name)) lines.push(`[+]${name} excluded: ok`);
    else if (failing.has(name)) {
      failed = true;
      lines.push(`[-]${name} failed: reason withheld`);
    } else lines.push(`[+]${name} ok`);
  }
  const unknown = excluded.filter((e) => !checks.includes(e));
  if (unknown.length > 0) lines.push(`warn: some health checks cannot be excluded: no matches for ${unknown.map((u) => `"${u}"`).join(',')}`);
  lines.push(`${endpoint} check ${failed ? 'failed' : 'passed'}`);
  if (!failed && !query.has('verbose')) return { code: 200, body: {}, text: 'ok' };
  return { code: failed ? 500 : 200, body: {}, text: `${lines.join('\n')}\n` };
}

let tlsFiles: Promise<TlsFiles> | undefined;

/** One CA and server certificate per test process (openssl is slow); removed when the process exits. */
function sharedTls(): Promise<TlsFiles> {
  tlsFiles ??= mkdtemp(path.join(os.tmpdir(), 'kk-apiserver-')).then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return generateTls(dir);
  });
  return tlsFiles;
}

/** Starts the server on a random port of 127.0.0.1. */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new KubeStore();
  const tls = await sharedTls();
  const caData = (await readFile(tls.caCert)).toString('base64');
  const gitVersion = options.gitVersion ?? 'v1.29.3';
  const evictionVersion = options.evictionVersion === undefined ? 'policy/v1' : options.evictionVersion;
  const server: KubeApiServer = {
    url: '',
    caFile: tls.caCert,
    token: options.token ?? '',
    store,
    addNode: (node) => store.put(store.nodes, node as StoredObject),
    addPod: (pod, behaviour) => {
      const stored = store.put(store.pods, pod as StoredObject);
      if (behaviour) store.podBehaviour.set(`${stored.metadata.namespace}/${stored.metadata.name}`, behaviour);
      return stored;
    },
    addDaemonSet: (namespace, name, image = `registry.k8s.io/${name}:v1.29.3`) => store.put(store.daemonSets, {
      metadata: { name, namespace, generation: 1 },
      spec: { selector: { matchLabels: { 'k8s-app': name } }, template: { metadata: { labels: { 'k8s-app': name } }, spec: { containers: [{ name, image }] } } },
    }),
    addPdb: (namespace, name, matchLabels, budget) => store.put(store.pdbs, {
      metadata: { name, namespace, generation: 1 },
      spec: { selector: { matchLabels }, ...budget },
    }),
    requests: [],
    failingChecks: new Set(),
    intercept: undefined,
    onEviction: undefined,
    writeKubeconfig: async (dir, kc = {}) => {
      const context = kc.context ?? 'test';
      const file = path.join(dir, 'kubeconfig');
      const user = options.token ? `{ token: ${options.token} }` : '{}';
      await writeFile(file, [
        'apiVersion: v1', 'kind: Config',
        `clusters:\n- name: test-cluster\n  cluster:\n    server: ${server.url}\n    certificate-authority-data: ${caData}`,
        `users:\n- name: test-user\n  user: ${user}`,
        `contexts:\n- name: ${context}\n  context:\n    cluster: test-cluster\n    user: test-user`,
        `current-context: ${context}`, '',
      ].join('\n'), { mode: 0o600 });
      return file;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      });
    },
  };

  const route = (req: RecordedRequest): StatusReply & { text?: string } => {
    const { method, query } = req;
    const p = req.path.replace(/\/+$/, '') || '/';
    let m: RegExpExecArray | null;
    if (method === 'GET' && p === '/version') {
      const [major, minor] = gitVersion.replace(/^v/, '').split('.');
      return { code: 200, body: { major, minor, gitVersion, gitCommit: '0'.repeat(40), gitTreeState: 'clean', buildDate: '2024-03-15T00:00:00Z', goVersion: 'go1.21.8', compiler: 'gc', platform: 'linux/amd64' } };
    }
    if (method === 'GET' && (m = /^\/(livez|readyz|healthz)(?:\/(.+))?$/.exec(p))) return healthReply(m[1] as 'livez', m[2], query, server.failingChecks);
    if (method === 'GET' && p === '/api') return { code: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] } };
    if (method === 'GET' && p === '/api/v1') {
      const resources: Json[] = [
        { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list', 'patch', 'update', 'delete'] },
        { name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: ['get', 'patch', 'update'] },
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'delete'] },
      ];
      if (evictionVersion) {
        const [group, version] = evictionVersion.split('/');
        resources.push({ name: 'pods/eviction', singularName: '', namespaced: true, group, version, kind: 'Eviction', verbs: ['create'] });
      }
      return { code: 200, body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources } };
    }
    // Nodes.
    if (p === '/api/v1/nodes' && method === 'GET') return list('NodeList', [...store.nodes.values()], query, store, ['metadata.name', 'spec.unschedulable']);
    if ((m = /^\/api\/v1\/nodes\/([^/]+)(\/status)?$/.exec(p))) {
      const name = decodeURIComponent(m[1] as string);
      const node = store.nodes.get(name);
      if (!node) return notFound('nodes', name);
      if (method === 'GET') return { code: 200, body: node };
      if (method === 'DELETE') {
        const uid = (req.body?.preconditions as Json | undefined)?.uid;
        if (uid !== undefined && uid !== node.metadata.uid) {
          return status(409, 'Conflict', `Operation cannot be fulfilled on nodes "${name}": Precondition failed: UID in precondition: ${String(uid)}, UID in object meta: ${node.metadata.uid}`);
        }
        if (query.get('dryRun') !== 'All') store.nodes.delete(name);
        return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'nodes', uid: node.metadata.uid } } };
      }
      if (method === 'PATCH') {
        if (!PATCH_TYPES.includes(req.contentType ?? '')) return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
        const patch = clone(req.body ?? {});
        // The main resource ignores status changes and the status subresource ignores the rest, as the real server.
        if (m[2]) for (const k of Object.keys(patch)) { if (k !== 'status') delete patch[k]; }
        else delete patch.status;
        const patched = mergePatch(node, patch) as StoredObject;
        patched.metadata.name = name;
        if (query.get('dryRun') === 'All') return { code: 200, body: patched };
        patched.metadata.resourceVersion = store.nextResourceVersion();
        store.nodes.set(name, patched);
        return { code: 200, body: patched };
      }
    }
    // Pods.
    if (p === '/api/v1/pods' && method === 'GET') return list('PodList', [...store.pods.values()], query, store, POD_FIELDS);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p)) && method === 'GET') {
      const ns = m[1];
      return list('PodList', [...store.pods.values()].filter((o) => o.metadata.namespace === ns), query, store, POD_FIELDS);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/eviction)?$/.exec(p))) {
      const [ns, name] = [decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string)];
      const key = `${ns}/${name}`;
      const dryRun = query.get('dryRun') === 'All' || ((req.body?.dryRun as string[] | undefined) ?? []).includes('All');
      if (m[3] && method === 'POST') {
        const reply = store.evict(ns, name, req.body ?? {}, dryRun || (((req.body?.deleteOptions as Json | undefined)?.dryRun as string[] | undefined) ?? []).includes('All'));
        server.onEviction?.(key, reply.code);
        return reply;
      }
      if (method === 'GET') {
        const pod = store.readPod(key);
        return pod ? { code: 200, body: pod } : notFound('pods', name);
      }
      if (method === 'DELETE') {
        const graceParam = query.get('gracePeriodSeconds');
        const grace = graceParam !== null ? Number(graceParam) : (req.body?.gracePeriodSeconds as number | undefined);
        const uid = (req.body?.preconditions as Json | undefined)?.uid as string | undefined;
        if (dryRun) return store.pods.has(key) ? { code: 200, body: store.pods.get(key) as StoredObject } : notFound('pods', name);
        const result = store.deletePod(key, grace, uid);
        return 'code' in result && typeof result.code === 'number' ? (result as StatusReply) : { code: 200, body: result as StoredObject };
      }
    }
    // DaemonSets and PodDisruptionBudgets (read-only over the API; tests change them in the store).
    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets(?:\/([^/]+))?$/.exec(p)) && method === 'GET') {
      const ns = m[1] as string;
      if (m[2] === undefined) return list('DaemonSetList', [...store.daemonSets.values()].filter((o) => o.metadata.namespace === ns), query, store, ['metadata.name']);
      const ds = store.daemonSets.get(`${ns}/${m[2]}`);
      return ds ? { code: 200, body: ds } : notFound('daemonsets.apps', m[2]);
    }
    if ((m = /^\/apis\/policy\/v1\/(?:namespaces\/([^/]+)\/)?poddisruptionbudgets(?:\/([^/]+))?$/.exec(p)) && method === 'GET') {
      const ns = m[1];
      const withStatus = (b: StoredObject): StoredObject => ({ ...b, status: store.computePdbStatus(b) });
      if (m[2] === undefined) return list('PodDisruptionBudgetList', [...store.pdbs.values()].filter((o) => ns === undefined || o.metadata.namespace === ns).map(withStatus), query, store, ['metadata.name']);
      const pdb = store.pdbs.get(`${ns}/${m[2]}`);
      return pdb ? { code: 200, body: withStatus(pdb) } : notFound('poddisruptionbudgets.policy', m[2]);
    }
    if (p.startsWith('/api') || p === '/') return status(404, 'NotFound', 'the server could not find the requested resource');
    return { code: 404, body: {}, text: '404 page not found\n' };
  };

  const httpServer = https.createServer({ cert: await readFile(tls.serverCert), key: await readFile(tls.serverKey) }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Json | undefined;
      try {
        body = raw === '' ? undefined : (JSON.parse(raw) as Json);
      } catch {
        return send(response, status(400, 'BadRequest', 'the body of the request could not be decoded as JSON'));
      }
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, contentType: request.headers['content-type']?.split(';')[0], body };
      server.requests.push(recorded);
      if (options.token && request.headers.authorization !== `Bearer ${options.token}`) return send(response, status(401, 'Unauthorized', 'Unauthorized'));
      send(response, server.intercept?.(recorded) ?? route(recorded));
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  server.url = `https://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  return server;
}

function send(response: http.ServerResponse, reply: StatusReply & { text?: string }): void {
  if (reply.text !== undefined) {
    response.writeHead(reply.code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    response.end(reply.text);
    return;
  }
  const retryAfter = (reply.body.details as Json | undefined)?.retryAfterSeconds;
  response.writeHead(reply.code, { 'Content-Type': 'application/json', ...(retryAfter ? { 'Retry-After': String(retryAfter) } : {}) });
  response.end(JSON.stringify(reply.body));
}
