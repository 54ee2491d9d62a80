/**
 * How a command is declared. Each file in cli/commands/ default-exports one Command made
 * with defineCommand(); main.ts finds it by name ("snapshot save" -> snapshot-save.js), so
 * commands are loaded lazily and no registry has to be edited to add one.
 */
import type { Writable } from 'node:stream';

export type FlagType = 'string' | 'boolean' | 'number' | 'duration' | 'list';

export interface FlagDef {
  type: FlagType;
  description: string;
  /** One-letter alias, without the dash: 'w' for -w. */
  short?: string;
  /** Environment variables read, in order, when the flag is not on the command line. */
  env?: readonly string[];
  default?: string | boolean | number | readonly string[];
  /** For string flags: the accepted values. */
  choices?: readonly string[];
  /** Shown in help as the value's name: --data-dir DIR. */
  valueName?: string;
  /** For number flags: the smallest value accepted. */
  min?: number;
  /** For number flags: only whole numbers. */
  integer?: boolean;
  /** Secret values (passwords) are never echoed in errors. */
  secret?: boolean;
}

export type FlagValue<D extends FlagDef> = D['type'] extends 'boolean'
  ? boolean
  : D['type'] extends 'number' | 'duration'
    ? D extends { default: number } ? number : number | undefined
    : D['type'] extends 'list'
      ? string[]
      : D extends { default: string } ? string : string | undefined;

export type FlagValues<F extends Record<string, FlagDef>> = { [K in keyof F]: FlagValue<F[K]> };

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  /**
   * Reads a secret from the terminal with echo off; present only when stdin is a TTY (so
   * `--user name` alone prompts for the password like etcdctl, and fails in cron).
   */
  promptSecret?: (prompt: string) => Promise<string>;
}

export interface RunContext<F extends Record<string, FlagDef>> {
  args: string[];
  flags: FlagValues<F>;
  io: CliIo;
  /** Fires on SIGINT/SIGTERM; long work must stop and clean up. */
  signal: AbortSignal;
}

export interface Command<F extends Record<string, FlagDef> = Record<string, FlagDef>> {
  /** Words as typed: "snapshot save". */
  name: string;
  summary: string;
  /** Positional arguments for help: "<file>". */
  args?: string;
  minArgs?: number;
  maxArgs?: number;
  flags: F;
  /**
   * Old flag names that were renamed, mapped to the new name (without dashes): the old
   * spelling is refused with an error that names the new one, never silently accepted.
   */
  renamedFlags?: Readonly<Record<string, string>>;
  /** Extra help text: examples, notes. */
  details?: string;
  /** Returns the exit code (0 when omitted). Throws AppError for expected failures. */
  run(ctx: RunContext<F>): Promise<number | void>;
}

/** Declares a command with typed flags. */
export function defineCommand<F extends Record<string, FlagDef>>(command: Command<F>): Command<F> {
  return command;
}

/** -w/--write-out, shared by every command that renders a result. */
export function writeOutFlag<const C extends readonly string[]>(choices: C, defaultValue: C[number]) {
  return {
    type: 'string',
    short: 'w',
    choices,
    default: defaultValue,
    valueName: 'FORMAT',
    description: `Output format: ${choices.join(', ')}`,
  } as const satisfies FlagDef;
}
