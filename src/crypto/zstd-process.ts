/**
 * zstd through the `zstd` program (Debian package zstd) for runtimes whose node:zlib has no
 * zstd (Node < 22.15 / 23.8). The bytes are standard zstd frames either way: a backup written
 * by one path is read by the other, and by `zstd -d` without kubekeeper.
 *
 * The child gets an empty environment (ZSTD_CLEVEL or ZSTD_NBTHREADS from the caller's
 * environment would change what we asked for, and credentials have no business there) and
 * one worker thread: it runs beside the Node process, which hashes and encrypts meanwhile.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, fstat, fstatSync } from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';

/** Environment variable naming the zstd program to use instead of the one on PATH. */
export const ZSTD_PROGRAM_ENV = 'KUBEKEEPER_ZSTD';

/** Output of the child is handed on in pieces of at least this size (a pipe gives 64 KiB). */
const MIN_OUTPUT_BYTES = 1024 * 1024;
/** How much of the child's stderr is kept for the error message. */
const MAX_STDERR_CHARS = 2000;

let cachedProgram: { key: string; program: string | undefined } | undefined;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zstd program: $KUBEKEEPER_ZSTD when set (an empty value turns the program off), else
 * `zstd` on PATH; undefined when there is none.
 */
export function zstdProgram(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = `${env[ZSTD_PROGRAM_ENV] ?? '\0'}\n${env.PATH ?? ''}`;
  if (cachedProgram?.key === key) return cachedProgram.program;
  let program: string | undefined;
  const chosen = env[ZSTD_PROGRAM_ENV];
  if (chosen !== undefined) {
    program = chosen !== '' && isExecutable(chosen) ? path.resolve(chosen) : undefined;
  } else {
    for (const dir of (env.PATH ?? '').split(path.delimiter)) {
      if (dir === '') continue;
      const candidate = path.join(dir, 'zstd');
      if (isExecutable(candidate)) {
        program = candidate;
        break;
      }
    }
  }
  cachedProgram = { key, program };
  return program;
}

/** Joins the child's 64 KiB pipe reads into larger pieces: every piece costs each later stage a call. */
async function* regroup(source: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  let parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    total += chunk.length;
    if (total >= MIN_OUTPUT_BYTES) {
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
      parts = [];
      total = 0;
    }
  }
  if (total > 0) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

export type ZstdDirection = 'compress' | 'decompress';

interface ZstdRun {
  /** Output when it goes through a pipe; null when zstd writes to a descriptor. */
  stdout: Readable | null;
  stdin: Writable;
  /** Settles when zstd has exited: throws zstd's failure, else the source's error, if any. */
  finish(): Promise<void>;
  /** Kills zstd unless it has exited, and waits for it. */
  kill(): Promise<void>;
}

/**
 * Starts zstd with `source` fed to its stdin (backpressure included). A failing source
 * closes zstd's stdin, and zstd would then end its frame cleanly: the source's error is
 * remembered and thrown by finish(), so a short stream never passes.
 */
