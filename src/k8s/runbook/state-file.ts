/**
 * The progress file of a resumable runbook (upgrade node, node replace). Written atomically:
 * a temp file in the same directory, fsync, rename over the final name, fsync the directory,
 * so a crash leaves either the old or the new state, never half of one. Mode 0600, dir 0700.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { replaceFileAtomic } from '../../replace-file.js';

export type StepStatus = 'started' | 'done' | 'skipped';

export interface StepRecord {
  status: StepStatus;
  /** ISO time of the last change. */
  at: string;
  detail?: string;
}

export interface RunbookState<D = Record<string, unknown>> {
  version: 1;
  runbook: string;
  /** What identifies this run (node, target version, command): a resume must match it. */
  key: Record<string, string>;
  /** Facts captured at the start that later steps need (e.g. the old node's labels). */
  data: D;
  steps: Record<string, StepRecord>;
  startedAt: string;
  finishedAt?: string;
}

/** A state file is small; a huge one is not ours. */
const MAX_STATE_BYTES = 1024 * 1024;

/** Reads the state; undefined when the file does not exist. Throws AppError when unreadable. */
export async function readRunbookState<D>(file: string): Promise<RunbookState<D> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('state-file', `Cannot read state file "${file}": ${(err as Error).message}`, { cause: err });
  }
  if (text.length > MAX_STATE_BYTES) throw new AppError('state-file', `State file "${file}" is larger than ${MAX_STATE_BYTES} bytes`, { hint: 'Point --state-dir at kubekeeper\'s own directory' });
  try {
    const state = JSON.parse(text) as RunbookState<D>;
    if (state.version !== 1 || typeof state.steps !== 'object' || typeof state.key !== 'object') throw new Error('unknown format');
    return state;
  } catch (err) {
    throw new AppError('state-file', `State file "${file}" is not a kubekeeper runbook state: ${(err as Error).message}`, {
      cause: err,
      hint: 'Move the file away to start over',
    });
  }
}

/** Replaces the state file atomically (temp + fsync + rename + directory fsync). */
export async function writeRunbookState(file: string, state: RunbookState<unknown>): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await replaceFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
