/**
 * Throughput of kubekeeper's age encryption/decryption and compression alone, in MiB/s of
 * plaintext (wall clock and CPU time), for docs/benchmarks.md. Data comes from memory in 64 KiB chunks (like file reads) and the
 * output is discarded, so only the transform is timed. Single-threaded, like a backup.
 *
 *   node dist/bench/crypto.js [--mib 128] [--input FILE] [--runs 3]
 *
 * Without --input the data is synthetic and etcd-like: 4 KiB pages ~70% filled with
 * Kubernetes-style JSON objects (random uids, hashes, timestamps) and zero padding. Pass a
 * real snapshot with --input for real compression ratios.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGzip, createGunzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import {
  compressStream, decompressStream, decryptStream, encryptStream, generateIdentity, parseIdentityFile, parseRecipient,
  zstdAvailable, zstdEngine, type Compression,
} from '../src/crypto/index.js';

const MiB = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/** Pseudo-etcd pages: JSON objects with random fields, 70% fill, zero tail. */
function syntheticSnapshot(sizeBytes: number): Buffer {
  const out = Buffer.alloc(sizeBytes);
  let n = 0;
  for (let page = 0; page * 4096 < sizeBytes; page++) {
    let at = page * 4096;
    const end = Math.min(at + Math.floor(4096 * 0.7), sizeBytes);
    while (at < end) {
      const obj = JSON.stringify({
        kind: 'Pod', apiVersion: 'v1',
        metadata: {
          name: `web-${randomBytes(5).toString('hex')}`, namespace: `team-${n % 40}`, uid: crypto.randomUUID(),
          resourceVersion: String(100000 + n), creationTimestamp: new Date(1.7e12 + n * 1000).toISOString(),
          labels: { app: 'web', 'pod-template-hash': randomBytes(5).toString('hex') },
        },
        spec: { nodeName: `node-${n % 50}`, containers: [{ name: 'app', image: `registry.example.com/web:${n % 9}.1` }] },
      });
      at += out.write(obj, at, end - at);
      n++;
    }
  }
  return out;
}

async function* chunks(data: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += CHUNK_BYTES) yield data.subarray(i, i + CHUNK_BYTES);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const part of source) total += part.length;
  return total;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

/** zlib at an explicit level, for comparing with kubekeeper's choice. */
async function* zlibRaw(source: AsyncIterable<Uint8Array>, t: Transform): AsyncGenerator<Uint8Array> {
  const { Readable, pipeline } = await import('node:stream');
  yield* pipeline(Readable.from(source), t, () => undefined) as AsyncIterable<Uint8Array>;
}

/**
 * Best of `runs` timings of `fn`, as MiB/s of `inputBytes`: by wall clock, and by CPU time of
 * this process (all threads, so zlib's worker thread counts), which a busy machine disturbs less.
 */
async function measure(name: string, inputBytes: number, runs: number, fn: () => Promise<number>): Promise<void> {
  let bestWall = Infinity;
  let bestCpu = Infinity;
  let outBytes = 0;
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    outBytes = await fn();
    bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(cpu);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
  }
  const rate = (seconds: number): string => (inputBytes / MiB / seconds).toFixed(0).padStart(6);
  console.log(`| ${name.padEnd(34)} | ${rate(bestWall)} | ${rate(bestCpu)} | ${(inputBytes / MiB).toFixed(1).padStart(6)} → ${(outBytes / MiB).toFixed(1).padStart(6)} |`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '128' }, input: { type: 'string' }, runs: { type: 'string', default: '3' } } });
  const data = values.input ? readFileSync(values.input) : syntheticSnapshot(Number(values.mib) * MiB);
  const runs = Number(values.runs);
  const { identity, recipient } = generateIdentity();
  const recipients = [parseRecipient(recipient)];
  const identities = parseIdentityFile(identity);

  console.log(`Node ${process.version}, ${values.input ?? 'synthetic etcd-like data'}, ${(data.length / MiB).toFixed(0)} MiB, best of ${runs}`);
  console.log('| operation                          |   wall |    CPU | in → out (MiB)  |');
  console.log('|------------------------------------|-------:|-------:|-----------------|');
  await measure('age encrypt (X25519, 1 recipient)', data.length, runs, () => drain(encryptStream(chunks(data), recipients)));
  const encrypted = await collect(encryptStream(chunks(data), recipients));
  await measure('age decrypt', data.length, runs, () => drain(decryptStream(chunks(encrypted), identities)));
  const codecs: Compression[] = zstdAvailable() ? ['zstd', 'gzip'] : ['gzip'];
  for (const c of codecs) {
    const role = c === codecs[0] ? 'default' : 'fallback';
    await measure(`${c} compress (level ${c === 'zstd' ? 3 : 6}, ${role})`, data.length, runs, () => drain(compressStream(chunks(data), c)));
    const packed = await collect(compressStream(chunks(data), c));
    await measure(`${c} decompress`, data.length, runs, () => drain(decompressStream(chunks(packed), c)));
  }
  await measure('gzip -1 compress (for comparison)', data.length, runs, () => drain(zlibRaw(chunks(data), createGzip({ level: 1 }))));
  const gz1 = await collect(zlibRaw(chunks(data), createGzip({ level: 1 })));
  await measure('gzip -1 decompress', data.length, runs, () => drain(zlibRaw(chunks(gz1), createGunzip())));
  const c = codecs[0]!;
  await measure(`${c} + encrypt (backup pipeline)`, data.length, runs, () => drain(encryptStream(compressStream(chunks(data), c), recipients)));
  if (!zstdAvailable()) console.log(`zstd: not measured, neither node:zlib in ${process.version} nor a zstd program has it`);
  if (zstdEngine() === 'program') console.log(`zstd runs in the zstd program (node:zlib in ${process.version} has none): its CPU column counts this process only`);
}

await main();
