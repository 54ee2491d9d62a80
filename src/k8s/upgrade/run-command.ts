/**
 * Runs the operator's upgrade command (`--exec`) with /bin/sh, streaming its output, with the
 * node and target version in the environment. The command gets an allowlisted environment
 * (child-env.ts plus EXEC_ENV_ALLOW): kubekeeper's own secrets (KUBEKEEPER_*, AWS_*, ETCDCTL_*)
 * are not passed on. Interruption sends SIGTERM to the command and
 * rejects with AbortedError once it has exited, so nothing keeps running behind our back.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { childEnv } from '../../child-env.js';
import { AbortedError, AppError } from '../../errors.js';

/** What an upgrade command typically needs beyond PATH/locale/HOME: kubectl's config, ssh to the node, a terminal. */
export const EXEC_ENV_ALLOW: readonly string[] = ['KUBECONFIG', 'SSH_AUTH_SOCK', 'USER', 'LOGNAME', 'SHELL', 'TERM'];

export interface RunCommandOptions {
  /** The caller's environment: only its allowlisted variables reach the command. */
  env: NodeJS.ProcessEnv;
  /** Set for the command on top (KUBEKEEPER_NODE, KUBEKEEPER_TARGET_VERSION). */
  set?: Readonly<Record<string, string>>;
  stdout: Writable;
  stderr: Writable;
  signal?: AbortSignal;
}

/** Resolves with the exit code (128 + signal number when killed by a signal). */
export function runShellCommand(command: string, options: RunCommandOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new AbortedError('Running the upgrade command'));
    const child = spawn('/bin/sh', ['-c', command], { env: childEnv(options.env, EXEC_ENV_ALLOW, options.set), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => options.stdout.write(d));
    child.stderr.on('data', (d: Buffer) => options.stderr.write(d));
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new AppError('exec-failed', `Cannot run the upgrade command: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signalName) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new AbortedError('Running the upgrade command'));
      resolve(code ?? 128 + (signalName === 'SIGKILL' ? 9 : 15));
    });
  });
}