function runZstd(source: AsyncIterable<Uint8Array>, direction: ZstdDirection, level: number | undefined, output: 'pipe' | number): ZstdRun {
  const program = zstdProgram();
  if (!program) {
    throw new AppError('compression-unavailable', `zstd is not available: node:zlib in Node.js ${process.version} has no zstd and no zstd program was found`, {
      hint: `Install zstd (apt-get install zstd), set ${ZSTD_PROGRAM_ENV} to its path, or use Node.js 22.15+; gzip compression needs neither`,
    });
  }
  const args = direction === 'compress' ? ['-q', '-c', '-T1', `-${level ?? 3}`] : ['-d', '-q', '-c'];
  if (direction === 'compress' && level !== undefined && level > 19) args.unshift('--ultra');
  const child = spawn(program, args, { stdio: ['pipe', output, 'pipe'], env: {} }) as ChildProcessByStdio<Writable, Readable | null, Readable>;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < MAX_STDERR_CHARS) stderr += text;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let feedError: unknown;
  const feeding = pipeline(Readable.from(source, { objectMode: false }), child.stdin).catch((err: unknown) => {
    feedError = err;
  });
  return {
    stdout: child.stdout,
    stdin: child.stdin,
    async finish() {
      try {
        await feeding;
        const { code, signal, error } = await exited;
        if (error) throw zstdFailed(direction, `cannot run ${program}: ${error.message}`, error);
        if (code !== 0) throw zstdFailed(direction, `zstd exited with ${signal ?? `code ${code}`}: ${stderr.trim() || 'no message'}`);
        if (feedError !== undefined) throw feedError;
      } catch (err) {
        // zstd's refusal explains an EPIPE on its stdin; the source's error explains everything else.
        if (feedError !== undefined && !isBrokenPipe(feedError)) throw feedError;
        throw err;
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stdin.destroy();
      // Not `feeding`: a source blocked on the network would hold this up; it fails on its own.
      await exited;
    },
  };
}

/**
 * Runs `source` through `zstd` (compress at `level`, default zstd's 3; or decompress).
 * Errors: the source's own error unchanged; 'compression-unavailable' when there is no zstd
 * program; 'decompress-failed' / 'compress-failed' when zstd exits non-zero (its message
 * included). Stopping early or failing kills the child; nothing outlives the generator.
 */
export async function* zstdThroughProcess(source: AsyncIterable<Uint8Array>, direction: ZstdDirection, level?: number): AsyncGenerator<Uint8Array> {
  const run = runZstd(source, direction, level, 'pipe');
  let finished = false;
  try {
    yield* regroup(run.stdout as Readable);
    await run.finish();
    finished = true;
  } finally {
    if (!finished) await run.kill();
  }
}

/**
 * Decompresses `source` with zstd straight into the open file descriptor `fd` (at its
 * current offset): the output never passes through this process, which saves a pipe and a
 * copy per byte of a GiB-sized snapshot. Same errors as zstdThroughProcess; on failure the
 * descriptor holds a partial output that the caller discards.
 */
export async function zstdDecompressIntoFd(source: AsyncIterable<Uint8Array>, fd: number, bound?: OutputBound): Promise<void> {
  const run = runZstd(source, 'decompress', undefined, fd);
  let finished = false;
  let exceeded: Error | undefined;
  // zstd writes into the file itself: its size is watched, and zstd killed once it passes the bound.
  const watch = bound && setInterval(() => {
    fstat(fd, (err, info) => {
      if (err || exceeded || info.size <= bound.maxOutputBytes) return;
      exceeded = bound.onExceeded(info.size);
      void run.kill();
    });
  }, DECOMPRESS_WATCH_MS);
  try {
    await run.finish().catch((err: unknown) => {
      throw exceeded ?? err;
    });
    const size = bound ? fstatSync(fd).size : 0;
    if (bound && size > bound.maxOutputBytes) throw bound.onExceeded(size);
    finished = true;
  } finally {
    if (watch) clearInterval(watch);
    if (!finished) await run.kill();
  }
}

/** How often the output of zstdDecompressIntoFd is checked against its bound. */
export const DECOMPRESS_WATCH_MS = 20;

/** The most output accepted, and the error to throw past it. */
export interface OutputBound {
  maxOutputBytes: number;
  onExceeded(sizeBytes: number): Error;
}

function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function zstdFailed(direction: ZstdDirection, detail: string, cause?: unknown): AppError {
  if (direction === 'decompress') {
    return new AppError('decompress-failed', `Cannot decompress the zstd stream: ${detail}`, {
      hint: 'The backup is damaged or its manifest names the wrong compression; try another backup',
      cause,
    });
  }
  return new AppError('compress-failed', `Cannot compress with zstd: ${detail}`, {
    hint: `Check the zstd program (${ZSTD_PROGRAM_ENV} or PATH), or choose --compression gzip`,
    cause,
  });
}
