/**
 * The file side of audit log search: finding the log files under the paths a user gives,
 * opening each as a stream of bytes (gunzipped when it is gzip, whatever its name), and
 * finding the time of a file's first event so files can be merged in time order without
 * reading them whole.
 */
import { createReadStream, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { AppError } from '../errors.js';
import { parseAuditLine } from './event.js';

/** Read size: big enough that per-chunk overhead disappears, small enough to keep memory flat. */
export const READ_CHUNK_BYTES = 1024 * 1024;
/** How far into a file to look for its first event's time before giving up. */
const PEEK_MAX_BYTES = 8 * 1024 * 1024;
const PEEK_MAX_LINES = 20;
const GZIP_MAGIC = [0x1f, 0x8b];

export interface AuditLogFile {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  gzip: boolean;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

async function statOrThrow(p: string): Promise<Stats> {
  try {
    return await stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError('audit-log-unreadable', `Cannot search "${p}": ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, {
      hint: 'Pass audit log files or the directory that holds them, e.g. /var/log/kubernetes/audit',
      cause: err,
    });
  }
}

async function describe(file: string, st: Stats): Promise<AuditLogFile> {
  return { path: file, sizeBytes: st.size, mtimeMs: st.mtimeMs, gzip: st.size >= 2 && (await isGzip(file)) };
}

/**
 * The regular files named by `paths`: files as given, directories expanded one level (hidden
 * files skipped, sorted by name). Throws AppError for a path that does not exist.
 */
export async function listAuditLogFiles(paths: readonly string[]): Promise<AuditLogFile[]> {
  const files: AuditLogFile[] = [];
  const seen = new Set<string>();
  const add = async (file: string, st: Stats) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(await describe(file, st));
  };
  for (const p of paths) {
    const st = await statOrThrow(p);
    if (!st.isDirectory()) {
      await add(p, st);
      continue;
    }
    const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
    for (const name of names) {
      const full = path.join(p, name);
      const entry = await stat(full).catch(() => undefined);
      if (entry?.isFile()) await add(full, entry);
    }
  }
  return files;
}

/** The bytes of a log file, decompressed when it is gzip. Aborts with `signal`. */
export async function* readLogChunks(file: AuditLogFile, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const raw = createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES, signal });
  if (!file.gzip) {
    yield* raw as AsyncIterable<Buffer>;
    return;
  }
  // Node's gunzip reads concatenated members too (files appended to after compression).
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  raw.on('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  try {
    yield* gunzip as AsyncIterable<Buffer>;
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

/**
 * Microseconds of the first event in `file` (a lower bound for the whole file, which the API
 * server writes in time order), or -Infinity when none is found near its start.
 */
export async function firstEventMicros(file: AuditLogFile): Promise<number> {
  let text = '';
  let bytes = 0;
  const stream = readLogChunks(file);
  try {
    for await (const chunk of stream) {
      bytes += chunk.length;
      text += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      const lines = text.split('\n');
      const complete = lines.slice(0, -1).slice(0, PEEK_MAX_LINES);
      for (const line of complete) {
        const parsed = parseAuditLine(line);
        if (parsed.ok) return parsed.timeKey;
      }
      if (complete.length >= PEEK_MAX_LINES || bytes >= PEEK_MAX_BYTES) break;
    }
    const last = parseAuditLine(text.split('\n').pop() ?? '');
    return last.ok ? last.timeKey : -Infinity;
  } catch {
    // A damaged file is reported by the scan itself; for ordering, read it first.
    return -Infinity;
  } finally {
    await stream.return(undefined);
  }
}

/** The file the API server is writing to: the newest uncompressed one (rotated files are older). */
export function pickLiveFile(files: readonly AuditLogFile[]): AuditLogFile | undefined {
  return files.filter((f) => !f.gzip).sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
}
