/**
 * `certs renew` as one call: under the node's renewal lock, finish any renewal a crash left
 * unfinished, read the PKI, plan, and (unless dry-running) execute. A dry run takes no lock,
 * finishes nothing and writes nothing; it reports unfinished journals a real run would finish.
 */
import path from 'node:path';
import type { PkiInventory } from './inventory.js';
import { readPki, DEFAULT_KUBECONFIG_DIR, type ReadPkiOptions } from './read-pki.js';
import { executeRenewal, type RenewalResult, type RenewHooks } from './renew.js';
import { findUnfinishedJournals, recoverUnfinished } from './renewal-journal.js';
import { acquireRenewalLock, LOCK_FILE } from './renewal-lock.js';
import { planRenewal, type RenewalPlan } from './renewal-plan.js';
import { mkdir } from 'node:fs/promises';

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
}

/** The default backup root, kubeadm's habit of keeping backups under /etc/kubernetes/tmp. */
export function defaultBackupRoot(kubeconfigDir: string | undefined): string {
  return path.join(kubeconfigDir ?? DEFAULT_KUBECONFIG_DIR, 'tmp');
}

export async function renewCertificates(options: RenewCertificatesOptions): Promise<RenewCertificatesOutcome> {
  const backupRoot = options.backupRoot ?? defaultBackupRoot(options.kubeconfigDir);
  const request = { names: options.names, now: options.now, validityMs: options.validityMs };
  if (options.dryRun) {
    const inventory = await readPki(options);
    const plan = planRenewal(inventory, request);
    return { inventory, plan, dryRun: true, backupRoot, recovered: [], unfinished: await findUnfinishedJournals(backupRoot) };
  }
  await mkdir(backupRoot, { recursive: true, mode: 0o700 });
  const release = await acquireRenewalLock(path.join(backupRoot, LOCK_FILE));
  try {
    const recovered = await recoverUnfinished(backupRoot);
    const inventory = await readPki(options);
    const plan = planRenewal(inventory, request);
    const result = plan.items.some((i) => i.action === 'renew')
      ? await executeRenewal(inventory, plan, { now: options.now, validityMs: options.validityMs, backupRoot, signal: options.signal, hooks: options.hooks })
      : undefined;
    return { inventory, plan, dryRun: false, backupRoot, recovered, unfinished: [], result };
  } finally {
    await release();
  }
}
