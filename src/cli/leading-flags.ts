/**
 * Flags typed before the command word (`kubekeeper --password x snapshot save a.db`, the
 * etcdctl habit). They are moved after the command words so the command parses them; a flag
 * value is never taken for a command word, and so never echoed in "Unknown command".
 */
import { UsageError } from '../errors.js';
import type { Command, FlagDef } from './command.js';

export interface LeadingFlags {
  /** The leading flag tokens with their values, to parse after the command words. */
  flags: string[];
  /** What follows them: the command words and the rest of the command line. */
  rest: string[];
}

/** Whether a flag of this name (long or short) takes a value in any command that has it. */
function takesValue(token: string, commands: readonly Command[]): boolean | undefined {
  const isLong = token.startsWith('--');
  const name = token.slice(isLong ? 2 : 1);
  let known = false;
  for (const command of commands) {
    for (const [flag, def] of Object.entries(command.flags as Record<string, FlagDef>)) {
      if (isLong ? flag !== name : def.short !== name) continue;
      known = true;
      if (def.type !== 'boolean') return true;
    }
  }
  return known ? false : undefined;
}

/**
 * Splits off the flags before the first command word. A flag no command has is refused here,
 * naming only the flag: what follows it may be its secret value.
 */
export function splitLeadingFlags(argv: readonly string[], commands: readonly Command[]): LeadingFlags {
  const flags: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] as string;
    if (!token.startsWith('-') || token === '-' || token === '--') break;
    flags.push(token);
    i++;
    const eq = token.indexOf('=');
    if (eq >= 0) continue;
    const needsValue = takesValue(token, commands);
    if (needsValue === undefined) throw new UsageError(`Unknown flag "${token}"`, 'Put flags after the command words: kubekeeper <command> [flags]; run "kubekeeper help"');
    if (needsValue) {
      if (i >= argv.length) throw new UsageError(`Flag ${token} needs a value`);
      flags.push(argv[i] as string);
      i++;
    }
  }
  return { flags, rest: argv.slice(i) };
}
