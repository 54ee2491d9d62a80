/**
 * Pointing kubeadm's etcd static pod (`/etc/kubernetes/manifests/etcd.yaml`, k8s-maintenance
 * spec §6.1) at a restored data dir, as the documented restore procedure does by hand (§6.2
 * step 4). Pure: text in, text out. The edit replaces only the scalar values it changes, at
 * their exact source positions, so comments, ordering, quoting and every other byte stay as
 * they were. A manifest whose shape is not kubeadm's is refused as a whole, never half-edited.
 *
 * kubeadm mounts the host's data dir at the same path in the container and passes that path
 * as --data-dir. So with hostPath == mountPath == --data-dir all three move to the restored
 * dir; with a different hostPath (mountPath == --data-dir) only the hostPath moves.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Scalar, type YAMLMap } from 'yaml';
import { AppError } from '../errors.js';

export const ETCD_DATA_VOLUME = 'etcd-data';
const DATA_DIR_FLAG = '--data-dir';

/** The manifest is not a kubeadm etcd static pod this tool knows how to edit. */
export class EtcdManifestError extends AppError {
  constructor(manifestPath: string, reason: string) {
    super('etcd-manifest-unrecognised', `Cannot edit "${manifestPath}": ${reason}; the manifest was left unchanged`, {
      hint: `Point the "${ETCD_DATA_VOLUME}" hostPath volume (and ${DATA_DIR_FLAG}) of the etcd pod at the restored dir by hand, or omit --kubeadm-manifest`,
    });
  }
}

export interface ManifestChange {
  field: string;
  from: string;
  to: string;
  /** 1-based line in the original text. */
  line: number;
}

export interface EtcdManifestEdit {
  original: string;
  updated: string;
  changes: ManifestChange[];
  /** Unified diff of original → updated (empty when nothing changes). */
  diff: string;
}

interface Target {
  field: string;
  node: Scalar;
  /** The whole scalar value, or the part after "--data-dir=". */
  prefix: string;
}

function findByName(seq: unknown, name: string): YAMLMap | undefined {
  if (!isSeq(seq)) return undefined;
  const found = seq.items.filter((item): item is YAMLMap => isMap(item) && item.get('name') === name);
  return found.length === 1 ? found[0] : undefined;
}

function scalarAt(map: YAMLMap | undefined, key: string): Scalar | undefined {
  const node = map?.get(key, true) as YamlNode | undefined;
  return isScalar(node) && typeof node.value === 'string' ? node : undefined;
}

/** The `--data-dir` value node in the etcd container's command and args. */
function dataDirTarget(container: YAMLMap, fail: (why: string) => never): Target {
  const found: Target[] = [];
  for (const listName of ['command', 'args']) {
    const list = container.get(listName, true);
    if (!isSeq(list)) continue;
    list.items.forEach((item, i) => {
      if (!isScalar(item) || typeof item.value !== 'string') return;
      if (item.value.startsWith(`${DATA_DIR_FLAG}=`)) found.push({ field: `${listName}[${i}] ${DATA_DIR_FLAG}`, node: item, prefix: `${DATA_DIR_FLAG}=` });
      const next = list.items[i + 1];
      if (item.value === DATA_DIR_FLAG && isScalar(next) && typeof next.value === 'string') {
        found.push({ field: `${listName}[${i + 1}] ${DATA_DIR_FLAG}`, node: next, prefix: '' });
      }
    });
  }
  if (found.length !== 1) fail(found.length === 0 ? `the etcd container has no ${DATA_DIR_FLAG} flag` : `the etcd container has ${found.length} ${DATA_DIR_FLAG} flags`);
  return found[0] as Target;
}

/** Renders a path as a YAML scalar in the node's original style where that is safe. */
function render(node: Scalar, text: string): string {
  // Paths and --flag=path values: no character YAML would read as syntax in a plain scalar.
  const plainSafe = /^[/-][A-Za-z0-9_./@+=-]*$/.test(text) && text !== '-';
  if (node.type === 'QUOTE_SINGLE' && !text.includes("'")) return `'${text}'`;
  if (node.type === 'PLAIN' && plainSafe) return text;
  // JSON strings are valid YAML double-quoted scalars.
  return JSON.stringify(text);
}

/** kube-apiserver's static pod manifest, which kubeadm writes beside etcd.yaml. */
export const KUBE_APISERVER_MANIFEST = 'kube-apiserver.yaml';

/**
 * The documented restore stops every API server first (k8s-maintenance spec §6.2 step 2):
 * an API server running across the restore keeps caches and watches of the old data. Throws
 * when kube-apiserver.yaml is still among the files of the static pod folder (kubelet
 * ignores hidden files, so a moved-aside ".kube-apiserver.yaml" is fine).
 */
export function checkApiServerStopped(manifestPath: string, folderEntries: readonly string[]): void {
  if (folderEntries.includes(KUBE_APISERVER_MANIFEST)) {
    const folder = manifestPath.replace(/\/[^/]*$/, '') || '/';
    throw new AppError('kube-apiserver-running', `Cannot restore with --kubeadm-manifest: "${folder}/${KUBE_APISERVER_MANIFEST}" is still in the static pod folder, so the API server would run against the restored etcd with its old caches`, {
      hint: `Stop every API server first, as the Kubernetes restore procedure says: mv ${folder}/${KUBE_APISERVER_MANIFEST} ${folder.replace(/\/[^/]*$/, '') || '/'}/ on each control-plane node, restore, then move it back`,
    });
  }
}

