#!/usr/bin/env node
/**
 * kubekeeper's entry point: finds the command by its words, parses flags, runs it with an
 * AbortSignal wired to SIGINT/SIGTERM, and is the only place that maps errors to output and
 * exit codes.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError, ExitCode, UsageError } from '../errors.js';
import type { CliIo, Command, FlagDef } from './command.js';
import { commandInfo } from './command-info.js';
import { COMMAND_LOADERS } from './command-registry.js';
import { parseCommandLine } from './flags.js';
import { splitLeadingFlags } from './leading-flags.js';
import { renderHelp, renderCommandList, renderGroupHelp } from './output/help.js';
import { TerminalSafeStream } from './output/terminal.js';
import { PASSWORD_IN_ARGV_WARNING, passwordInArgv, promptForPassword } from './password.js';
import { readSecret } from './prompt.js';

/** Longest command name, in words ("backup prune" is 2, "node drain" is 2, "certs rotate-ca" 2). */
const MAX_COMMAND_WORDS = 3;

/** The command of one registry entry ("snapshot-save"), loaded now; undefined when none. */
async function loadCommand(file: string): Promise<Command | undefined> {
  const load = Object.hasOwn(COMMAND_LOADERS, file) ? COMMAND_LOADERS[file] : undefined;
  return load ? (await load()).default : undefined;
}

/** Resolves the longest run of leading words that names a command file. */
async function findCommand(argv: readonly string[]): Promise<{ command: Command; rest: string[] } | undefined> {
  const words = commandWords(argv);
  for (let n = words.length; n > 0; n--) {
    const command = await loadCommand(words.slice(0, n).join('-'));
    if (command) return { command, rest: argv.slice(n) };
  }
  return undefined;
}

/**
 * Every command, sorted by name (for help, the group lists and the hint checks). In the bundle
 * these come from the build-time info, whose `run` loads the command's module on first use.
 */
export async function allCommands(): Promise<Command[]> {
  const infos = commandInfo();
  if (infos) {
    return infos.map((info) => ({
      ...info,
      run: async (ctx) => {
        const command = await loadCommand(info.name.replaceAll(' ', '-'));
        if (!command) throw new Error(`command "${info.name}" is missing from the registry`);
        return command.run(ctx);
      },
    }));
  }
  const loaded = await Promise.all(Object.keys(COMMAND_LOADERS).map((file) => loadCommand(file)));
  return loaded.filter((c): c is Command => c !== undefined).sort((a, b) => a.name.localeCompare(b.name));
}

/** The leading command words of argv (lower-case words, at most MAX_COMMAND_WORDS). */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const token of argv.slice(0, MAX_COMMAND_WORDS)) {
    if (!/^[a-z][a-z0-9-]*$/.test(token)) break;
    words.push(token);
  }
  return words;
}

/** The commands under a group word ("snapshot" -> snapshot save, snapshot status, ...). */
async function groupCommands(words: readonly string[]): Promise<Command[]> {
  const prefix = `${words.join(' ')} `;
  return words.length === 0 ? [] : (await allCommands()).filter((c) => c.name.startsWith(prefix));
}

/** The error for words that name no command: lists a group's commands when the first word is one. */
async function unknownCommand(argv: readonly string[]): Promise<UsageError> {
  const words = commandWords(argv);
  if (words.length === 0) return new UsageError('Unknown command: the command line starts with no command word');
  const group = await groupCommands(words.slice(0, 1));
  if (group.length > 0) {
    return new UsageError(`Unknown command "${words.slice(0, 2).join(' ')}"`, `"${words[0]}" has these commands: ${group.map((c) => c.name).join(', ')}`);
  }
  return new UsageError(`Unknown command "${words.slice(0, 2).join(' ')}"`);
}

