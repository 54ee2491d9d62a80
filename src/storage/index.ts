/** The storage domain: the Backend role, its implementations and decorators. */
export type { Backend, FileInfo, FileType, Handle, LoadOptions, OperationOptions, SaveResult, TemporaryLeftover, UnfinishedUpload } from './backend.js';
export { FILE_TYPES, MAX_HANDLE_NAME_LENGTH, handleToString, isValidHandleName } from './backend.js';
export { NotFoundError, StorageError, type StorageErrorCode, isNotFound, isTransient } from './errors.js';
export { isReplayable, replayableBody } from './body.js';
export { LocalBackend } from './local/local-backend.js';
export { MemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.js';
// The S3 backend is loaded on demand by openBackend(): the AWS SDK costs ~150 ms of start-up
// that local-repository and offline commands should not pay. Import src/storage/s3/ directly
// where the classes themselves are needed.
export type { S3Config } from './s3/create-s3-backend.js';
export { DEFAULT_S3_TIMEOUT_MS, formatSeconds, parseS3Timeout } from './s3/s3-timeouts.js';
export { type S3Credentials, parseCredentialsFile } from './s3/credentials-file.js';
export { DEFAULT_REPOSITORY, type OpenBackendOptions, type RepositoryLocation, openBackend, parseRepository } from './open-backend.js';
export { DEFAULT_RETRY_ATTEMPTS, type RetryOptions, abortableSleep, withRetry } from './with-retry.js';
export { type DryRunWrite, withDryRun } from './with-dry-run.js';
export { type CheckStorageOptions, DEFAULT_PROBE_BYTES, checkStorage } from './check/check-storage.js';
export type { StorageCheck, StorageCheckReport, StorageCheckStatus } from './check/check-result.js';
