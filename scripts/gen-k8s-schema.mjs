#!/usr/bin/env node
/* global process, console, URL */
// Writes src/inspect/k8s-schema.generated.ts: the table kubekeeper uses to decode the protobuf
// bodies of built-in Kubernetes objects by name (snapshot get/diff). Facts only: for every
// message reachable from a stored kind, its fields' numbers, JSON names, types and the JSON
// emptiness rules of the Go field behind each one.
//
// Sources, from the Go module cache at one Kubernetes release (default v0.37.2):
//   <module>/**/generated.proto  message names, field numbers, proto types, repeated/map
//   <module>/**/*.go             the Go struct tags beside them: `json:"name,omitempty"` (the JSON
//                                name is NOT always the proto name: $ref, x-kubernetes-*,
//                                inline structs), `protobuf:"...,N,..."` to join on the number,
//                                and whether the Go field is a pointer (printed when set, even
//                                if zero) or a value (omitted when zero only with omitempty)
//   register.go / doc.go         the API group of each package (GroupName / +groupName)
// Modules: k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver (CRDs) and
// k8s.io/kube-aggregator (APIServices), all stored by kube-apiserver as protobuf.
//
// Regenerate (after bumping the release; the modules must be in the cache):
//   (cd peers/kubernetes-1.37 && GOTOOLCHAIN=local go mod download k8s.io/api k8s.io/apimachinery \
//      k8s.io/apiextensions-apiserver k8s.io/kube-aggregator)
//   node scripts/gen-k8s-schema.mjs [--version v0.37.2] [--modcache /root/go/pkg/mod] [--check]
// --check writes nothing and exits 1 when the committed table differs from what the sources give.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const version = arg('version', 'v0.37.2');
const modCache = arg('modcache', process.env.GOMODCACHE || safeGoEnv('GOMODCACHE') || '/root/go/pkg/mod');
const out = arg('out', path.join(root, 'src', 'inspect', 'k8s-schema.generated.ts'));
const MODULES = ['api', 'apimachinery', 'apiextensions-apiserver', 'kube-aggregator'];

function safeGoEnv(name) {
  try {
    return execFileSync('go', ['env', name], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  } catch {
    return '';
  }
}

function walk(dir, found = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, found);
    else if (name === 'generated.proto') found.push(p);
  }
  return found;
}

