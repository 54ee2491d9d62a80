/**
 * What the API server changes between the stored object and the one it serves, so that
 * `snapshot get` shows what kubectl shows:
 * - Objects stored in one version and served in another. Kubernetes 1.37 stores
 *   CustomResourceDefinitions as apiextensions.k8s.io/v1beta1 JSON and serves them as v1 (v1beta1
 *   defaults, then v1beta1 -> internal -> v1, done here); it stores ClusterTrustBundles and
 *   StorageVersionMigrations as v1beta1 (one release of downgrade room, kubeapiserver's storage
 *   factory) and serves them as v1 with the same schema. (PodCertificateRequest, also stored as
 *   v1beta1, changed its schema in v1: it stays shown as stored.)
 * - StatefulSet volumeClaimTemplates get apiVersion v1 / kind PersistentVolumeClaim on every
 *   read (apps conversion keeps the behaviour of reflective conversion before 1.17).
 * - Defaults applied when the API server decodes a stored object that the stored object lacks:
 *   a Job without labels gets its pod template's labels (the Job strategy adds those labels to
 *   the template after defaulting, so they are never stored on the Job itself); a
 *   PersistentVolumeClaim or PersistentVolume without a status phase is Pending, a Namespace
 *   Active (their strategies clear the status after defaulting); a Node's allocatable defaults
 *   to its capacity (core/v1 defaults.go).
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** v1beta1 printer columns name the path "JSONPath"; v1 "jsonPath". */
function columns(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((c) => {
    if (!isObject(c) || !('JSONPath' in c)) return c;
    const { JSONPath, ...rest } = c;
    return { ...rest, jsonPath: JSONPath };
  });
}

function crdSpecToV1(spec: Json): Json {
  const { version, validation, subresources, additionalPrinterColumns, selectableFields, conversion, preserveUnknownFields, ...rest } = spec;
  const names = isObject(rest.names) ? { ...rest.names } : {};
  // v1beta1 defaults, applied when the stored object is decoded.
  if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
  if (!names.listKind && typeof names.kind === 'string' && names.kind) names.listKind = `${names.kind}List`;
  const out: Json = { ...rest, names, scope: rest.scope || 'Namespaced' };
  let versions = Array.isArray(rest.versions) ? rest.versions.filter(isObject) : [];
  if (versions.length === 0 && typeof version === 'string' && version) versions = [{ name: version, served: true, storage: true }];
  out.versions = versions.map((v) => {
    const copy: Json = { ...v };
    if ('additionalPrinterColumns' in copy) copy.additionalPrinterColumns = columns(copy.additionalPrinterColumns);
    // Top-level fields apply to every version (v1 keeps them per version only).
    if (subresources !== undefined) copy.subresources = subresources;
    if (validation !== undefined) copy.schema = validation;
    if (additionalPrinterColumns !== undefined) copy.additionalPrinterColumns = columns(additionalPrinterColumns);
    if (selectableFields !== undefined) copy.selectableFields = selectableFields;
    return copy;
  });
  const conv = isObject(conversion) ? conversion : { strategy: 'None' };
  const { webhookClientConfig, conversionReviewVersions, ...strategy } = conv;
  const reviewVersions = conversionReviewVersions ?? (conv.strategy === 'Webhook' ? ['v1beta1'] : undefined);
  out.conversion = webhookClientConfig !== undefined || reviewVersions !== undefined
    ? { ...strategy, webhook: { ...(webhookClientConfig !== undefined ? { clientConfig: webhookClientConfig } : {}), ...(reviewVersions !== undefined ? { conversionReviewVersions: reviewVersions } : {}) } }
    : strategy;
  // v1beta1 defaults a missing preserveUnknownFields to true; v1 omits false.
  if (preserveUnknownFields === undefined || preserveUnknownFields === true) out.preserveUnknownFields = true;
  return out;
}