/** Help for `help [words]`, `--help` and a group word alone. */
async function printHelp(words: readonly string[], io: CliIo): Promise<void> {
  const found = words.length > 0 ? await findCommand(words) : undefined;
  const group = found ? [] : await groupCommands(words);
  if (found) io.stdout.write(renderHelp(found.command));
  else if (group.length > 0) io.stdout.write(renderGroupHelp(words.join(' '), group));
  else if (words.length > 0) throw await unknownCommand(words);
  else io.stdout.write(renderCommandList(await allCommands()));
}

/** Runs one command line; returns the exit code. Exported for in-process tests. */
export async function runCli(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    await printHelp(argv[0] === 'help' ? argv.slice(1) : [], io);
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv[0] === '--version') return runCli(['version', ...argv.slice(1)], io, signal);
  const leading = argv[0]?.startsWith('-') ? splitLeadingFlags(argv, await allCommands()) : { flags: [], rest: [...argv] };
  const found = await findCommand(leading.rest);
  if (!found) {
    const words = commandWords(leading.rest);
    const group = await groupCommands(words);
    const after = leading.rest.slice(words.length);
    if (group.length > 0 && after.every((a) => a === '--help' || a === '-h')) {
      io.stdout.write(renderGroupHelp(words.join(' '), group));
      return after.length > 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw await unknownCommand(leading.rest);
  }
  const { command } = found;
  const rest = [...leading.flags, ...found.rest];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(renderHelp(command));
    return ExitCode.ok;
  }
  const defs = command.flags as Record<string, FlagDef>;
  const { args, flags } = parseCommandLine(rest, defs, io.env, command.renamedFlags);
  if (defs.password !== undefined && passwordInArgv(rest)) io.stderr.write(PASSWORD_IN_ARGV_WARNING);
  await promptForPassword(defs, flags as Record<string, unknown>, io);
  const min = command.minArgs ?? 0;
  const max = command.maxArgs ?? min;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new UsageError(
      `"kubekeeper ${command.name}" takes ${expected} argument${max === 1 ? '' : 's'} (${command.args ?? 'none'}), got ${args.length}`,
      `Run "kubekeeper ${command.name} --help"`,
    );
  }
  return (await command.run({ args, flags, io, signal })) ?? ExitCode.ok;
}

/** Prints an error the way users see it: one line, then a hint; stacks only with KUBEKEEPER_DEBUG. */
export function reportError(err: unknown, io: CliIo): number {
  const debug = io.env.KUBEKEEPER_DEBUG === '1';
  if (err instanceof AppError) {
    io.stderr.write(`Error: ${err.message}\n`);
    if (err.hint) io.stderr.write(`Hint: ${err.hint}\n`);
    if (debug && err.cause) io.stderr.write(`Cause: ${err.cause instanceof Error ? err.cause.stack : String(err.cause)}\n`);
    return err.exitCode;
  }
  io.stderr.write(`Error: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
  io.stderr.write(debug && err instanceof Error ? `${err.stack}\n` : 'Hint: This is a bug in kubekeeper; rerun with KUBEKEEPER_DEBUG=1 and report the output\n');
  return ExitCode.failure;
}

/** Runs the process's command line (the entry of dist/src/cli/main.js and of the bundle). */
export async function main(): Promise<void> {
  const io: CliIo = {
    stdout: new TerminalSafeStream(process.stdout),
    stderr: new TerminalSafeStream(process.stderr),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    // A getter: process.stdin is created on first use, and for a file or /dev/null that loads
    // fs streams, fs/promises and readline (milliseconds a command that never prompts pays).
    get promptSecret() {
      return process.stdin.isTTY ? (prompt: string) => readSecret(prompt, process.stdin, process.stderr) : undefined;
    },
  };
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(ExitCode.interrupted);
    io.stderr.write(`\nReceived ${name}, stopping and cleaning up (press Ctrl-C again to exit at once)\n`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let code: number;
  try {
    code = await runCli(process.argv.slice(2), io, controller.signal);
  } catch (err) {
    code = reportError(err, io);
  }
  process.exitCode = code;
}

// import.meta.url is undefined in the CommonJS bundle, whose own entry calls main().
if (process.argv[1] && typeof import.meta.url === 'string' && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  await main();
}
