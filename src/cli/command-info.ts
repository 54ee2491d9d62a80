/**
 * What help and the leading-flags parser need of every command (name, summary, arguments,
 * flags) without loading any command module. The bundle (scripts/build-bundle.mjs) fixes it at
 * build time through esbuild's `define`, as JSON text parsed only when asked for (a command run
 * by name never needs it), so `kubekeeper help` loads no command; run from dist/ there is none
 * and main.ts loads the commands instead.
 */
import type { Command } from './command.js';

/** A command without its run function. */
export type CommandInfo = Omit<Command, 'run'>;

// Replaced by esbuild's `define` in the bundle; undeclared (typeof "undefined") in dist/.
declare const KUBEKEEPER_COMMAND_INFO: string | undefined;

let parsed: readonly CommandInfo[] | undefined;

/** Every command's info, sorted by name, when this is a bundle; undefined in dist/. */
export function commandInfo(): readonly CommandInfo[] | undefined {
  if (typeof KUBEKEEPER_COMMAND_INFO === 'undefined') return undefined;
  parsed ??= JSON.parse(KUBEKEEPER_COMMAND_INFO) as CommandInfo[];
  return parsed;
}
