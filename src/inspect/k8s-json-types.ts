/**
 * Kubernetes types whose JSON form is not their protobuf fields: each has its own MarshalJSON
 * in k8s.io/apimachinery or k8s.io/apiextensions-apiserver, and is rendered here the way that
 * method renders it, so `snapshot get` prints what `kubectl get -o json` prints.
 */
import { readFields, toInt64 } from '../protobuf/index.js';
import { text } from './object-meta.js';

/** Decodes a nested message by its key; supplied by the schema decoder (for recursive types). */
export type DecodeMessage = (key: string, bytes: Uint8Array) => unknown;
type Renderer = (bytes: Uint8Array, decode: DecodeMessage, pkg: string) => unknown;

/** Seconds of 0001-01-01T00:00:00Z, Go's zero time: rendered as null. */
const GO_ZERO_TIME_SECONDS = -62135596800n;
const MAX_JS_SECONDS = 8_640_000_000_000n;

function timestampFields(bytes: Uint8Array): { seconds: bigint; nanos: number } {
  let seconds = 0n;
  let nanos = 0;
  for (const f of readFields(bytes)) {
    if (f.field === 1) seconds = toInt64(f.varint);
    else if (f.field === 2) nanos = Number(BigInt.asIntN(32, f.varint));
  }
  return { seconds, nanos };
}

/** Go's time.RFC3339 in UTC ("2006-01-02T15:04:05Z"), with an optional fraction. */
function rfc3339(seconds: bigint, fraction = ''): string | null {
  if (seconds === GO_ZERO_TIME_SECONDS) return null;
  if (seconds > MAX_JS_SECONDS || seconds < -MAX_JS_SECONDS) return null;
  const iso = new Date(Number(seconds) * 1000).toISOString();
  // toISOString writes years past 9999 as "+010000"; Go writes the digits.
  const date = iso.startsWith('+') ? iso.slice(1).replace(/^0+(?=\d{4})/, '') : iso;
  return `${date.slice(0, date.indexOf('.'))}${fraction}Z`;
}

/** metav1.Time: whole seconds (the nanoseconds are dropped when the API server reads it); no bytes = the zero time. */
export function renderTime(bytes: Uint8Array): string | null {
  return bytes.length === 0 ? null : rfc3339(timestampFields(bytes).seconds);
}

/** metav1.MicroTime: RFC3339 with exactly six fraction digits. */
export function renderMicroTime(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return null;
  const { seconds, nanos } = timestampFields(bytes);
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  return rfc3339(seconds, `.${String(Math.floor(Math.max(0, nanos) / 1000)).padStart(6, '0')}`);
}

/** Digits of v below 10^prec with trailing zeros cut, and v / 10^prec (Go's fmtFrac). */
function fraction(v: bigint, prec: number): [string, bigint] {
  const scale = 10n ** BigInt(prec);
  const digits = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return [digits ? `.${digits}` : '', v / scale];
}

/** Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s". */
export function goDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000_000n) {
    const [frac, whole] = u < 1_000_000n ? fraction(u, 3) : fraction(u, 6);
    return `${sign}${whole}${frac}${u < 1_000_000n ? 'µs' : 'ms'}`;
  }
  const [frac, secs] = fraction(u, 9);
  let out = `${secs % 60n}${frac}s`;
  if (secs >= 60n) out = `${(secs / 60n) % 60n}m${out}`;
  if (secs >= 3600n) out = `${secs / 3600n}h${out}`;
  return `${sign}${out}`;
}

function firstBytes(bytes: Uint8Array, field: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const f of readFields(bytes)) if (f.field === field) found = f.bytes;
  return found;
}

