/**
 * kubectl drain's pod filters, in kubectl's order: skipDeleted, daemonSet, mirrorPod,
 * localStorage, unreplicated. The first filter that says "do not delete" decides; otherwise
 * the LAST filter's status wins, so an earlier warning can be overwritten by a later "okay"
 * (kubectl quirk kept on purpose: an emptyDir pod with a controller prints no warning). Each
 * filter also leaves a `note` for the dry-run plan, which keeps every reason.
 */
import type { Pod } from '../types.js';
import type { DrainOptions } from './drain-options.js';

export type FilterName = 'skipDeleted' | 'daemonSet' | 'mirrorPod' | 'localStorage' | 'unreplicated';

export interface PodDeleteStatus {
  delete: boolean;
  kind: 'okay' | 'skip' | 'warning' | 'error';
  /** kubectl's warning or error text (grouped per message in the output). */
  message: string;
  /** Why, for the dry-run plan; kept even when a later filter overwrites the status. */
  note?: string;
}

/** Result of GET daemonsets/{name}, fetched by the executor before planning. */
export type DaemonSetLookup = { found: true } | { found: false; notFound: true; message: string } | { found: false; notFound: false; message: string };

export interface FilterContext {
  options: DrainOptions;
  /** Keyed "namespace/name" of the DaemonSet. */
  daemonSets: ReadonlyMap<string, DaemonSetLookup>;
  nowMs: number;
}

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
export const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
export const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
export const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
export const LOCAL_STORAGE_WARNING = 'deleting Pods with local storage';
export const UNMANAGED_FATAL = 'Pods that declare no controller (use --force to override)';
export const UNMANAGED_WARNING = 'deleting Pods that declare no controller';

const okay = (note?: string): PodDeleteStatus => ({ delete: true, kind: 'okay', message: '', note });
const skip = (note: string): PodDeleteStatus => ({ delete: false, kind: 'skip', message: '', note });
const warn = (del: boolean, message: string, note: string): PodDeleteStatus => ({ delete: del, kind: 'warning', message, note });
const fail = (message: string, note = message): PodDeleteStatus => ({ delete: false, kind: 'error', message, note });

/** The ownerReference marked `controller: true`, if any. */
export function controllerOf(pod: Pod) {
  return pod.metadata.ownerReferences?.find((r) => r.controller === true);
}

function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** The namespace/name of the apps/v1 DaemonSet controlling the pod (undefined for other pods). */
export function daemonSetOf(pod: Pod): string | undefined {
  const ref = controllerOf(pod);
  if (ref?.kind !== 'DaemonSet' || ref.apiVersion !== 'apps/v1') return undefined;
  return `${pod.metadata.namespace ?? 'default'}/${ref.name}`;
}

function skipDeleted(pod: Pod, ctx: FilterContext): PodDeleteStatus {
  const limit = ctx.options.skipWaitForDeleteTimeoutSeconds;
  const since = pod.metadata.deletionTimestamp;
  if (limit > 0 && since !== undefined && Math.trunc((ctx.nowMs - Date.parse(since)) / 1000) > limit) {
    return skip(`terminating for more than ${limit}s (--skip-wait-for-delete-timeout)`);
  }
  return okay();
}

function daemonSet(pod: Pod, ctx: FilterContext): PodDeleteStatus {
  const ds = daemonSetOf(pod);
  if (ds === undefined) return okay();
  if (isFinished(pod)) return okay(`finished DaemonSet pod (${pod.status?.phase})`);
  const lookup = ctx.daemonSets.get(ds);
  if (lookup === undefined) return fail(`DaemonSet "${ds}" was not looked up`);
  if (!lookup.found) {
    if (lookup.notFound && ctx.options.force) return warn(true, lookup.message, `DaemonSet ${ds} no longer exists; deleted because of --force`);
    return fail(lookup.message);
  }
  if (!ctx.options.ignoreDaemonSets) return fail(DAEMONSET_FATAL);
  return warn(false, DAEMONSET_WARNING, `managed by DaemonSet ${ds}; left running (--ignore-daemonsets); its DaemonSet would recreate it on the cordoned node anyway`);
}

function mirrorPod(pod: Pod): PodDeleteStatus {
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return skip('mirror pod of a static pod; only the kubelet can remove it');
  return okay();
}

function localStorage(pod: Pod, ctx: FilterContext): PodDeleteStatus {
  const volumes = (pod.spec?.volumes ?? []).filter((v) => v.emptyDir !== undefined && v.emptyDir !== null);
  if (volumes.length === 0) return okay();
  const names = volumes.map((v) => v.name).join(', ');
  if (isFinished(pod)) return okay(`finished pod with emptyDir volume ${names}`);
  if (!ctx.options.deleteEmptyDirData) return fail(LOCAL_STORAGE_FATAL, `emptyDir volume ${names} would be lost (use --delete-emptydir-data to override)`);
  return warn(true, LOCAL_STORAGE_WARNING, `emptyDir volume ${names} is deleted with the pod (--delete-emptydir-data)`);
}

function unreplicated(pod: Pod, ctx: FilterContext): PodDeleteStatus {
  if (isFinished(pod)) return okay(`finished (${pod.status?.phase})`);
  const ref = controllerOf(pod);
  if (ref !== undefined) return okay(`managed by ${ref.kind} ${ref.name}`);
  if (ctx.options.force) return warn(true, UNMANAGED_WARNING, 'declares no controller: deleted for good, nothing recreates it (--force)');
  return fail(UNMANAGED_FATAL, 'declares no controller: nothing would recreate it (use --force to override)');
}

const FILTERS: ReadonlyArray<[FilterName, (pod: Pod, ctx: FilterContext) => PodDeleteStatus]> = [
  ['skipDeleted', skipDeleted],
  ['daemonSet', daemonSet],
  ['mirrorPod', mirrorPod],
  ['localStorage', localStorage],
  ['unreplicated', unreplicated],
];

/** Runs the filter chain for one pod; returns kubectl's final status and every note collected. */
export function filterPod(pod: Pod, ctx: FilterContext): { status: PodDeleteStatus; decidedBy: FilterName; notes: string[] } {
  const notes: string[] = [];
  let status: PodDeleteStatus = okay();
  let decidedBy: FilterName = 'unreplicated';
  for (const [name, filter] of FILTERS) {
    status = filter(pod, ctx);
    decidedBy = name;
    if (status.note !== undefined) notes.push(status.note);
    if (!status.delete) break;
  }
  return { status, decidedBy, notes };
}
