/**
 * What `certs renew` will do, decided before anything is written: which certificates get a
 * new key and certificate (and why the others are skipped), the files replaced, the NotAfter
 * each will get, and the static pods to restart afterwards. `--dry-run` prints exactly this.
 */
import { AppError, UsageError } from '../errors.js';
import { isSignedBy } from './certificate-info.js';
import { isExternallyManaged, signingCertificate, type CertificateEntry, type PkiInventory } from './inventory.js';
import { inRestartOrder, type StaticPodName } from './static-pod-names.js';

export interface RenewalItem {
  name: string;
  longName: string;
  kind: CertificateEntry['kind'];
  action: 'renew' | 'skip';
  /** Why it is skipped. */
  reason?: string;
  /** Notes that do not stop the renewal (NotAfter cut to the CA's, a wrong CA today). */
  notes: string[];
  caName: string | undefined;
  /** Files that will be replaced, in the order they are swapped. */
  files: string[];
  notAfter?: Date;
  staticPods: readonly StaticPodName[];
}

export interface RenewalPlan {
  items: RenewalItem[];
  /** Static pods of the renewed certificates, in restart order. */
  staticPods: StaticPodName[];
}

export interface RenewalRequest {
  /** Certificate names, or ['all']. */
  names: readonly string[];
  now: Date;
  validityMs: number;
}

function skip(entry: CertificateEntry, reason: string): RenewalItem {
  return { name: entry.name, longName: entry.longName, kind: entry.kind, action: 'skip', reason, notes: [], caName: entry.caName, files: [], staticPods: [] };
}

function itemFor(entry: CertificateEntry, inventory: PkiInventory, request: RenewalRequest): RenewalItem {
  if (entry.notRenewable) return skip(entry, entry.notRenewable);
  if (entry.error) return skip(entry, `cannot be read: ${entry.error}`);
  if (!entry.cert) return skip(entry, entry.optional ? 'not present on this node' : `"${entry.certPath}" is missing`);
  if (entry.kind === 'kubeconfig' && !entry.embedded) return skip(entry, 'the kubeconfig references certificate files instead of embedding them');
  const ca = inventory.authorities.find((a) => a.name === entry.caName);
  const signer = ca ? signingCertificate(ca) : undefined;
  if (!ca || !signer || ca.error) return skip(entry, `its CA "${entry.caName ?? 'unknown'}" is missing or unreadable`);
  if (isExternallyManaged(ca) || !ca.key) return skip(entry, `its CA "${ca.name}" is externally managed (no "${ca.keyPath}")`);
  const notes: string[] = [];
  const wanted = request.now.getTime() + request.validityMs;
  if (wanted > signer.notAfter.getTime()) notes.push(`NotAfter cut to the CA's (${signer.notAfter.toISOString()}): a certificate cannot outlive its CA`);
  if (!ca.certs.some((c) => isSignedBy(entry.cert as NonNullable<typeof entry.cert>, c))) {
    notes.push(`the current certificate was not signed by "${ca.name}"; the renewed one will be`);
  }
  return {
    name: entry.name, longName: entry.longName, kind: entry.kind, action: 'renew', notes, caName: ca.name,
    files: entry.kind === 'kubeconfig' ? [entry.certPath] : [entry.keyPath, entry.certPath],
    notAfter: new Date(Math.min(Math.floor(wanted / 1000) * 1000, signer.notAfter.getTime())),
    staticPods: entry.staticPods,
  };
}

/**
 * Plans a renewal. Throws UsageError for an unknown name, and AppError for RKE (whose
 * certificates `rke cert rotate` owns) or when a named certificate cannot be renewed.
 */
export function planRenewal(inventory: PkiInventory, request: RenewalRequest): RenewalPlan {
  if (inventory.layout === 'rke') {
    throw new AppError('certs-renew-rke', `Cannot renew certificates in "${inventory.pkiDir}": RKE certificates are managed by RKE`, {
      hint: 'Rotate them from the workstation with "rke cert rotate --config cluster.yml" (add --service <name> for one component)',
    });
  }
  const all = request.names.includes('all');
  const known = inventory.certificates.map((c) => c.name);
  const unknown = request.names.filter((n) => n !== 'all' && !known.includes(n));
  if (unknown.length > 0) throw new UsageError(`Unknown certificate "${unknown[0]}"`, `Use "all" or one of: ${known.filter((n) => n !== 'kubelet.conf').join(', ')}`);
  const chosen = inventory.certificates.filter((c) => all || request.names.includes(c.name));
  const items = chosen.map((c) => itemFor(c, inventory, request));
  const refused = items.find((i) => !all && i.action === 'skip');
  if (refused) throw new AppError('certs-renew-refused', `Cannot renew "${refused.name}": ${refused.reason}`);
  return { items, staticPods: inRestartOrder(items.filter((i) => i.action === 'renew').flatMap((i) => i.staticPods)) };
}
