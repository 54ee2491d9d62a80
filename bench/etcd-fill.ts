/**
 * Fills an etcd member to a target db size with Kubernetes-like objects (JSON with names,
 * labels, UIDs and a base64 payload), through etcd's HTTP gateway. For bench/backup.sh.
 * Usage: node dist/bench/etcd-fill.js --endpoint http://127.0.0.1:2379 --mib 1024
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { endpoint: { type: 'string' }, mib: { type: 'string', default: '1024' }, 'value-kib': { type: 'string', default: '48' } } });
const endpoint = values.endpoint ?? 'http://127.0.0.1:2379';
const targetBytes = Number(values.mib) * 1024 * 1024;
const valueBytes = Number(values['value-kib']) * 1024;
const CONCURRENCY = 8;

/** A ConfigMap-like object: mostly repetitive JSON, about a quarter random base64 (certs, tokens): gzip gets ~3x. */
function object(i: number): string {
  const uid = randomBytes(16).toString('hex');
  const head = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bench-${i}`, namespace: 'bench', uid, resourceVersion: String(i), labels: { app: 'bench', tier: `t${i % 7}` } } };
  const lines: string[] = [];
  let size = JSON.stringify(head).length;
  for (let n = 0; size < valueBytes; n++) {
    const line = n % 10 === 0 ? randomBytes(200).toString('base64') : `key-${n}: value number ${n} of object ${i} with some repeated configuration text`;
    lines.push(line);
    size += line.length + 4;
  }
  return JSON.stringify({ ...head, data: { 'config.yaml': lines.join('\n') } });
}

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function dbSize(): Promise<number> {
  return Number((await post('/v3/maintenance/status', {})).dbSize);
}

let next = 0;
let size = await dbSize();
const started = Date.now();
while (size < targetBytes) {
  await Promise.all(Array.from({ length: CONCURRENCY * 4 }, async () => {
    const i = next++;
    await post('/v3/kv/put', { key: Buffer.from(`/registry/configmaps/bench/cm-${i}`).toString('base64'), value: Buffer.from(object(i)).toString('base64') });
  }));
  if (next % 512 < CONCURRENCY * 4) {
    size = await dbSize();
    process.stderr.write(`\r${next} objects, db ${(size / 1024 / 1024).toFixed(0)} MiB`);
  }
}
process.stderr.write(next === 0
  ? `db already at ${(size / 1024 / 1024).toFixed(0)} MiB: nothing to fill\n`
  : `\nfilled to ${(size / 1024 / 1024).toFixed(0)} MiB with ${next} objects in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
