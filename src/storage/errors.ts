/**
 * Failures of a storage backend. Each carries a stable code and says whether a retry may
 * help, so withRetry() can decide without parsing messages. Messages name the repository
 * location and the object; they never carry credentials or raw SDK messages.
 */
import { AppError } from '../errors.js';
import { type Handle, handleToString, isValidHandleName } from './backend.js';

export type StorageErrorCode =
  | 'storage-not-found'
  | 'storage-exists'
  | 'storage-unavailable'
  | 'storage-timeout'
  | 'storage-not-s3'
  | 'storage-access-denied'
  | 'storage-bucket-missing'
  | 'storage-invalid-name'
  | 'storage-io'
  | 'storage-config';

export interface StorageErrorOptions {
  hint?: string;
  cause?: unknown;
  /** True when the same request may succeed later (connection refused, timeout, 5xx). */
  transient?: boolean;
}

export class StorageError extends AppError {
  declare readonly code: StorageErrorCode;
  readonly transient: boolean;
  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.transient = options.transient ?? false;
  }
}

/** The object does not exist (restic's IsNotExist). */
export class NotFoundError extends StorageError {
  readonly handle: Handle;
  constructor(location: string, handle: Handle) {
    super('storage-not-found', `Object "${handleToString(handle)}" not found in "${location}"`, {
      hint: 'Run "kubekeeper backup list --repo ..." to see the backups that exist',
    });
    this.handle = handle;
  }
}

export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof StorageError && err.code === 'storage-not-found';
}

export function isTransient(err: unknown): boolean {
  return err instanceof StorageError && err.transient;
}

/** Throws unless the handle names a valid object; every backend calls it first. */
export function checkHandle(handle: Handle): void {
  if (!isValidHandleName(handle.name)) {
    throw new StorageError('storage-invalid-name', `Invalid object name "${handle.name}"`, {
      hint: 'Names are letters, digits, ".", "_" and "-", start with a letter or digit, at most 200 characters',
    });
  }
}