/** Plans the edit of `text` (the manifest at `manifestPath`) so etcd uses `dataDir` on the host. */
export function planEtcdManifestEdit(manifestPath: string, text: string, dataDir: string): EtcdManifestEdit {
  const fail = (why: string): never => {
    throw new EtcdManifestError(manifestPath, why);
  };
  if (!dataDir.startsWith('/')) fail(`the restored data dir "${dataDir}" is not an absolute path`);
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (/^---/m.test(text.replace(/^---\s*\n/, ''))) fail('it holds more than one YAML document');
  if (doc.errors.length > 0) fail(`it is not valid YAML (${doc.errors[0]?.message.split('\n')[0]})`);
  if (doc.get('apiVersion') !== 'v1' || doc.get('kind') !== 'Pod') fail('it is not a v1 Pod');
  const spec = doc.get('spec', true);
  if (!isMap(spec)) fail('it has no pod spec');
  const podSpec = spec as YAMLMap;
  const container = findByName(podSpec.get('containers', true), 'etcd') ?? fail('it has no single container named "etcd"');
  const volume = findByName(podSpec.get('volumes', true), ETCD_DATA_VOLUME) ?? fail(`it has no single "${ETCD_DATA_VOLUME}" volume`);
  const hostPath = volume.get('hostPath', true);
  const hostNode = isMap(hostPath) ? scalarAt(hostPath, 'path') : undefined;
  if (!hostNode) fail(`the "${ETCD_DATA_VOLUME}" volume is not a hostPath volume with a path`);
  const mount = findByName(container.get('volumeMounts', true), ETCD_DATA_VOLUME) ?? fail(`the etcd container does not mount "${ETCD_DATA_VOLUME}"`);
  const mountNode = scalarAt(mount, 'mountPath') ?? fail(`the "${ETCD_DATA_VOLUME}" mount has no mountPath`);
  const dataDirFlag = dataDirTarget(container, fail);

  const host = String((hostNode as Scalar).value);
  const mountPath = String(mountNode.value);
  const flagValue = String(dataDirFlag.node.value).slice(dataDirFlag.prefix.length);
  if (flagValue !== mountPath) fail(`${DATA_DIR_FLAG} "${flagValue}" is not the "${ETCD_DATA_VOLUME}" mountPath "${mountPath}"`);
  const targets: Target[] = [{ field: `volumes[${ETCD_DATA_VOLUME}].hostPath.path`, node: hostNode as Scalar, prefix: '' }];
  if (host === mountPath) {
    targets.push({ field: `volumeMounts[${ETCD_DATA_VOLUME}].mountPath`, node: mountNode, prefix: '' }, dataDirFlag);
  }
  return applyTargets(text, targets, dataDir, manifestPath);
}

function applyTargets(text: string, targets: Target[], dataDir: string, manifestPath: string): EtcdManifestEdit {
  const changes: ManifestChange[] = [];
  const edits: { start: number; end: number; replacement: string }[] = [];
  for (const t of targets) {
    const from = String(t.node.value);
    const to = t.prefix + dataDir;
    if (from === to) continue;
    const [start, end] = t.node.range ?? [0, 0];
    if (t.node.type !== 'PLAIN' && t.node.type !== 'QUOTE_SINGLE' && t.node.type !== 'QUOTE_DOUBLE') {
      throw new EtcdManifestError(manifestPath, `${t.field} is a block scalar`);
    }
    edits.push({ start, end, replacement: render(t.node, to) });
    changes.push({ field: t.field, from, to, line: text.slice(0, start).split('\n').length });
  }
  let updated = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) updated = updated.slice(0, e.start) + e.replacement + updated.slice(e.end);
  changes.sort((a, b) => a.line - b.line);
  return { original: text, updated, changes, diff: unifiedDiff(text, updated, manifestPath) };
}

/**
 * A unified diff (3 lines of context) of two texts with the same number of lines, which is
 * what a scalar-for-scalar edit produces.
 */
export function unifiedDiff(before: string, after: string, name: string): string {
  // A final newline ends the last line; it does not start another one.
  const lines = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  const a = lines(before);
  const b = lines(after);
  if (a.length !== b.length) throw new RangeError('unifiedDiff compares texts with the same number of lines');
  const changed = a.map((line, i) => line !== b[i]).flatMap((c, i) => (c ? [i] : []));
  if (changed.length === 0) return '';
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    const start = Math.max(0, i - 3);
    const end = Math.min(a.length, i + 4);
    if (last && start <= last[1]) last[1] = end;
    else hunks.push([start, end]);
  }
  let out = `--- ${name}\n+++ ${name} (restored)\n`;
  for (const [start, end] of hunks) {
    out += `@@ -${start + 1},${end - start} +${start + 1},${end - start} @@\n`;
    for (let i = start; i < end; i++) {
      out += a[i] === b[i] ? ` ${a[i]}\n` : `-${a[i]}\n`;
      if (a[i] !== b[i]) out += `+${b[i]}\n`;
    }
  }
  return out;
}
