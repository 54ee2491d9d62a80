/**
 * Plans the audit logging change to a kubeadm kube-apiserver static pod manifest
 * (/etc/kubernetes/manifests/kube-apiserver.yaml): the --audit-* flags, and hostPath volumes
 * and mounts for the policy file and the log directory (without them the API server cannot
 * read the policy, and the log dies with the container). Comments and layout are kept. Pure:
 * text in, text and the list of changes out.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { AppError } from '../errors.js';
import { auditFlags, type AuditLogSettings } from './apiserver-flags.js';
import { openEditableYaml } from './yaml-edit.js';

/** One edit, for the plan shown to the user. */
export interface ConfigChange {
  action: 'add' | 'update' | 'unchanged';
  /** "flag --audit-log-path", "volume audit-log", "audit_log.configuration.max_age". */
  target: string;
  from?: string;
  to: string;
}

export interface ConfigPlan {
  text: string;
  changes: ConfigChange[];
  /** Things the user should know that kubekeeper does not change. */
  warnings: string[];
}

interface Volume {
  name: string;
  hostPath: string;
  hostPathType: 'File' | 'DirectoryOrCreate';
  mountPath: string;
  readOnly: boolean;
}

function volumesFor(settings: AuditLogSettings): Volume[] {
  const logDir = path.posix.dirname(settings.logPath);
  return [
    // Type File: if the policy is missing the pod fails clearly instead of kubelet creating a directory there.
    { name: 'audit-policy', hostPath: settings.policyFile, hostPathType: 'File', mountPath: settings.policyFile, readOnly: true },
    { name: 'audit-log', hostPath: logDir, hostPathType: 'DirectoryOrCreate', mountPath: logDir, readOnly: false },
  ];
}

function refuse(file: string, why: string): AppError {
  return new AppError('manifest-unrecognised', `Cannot configure "${file}": ${why}`, {
    hint: 'Pass the kube-apiserver static pod manifest, usually /etc/kubernetes/manifests/kube-apiserver.yaml',
  });
}

/** The kube-apiserver container of a static pod, or an AppError explaining why there is none. */
function findApiServer(doc: Document, file: string): { container: YAMLMap; command: YAMLSeq } {
  if (doc.get('kind') !== 'Pod') throw refuse(file, `kind is ${JSON.stringify(doc.get('kind') ?? null)}, not Pod`);
  const containers = doc.getIn(['spec', 'containers']);
  if (!isSeq(containers)) throw refuse(file, 'it has no spec.containers');
  for (const c of containers.items) {
    if (!isMap(c)) continue;
    const command = c.get('command');
    const first = isSeq(command) ? command.items[0] : undefined;
    const binary = isScalar(first) ? String(first.value) : '';
    if (c.get('name') === 'kube-apiserver' || path.posix.basename(binary) === 'kube-apiserver') {
      if (!isSeq(command) || path.posix.basename(binary) !== 'kube-apiserver') throw refuse(file, 'its kube-apiserver container does not start with command: [kube-apiserver, ...]');
      return { container: c, command };
    }
  }
  throw refuse(file, 'no container runs kube-apiserver');
}

function setFlags(doc: Document, command: YAMLSeq, settings: AuditLogSettings, changes: ConfigChange[]): void {
  for (const [name, value] of auditFlags(settings)) {
    const prefix = `--${name}=`;
    const target = `flag --${name}`;
    const existing = command.items.find((item) => isScalar(item) && String(item.value).startsWith(prefix));
    if (isScalar(existing)) {
      const from = String(existing.value).slice(prefix.length);
      if (from === value) changes.push({ action: 'unchanged', target, to: value });
      else {
        existing.value = `${prefix}${value}`;
        changes.push({ action: 'update', target, from, to: value });
      }
      continue;
    }
    // kubeadm writes flags sorted by name; insert where kubeadm would have.
    let at = command.items.findIndex((item, i) => i > 0 && isScalar(item) && String(item.value) > `--${name}`);
    if (at < 0) at = command.items.length;
    command.items.splice(at, 0, doc.createNode(`${prefix}${value}`));
    changes.push({ action: 'add', target, to: value });
  }
}

function listAt(doc: Document, owner: YAMLMap, key: string): YAMLSeq {
  const existing = owner.get(key);
  if (isSeq(existing)) return existing;
  const created = doc.createNode([]) as YAMLSeq;
  owner.set(key, created);
  return created;
}

