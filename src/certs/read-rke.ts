/**
 * Reads an RKE1 node's /etc/kubernetes/ssl: every `<name>.pem` with its `<name>-key.pem`.
 * CAs are the certificates with CA:TRUE; each leaf's CA is the one whose key signed it.
 */
import path from 'node:path';
import { isSignedBy } from './certificate-info.js';
import type { AuthorityEntry, CertificateEntry, NodeAddress, PkiInventory } from './inventory.js';
import { authorityFrom, fillCertificate } from './pki-entries.js';
import { pairRkeFiles, rkeSanRules } from './rke-layout.js';
import { listDir, readSourceFile } from './source-file.js';

const RKE_NOT_RENEWABLE = 'RKE certificates are rotated from the workstation with "rke cert rotate"';

/** Reads an RKE node's certificate directory; RKE has no kubeconfigs with embedded credentials. */
export async function readRkePki(pkiDir: string, given: NodeAddress[]): Promise<PkiInventory> {
  const authorities: AuthorityEntry[] = [];
  const leaves: CertificateEntry[] = [];
  for (const pair of pairRkeFiles(await listDir(pkiDir))) {
    const certPath = path.join(pkiDir, pair.certFile);
    const keyPath = path.join(pkiDir, pair.keyFile ?? `${pair.name}-key.pem`);
    const certFile = await readSourceFile(certPath);
    const keyFile = pair.keyFile ? await readSourceFile(keyPath) : undefined;
    const asCa = authorityFrom(pair.name, certPath, keyPath, certFile, keyFile);
    if (asCa.certs.length > 0 && asCa.certs.every((c) => c.isCA)) {
      authorities.push(asCa);
      continue;
    }
    const entry: CertificateEntry = {
      name: pair.name, kind: 'pair', certPath, keyPath, caName: undefined, certFile, keyFile, longName: pair.name,
      staticPods: [], sanRules: rkeSanRules(pair.name), notRenewable: RKE_NOT_RENEWABLE,
    };
    leaves.push(fillCertificate(entry, certFile?.text, keyFile?.text));
  }
  for (const leaf of leaves) {
    const cert = leaf.cert;
    if (cert) leaf.caName = authorities.find((ca) => ca.certs.some((c) => isSignedBy(cert, c)))?.name;
  }
  return { layout: 'rke', pkiDir, kubeconfigDir: undefined, authorities, certificates: leaves, nodeAddresses: given };
}
