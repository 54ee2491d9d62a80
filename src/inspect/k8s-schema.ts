/**
 * The schema of built-in Kubernetes objects, read from the generated table
 * (k8s-schema.generated.ts, written by scripts/gen-k8s-schema.mjs from k8s.io/api's
 * generated.proto and Go struct tags). Messages are parsed on first use and cached.
 */
import { K8S_API_PACKAGES, K8S_MESSAGES } from './k8s-schema.generated.js';

/** Scalar type codes of the table; anything else names a message. */
export type ScalarType = 's' | 'b' | 'i' | 'l' | 'y' | 'd' | 'f';
const SCALAR_TYPES = new Set(['s', 'b', 'i', 'l', 'y', 'd', 'f']);

export interface FieldSchema {
  number: number;
  /** The JSON name from the Go struct tag; '' for an inline (embedded) struct. */
  jsonName: string;
  /** A scalar code or a fully qualified message key ("core/v1.PodSpec"). */
  type: string;
  repeated: boolean;
  /** map<string, type>. */
  map: boolean;
  /** `omitempty` in the Go json tag: a zero scalar, empty slice or map is left out. */
  omitEmpty: boolean;
  /** `omitzero` (Go 1.24): left out when the value is its type's zero (a zero Time). */
  omitZero: boolean;
  /** A Go pointer: printed when set, even when zero; left out when unset. */
  pointer: boolean;
  inline: boolean;
}

export interface MessageSchema {
  key: string;
  fields: readonly FieldSchema[];
  byNumber: ReadonlyMap<number, FieldSchema>;
  /** A Go slice type wrapped in a message (e.g. ExtraValue): rendered as its items. */
  listWrapper: boolean;
}

export function isScalarType(type: string): type is ScalarType {
  return SCALAR_TYPES.has(type);
}

const cache = new Map<string, MessageSchema | null>();

function parseField(spec: string, pkg: string): FieldSchema {
  const [num, name, type, flags = ''] = spec.split(' ') as [string, string, string, string?];
  const qualified = isScalarType(type) || type.includes('.') ? type : `${pkg}.${type}`;
  return {
    number: Number(num), jsonName: name === '-' ? '' : name, type: qualified,
    repeated: flags.includes('r'), map: flags.includes('m'), omitEmpty: flags.includes('o'), omitZero: flags.includes('z'), pointer: flags.includes('p'), inline: flags.includes('i'),
  };
}

/** The schema of a message ("apps/v1.DeploymentSpec"); undefined when the table lacks it. */
export function messageSchema(key: string): MessageSchema | undefined {
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const encoded = Object.prototype.hasOwnProperty.call(K8S_MESSAGES, key) ? K8S_MESSAGES[key] : undefined;
  if (encoded === undefined) {
    cache.set(key, null);
    return undefined;
  }
  const pkg = key.slice(0, key.lastIndexOf('.'));
  const listWrapper = encoded.startsWith('*');
  const body = listWrapper ? encoded.slice(1) : encoded;
  const fields = body === '' ? [] : body.split(';').map((f) => parseField(f, pkg));
  const schema: MessageSchema = { key, fields, byNumber: new Map(fields.map((f) => [f.number, f])), listWrapper };
  cache.set(key, schema);
  return schema;
}

/** The message key of a stored object's kind ("apps/v1", "Deployment" -> "apps/v1.Deployment"). */
export function kindMessageKey(apiVersion: string, kind: string): string | undefined {
  const pkg = Object.prototype.hasOwnProperty.call(K8S_API_PACKAGES, apiVersion) ? K8S_API_PACKAGES[apiVersion] : undefined;
  if (pkg === undefined) return undefined;
  const key = `${pkg}.${kind}`;
  return messageSchema(key) ? key : undefined;
}

/** How many API versions and messages the table covers (for `--help` and reports). */
export function schemaCoverage(): { apiVersions: number; messages: number } {
  return { apiVersions: Object.keys(K8S_API_PACKAGES).length, messages: Object.keys(K8S_MESSAGES).length };
}
