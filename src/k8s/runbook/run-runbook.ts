/**
 * Runs an ordered list of steps with a progress file, so an interrupted run resumes where it
 * stopped: done and skipped steps are not repeated, a step recorded as "started" runs again
 * (every step is written to be safe to repeat). The file is written before and after each step.
 */
import { AppError, throwIfAborted } from '../../errors.js';
import type { Clock } from '../clock.js';
import type { RunbookState } from './state-file.js';
import { readRunbookState, writeRunbookState } from './state-file.js';

export interface RunbookStep<D> {
  name: string;
  title: string;
  /** Returns a detail for the record; return { skipped } to record the step as skipped. */
  run(state: RunbookState<D>): Promise<string | { skipped: string } | void>;
}

export type RunbookEvent =
  | { type: 'resume'; file: string; done: string[] }
  | { type: 'step-start'; step: string; title: string; rerun: boolean }
  | { type: 'step-done'; step: string; title: string; detail: string | undefined; skipped: boolean }
  | { type: 'step-already-done'; step: string; title: string }
  | { type: 'finished'; file: string };

export interface RunbookOptions<D> {
  name: string;
  stateFile: string;
  key: Record<string, string>;
  /** Called on a fresh start to capture facts later steps need. */
  init: () => Promise<D>;
  clock: Clock;
  signal?: AbortSignal;
  onEvent?: (event: RunbookEvent) => void;
}

function sameKey(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** Runs (or resumes) the runbook; returns the final state. Throws the failing step's error. */
export async function runRunbook<D>(steps: ReadonlyArray<RunbookStep<D>>, options: RunbookOptions<D>): Promise<RunbookState<D>> {
  const emit = options.onEvent ?? (() => undefined);
  const iso = () => new Date(options.clock.now()).toISOString();
  let state = await readRunbookState<D>(options.stateFile);
  if (state && (state.runbook !== options.name || !sameKey(state.key, options.key))) {
    const was = Object.entries(state.key).map(([k, v]) => `${k}=${v}`).join(', ');
    throw new AppError('state-mismatch', `State file "${options.stateFile}" belongs to another run (${state.runbook}: ${was})`, {
      hint: 'Finish that run with the same arguments, or move the state file away to start over',
    });
  }
  if (state) {
    emit({ type: 'resume', file: options.stateFile, done: Object.keys(state.steps).filter((s) => state?.steps[s]?.status !== 'started') });
  } else {
    state = { version: 1, runbook: options.name, key: options.key, data: await options.init(), steps: {}, startedAt: iso() };
    await writeRunbookState(options.stateFile, state);
  }
  for (const step of steps) {
    throwIfAborted(options.signal, options.name);
    const record = state.steps[step.name];
    if (record && record.status !== 'started') {
      emit({ type: 'step-already-done', step: step.name, title: step.title });
      continue;
    }
    emit({ type: 'step-start', step: step.name, title: step.title, rerun: record?.status === 'started' });
    state.steps[step.name] = { status: 'started', at: iso() };
    await writeRunbookState(options.stateFile, state);
    const outcome = await step.run(state);
    const skipped = typeof outcome === 'object' && outcome !== null;
    const detail = skipped ? outcome.skipped : (outcome ?? undefined);
    state.steps[step.name] = { status: skipped ? 'skipped' : 'done', at: iso(), ...(detail ? { detail } : {}) };
    await writeRunbookState(options.stateFile, state);
    emit({ type: 'step-done', step: step.name, title: step.title, detail, skipped });
  }
  if (!state.finishedAt) {
    state.finishedAt = iso();
    await writeRunbookState(options.stateFile, state);
  }
  emit({ type: 'finished', file: options.stateFile });
  return state;
}
