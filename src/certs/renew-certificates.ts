/**
 * `certs renew` as one call: under the node's renewal lock, finish what a crash left
 * unfinished (a journaled renewal, a parked static pod manifest), read the PKI, plan, execute,
 * and optionally restart the static pods. A dry run takes no lock, finishes nothing and writes
 * nothing; it reports unfinished journals a real run would finish.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PkiInventory } from './inventory.js';
import { detectLayout, readPki, DEFAULT_KUBECONFIG_DIR, type ReadPkiOptions } from './read-pki.js';
import { executeRenewal, type RenewalResult, type RenewHooks } from './renew.js';
import { findUnfinishedJournals, recoverUnfinished } from './renewal-journal.js';
import { acquireRenewalLock, LOCK_FILE } from './renewal-lock.js';
import { planRenewal, type RenewalPlan } from './renewal-plan.js';
import { assertPrivate } from './renewal-trust.js';
import { listDir } from './source-file.js';
import type { StaticPodName } from './static-pod-names.js';
import {
  PARKED_MANIFESTS_DIR, recoverParkedManifests, restartStaticPods, type RestartStep, type StaticPodRuntime,
} from './static-pod-restart.js';

/** `--restart-static-pods`: how to observe the pods, and progress reporting. */
export interface RestartRequest {
  runtime: StaticPodRuntime;
  timeoutMs?: number;
  pollIntervalMs?: number;
  onProgress?(pod: StaticPodName, step: RestartStep): void;
}

export interface RenewCertificatesOptions extends ReadPkiOptions {
  /** Certificate names or ['all']. */
  names: readonly string[];
  now: Date;
  validityMs: number;
  /** Parent of the timestamped backup folders; default <kubeconfigDir>/tmp. */
  backupRoot?: string;
  dryRun: boolean;
  signal?: AbortSignal;
  hooks?: RenewHooks;
  /** Restart the affected static pods after a successful renewal (needs manifestsDir). */
  restart?: RestartRequest;
}

export interface RenewCertificatesOutcome {
  inventory: PkiInventory;
  plan: RenewalPlan;
  dryRun: boolean;
  backupRoot: string;
  /** Interrupted renewals finished before this one (never on a dry run). */
  recovered: { journal: string; outcome: 'completed' | 'rolled-back' }[];
  /** Dry run only: unfinished journals a real run would finish first. */
  unfinished: string[];
  result?: RenewalResult;
  /** Static pod manifests and where they wait during a restart (for printing the manual steps). */
  manifestsDir: string | undefined;
  parkDir: string;
  /** Manifests a crash had left parked, put back before anything else. */
  restoredManifests: string[];
  /** Static pods restarted, in order, when a restart was requested. */
  restarted: StaticPodName[];
}

/** The default backup root, kubeadm's habit of keeping backups under /etc/kubernetes/tmp. */
export function defaultBackupRoot(kubeconfigDir: string | undefined): string {
  return path.join(kubeconfigDir ?? DEFAULT_KUBECONFIG_DIR, 'tmp');
}

/** Reads, plans and (unless `dryRun`) renews; see the file comment for the order of work. */
export async function renewCertificates(options: RenewCertificatesOptions): Promise<RenewCertificatesOutcome> {
  const backupRoot = options.backupRoot ?? defaultBackupRoot(options.kubeconfigDir);
  const parkDir = path.join(backupRoot, PARKED_MANIFESTS_DIR);
  const request = { names: options.names, now: options.now, validityMs: options.validityMs };
  const common = { backupRoot, parkDir, manifestsDir: options.manifestsDir, recovered: [], unfinished: [], restoredManifests: [], restarted: [] };
  if (options.dryRun) {
    const inventory = await readPki(options);
    const plan = planRenewal(inventory, request);
    return { ...common, inventory, plan, dryRun: true, unfinished: await findUnfinishedJournals(backupRoot) };
  }
  await mkdir(backupRoot, { recursive: true, mode: 0o700 });
  // Journals and parked manifests found here are acted on as root: only ours may be trusted.
  await assertPrivate(backupRoot, 'dir', 'backup dir');
  const release = await acquireRenewalLock(path.join(backupRoot, LOCK_FILE));
  try {
    await assertPrivate(parkDir, 'dir', 'parked manifests dir', true);
    for (const name of (await listDir(parkDir)).filter((n) => n.endsWith('.yaml'))) await assertPrivate(path.join(parkDir, name), 'file', 'parked manifest');
    const restoredManifests = options.manifestsDir ? await recoverParkedManifests(parkDir, options.manifestsDir) : [];
    const { pkiDir } = await detectLayout(options.pkiDir);
    const recovered = await recoverUnfinished(backupRoot, { pkiDir, kubeconfigDir: options.kubeconfigDir ?? DEFAULT_KUBECONFIG_DIR });
    const inventory = await readPki(options);
    const plan = planRenewal(inventory, request);
    const result = plan.items.some((i) => i.action === 'renew')
      ? await executeRenewal(inventory, plan, { now: options.now, validityMs: options.validityMs, backupRoot, signal: options.signal, hooks: options.hooks })
      : undefined;
    const restarted: StaticPodName[] = [];
    if (options.restart && options.manifestsDir && result && plan.staticPods.length > 0) {
      const { onProgress } = options.restart;
      await restartStaticPods(plan.staticPods, {
        ...options.restart, manifestsDir: options.manifestsDir, parkDir, signal: options.signal,
        onProgress: (pod, step) => {
          if (step === 'running') restarted.push(pod);
          onProgress?.(pod, step);
        },
      });
    }
    return { ...common, inventory, plan, dryRun: false, recovered, result, restoredManifests, restarted };
  } finally {
    await release();
  }
}
