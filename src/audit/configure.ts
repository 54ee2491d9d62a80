/**
 * `audit configure`: reads a kubeadm kube-apiserver manifest or an RKE cluster.yml, plans the
 * audit logging change, and with `write` applies it: the policy file first (kubelet restarts
 * the API server the moment its manifest changes, and the policy must already be there), then
 * a backup of the original, then the new file written atomically under the original's mode.
 */
import { constants } from 'node:fs';
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, fileErrorText } from '../errors.js';
import { replaceFileAtomic } from '../replace-file.js';
import type { AuditLogSettings } from './apiserver-flags.js';
import { planKubeadmAudit, type ConfigPlan } from './kubeadm-manifest.js';
import { lintPolicy } from './policy-lint.js';
import { buildPolicy, renderPolicyYaml, type AuditProfile } from './policy-profiles.js';
import { planRkeAudit } from './rke-cluster.js';

/** Config files are small; refuse to load anything that is clearly not one. */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export type ConfigTarget = { kind: 'kubeadm'; manifest: string } | { kind: 'rke'; clusterYml: string };

export interface ConfigureOptions {
  target: ConfigTarget;
  settings: AuditLogSettings;
  /** Replace the policy with this profile; undefined keeps an existing valid policy (else: recommended). */
  profile?: AuditProfile;
  write: boolean;
  /** Time for the backup's name; injected for tests. */
  now?: Date;
}

export interface PolicyFileAction {
  path: string;
  action: 'write' | 'replace' | 'keep';
  /** Lint findings of a kept policy, which the API server will load as it is. */
  findings: number;
}

export interface ConfigureResult {
  file: string;
  before: string;
  plan: ConfigPlan;
  /** kubeadm only: what happens to the policy file on the host. */
  policyFile?: PolicyFileAction;
  /** Set once written. */
  backupPath?: string;
  written: boolean;
  policyWritten: boolean;
}

async function readConfig(file: string): Promise<string> {
  try {
    const st = await stat(file);
    if (st.size > MAX_CONFIG_BYTES) throw new Error(`${st.size} bytes is too big for a configuration file`);
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('config-unreadable', `Cannot read "${file}": ${fileErrorText(err)}`, { cause: err, hint: 'Check the path; run as a user that can read it (root on a control-plane node)' });
  }
}

/** Copies `file` beside itself as a hidden, timestamped backup (never a name kubelet would load). */
async function backup(file: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const target = path.join(path.dirname(file), `.${path.basename(file)}.kubekeeper-backup-${stamp}`);
  await copyFile(file, target, constants.COPYFILE_EXCL);
  return target;
}

async function planPolicyFile(file: string, profile: AuditProfile | undefined): Promise<PolicyFileAction> {
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new AppError('policy-unreadable', `Cannot read audit policy "${file}": ${fileErrorText(err)}`, { cause: err });
  });
  if (existing === undefined) return { path: file, action: 'write', findings: 0 };
  if (profile) return { path: file, action: 'replace', findings: 0 };
  return { path: file, action: 'keep', findings: lintPolicy(existing).findings.length };
}

/** Plans, and with `write` applies, audit logging for one cluster configuration file. */
export async function configureAudit(options: ConfigureOptions): Promise<ConfigureResult> {
  const now = options.now ?? new Date();
  const file = options.target.kind === 'kubeadm' ? options.target.manifest : options.target.clusterYml;
  const before = await readConfig(file);
  let plan: ConfigPlan;
  let policyFile: PolicyFileAction | undefined;
  if (options.target.kind === 'kubeadm') {
    plan = planKubeadmAudit(before, file, options.settings);
    policyFile = await planPolicyFile(options.settings.policyFile, options.profile);
  } else {
    plan = planRkeAudit(before, file, {
      settings: options.settings,
      policy: options.profile ? buildPolicy(options.profile) : undefined,
      defaultPolicy: buildPolicy('recommended'),
    });
  }
  const result: ConfigureResult = { file, before, plan, ...(policyFile && { policyFile }), written: false, policyWritten: false };
  if (!options.write) return result;
  if (policyFile && policyFile.action !== 'keep') {
    if (policyFile.action === 'replace') await backup(policyFile.path, now);
    await replaceFileAtomic(policyFile.path, renderPolicyYaml(options.profile ?? 'recommended'), { mode: 0o600 });
    result.policyWritten = true;
  }
  if (plan.text !== before) {
    const mode = (await stat(file)).mode & 0o777;
    result.backupPath = await backup(file, now);
    await replaceFileAtomic(file, plan.text, { mode });
    result.written = true;
  }
  return result;
}
