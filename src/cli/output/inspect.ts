/** Renderers for `snapshot ls | get | diff | keys`: kubectl-like tables, YAML and JSON. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import type { DecodedValue, ObjectChange, ObjectSummary, ResourceCount } from '../../inspect/index.js';
import { renderTable } from './table.js';

const bigintReplacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v);

/** JSON with bigints as numbers when safe, strings otherwise (revisions stay exact). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, bigintReplacer, 2)}\n`;
}

const JSON_BATCH_CHARS = 1 << 20;

/**
 * A JSON array, one element per line, written in ~1 MB batches that wait for the stream to
 * drain: a listing of a million objects never exists as one string.
 */
export async function writeJsonArray(out: Writable, items: Iterable<unknown>): Promise<void> {
  let batch = '[';
  let first = true;
  const flush = async () => {
    if (!out.write(batch)) await once(out, 'drain');
    batch = '';
  };
  for (const item of items) {
    batch += `${first ? '' : ','}\n  ${JSON.stringify(item, bigintReplacer)}`;
    first = false;
    if (batch.length >= JSON_BATCH_CHARS) await flush();
  }
  batch += first ? ']\n' : '\n]\n';
  await flush();
}

function age(created: string | undefined, now: Date): string {
  if (!created) return '';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function labels(l: Record<string, string> | undefined): string {
  return Object.entries(l ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}

function kindOf(o: ObjectSummary): string {
  if (o.encoding === 'encrypted') return `<encrypted: ${o.encryption?.provider}/${o.encryption?.keyName}>`;
  if (o.encoding === 'corrupt') return '<corrupt>';
  return o.kind ? `${o.kind} ${o.apiVersion ?? ''}`.trim() : `<${o.encoding}>`;
}

export function renderObjectTable(objects: readonly ObjectSummary[], now: Date): string {
  if (objects.length === 0) return 'No objects found.\n';
  const rows = objects.map((o) => [
    o.group ? `${o.resource}.${o.group}` : o.resource, o.namespace ?? '', o.name, kindOf(o), age(o.creationTimestamp, now),
    o.modRevision.toString(), o.uid ?? '', labels(o.labels),
  ]);
  return renderTable(['resource', 'namespace', 'name', 'kind', 'age', 'revision', 'uid', 'labels'], rows, { align: 'left' });
}

export function renderCountTable(counts: readonly ResourceCount[]): string {
  const rows = counts.map((c) => [c.group ? `${c.resource}.${c.group}` : c.resource, String(c.count), String(c.sizeBytes)]);
  rows.push(['TOTAL', String(counts.reduce((s, c) => s + c.count, 0)), String(counts.reduce((s, c) => s + c.sizeBytes, 0))]);
  return renderTable(['resource', 'objects', 'bytes'], rows);
}

export interface ObjectDocumentOptions {
  /** Keep metadata.managedFields (kubectl hides them unless --show-managed-fields). */
  showManagedFields?: boolean;
}

/**
 * metadata as the API server serves it: resourceVersion (not stored: the key's mod revision)
 * added, managedFields left out unless asked for, as kubectl does; keys keep their order.
 */
function servedMetadata(object: Record<string, unknown>, resourceVersion: string, options: ObjectDocumentOptions): Record<string, unknown> {
  const served = (metadata: unknown) => {
    const { managedFields, ...meta } = (metadata ?? {}) as Record<string, unknown>;
    return { ...meta, resourceVersion, ...(options.showManagedFields && managedFields !== undefined ? { managedFields } : {}) };
  };
  if (!('metadata' in object)) return { metadata: served({}), ...object };
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, k === 'metadata' ? served(v) : v]));
}

/** The object as `kubectl get -o json` would print it, plus how kubekeeper found it stored. */
export function objectDocument(decoded: DecodedValue, modRevision: bigint, key: string, options: ObjectDocumentOptions = {}): Record<string, unknown> {
  const storage = { key, modRevision: modRevision.toString() };
  switch (decoded.encoding) {
    case 'protobuf': {
      const resourceVersion = modRevision.toString();
      if (decoded.known) {
        const object = servedMetadata(decoded.body, resourceVersion, options);
        const stored = decoded.storedApiVersion ? { storedApiVersion: decoded.storedApiVersion } : {};
        return { apiVersion: decoded.apiVersion, kind: decoded.kind, ...object, kubekeeper: { ...storage, encoding: 'protobuf', schema: 'by name', ...stored } };
      }
      const metadata = { ...decoded.metadata, resourceVersion };
      const body = Object.fromEntries(Object.entries(decoded.body).map(([k, v]) => [`field${k}`, v]));
      return { apiVersion: decoded.apiVersion, kind: decoded.kind, metadata, ...body, kubekeeper: { ...storage, encoding: 'protobuf', schema: 'generic (fields by number)' } };
    }
    case 'json':
      return { ...servedMetadata(decoded.object, modRevision.toString(), options), kubekeeper: { ...storage, encoding: 'json', ...(decoded.storedApiVersion ? { storedApiVersion: decoded.storedApiVersion } : {}) } };
    case 'encrypted':
      return { kubekeeper: { ...storage, encoding: 'encrypted', provider: decoded.provider, keyName: decoded.keyName, sizeBytes: decoded.sizeBytes, note: 'Encrypted at rest by the API server; it cannot be decoded without the EncryptionConfiguration key' } };
    case 'corrupt':
      return { kubekeeper: { ...storage, encoding: 'corrupt', claimed: decoded.claimed, error: decoded.error, sizeBytes: decoded.sizeBytes } };
    default:
      return { kubekeeper: { ...storage, ...decoded } };
  }
}

export function renderDocument(doc: Record<string, unknown>, format: 'yaml' | 'json'): string {
  return format === 'json' ? toJson(doc) : stringify(doc, { lineWidth: 0 });
}

/** " [encrypted: aescbc/key1]", or " [plaintext -> secretbox/key2]" when the encryption changed. */
function encryptionNote(c: ObjectChange): string {
  const before = c.before?.encryption;
  const after = c.after?.encryption;
  if (c.change === 'changed' && before !== after) return ` [${before ?? 'plaintext'} -> ${after ?? 'plaintext'}]`;
  const state = after ?? before;
  return state ? ` [encrypted: ${state}]` : '';
}

export function renderChanges(changes: readonly ObjectChange[]): string {
  if (changes.length === 0) return 'No differences.\n';
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  const lines = changes.map((c) => {
    const where = c.namespace ? `${c.namespace}/${c.name}` : c.name;
    const revs = c.change === 'changed' ? ` (revision ${c.before?.modRevision} -> ${c.after?.modRevision})` : '';
    return `${sign[c.change]} ${c.group ? `${c.resource}.${c.group}` : c.resource} ${where}${revs}${encryptionNote(c)}`;
  });
  const count = (k: ObjectChange['change']) => changes.filter((c) => c.change === k).length;
  lines.push('', `${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`);
  return `${lines.join('\n')}\n`;
}