function crdToV1(body: Json): Json {
  const out: Json = { ...body };
  if (isObject(body.spec)) out.spec = crdSpecToV1(body.spec);
  if (isObject(body.status) && isObject(out.spec) && !(Array.isArray(body.status.storedVersions) && body.status.storedVersions.length > 0)) {
    const storage = (out.spec.versions as Json[]).find((v) => v.storage === true);
    if (storage) out.status = { ...body.status, storedVersions: [storage.name] };
  }
  return out;
}

function statefulSetTemplates(body: Json): Json {
  if (!isObject(body.spec) || !Array.isArray(body.spec.volumeClaimTemplates)) return body;
  const templates = body.spec.volumeClaimTemplates.map((t) => (isObject(t) ? { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...t } : t));
  return { ...body, spec: { ...body.spec, volumeClaimTemplates: templates } };
}

function jobLabels(body: Json): Json {
  const meta = isObject(body.metadata) ? body.metadata : {};
  const spec = isObject(body.spec) ? body.spec : {};
  const template = isObject(spec.template) && isObject(spec.template.metadata) ? spec.template.metadata : {};
  if (!isObject(template.labels) || (isObject(meta.labels) && Object.keys(meta.labels).length > 0)) return body;
  return { ...body, metadata: { ...meta, labels: template.labels } };
}

/** Sets status[field] when the stored status lacks it. */
const statusDefault = (field: string, value: unknown) => (body: Json): Json => {
  const status = isObject(body.status) ? body.status : {};
  if (status[field] !== undefined && status[field] !== '') return body;
  return { ...body, status: { ...status, [field]: value } };
};

function nodeAllocatable(body: Json): Json {
  const status = isObject(body.status) ? body.status : undefined;
  if (!status || status.allocatable !== undefined || status.capacity === undefined) return body;
  return { ...body, status: { ...status, allocatable: status.capacity } };
}

const same = (body: Json): Json => body;

/** "<stored apiVersion> <kind>" -> the version served and how to get there. */
const CONVERSIONS: Record<string, { served: string; convert: (body: Json) => Json }> = {
  'apiextensions.k8s.io/v1beta1 CustomResourceDefinition': { served: 'apiextensions.k8s.io/v1', convert: crdToV1 },
  'certificates.k8s.io/v1beta1 ClusterTrustBundle': { served: 'certificates.k8s.io/v1', convert: same },
  'storagemigration.k8s.io/v1beta1 StorageVersionMigration': { served: 'storagemigration.k8s.io/v1', convert: same },
  'apps/v1 StatefulSet': { served: 'apps/v1', convert: statefulSetTemplates },
  'apps/v1beta2 StatefulSet': { served: 'apps/v1beta2', convert: statefulSetTemplates },
  'apps/v1beta1 StatefulSet': { served: 'apps/v1beta1', convert: statefulSetTemplates },
  'batch/v1 Job': { served: 'batch/v1', convert: jobLabels },
  'v1 PersistentVolumeClaim': { served: 'v1', convert: statusDefault('phase', 'Pending') },
  'v1 PersistentVolume': { served: 'v1', convert: statusDefault('phase', 'Pending') },
  'v1 Namespace': { served: 'v1', convert: statusDefault('phase', 'Active') },
  'v1 Node': { served: 'v1', convert: nodeAllocatable },
};

/** Stored -> served versions that only rename apiVersion (their schemas must be equal). */
export const RENAMED_VERSIONS: readonly (readonly [string, string, string])[] = Object.entries(CONVERSIONS)
  .filter(([, c]) => c.convert === same)
  .map(([k, c]) => [k.split(' ')[0] as string, c.served, k.split(' ')[1] as string] as const);

/**
 * The served form of an object decoded from its storage version: the same object when the
 * API server serves it as stored, else the converted one and the version it is served as.
 */
export function toServedVersion(apiVersion: string, kind: string, body: Json): { apiVersion: string; body: Json } {
  const conversion = Object.prototype.hasOwnProperty.call(CONVERSIONS, `${apiVersion} ${kind}`) ? CONVERSIONS[`${apiVersion} ${kind}`] : undefined;
  if (!conversion) return { apiVersion, body };
  return { apiVersion: conversion.served, body: conversion.convert(body) };
}
