/**
 * Fills an etcd with Kubernetes objects as the API server stores them (protobuf envelopes
 * from src/inspect's sample generator: Deployments, ReplicaSets, Pods, Services, ConfigMaps),
 * through kubekeeper's own gRPC client, until the db reaches a target size. For bench/inspect.sh.
 * Usage: node dist/bench/k8s-fill.js --endpoint 127.0.0.1:2379 --mib 1024
 */
import { parseArgs } from 'node:util';
import { connectEtcd } from '../src/etcd/index.js';
import { sampleApp, type SampleEntry } from '../src/inspect/index.js';

const { values } = parseArgs({ options: { endpoint: { type: 'string', default: '127.0.0.1:2379' }, mib: { type: 'string', default: '1024' } } });
const targetBytes = Number(values.mib) * 1024 * 1024;
const CONCURRENCY = 64;
const client = await connectEtcd({ endpoints: [values.endpoint as string], dialTimeoutMs: 5000, commandTimeoutMs: 60_000 });

// About 1.5 KiB of last-applied-configuration per object, like kubectl apply leaves behind.
const env = Array.from({ length: 24 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${'x'.repeat(20)}` }));
const lastApplied = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0', env }] } } } });

let app = 0;
let pending: SampleEntry[] = [];
function nextEntry(): SampleEntry {
  if (pending.length === 0) {
    const n = app++;
    pending = sampleApp({ name: `app-${n}`, namespace: `team-${n % 40}`, image: `registry.example.com/app-${n}:1.${n % 9}`, replicas: 3, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } });
  }
  return pending.pop() as SampleEntry;
}

let written = 0;
let dbSize = (await client.status()).dbSize;
while (dbSize < targetBytes) {
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = 0; i < 200; i++) {
      const e = nextEntry();
      await client.put(e.key, e.value);
      written++;
    }
  }));
  dbSize = (await client.status()).dbSize;
  process.stderr.write(`\r${written} objects, db ${(dbSize / 1048576).toFixed(0)} MiB`);
}
process.stderr.write('\n');
client.close();
console.log(JSON.stringify({ objects: written, apps: app, dbSizeBytes: dbSize }));