/** Raw JSON held in bytes (RawExtension, FieldsV1, apiextensions JSON); null when empty. */
function rawJson(raw: Uint8Array | undefined): unknown {
  if (raw === undefined || raw.length === 0) return null;
  const s = text(raw);
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function intOrString(bytes: Uint8Array): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  for (const f of readFields(bytes)) {
    if (f.field === 1) type = toInt64(f.varint);
    else if (f.field === 2) intVal = Number(BigInt.asIntN(32, f.varint));
    else if (f.field === 3) strVal = text(f.bytes);
  }
  return type === 1n ? strVal : intVal;
}

/** Schema-or-something unions of apiextensions (JSONSchemaPropsOrArray/OrBool/OrStringArray). */
function schemaUnion(bytes: Uint8Array, decode: DecodeMessage, pkg: string, other: 'array' | 'bool' | 'strings'): unknown {
  let schema: unknown;
  const list: unknown[] = [];
  let allows = false;
  for (const f of readFields(bytes)) {
    const schemaField = other === 'bool' ? 2 : 1;
    if (f.field === schemaField) schema = decode(`${pkg}.JSONSchemaProps`, f.bytes);
    else if (other === 'bool' && f.field === 1) allows = f.varint !== 0n;
    else if (f.field === 2 && other === 'array') list.push(decode(`${pkg}.JSONSchemaProps`, f.bytes));
    else if (f.field === 2 && other === 'strings') list.push(text(f.bytes));
  }
  if (other === 'bool') return schema ?? allows;
  if (list.length > 0) return list;
  return schema ?? null;
}

const BY_NAME = new Map<string, Renderer>(Object.entries({
  Time: renderTime,
  MicroTime: renderMicroTime,
  Duration: (b) => {
    let ns = 0n;
    for (const f of readFields(b)) if (f.field === 1) ns = toInt64(f.varint);
    return goDuration(ns);
  },
  FieldsV1: (b) => rawJson(firstBytes(b, 1)),
  Quantity: (b) => text(firstBytes(b, 1) ?? new Uint8Array(0)) || '0',
  IntOrString: intOrString,
  RawExtension: (b) => rawJson(firstBytes(b, 1)),
  JSON: (b) => rawJson(firstBytes(b, 1)),
  JSONSchemaPropsOrArray: (b, d, p) => schemaUnion(b, d, p, 'array'),
  JSONSchemaPropsOrBool: (b, d, p) => schemaUnion(b, d, p, 'bool'),
  JSONSchemaPropsOrStringArray: (b, d, p) => schemaUnion(b, d, p, 'strings'),
} satisfies Record<string, Renderer>));

/** Which package each custom type lives in: only these are special, not same-named messages elsewhere. */
const PACKAGES = new Map<string, readonly string[]>(Object.entries({
  Time: ['meta/v1'], MicroTime: ['meta/v1'], Duration: ['meta/v1'], FieldsV1: ['meta/v1'], Quantity: ['api/resource'],
  IntOrString: ['util/intstr'], RawExtension: ['runtime'], JSON: ['apiextensions/v1', 'apiextensions/v1beta1'],
  JSONSchemaPropsOrArray: ['apiextensions/v1', 'apiextensions/v1beta1'], JSONSchemaPropsOrBool: ['apiextensions/v1', 'apiextensions/v1beta1'],
  JSONSchemaPropsOrStringArray: ['apiextensions/v1', 'apiextensions/v1beta1'],
}));

export interface CustomJsonType {
  render(bytes: Uint8Array, decode: DecodeMessage): unknown;
  /** The JSON of the Go zero value (a zero Time is null, not 1970). */
  zero: unknown;
}

/** The custom renderer of a message key, if it has its own JSON form. */
export function customJsonType(key: string): CustomJsonType | undefined {
  const dot = key.lastIndexOf('.');
  const pkg = key.slice(0, dot);
  const name = key.slice(dot + 1);
  const render = BY_NAME.get(name);
  if (!render || !PACKAGES.get(name)?.includes(pkg)) return undefined;
  const zero = render(new Uint8Array(0), () => null, pkg);
  return { render: (bytes, decode) => render(bytes, decode, pkg), zero };
}
