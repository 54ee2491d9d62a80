/**
 * Loads a live etcd with about --mib MiB of data for the foundation benchmark, over
 * kubekeeper's own gRPC client: --concurrency puts in flight, values of --value-kib KiB
 * (a JSON head plus incompressible bytes, like Secrets and large ConfigMaps). Stops when the
 * member's db size reaches the target, so running it again on a filled member is a no-op.
 * Usage: node dist/bench/etcd-load.js --endpoint http://127.0.0.1:2379 [--mib 1024] [--value-kib 100] [--concurrency 16]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { connectEtcd } from '../src/etcd/index.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'http://127.0.0.1:2379' },
    mib: { type: 'string', default: '1024' },
    'value-kib': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
  },
});
const targetBytes = Number(values.mib) * 1024 * 1024;
const valueBytes = Number(values['value-kib']) * 1024;
const concurrency = Number(values.concurrency);

const client = await connectEtcd({ endpoints: [values.endpoint], dialTimeoutMs: 5000, commandTimeoutMs: 60_000 });
// One random block reused with a per-key prefix: generating 1 GiB of randomness would dominate.
const block = randomBytes(valueBytes);
let dbSize = (await client.status()).dbSize;
const started = Date.now();
let next = (await client.range({ key: '/registry/secrets/bench/', rangeEnd: '/registry/secrets/bench0', keysOnly: true, limit: 1 })).count;
let written = 0;

async function worker(): Promise<void> {
  while (dbSize < targetBytes) {
    const i = next++;
    const head = Buffer.from(JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: `bench-${i}`, namespace: 'bench' } }));
    await client.put(`/registry/secrets/bench/bench-${String(i).padStart(7, '0')}`, Buffer.concat([head, block.subarray(head.length)]));
    written++;
    if (written % 256 === 0) {
      dbSize = (await client.status()).dbSize;
      process.stderr.write(`\r${written} values written, db ${(dbSize / 1048576).toFixed(0)} MiB, ${((Date.now() - started) / 1000).toFixed(0)} s   `);
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
dbSize = (await client.status()).dbSize;
process.stderr.write(`\rdb ${(dbSize / 1048576).toFixed(0)} MiB (${written} values written in ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
client.close();
