/**
 * The DR bundle: files that a restored etcd is useless without (the cluster CA and the
 * rest of /etc/kubernetes/pki, the encryption-at-rest config, the kubeadm config), as a
 * tar stream stored beside the snapshot, compressed and encrypted the same way. Paths are
 * walked before the snapshot starts, so a typo fails fast; symlinks inside a directory are
 * stored as symlinks, a path given explicitly is followed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { AppError, throwIfAborted } from '../errors.js';
import { type TarHeader, encodeTarHeader, tarEnd, tarPadding } from './bundle-tar.js';
import type { BundleFile } from './manifest.js';

/** Limits: a DR bundle is configuration and keys, not data. */
export const MAX_BUNDLE_ENTRIES = 10_000;
export const MAX_BUNDLE_FILE_BYTES = 256 * 1024 * 1024;

export interface BundleEntry {
  /** Absolute path on this host. */
  source: string;
  header: TarHeader;
}

function bundleError(code: string, message: string, hint: string, cause?: unknown): AppError {
  return new AppError(code, message, { hint, cause });
}

/** Tar path for an absolute host path: without the leading "/", like GNU tar. */
function tarPath(abs: string, isDir: boolean): string {
  const rel = abs.replace(/^\/+/, '');
  return isDir ? `${rel}/` : rel;
}

function headerFor(abs: string, st: Stats, linkTarget?: string): TarHeader {
  const type = st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'file';
  return {
    path: tarPath(abs, type === 'directory'), type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid,
    sizeBytes: type === 'file' ? st.size : 0, mtime: st.mtime, ...(linkTarget !== undefined ? { linkTarget } : {}),
  };
}

/** Walks `paths` (files or directories) into a sorted entry list; throws AppError with a hint. */
export async function collectBundleEntries(paths: readonly string[], signal?: AbortSignal): Promise<BundleEntry[]> {
  const entries = new Map<string, BundleEntry>();
  const add = (entry: BundleEntry) => {
    entries.set(entry.source, entry);
    if (entries.size > MAX_BUNDLE_ENTRIES) {
      throw bundleError('bundle-too-large', `Cannot bundle more than ${MAX_BUNDLE_ENTRIES} files`, 'Include only the PKI directory and configuration files, not data directories');
    }
  };
  const walk = async (abs: string, st: Stats): Promise<void> => {
    throwIfAborted(signal, 'Collecting the files to include');
    if (st.isSymbolicLink()) return add({ source: abs, header: headerFor(abs, st, await readlink(abs)) });
    if (st.isFile()) {
      if (st.size > MAX_BUNDLE_FILE_BYTES) {
        throw bundleError('bundle-file-too-large', `Cannot include "${abs}": ${st.size} bytes is more than ${MAX_BUNDLE_FILE_BYTES}`, 'Include configuration and key files only');
      }
      return add({ source: abs, header: headerFor(abs, st) });
    }
    if (!st.isDirectory()) throw bundleError('bundle-unsupported-file', `Cannot include "${abs}": not a regular file, directory or symlink`, 'Remove it from --include');
    add({ source: abs, header: headerFor(abs, st) });
    for (const name of (await readdir(abs)).sort()) {
      const child = path.join(abs, name);
      await walk(child, await lstat(child));
    }
  };
  for (const given of paths) {
    const abs = path.resolve(given);
    let st: Stats;
    try {
      // A path the operator names is followed even if it is a symlink: they meant its content.
      st = await stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw bundleError('bundle-path-missing', `Cannot include "${given}": ${code === 'ENOENT' ? 'no such file or directory' : code}`, 'Check the --include paths (for example /etc/kubernetes/pki on a control-plane node)', err);
    }
    try {
      await walk(abs, st);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw bundleError('bundle-read-failed', `Cannot include "${given}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Run as a user who can read every included file (root on a control-plane node)', err);
    }
  }
  return [...entries.values()].sort((a, b) => a.header.path.localeCompare(b.header.path));
}

/**
 * The tar stream of `entries`. Each file is read once, hashed on the way, and must still
 * have the size it had when walked (the header is already written). `onFile` receives the
 * manifest record of each entry.
 */
export async function* bundleTarStream(entries: readonly BundleEntry[], onFile: (file: BundleFile) => void, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for (const { source, header } of entries) {
    throwIfAborted(signal, 'Writing the bundle');
    yield encodeTarHeader(header);
    const record: BundleFile = { path: header.path, type: header.type, mode: header.mode, sizeBytes: header.sizeBytes };
    if (header.linkTarget !== undefined) record.linkTarget = header.linkTarget;
    if (header.type === 'file') {
      const hash = createHash('sha256');
      let read = 0;
      for await (const chunk of createReadStream(source, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
        read += chunk.length;
        if (read > header.sizeBytes) break;
        hash.update(chunk);
        yield chunk;
      }
      if (read !== header.sizeBytes) {
        throw bundleError('bundle-file-changed', `Cannot include "${source}": it changed size while being read (${header.sizeBytes} -> ${read} bytes)`, 'Retry when nothing is rewriting it');
      }
      yield tarPadding(header.sizeBytes);
      record.sha256 = hash.digest('hex');
    }
    onFile(record);
  }
  yield tarEnd();
}