/** "k8s.io/api@v0.37.2/apps/v1" -> "apps/v1"; apimachinery's "pkg/apis/meta/v1" -> "meta/v1". */
const packageIds = new Set();
function packageId(rel) {
  const id = rel.replace(/^pkg\//, '').replace(/^apis\//, '');
  if (packageIds.has(id)) throw new Error(`two packages named ${id}`);
  packageIds.add(id);
  return id;
}

// ---- generated.proto ----
const SCALARS = { string: 's', bool: 'b', int32: 'i', int64: 'l', bytes: 'y', double: 'd', float: 'f' };

function parseProto(file) {
  const text = readFileSync(file, 'utf8');
  const pkg = /^package ([\w.]+);/m.exec(text)[1];
  const messages = new Map();
  const lines = text.split('\n');
  let current;
  let comments = [];
  for (const line of lines) {
    const msg = /^message (\w+) \{/.exec(line);
    if (msg) {
      current = { name: msg[1], fields: [], listWrapper: comments.some((c) => c.includes('+protobuf.nullable=true')) };
      messages.set(msg[1], current);
      continue;
    }
    if (line.startsWith('//')) comments.push(line);
    else if (line.trim() === '') comments = [];
    if (line === '}') current = undefined;
    if (!current) continue;
    const f = /^ {2}(optional|repeated) ([\w.]+) (\w+) = (\d+);/.exec(line) ?? /^ {2}(map)<string, ([\w.]+)> (\w+) = (\d+);/.exec(line);
    if (f) current.fields.push({ label: f[1], type: f[2], protoName: f[3], number: Number(f[4]) });
    else if (/^ {2}[a-z]/.test(line)) throw new Error(`${file}: cannot parse "${line.trim()}"`);
  }
  return { pkg, messages };
}

// ---- Go struct tags ----
function parseGoStructs(dir) {
  const structs = new Map();
  let group;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.go') || name.endsWith('_test.go') || name.startsWith('zz_generated') || name === 'generated.pb.go') continue;
    const text = readFileSync(path.join(dir, name), 'utf8');
    group ??= /GroupName\s*=\s*"([^"]*)"/.exec(text)?.[1] ?? /\+groupName=(\S*)/.exec(text)?.[1];
    const re = /^type (\w+) struct \{\n([\s\S]*?)^\}/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const fields = new Map();
      for (const line of m[2].split('\n')) {
        const tagAt = line.indexOf('`');
        if (tagAt < 0 || line.trim().startsWith('//')) continue;
        const tags = line.slice(tagAt + 1, line.lastIndexOf('`'));
        const proto = /protobuf:"[a-z0-9]+,(\d+),/.exec(tags);
        if (!proto) continue;
        const decl = line.slice(0, tagAt).trim().split(/\s+/);
        const goType = decl.length === 1 ? decl[0] : decl[1];
        const json = /json:"([^"]*)"/.exec(tags)?.[1] ?? '';
        const [jsonName, ...opts] = json.split(',');
        // An embedded struct without a JSON name is flattened into its parent, like ",inline".
        const inline = opts.includes('inline') || (decl.length === 1 && jsonName === '');
        fields.set(Number(proto[1]), { goType, jsonName, omitEmpty: opts.includes('omitempty'), omitZero: opts.includes('omitzero'), inline });
      }
      structs.set(m[1], fields);
    }
  }
  return { structs, group };
}

// ---- join ----
const packages = new Map(); // proto package -> { id, messages, structs, group }
for (const module of MODULES) {
  const modDir = path.join(modCache, 'k8s.io', `${module}@${version}`);
  if (!existsSync(modDir)) {
    console.error(`gen-k8s-schema: ${modDir} is missing; run: (cd peers/kubernetes-1.37 && GOTOOLCHAIN=local go mod download k8s.io/${module}@${version})`);
    process.exit(1);
  }
  for (const file of walk(modDir)) {
    const dir = path.dirname(file);
    const rel = path.relative(modDir, dir);
    if (rel.includes('testapigroup')) continue;
    const { pkg, messages } = parseProto(file);
    const { structs, group } = parseGoStructs(dir);
    packages.set(pkg, { id: packageId(rel), rel: `k8s.io/${module}/${rel}`, messages, structs, group });
  }
}

function qualify(pkg, type) {
  if (SCALARS[type]) return { ref: SCALARS[type] };
  if (type.startsWith('.')) {
    const cut = type.lastIndexOf('.');
    const p = packages.get(type.slice(1, cut));
    if (!p) throw new Error(`unknown package in ${type}`);
    return { ref: `${p.id}.${type.slice(cut + 1)}`, pkg: type.slice(1, cut), name: type.slice(cut + 1) };
  }
  return { ref: `${packages.get(pkg).id}.${type}`, pkg, name: type };
}

