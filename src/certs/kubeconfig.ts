/**
 * The credentials inside a kubeconfig, and rewriting only them. The rewrite splices the two
 * new base64 values into the original text at the exact byte ranges the YAML parser
 * reports, so comments, key order, quoting and indentation stay untouched (a full YAML
 * re-serialisation would re-indent kubeadm's Go-written lists).
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Scalar } from 'yaml';
import { AppError } from '../errors.js';

export interface KubeconfigCredentials {
  /** Index in `users` of the current context's user. */
  userIndex: number;
  userName: string;
  server: string | undefined;
  /** PEM text decoded from `client-certificate-data`, when embedded. */
  clientCertificatePem?: string;
  clientKeyPem?: string;
  /** `client-certificate` / `client-key` paths, as written (may be relative to the kubeconfig). */
  clientCertificatePath?: string;
  clientKeyPath?: string;
}

function fail(what: string, why: string): never {
  throw new AppError('kubeconfig-unreadable', `Cannot read kubeconfig "${what}": ${why}`, {
    hint: 'Check the file with "kubectl config view --kubeconfig <file>"',
  });
}

function load(text: string, what: string): Document.Parsed {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) fail(what, doc.errors[0]?.message ?? 'invalid YAML');
  return doc;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Finds the current context's user (or the only user) and its client credentials. */
function locateUser(doc: Document.Parsed, what: string): { userIndex: number; userName: string; clusterName?: string } {
  const contexts = (doc.toJS() as { contexts?: { name?: string; context?: { user?: string; cluster?: string } }[] }).contexts ?? [];
  const current = str(doc.get('current-context'));
  const context = contexts.find((c) => c.name === current) ?? (contexts.length === 1 ? contexts[0] : undefined);
  const users = doc.get('users');
  if (!isSeq(users) || users.items.length === 0) fail(what, 'no users');
  const names = users.items.map((u) => (isMap(u) ? str(u.get('name')) : undefined));
  const wanted = context?.context?.user;
  const userIndex = wanted !== undefined ? names.indexOf(wanted) : names.length === 1 ? 0 : -1;
  if (userIndex < 0) fail(what, wanted === undefined ? 'no current context and several users' : `user "${wanted}" of the current context is not defined`);
  return { userIndex, userName: names[userIndex] ?? '', clusterName: context?.context?.cluster };
}

function decodeData(value: unknown): string | undefined {
  const text = str(value);
  return text === undefined ? undefined : Buffer.from(text, 'base64').toString('utf8');
}

/** Reads the client credentials of the current context's user. */
export function readKubeconfigCredentials(text: string, what: string): KubeconfigCredentials {
  const doc = load(text, what);
  const { userIndex, userName, clusterName } = locateUser(doc, what);
  const user = (doc.getIn(['users', userIndex, 'user']) ?? undefined) as { toJSON(): Record<string, unknown> } | undefined;
  const fields = user && isMap(user) ? (user.toJSON() as Record<string, unknown>) : {};
  const clusters = (doc.toJS() as { clusters?: { name?: string; cluster?: { server?: string } }[] }).clusters ?? [];
  const cluster = clusters.find((c) => c.name === clusterName) ?? clusters[0];
  return {
    userIndex,
    userName,
    server: str(cluster?.cluster?.server),
    clientCertificatePem: decodeData(fields['client-certificate-data']),
    clientKeyPem: decodeData(fields['client-key-data']),
    clientCertificatePath: str(fields['client-certificate']),
    clientKeyPath: str(fields['client-key']),
  };
}

/**
 * Returns `text` with the current user's `client-certificate-data` and `client-key-data`
 * replaced, every other byte unchanged. Both fields must exist (a kubeconfig that references
 * files instead is refused: its files are what would need renewing).
 */
export function replaceKubeconfigCredentials(text: string, what: string, certPem: string, keyPem: string): string {
  const doc = load(text, what);
  const { userIndex } = locateUser(doc, what);
  const edits: { start: number; end: number; value: string }[] = [];
  for (const [field, pem] of [['client-certificate-data', certPem], ['client-key-data', keyPem]] as const) {
    const node = doc.getIn(['users', userIndex, 'user', field], true) as Scalar | undefined;
    if (!isScalar(node) || !node.range) fail(what, `user has no embedded "${field}"`);
    edits.push({ start: node.range[0], end: node.range[1], value: Buffer.from(pem, 'utf8').toString('base64') });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  // Splice from the end so earlier offsets stay valid.
  for (const e of edits) out = out.slice(0, e.start) + e.value + out.slice(e.end);
  return out;
}
