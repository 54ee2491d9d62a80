/** Runs the built kubekeeper CLI as a user would, capturing output and exit code. */
import { spawn } from 'node:child_process';
import { cliPath } from './paths.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Called with the child once spawned, e.g. to send it a signal. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/**
 * The command line that starts the CLI under test: the built binary named by KK_BIN (the single
 * executable, or a bundle's kubekeeper.cjs run by this Node) when set, else this build's
 * dist/src/cli/main.js run by the Node running the tests.
 */
export function kubekeeperCommand(): [string, ...string[]] {
  const bin = process.env.KK_BIN;
  if (!bin) return [process.execPath, cliPath];
  return bin.endsWith('.cjs') || bin.endsWith('.js') ? [process.execPath, bin] : [bin];
}

export function runKubekeeper(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const [command, ...prefix] = kubekeeperCommand();
  return runProcess(command, [...prefix, ...args], options);
}

export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, KUBEKEEPER_DEBUG: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}