// Go types with their own MarshalJSON: rendered by src/inspect, not from their fields.
const CUSTOM_JSON = new Set(['meta/v1.Time', 'meta/v1.MicroTime', 'meta/v1.FieldsV1', 'meta/v1.Duration', 'api/resource.Quantity']);
const table = new Map(); // "apps/v1.Deployment" -> encoded fields
const problems = [];
function encodeMessage(pkg, name) {
  const p = packages.get(pkg);
  const key = `${p.id}.${name}`;
  if (table.has(key)) return;
  const message = p.messages.get(name);
  if (!message) throw new Error(`no message ${key}`);
  table.set(key, '');
  const struct = p.structs.get(name);
  const parts = [];
  for (const f of message.fields) {
    const t = qualify(pkg, f.type);
    const go = struct?.get(f.number);
    if (struct && !go && !CUSTOM_JSON.has(key)) problems.push(`${key} field ${f.number} (${f.protoName}) has no Go field`);
    if (go && go.jsonName === '-') continue;
    const jsonName = go ? (go.inline ? '' : go.jsonName || f.protoName) : f.protoName;
    let flags = '';
    if (f.label === 'repeated') flags += 'r';
    if (f.label === 'map') flags += 'm';
    if (go?.omitEmpty) flags += 'o';
    if (go?.omitZero) flags += 'z';
    if (go?.goType.startsWith('*')) flags += 'p';
    if (go?.inline) flags += 'i';
    const ref = t.pkg === pkg ? t.name : t.ref;
    parts.push(`${f.number} ${jsonName || '-'} ${ref}${flags ? ` ${flags}` : ''}`);
    if (t.pkg) encodeMessage(t.pkg, t.name);
  }
  table.set(key, `${message.listWrapper && !struct ? '*' : ''}${parts.join(';')}`);
}

// Roots: every kind (a message whose field 1 is ObjectMeta), lists excluded.
const kinds = {};
for (const [pkg, p] of packages) {
  for (const [name, message] of p.messages) {
    const first = message.fields[0];
    if (name.endsWith('List') || first?.number !== 1 || first.type !== '.k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta') continue;
    encodeMessage(pkg, name);
    if (p.group === undefined) continue;
    const version = p.rel.split('/').pop();
    kinds[p.group ? `${p.group}/${version}` : version] = p.id;
  }
}
if (problems.length) console.error(`gen-k8s-schema: ${problems.length} proto fields without a Go field:\n  ${problems.join('\n  ')}`);

const sorted = [...table.keys()].sort();
const body = [
  '// Generated by scripts/gen-k8s-schema.mjs from the generated.proto files and Go struct tags of',
  `// k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver and k8s.io/kube-aggregator ${version}.`,
  '// Do not edit; regenerate with `node scripts/gen-k8s-schema.mjs` (see the script for how).',
  '// Each message: "<number> <jsonName> <type> [flags]" fields joined by ";", a leading "*" for a',
  '// Go slice type wrapped in a message (rendered as its items). Types: s string, b bool, i int32,',
  '// l int64, y bytes, d double, f float, else a message ("pkg/version.Name", or "Name" in the same',
  '// package). Flags: r repeated, m map<string, type>, o omitempty, z omitzero, p Go pointer,\n// i inline ("-" name).',
  '',
  `/** The Kubernetes release the table was generated from. */`,
  `export const K8S_SCHEMA_VERSION = '${version}';`,
  '',
  '/** apiVersion -> package id of its messages (a kind is "<package id>.<Kind>"). */',
  'export const K8S_API_PACKAGES: Readonly<Record<string, string>> = {',
  ...Object.keys(kinds).sort().map((k) => `  '${k}': '${kinds[k]}',`),
  '};',
  '',
  '/** Message -> encoded fields (see the header). */',
  'export const K8S_MESSAGES: Readonly<Record<string, string>> = {',
  ...sorted.map((k) => `  '${k}': '${table.get(k)}',`),
  '};',
  '',
].join('\n');
if (process.argv.includes('--check')) {
  const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (current !== body) {
    console.error(`gen-k8s-schema: ${path.relative(root, out)} is not what ${version}'s sources give; run: node scripts/gen-k8s-schema.mjs`);
    process.exit(1);
  }
  console.log(`gen-k8s-schema: ${path.relative(root, out)} is up to date with ${version}`);
  process.exit(0);
}
writeFileSync(out, body);
const fieldCount = [...table.values()].reduce((n, v) => n + (v ? v.split(';').length : 0), 0);
console.log(`gen-k8s-schema: ${Object.keys(kinds).length} API versions, ${sorted.length} messages, ${fieldCount} fields, ${body.length} bytes -> ${path.relative(root, out)}`);