/**
 * True when `v.mountPath` is already mounted under another volume name (set up by hand):
 * adding ours would give the container two mounts at one path, which the API server rejects.
 */
function mountedElsewhere(v: Volume, volumes: YAMLSeq, mounts: YAMLSeq, changes: ConfigChange[], warnings: string[]): boolean {
  const other = mounts.items.find((item) => isMap(item) && item.get('mountPath') === v.mountPath && item.get('name') !== v.name) as YAMLMap | undefined;
  if (!other) return false;
  const name = String(other.get('name'));
  const volume = volumes.items.find((item) => isMap(item) && item.get('name') === name) as YAMLMap | undefined;
  const hostPath = volume?.getIn(['hostPath', 'path']);
  if (hostPath === v.hostPath) changes.push({ action: 'unchanged', target: `volume ${name}`, to: `hostPath ${v.hostPath} at ${v.mountPath}` });
  else warnings.push(`${v.mountPath} is already mounted from volume "${name}" (${hostPath === undefined ? 'not a hostPath' : `hostPath ${String(hostPath)}`}); left as it is`);
  return true;
}

function setVolumes(doc: Document, container: YAMLMap, settings: AuditLogSettings, changes: ConfigChange[], warnings: string[]): void {
  const spec = doc.get('spec') as YAMLMap;
  const volumes = listAt(doc, spec, 'volumes');
  const mounts = listAt(doc, container, 'volumeMounts');
  for (const v of volumesFor(settings)) {
    if (mountedElsewhere(v, volumes, mounts, changes, warnings)) continue;
    const byName = volumes.items.find((item) => isMap(item) && item.get('name') === v.name) as YAMLMap | undefined;
    const hostPath = byName?.getIn(['hostPath', 'path']);
    if (!byName) {
      volumes.items.push(doc.createNode({ hostPath: { path: v.hostPath, type: v.hostPathType }, name: v.name }));
      changes.push({ action: 'add', target: `volume ${v.name}`, to: `hostPath ${v.hostPath} (${v.hostPathType})` });
    } else if (hostPath !== v.hostPath) {
      byName.setIn(['hostPath', 'path'], v.hostPath);
      byName.setIn(['hostPath', 'type'], v.hostPathType);
      changes.push({ action: 'update', target: `volume ${v.name}`, from: `hostPath ${String(hostPath)}`, to: `hostPath ${v.hostPath} (${v.hostPathType})` });
    } else changes.push({ action: 'unchanged', target: `volume ${v.name}`, to: `hostPath ${v.hostPath}` });

    const mount = mounts.items.find((item) => isMap(item) && item.get('name') === v.name) as YAMLMap | undefined;
    const wanted = `${v.mountPath}${v.readOnly ? ' (read-only)' : ''}`;
    if (!mount) {
      mounts.items.push(doc.createNode({ mountPath: v.mountPath, name: v.name, ...(v.readOnly && { readOnly: true }) }));
      changes.push({ action: 'add', target: `volumeMount ${v.name}`, to: wanted });
    } else if (mount.get('mountPath') !== v.mountPath || Boolean(mount.get('readOnly')) !== v.readOnly) {
      const from = `${String(mount.get('mountPath'))}${mount.get('readOnly') ? ' (read-only)' : ''}`;
      mount.set('mountPath', v.mountPath);
      if (v.readOnly) mount.set('readOnly', true);
      else mount.delete('readOnly');
      changes.push({ action: 'update', target: `volumeMount ${v.name}`, from, to: wanted });
    } else changes.push({ action: 'unchanged', target: `volumeMount ${v.name}`, to: wanted });
  }
}

/** Plans audit logging for a kubeadm kube-apiserver manifest; refuses anything else. */
export function planKubeadmAudit(text: string, file: string, settings: AuditLogSettings): ConfigPlan {
  const yaml = openEditableYaml(text, file);
  const { container, command } = findApiServer(yaml.doc, file);
  const changes: ConfigChange[] = [];
  const warnings: string[] = [];
  setFlags(yaml.doc, command, settings, changes);
  setVolumes(yaml.doc, container, settings, changes, warnings);
  const others = command.items.map((i) => (isScalar(i) ? String(i.value) : '')).filter((f) => f.startsWith('--audit-webhook-'));
  if (others.length) warnings.push(`Left as they are: ${others.join(' ')} (the webhook backend is configured separately)`);
  const changed = changes.some((c) => c.action !== 'unchanged');
  return { text: changed ? yaml.render() : text, changes, warnings };
}
