/**
 * Long-running test processes (kube-apiserver, kube-controller-manager, ...): started with a
 * captured, bounded log, stopped by PID (SIGTERM, SIGKILL after a grace), and killed when the test
 * process exits so that a failing test never leaks one.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ManagedProcess {
  name: string;
  pid: number;
  /** The stderr+stdout log so far (the last ~100 kB). */
  log(): string;
  /** True once the process has exited. */
  dead(): boolean;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(name: string, binary: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  if (child.pid === undefined) throw new Error(`${name} did not start (${binary})`);
  live.add(child);
  let log = '';
  const append = (d: string) => {
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  let isDead = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    isDead = true;
    live.delete(child);
    resolve(code);
  }));
  const pid = child.pid;
  return {
    name, pid, exited,
    log: () => log,
    dead: () => isDead,
    async stop(graceMs = 10_000) {
      if (isDead) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` every `intervalMs` until it returns true; fails with `what` and the process log
 * when the process dies or `timeoutMs` passes.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; process?: ManagedProcess } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.process?.dead()) throw new Error(`${options.process.name} exited while waiting for ${what}:\n${options.process.log().slice(-4000)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${options.process ? `:\n${options.process.log().slice(-4000)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
