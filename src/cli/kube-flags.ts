/**
 * Flags shared by the commands that talk to the Kubernetes API, named as kubectl's:
 * --kubeconfig (else KUBECONFIG as a path list, else ~/.kube/config), --context, and the
 * drain flags (same names and defaults as `kubectl drain`) used by node drain, upgrade node
 * and node replace.
 */
import type { DrainOptions, KubeClient } from '../k8s/index.js';
import { InvalidSelectorError, openKubeClient, parseLabelSelector } from '../k8s/index.js';
import { UsageError } from '../errors.js';
import type { CliIo, FlagDef, FlagValues } from './command.js';

export const kubeFlags = {
  kubeconfig: { type: 'string', valueName: 'FILE', description: 'Kubeconfig file (default: the KUBECONFIG path list, then ~/.kube/config)' },
  context: { type: 'string', valueName: 'NAME', description: 'Kubeconfig context to use (default: current-context)' },
} as const satisfies Record<string, FlagDef>;

/** The Kubernetes client for --kubeconfig / KUBECONFIG / --context. */
export function kubeClientFromFlags(flags: FlagValues<typeof kubeFlags>, io: CliIo, options: { requestTimeoutMs?: number } = {}): Promise<KubeClient> {
  return openKubeClient({ kubeconfig: flags.kubeconfig, context: flags.context, env: io.env }, options);
}

export const drainFlags = {
  force: { type: 'boolean', description: 'Also delete pods that declare no controller (they are not recreated) and orphaned DaemonSet pods' },
  'ignore-daemonsets': { type: 'boolean', description: 'Proceed despite DaemonSet-managed pods (they are left running)' },
  'delete-emptydir-data': { type: 'boolean', description: 'Proceed despite pods with emptyDir volumes (their data is deleted)' },
  'pod-selector': { type: 'string', valueName: 'SELECTOR', description: 'Only drain pods matching this label selector' },
  'grace-period': { type: 'number', default: -1, valueName: 'SECONDS', description: 'Termination grace period; negative uses each pod\'s own' },
  timeout: { type: 'duration', default: 0, description: 'Give up draining a node after this long (0: wait forever)' },
  'disable-eviction': { type: 'boolean', description: 'Delete pods instead of evicting them: bypasses PodDisruptionBudgets (unsafe)' },
  'skip-wait-for-delete-timeout': { type: 'number', default: 0, min: 0, valueName: 'SECONDS', description: 'Skip pods terminating for longer than this (0: never)' },
} as const satisfies Record<string, FlagDef>;

/** Turns drain flags into DrainOptions; a bad --pod-selector is a usage error (kubectl's text). */
export function drainOptionsFromFlags(flags: FlagValues<typeof drainFlags>): DrainOptions {
  const podSelector = flags['pod-selector'] ?? '';
  try {
    parseLabelSelector(podSelector);
  } catch (err) {
    if (err instanceof InvalidSelectorError) throw new UsageError(`--pod-selector=${podSelector} must be a valid label selector: ${err.message}`);
    throw err;
  }
  const grace = flags['grace-period'];
  if (!Number.isInteger(grace)) throw new UsageError(`--grace-period must be a whole number of seconds, got ${grace}`);
  return {
    force: flags.force,
    ignoreDaemonSets: flags['ignore-daemonsets'],
    deleteEmptyDirData: flags['delete-emptydir-data'],
    podSelector,
    gracePeriodSeconds: grace,
    timeoutMs: flags.timeout,
    disableEviction: flags['disable-eviction'],
    skipWaitForDeleteTimeoutSeconds: flags['skip-wait-for-delete-timeout'],
  };
}

/** A node name or -l/--selector, never both (kubectl's rule). */
export const nodeSelectorFlag = {
  selector: { type: 'string', short: 'l', valueName: 'SELECTOR', description: 'Select nodes by label instead of naming one' },
} as const satisfies Record<string, FlagDef>;

/** Resolves the nodes named by the argument or --selector. */
export async function resolveNodes(client: KubeClient, args: readonly string[], selector: string | undefined, command: string): Promise<string[]> {
  if (args.length > 0 && selector) throw new UsageError('Cannot specify both a node name and a --selector option');
  if (args.length === 0 && !selector) throw new UsageError('Name a node or pass --selector', `Example: kubekeeper ${command} worker-1, or kubekeeper ${command} --selector node-role.kubernetes.io/worker=`);
  if (args.length > 0) return [...args];
  try {
    parseLabelSelector(selector as string);
  } catch (err) {
    throw new UsageError(`--selector=${selector} must be a valid label selector: ${(err as Error).message}`);
  }
  const nodes = await client.listNodes(selector);
  if (nodes.length === 0) throw new UsageError(`No node matches --selector=${selector}`);
  return nodes.map((n) => n.metadata.name).sort();
}
