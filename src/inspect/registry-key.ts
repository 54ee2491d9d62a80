/**
 * Kubernetes object keys in etcd: `/registry/<resourcePrefix>[/<namespace>]/<name>`, with the
 * historical prefixes the API server still uses (nodes live under `minions`, services under
 * `services/specs`) and custom resources under `/registry/<group>/<plural>`. Spec
 * k8s-maintenance §7.1. Unknown keys are tolerated: they parse as far as they can.
 */

export const REGISTRY_PREFIX = '/registry/';

export interface ObjectKey {
  /** Resource name as kubectl spells it: "nodes", "services", "deployments", "crontabs". */
  resource: string;
  /** API group for custom resources and aggregated APIs ("stable.example.com"); undefined for built-ins. */
  group?: string;
  namespace?: string;
  name: string;
  /** The etcd key as stored. */
  key: string;
}

/** Storage prefixes that differ from the resource name (two segments for services/*). */
const PREFIX_TO_RESOURCE: Record<string, string> = {
  minions: 'nodes',
  'services/specs': 'services',
  'services/endpoints': 'endpoints',
  controllers: 'replicationcontrollers',
  ingress: 'ingresses',
};

/** The reverse mapping, for `--resource nodes` -> `/registry/minions/`. */
const RESOURCE_TO_PREFIX: Record<string, string> = Object.fromEntries(Object.entries(PREFIX_TO_RESOURCE).map(([p, r]) => [r, p]));

/** Kinds written without a namespace segment; everything else with two trailing segments is namespaced. */
const CLUSTER_SCOPED = new Set([
  'nodes', 'namespaces', 'persistentvolumes', 'clusterroles', 'clusterrolebindings', 'storageclasses',
  'customresourcedefinitions', 'apiservices', 'priorityclasses', 'csidrivers', 'csinodes', 'runtimeclasses',
  'validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'volumeattachments', 'ingressclasses',
  'certificatesigningrequests', 'flowschemas', 'prioritylevelconfigurations', 'podsecuritypolicies',
  'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
]);

/** Parses an etcd key; undefined when it is not under /registry/ or has no name. */
export function parseRegistryKey(key: string): ObjectKey | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  if (parts.some((p) => p.length === 0) || parts.length < 2) return undefined;
  let resource: string;
  let group: string | undefined;
  let rest: string[];
  const two = `${parts[0]}/${parts[1]}`;
  if (PREFIX_TO_RESOURCE[two] !== undefined) {
    resource = PREFIX_TO_RESOURCE[two];
    rest = parts.slice(2);
  } else if ((parts[0] as string).includes('.') && parts.length >= 3) {
    group = parts[0];
    resource = parts[1] as string;
    rest = parts.slice(2);
  } else {
    resource = PREFIX_TO_RESOURCE[parts[0] as string] ?? (parts[0] as string);
    rest = parts.slice(1);
  }
  if (rest.length === 1) return { resource, group, name: rest[0] as string, key };
  if (rest.length === 2 && !CLUSTER_SCOPED.has(resource)) return { resource, group, namespace: rest[0], name: rest[1] as string, key };
  return undefined;
}

/** The key prefix that holds every object of a resource ("nodes" -> "/registry/minions/"). */
export function resourceKeyPrefix(resource: string, group?: string): string {
  const prefix = RESOURCE_TO_PREFIX[resource] ?? resource;
  return `${REGISTRY_PREFIX}${group ? `${group}/` : ''}${prefix}/`;
}

/** The key of one object, as the API server would write it. */
export function objectKey(resource: string, name: string, namespace?: string, group?: string): string {
  return `${resourceKeyPrefix(resource, group)}${namespace ? `${namespace}/` : ''}${name}`;
}

/** Accepts the spellings operators type: "deploy", "deployment", "deployments", "Deployment". */
export function normalizeResource(input: string): string {
  const lower = input.toLowerCase();
  const aliases: Record<string, string> = {
    po: 'pods', pod: 'pods', svc: 'services', service: 'services', deploy: 'deployments', deployment: 'deployments',
    rs: 'replicasets', replicaset: 'replicasets', ds: 'daemonsets', daemonset: 'daemonsets', sts: 'statefulsets',
    statefulset: 'statefulsets', cm: 'configmaps', configmap: 'configmaps', secret: 'secrets', ns: 'namespaces',
    namespace: 'namespaces', no: 'nodes', node: 'nodes', ev: 'events', event: 'events', ep: 'endpoints',
    ing: 'ingresses', ingress: 'ingresses', sa: 'serviceaccounts', serviceaccount: 'serviceaccounts',
    pv: 'persistentvolumes', pvc: 'persistentvolumeclaims', crd: 'customresourcedefinitions', job: 'jobs', cronjob: 'cronjobs',
    // The rest of kubectl's short names and singulars.
    crds: 'customresourcedefinitions', cj: 'cronjobs', csr: 'certificatesigningrequests', hpa: 'horizontalpodautoscalers',
    pdb: 'poddisruptionbudgets', netpol: 'networkpolicies', sc: 'storageclasses', quota: 'resourcequotas', limits: 'limitranges',
    rc: 'replicationcontrollers', pc: 'priorityclasses', lease: 'leases', role: 'roles', rolebinding: 'rolebindings',
    clusterrole: 'clusterroles', clusterrolebinding: 'clusterrolebindings', ingressclass: 'ingressclasses',
    storageclass: 'storageclasses', priorityclass: 'priorityclasses', endpointslice: 'endpointslices', controllerrevision: 'controllerrevisions',
    apiservice: 'apiservices', runtimeclass: 'runtimeclasses', csidriver: 'csidrivers', csinode: 'csinodes',
  };
  return aliases[lower] ?? lower;
}
