/**
 * The etcd password, as etcdctl handles it: `--user name:password`, `--password`, the
 * ETCDCTL_* variables, or a prompt with echo off when only `--user name` is given on a
 * terminal. A password typed on the command line is visible to every local user (ps,
 * /proc/PID/cmdline), so kubekeeper says so.
 */
import type { CliIo, FlagDef } from './command.js';

/** True when the command line (not the environment) carries a password. */
export function passwordInArgv(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') return false;
    if (token === '--password' || token.startsWith('--password=')) return true;
    const user = token.startsWith('--user=') ? token.slice('--user='.length) : token === '--user' ? argv[i + 1] : undefined;
    if (user !== undefined && user.includes(':')) return true;
  }
  return false;
}

export const PASSWORD_IN_ARGV_WARNING =
  'Warning: a password on the command line can be read by any local user (ps, /proc); ' +
  'set ETCDCTL_PASSWORD, or give --user NAME alone to be asked for it\n';

/**
 * When the command takes --user/--password and only a user name was given, asks for the
 * password on the terminal (the flags object is completed in place). Without a terminal the
 * command's own check reports the missing password.
 */
export async function promptForPassword(defs: Record<string, FlagDef>, flags: Record<string, unknown>, io: CliIo): Promise<void> {
  if (defs.user === undefined || defs.password === undefined) return;
  const user = flags.user;
  if (typeof user !== 'string' || user.includes(':') || flags.password !== undefined) return;
  if (!io.promptSecret) return;
  flags.password = await io.promptSecret('Password: ');
}
