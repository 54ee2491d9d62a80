/**
 * A Backend on a local directory: the default repository (`--repo /var/backups/kubekeeper`).
 * Layout: <root>/<type>/<name>. Objects are written to a dot-named temporary file (0600),
 * fsynced, then hard-linked under their final name (which fails if the name exists: objects
 * are immutable), and the directory is fsynced; a crash leaves at most a dot-file that
 * `list` ignores. Its name carries the writer's PID and start time
 * (`.tmp-<pid>-<start>-<rand>-<name>`): sweepTemporaries reports such files and removes those
 * whose writer is provably gone. Directories are 0700: backups hold the whole cluster state.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { crashPoint } from '../../crash-point.js';
import { throwIfAborted } from '../../errors.js';
import { ownerGone, ownerTag, parseOwnerTag } from '../../process-owner.js';
import { FILE_TYPES, type Backend, type FileInfo, type FileType, type Handle, type LoadOptions, type OperationOptions, type SaveResult, type TemporaryLeftover } from '../backend.js';
import { BodyTracker } from '../body.js';
import { StorageError, checkHandle } from '../errors.js';
import { checkRange } from '../range.js';
import { fsyncDir, localError } from './fs-errors.js';

/** Writes are batched to this size: fewer syscalls for streams of small chunks. */
const WRITE_BATCH_BYTES = 1024 * 1024;
const TEMP_PREFIX = '.tmp-';

export class LocalBackend implements Backend {
  readonly location: string;

  /** `root` is created (0700) on the first save; it need not exist before. */
  constructor(private readonly root: string) {
    this.location = path.resolve(root);
  }

  private dirOf(type: FileType): string {
    return path.join(this.location, type);
  }

  private pathOf(handle: Handle): string {
    checkHandle(handle);
    return path.join(this.dirOf(handle.type), handle.name);
  }

