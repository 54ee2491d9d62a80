/**
 * Writes a realistic set of kube-apiserver audit log files from the event generator in
 * src/audit/testing.ts: rotated files named like lumberjack's (`audit-<UTC time>.log`, the
 * oldest optionally gzipped as with --audit-log-compress) plus the live `audit.log`, with the
 * planted delete, near misses and malformed lines where asked. Used by tests and bench/.
 */
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AuditEvent } from '../../src/audit/index.js';
import { createEventGenerator, goJson, nearMissEvents, specialDeleteEvents } from '../../src/audit/testing.js';

export interface AuditLogSetOptions {
  dir: string;
  /** Number of files, the live one included. */
  files: number;
  /** Events per file (or bytesPerFile). */
  eventsPerFile?: number;
  /** Approximate uncompressed bytes per file. */
  bytesPerFile?: number;
  /** How many of the oldest rotated files are gzipped. */
  gzipped?: number;
  seed?: number;
  /** Index of the file (0 = oldest) that gets the planted delete and near misses, in its middle. */
  plantIn?: number;
  /** Write a malformed line (truncated JSON or legacy format) after every N events. */
  malformedEvery?: number;
  /** Sees every event written, in file order. */
  onEvent?: (event: AuditEvent) => void;
}

export interface AuditLogSet {
  /** Oldest first; the live file last. */
  paths: string[];
  events: number;
  malformedLines: number;
  uncompressedBytes: number;
  planted: AuditEvent[];
}

/** lumberjack's backup name: <base>-2006-01-02T15-04-05.000<ext>, in UTC. */
export function rotatedName(base: string, ext: string, micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // 2024-05-01T00:00:00.000Z
  return `${base}-${iso.slice(0, 23).replace(/:/g, '-')}${ext}`;
}

export async function writeAuditLogSet(options: AuditLogSetOptions): Promise<AuditLogSet> {
  const gen = createEventGenerator({ seed: options.seed ?? 42 });
  const result: AuditLogSet = { paths: [], events: 0, malformedLines: 0, uncompressedBytes: 0, planted: [] };
  for (let f = 0; f < options.files; f++) {
    const live = f === options.files - 1;
    const gzip = !live && f < (options.gzipped ?? 0);
    const tmp = path.join(options.dir, `.writing-${f}`);
    let lastMicros = gen.nowMicros;
    async function* lines(): AsyncGenerator<string> {
      let batch = '';
      let bytes = 0;
      let plantedHere = options.plantIn !== f;
      for (let n = 0; options.bytesPerFile ? bytes < options.bytesPerFile : n < (options.eventsPerFile ?? 1000); n++) {
        const half = options.bytesPerFile ? bytes >= options.bytesPerFile / 2 : n >= (options.eventsPerFile ?? 1000) / 2;
        const events = !plantedHere && half ? [...specialDeleteEvents(gen.nowMicros), ...nearMissEvents(gen.nowMicros + 10_000)] : [gen.next()];
        if (events.length > 1) {
          plantedHere = true;
          result.planted.push(...events.slice(0, 2));
          // Move the clock past the planted events (and the longest latency) so times keep rising.
          const plantedEnd = Math.max(...events.map((e) => Date.parse(e.stageTimestamp) * 1000)) + 1000;
          while (gen.nowMicros < plantedEnd + 60_000) gen.next();
        }
        for (const event of events) {
          const line = `${goJson(event)}\n`;
          batch += line;
          bytes += line.length;
          result.events++;
          options.onEvent?.(event);
          lastMicros = Date.parse(event.stageTimestamp) * 1000;
        }
        if (options.malformedEvery && (n + 1) % options.malformedEvery === 0) {
          const broken = n % 2 === 0 ? `${goJson(gen.next()).slice(0, 200)}\n` : '2024-05-01T00:00:00.000000000Z AUDIT: id="x" stage="ResponseComplete" ip="10.0.0.1" method="delete" user="admin"\n';
          batch += broken;
          bytes += broken.length;
          result.malformedLines++;
        }
        if (batch.length >= 256 * 1024) {
          yield batch;
          batch = '';
        }
      }
      yield batch;
      result.uncompressedBytes += bytes;
    }
    const out = createWriteStream(tmp, { mode: 0o600 });
    if (gzip) await pipeline(Readable.from(lines()), createGzip(), out);
    else await pipeline(Readable.from(lines()), out);
    const name = live ? 'audit.log' : rotatedName('audit', gzip ? '.log.gz' : '.log', lastMicros);
    const final = path.join(options.dir, name);
    await rename(tmp, final);
    result.paths.push(final);
  }
  return result;
}
