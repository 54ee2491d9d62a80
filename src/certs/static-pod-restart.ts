/**
 * Restarting static pods the way the kubeadm docs describe: move the manifest out of the
 * manifests directory, wait until the kubelet has stopped the pod (it polls the directory
 * every `fileCheckFrequency`, 20 s by default, so moving it straight back may go unnoticed),
 * move it back, wait until a new container runs. How "running" is observed is a role,
 * StaticPodRuntime, so the sequence can be tested without a kubelet.
 */
import { access, mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { AppError, throwIfAborted } from '../errors.js';
import type { StaticPodName } from './static-pod-names.js';

/** What the restart needs to know from the node's container runtime. */
export interface StaticPodRuntime {
  /** IDs of the running containers of static pod `pod` (kube-system); empty when none runs. */
  runningContainerIds(pod: StaticPodName, signal?: AbortSignal): Promise<string[]>;
}

export type RestartStep = 'moved-out' | 'stopped' | 'moved-back' | 'running';

export interface RestartStaticPodsOptions {
  manifestsDir: string;
  /** Where manifests wait while out; outside manifestsDir (the kubelet reads every file in it), same file system. */
  parkDir: string;
  runtime: StaticPodRuntime;
  /** Per wait (stop, then start); default 5 minutes. */
  timeoutMs?: number;
  pollIntervalMs?: number;
  signal?: AbortSignal;
  onProgress?(pod: StaticPodName, step: RestartStep): void;
}

export const DEFAULT_RESTART_TIMEOUT_MS = 5 * 60_000;
/** Where manifests wait while their pod restarts, under the renewal's backup root. */
export const PARKED_MANIFESTS_DIR = 'parked-manifests';
const DEFAULT_POLL_INTERVAL_MS = 1000;

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

async function waitFor(what: string, done: () => Promise<boolean>, options: RestartStaticPodsOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_RESTART_TIMEOUT_MS);
  for (;;) {
    throwIfAborted(options.signal, 'Static pod restart');
    if (await done()) return;
    if (Date.now() >= deadline) {
      throw new AppError('static-pod-timeout', `Timed out waiting for ${what}`, {
        hint: 'Check the kubelet ("journalctl -u kubelet") and the container runtime ("crictl ps -a")',
      });
    }
    await sleepMs(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/**
 * Puts back manifests a crash left parked (the component would otherwise stay down).
 * Returns the pods whose manifest was moved back.
 */
export async function recoverParkedManifests(parkDir: string, manifestsDir: string): Promise<string[]> {
  const names = await readdir(parkDir).catch(() => [] as string[]);
  const restored: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.yaml'))) {
    const target = path.join(manifestsDir, name);
    if (await exists(target)) continue; // someone already put a manifest back: theirs wins
    await rename(path.join(parkDir, name), target);
    restored.push(name.slice(0, -'.yaml'.length));
  }
  return restored;
}

async function restartOne(pod: StaticPodName, options: RestartStaticPodsOptions): Promise<void> {
  const manifest = path.join(options.manifestsDir, `${pod}.yaml`);
  const parked = path.join(options.parkDir, `${pod}.yaml`);
  if (!(await exists(manifest))) {
    throw new AppError('static-pod-missing', `Cannot restart static pod "${pod}": "${manifest}" does not exist`, { hint: 'Restart the component by hand' });
  }
  const before = new Set(await options.runtime.runningContainerIds(pod, options.signal));
  await rename(manifest, parked);
  options.onProgress?.(pod, 'moved-out');
  try {
    await waitFor(`"${pod}" to stop after its manifest was moved out`, async () => {
      const ids = await options.runtime.runningContainerIds(pod, options.signal);
      return !ids.some((id) => before.has(id));
    }, options);
    options.onProgress?.(pod, 'stopped');
  } finally {
    // Whatever happened (timeout, SIGINT), the manifest goes back: a parked one is an outage.
    await rename(parked, manifest);
    options.onProgress?.(pod, 'moved-back');
  }
  await waitFor(`"${pod}" to run again after its manifest was moved back`, async () => {
    const ids = await options.runtime.runningContainerIds(pod, options.signal);
    return ids.some((id) => !before.has(id));
  }, options);
  options.onProgress?.(pod, 'running');
}

/** Restarts `pods` one after the other, in the given order, each fully back before the next. */
export async function restartStaticPods(pods: readonly StaticPodName[], options: RestartStaticPodsOptions): Promise<void> {
  await mkdir(options.parkDir, { recursive: true, mode: 0o700 });
  await recoverParkedManifests(options.parkDir, options.manifestsDir);
  for (const pod of pods) await restartOne(pod, options);
}

/** The manual procedure for one pod, for output when the restart is left to the operator. */
export function manualRestartSteps(pod: StaticPodName, manifestsDir: string, parkDir: string): string[] {
  const manifest = path.join(manifestsDir, `${pod}.yaml`);
  return [
    `mv ${manifest} ${parkDir}/`,
    `wait until "crictl ps --name ${pod}" lists no running container (about 20 s, the kubelet's fileCheckFrequency)`,
    `mv ${path.join(parkDir, `${pod}.yaml`)} ${manifestsDir}/`,
    `wait until "crictl ps --name ${pod}" lists a new running container`,
  ];
}