  async save(handle: Handle, body: AsyncIterable<Uint8Array>, options: OperationOptions = {}): Promise<SaveResult> {
    const final = this.pathOf(handle);
    const dir = path.dirname(final);
    const what = `Saving "${handle.type}/${handle.name}"`;
    throwIfAborted(options.signal, what);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw localError(err, `Cannot create "${dir}"`, handle, this.location);
    }
    if (await exists(final)) throw existsError(this.location, handle);
    const temp = path.join(dir, `${TEMP_PREFIX}${ownerTag()}-${randomBytes(6).toString('hex')}-${handle.name}`);
    let sizeBytes = 0;
    const tracker = new BodyTracker();
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        let batch: Uint8Array[] = [];
        let batchBytes = 0;
        for await (const chunk of tracker.wrap(body)) {
          throwIfAborted(options.signal, what);
          batch.push(chunk);
          batchBytes += chunk.length;
          if (batchBytes >= WRITE_BATCH_BYTES) {
            await file.writev(batch);
            sizeBytes += batchBytes;
            batch = [];
            batchBytes = 0;
          }
        }
        throwIfAborted(options.signal, what);
        if (batchBytes > 0) await file.writev(batch);
        sizeBytes += batchBytes;
        // Data reaches the disk before the name does.
        await file.sync();
        crashPoint('local-backend.tmp-written');
      } finally {
        await file.close();
      }
      await publish(temp, final, this.location, handle);
      await fsyncDir(dir);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      if (tracker.isBodyError(err)) throw err;
      throw localError(err, `Cannot save "${handle.type}/${handle.name}" to "${this.location}"`, handle, this.location);
    }
    return { sizeBytes };
  }

  async load<T>(handle: Handle, consume: (stream: AsyncIterable<Uint8Array>) => Promise<T>, options: LoadOptions = {}): Promise<T> {
    const file = this.pathOf(handle);
    throwIfAborted(options.signal, `Loading "${handle.type}/${handle.name}"`);
    const { offset, length } = checkRange(options, this.location, handle);
    if (length === 0) return consume(emptyStream());
    // Open first, so a missing object fails before `consume` runs.
    let fd;
    try {
      fd = await open(file, 'r');
    } catch (err) {
      throw localError(err, `Cannot load "${handle.type}/${handle.name}" from "${this.location}"`, handle, this.location);
    }
    const stream = createReadStream('', {
      fd, start: offset, end: length === undefined ? undefined : offset + length - 1, highWaterMark: 256 * 1024, signal: options.signal,
    });
    try {
      return await consume(wrapReadErrors(stream, handle, this.location));
    } finally {
      stream.destroy();
    }
  }

  async stat(handle: Handle, options: OperationOptions = {}): Promise<FileInfo> {
    const file = this.pathOf(handle);
    throwIfAborted(options.signal, `Reading "${handle.type}/${handle.name}"`);
    try {
      const s = await stat(file);
      return { name: handle.name, sizeBytes: s.size, modifiedAt: s.mtime };
    } catch (err) {
      throw localError(err, `Cannot read "${handle.type}/${handle.name}" in "${this.location}"`, handle, this.location);
    }
  }

  async *list(type: FileType, options: OperationOptions = {}): AsyncIterable<FileInfo> {
    const dir = this.dirOf(type);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw localError(err, `Cannot list "${dir}"`, undefined, this.location);
    }
    for (const name of names.sort()) {
      throwIfAborted(options.signal, `Listing "${type}"`);
      // Dot-files are temporary files of saves in progress or interrupted by a crash.
      if (name.startsWith('.')) continue;
      try {
        const s = await stat(path.join(dir, name));
        if (s.isFile()) yield { name, sizeBytes: s.size, modifiedAt: s.mtime };
      } catch (err) {
        // Removed between readdir and stat: it is simply no longer there.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw localError(err, `Cannot list "${dir}"`, undefined, this.location);
      }
    }
  }

  async remove(handle: Handle, options: OperationOptions = {}): Promise<void> {
    const file = this.pathOf(handle);
    throwIfAborted(options.signal, `Removing "${handle.type}/${handle.name}"`);
    try {
      await unlink(file);
      await fsyncDir(path.dirname(file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw localError(err, `Cannot remove "${handle.type}/${handle.name}" from "${this.location}"`, handle, this.location);
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  /** Temporary files of unfinished saves; see the file comment. */
  async sweepTemporaries(options: { remove: boolean }): Promise<TemporaryLeftover[]> {
    const found: TemporaryLeftover[] = [];
    for (const type of FILE_TYPES) {
      const dir = this.dirOf(type);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX)).sort()) {
        const file = path.join(dir, name);
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        const owner = parseOwnerTag(name.slice(TEMP_PREFIX.length));
        let leftover: TemporaryLeftover;
        if (!owner) {
          leftover = { path: file, sizeBytes: info.size, action: 'kept', reason: `left by an interrupted save of an older version (writer unknown): remove it with rm "${file}" when no save is running` };
        } else if (owner.pid === process.pid || !ownerGone(owner)) {
          leftover = { path: file, sizeBytes: info.size, action: 'kept', reason: `save PID ${owner.pid} is still running` };
        } else if (options.remove) {
          await unlink(file).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw localError(err, `Cannot remove "${file}"`, undefined, this.location);
          });
          leftover = { path: file, sizeBytes: info.size, action: 'removed', reason: `left by save PID ${owner.pid}, which is gone` };
        } else {
          leftover = { path: file, sizeBytes: info.size, action: 'would remove', reason: `left by save PID ${owner.pid}, which is gone ("kubekeeper backup prune" removes it)` };
        }
        found.push(leftover);
      }
    }
    return found;
  }
}

/**
 * Puts the temp file under its final name without ever replacing an object: link() fails
 * with EEXIST when the name is taken. File systems without hard links get a checked rename.
 */
async function publish(temp: string, final: string, location: string, handle: Handle): Promise<void> {
  try {
    await link(temp, final);
    await unlink(temp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(location, handle);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (await exists(final)) throw existsError(location, handle);
    await rename(temp, final);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function existsError(location: string, handle: Handle): StorageError {
  return new StorageError('storage-exists', `Object "${handle.type}/${handle.name}" already exists in "${location}"`, {
    hint: 'Objects are immutable; choose another name',
  });
}

async function* wrapReadErrors(stream: AsyncIterable<Uint8Array>, handle: Handle, location: string): AsyncGenerator<Uint8Array> {
  try {
    yield* stream;
  } catch (err) {
    throw localError(err, `Cannot read "${handle.type}/${handle.name}" from "${location}"`, handle, location);
  }
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {
  // An empty range: nothing to read, and no file handle to open.
}
