/**
 * Errors that users are meant to read. Every expected failure is an AppError with a stable
 * `code` (for scripts and metrics), a `hint` naming the next command or flag to try, an
 * optional `cause`, and the exit code the CLI returns. Only cli/main.ts prints them.
 */

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  /** The operation failed (I/O, network, corrupt input, refused by a safety check). */
  failure: 1,
  /** The command line itself is wrong: unknown flag, missing argument, bad value. */
  usage: 2,
  /** The command ran, and what it checked is not healthy (verify failed, cert expiring, unhealthy endpoint). */
  checkFailed: 3,
  /** Interrupted by SIGINT/SIGTERM; 128 + SIGINT like a shell would report. */
  interrupted: 130,
} as const;

export interface AppErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** A wrong command line: exit code 2. */
export class UsageError extends AppError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint: hint ?? 'Run "kubekeeper help" to see commands and flags', exitCode: ExitCode.usage });
  }
}

/** Thrown when an AbortSignal fires; the CLI maps it to exit code 130. */
export class AbortedError extends AppError {
  constructor(what: string) {
    super('aborted', `${what} was interrupted`, { exitCode: ExitCode.interrupted });
  }
}

/** Throws AbortedError when `signal` has fired; call between steps of long work. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(what);
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

/**
 * Why a file could not be opened, in words ("it does not exist"), instead of Node's
 * "ENOENT: no such file or directory, open '/x'" (which repeats the path in other quotes).
 */
export function fileErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined ? FILE_ERRORS[code] : undefined) ?? messageOf(err);
}

/** The message of any thrown value, for wrapping in an AppError. Never includes a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
