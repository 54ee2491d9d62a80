/**
 * kubeadm's etcd static pod manifest for a member that joins an existing cluster: the etcd
 * container's `--name`, `--initial-cluster`, `--initial-cluster-state=existing` and
 * `--initial-advertise-peer-urls` set in its command (replaced where present, added after the
 * last flag where absent), every other byte kept. Start from the manifest kubeadm wrote for
 * the node (`kubeadm init phase etcd local` writes one for a new cluster). Pure: text in, text out.
 */
import { isMap, isScalar, isSeq, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { AppError } from '../errors.js';

export interface FlagChange {
  flag: string;
  /** Undefined when the flag was added. */
  from?: string;
  to: string;
}

export interface JoinManifestEdit {
  updated: string;
  changes: FlagChange[];
}

/** The manifest is not a kubeadm etcd static pod with a command list. */
export class JoinManifestError extends AppError {
  constructor(manifestPath: string, reason: string) {
    super('member-manifest-unrecognised', `Cannot edit "${manifestPath}": ${reason}; the manifest was left unchanged`, {
      hint: 'Put the ETCD_INITIAL_CLUSTER and ETCD_INITIAL_CLUSTER_STATE values of the flags file into the etcd command by hand, or omit --kubeadm-manifest',
    });
  }
}

const render = (text: string) => (/^[A-Za-z0-9_./:=,@+-]+$/.test(text) ? text : JSON.stringify(text));

function etcdCommand(manifestPath: string, text: string) {
  const fail = (why: string): never => {
    throw new JoinManifestError(manifestPath, why);
  };
  const doc = parseDocument(text);
  if (doc.errors.length > 0) fail(`it is not valid YAML (${doc.errors[0]?.message.split('\n')[0]})`);
  if (doc.get('apiVersion') !== 'v1' || doc.get('kind') !== 'Pod') fail('it is not a v1 Pod');
  const containers = (doc.get('spec', true) as YAMLMap | undefined)?.get?.('containers', true);
  const etcd = isSeq(containers) ? containers.items.filter((c): c is YAMLMap => isMap(c) && c.get('name') === 'etcd') : [];
  if (etcd.length !== 1) fail('it has no single container named "etcd"');
  const command = (etcd[0] as YAMLMap).get('command', true);
  if (!isSeq(command) || command.items.length === 0) return fail('the etcd container has no command list');
  const items: unknown[] = command.items;
  if (!items.every((i): i is Scalar => isScalar(i) && typeof i.value === 'string' && i.range !== undefined && i.range !== null)) fail('the etcd command holds something other than plain strings');
  return items as Scalar[];
}

/** Sets `flags` (etcd flag names without dashes) in the etcd command of `text`. */
export function planJoinManifest(manifestPath: string, text: string, flags: ReadonlyArray<[string, string]>): JoinManifestEdit {
  const items = etcdCommand(manifestPath, text);
  const edits: Array<{ start: number; end: number; replacement: string }> = [];
  const changes: FlagChange[] = [];
  const last = items[items.length - 1] as Scalar;
  const lastStart = (last.range as [number, number, number])[0];
  const lineStart = text.lastIndexOf('\n', lastStart - 1) + 1;
  // The new items copy the last item's prefix ("    - "), so they sit in the same list.
  const prefix = text.slice(lineStart, lastStart);
  const lineEnd = text.indexOf('\n', lastStart) === -1 ? text.length : text.indexOf('\n', lastStart);
  if (!/^\s*-\s+$/.test(prefix)) throw new JoinManifestError(manifestPath, 'the etcd command is not a block list (one "- " item per line)');
  const added: string[] = [];
  for (const [flag, value] of flags) {
    const want = `--${flag}=${value}`;
    const found = items.filter((i) => String(i.value).startsWith(`--${flag}=`));
    if (found.length > 1) throw new JoinManifestError(manifestPath, `the etcd command has ${found.length} --${flag} flags`);
    const item = found[0];
    if (item) {
      if (item.value === want) continue;
      const [start, end] = item.range as [number, number, number];
      edits.push({ start, end, replacement: render(want) });
      changes.push({ flag, from: String(item.value).slice(flag.length + 3), to: value });
    } else {
      added.push(`\n${prefix}${render(want)}`);
      changes.push({ flag, to: value });
    }
  }
  if (added.length > 0) edits.push({ start: lineEnd, end: lineEnd, replacement: added.join('') });
  let updated = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) updated = updated.slice(0, e.start) + e.replacement + updated.slice(e.end);
  // What was written must read back as exactly the flags asked for.
  const check = etcdCommand(manifestPath, updated).map((i) => String(i.value));
  for (const [flag, value] of flags) {
    if (!check.includes(`--${flag}=${value}`)) throw new JoinManifestError(manifestPath, `--${flag} did not read back after the edit`);
  }
  return { updated, changes };
}
