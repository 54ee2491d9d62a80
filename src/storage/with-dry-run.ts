/**
 * withDryRun(backend): reads go to the real backend, writes do not happen. `save` reads the
 * body to its end (so the pipeline upstream runs and reports sizes) and stores nothing;
 * `remove` removes nothing. Every skipped write is reported to `onWrite`, which is how
 * `--dry-run` commands show what they would have done.
 */
import type { Backend, FileInfo, FileType, Handle, LoadOptions, OperationOptions, SaveResult, UnfinishedUpload } from './backend.js';
import { throwIfAborted } from '../errors.js';
import { checkHandle } from './errors.js';

export interface DryRunWrite {
  operation: 'save' | 'remove' | 'abort-upload';
  handle: Handle;
  /** For save: the bytes the body produced. */
  sizeBytes?: number;
}

export function withDryRun(backend: Backend, onWrite: (write: DryRunWrite) => void = () => undefined): Backend {
  return {
    location: backend.location,
    async save(handle: Handle, body: AsyncIterable<Uint8Array>, options: OperationOptions = {}): Promise<SaveResult> {
      checkHandle(handle);
      let sizeBytes = 0;
      for await (const chunk of body) {
        throwIfAborted(options.signal, `Saving "${handle.type}/${handle.name}" (dry run)`);
        sizeBytes += chunk.length;
      }
      onWrite({ operation: 'save', handle, sizeBytes });
      return { sizeBytes };
    },
    load<T>(handle: Handle, consume: (stream: AsyncIterable<Uint8Array>) => Promise<T>, options?: LoadOptions): Promise<T> {
      return backend.load(handle, consume, options);
    },
    stat(handle: Handle, options?: OperationOptions): Promise<FileInfo> {
      return backend.stat(handle, options);
    },
    list(type: FileType, options?: OperationOptions): AsyncIterable<FileInfo> {
      return backend.list(type, options);
    },
    async remove(handle: Handle, options: OperationOptions = {}): Promise<void> {
      checkHandle(handle);
      throwIfAborted(options.signal, `Removing "${handle.type}/${handle.name}" (dry run)`);
      onWrite({ operation: 'remove', handle });
    },
    ...(backend.listUnfinished ? { listUnfinished: (options?: OperationOptions) => (backend.listUnfinished as NonNullable<Backend['listUnfinished']>)(options) } : {}),
    ...(backend.abortUnfinished ? {
      async abortUnfinished(upload: UnfinishedUpload, options: OperationOptions = {}): Promise<void> {
        throwIfAborted(options.signal, `Aborting the upload of "${upload.type}/${upload.name}" (dry run)`);
        onWrite({ operation: 'abort-upload', handle: { type: upload.type, name: upload.name } });
      },
    } : {}),
    close: () => backend.close(),
    ...(backend.sweepTemporaries ? { sweepTemporaries: () => (backend.sweepTemporaries as NonNullable<Backend['sweepTemporaries']>)({ remove: false }) } : {}),
  };
}
