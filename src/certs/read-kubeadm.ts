/**
 * Reads a kubeadm node: the three CAs, the leaf pairs under the PKI dir and the client
 * certificates in the kubeconfigs (embedded, or referenced files like kubelet.conf's
 * rotating kubelet-client-current.pem). External etcd (no etcd/ directory content) drops
 * the etcd CA and its four leaves, as kubeadm does.
 */
import path from 'node:path';
import { messageOf } from '../errors.js';
import type { CertificateEntry, NodeAddress, PkiInventory } from './inventory.js';
import { KUBEADM_AUTHORITIES, KUBEADM_CERTIFICATES, type KubeadmCertificateSpec } from './kubeadm-layout.js';
import { readKubeconfigCredentials } from './kubeconfig.js';
import { addressFromManifest, hostOf, uniqueAddresses } from './node-address.js';
import { authorityFrom, fillCertificate } from './pki-entries.js';
import { listDir, readSourceFile } from './source-file.js';

function baseEntry(spec: KubeadmCertificateSpec, certPath: string, keyPath: string): CertificateEntry {
  return {
    name: spec.name, kind: spec.kind, certPath, keyPath, caName: spec.ca, longName: spec.longName,
    staticPods: spec.staticPods, sanRules: spec.sanRules, optional: spec.optional, notRenewable: spec.notRenewable,
  };
}

async function readPair(spec: KubeadmCertificateSpec, pkiDir: string): Promise<CertificateEntry> {
  const entry = baseEntry(spec, path.join(pkiDir, `${spec.file}.crt`), path.join(pkiDir, `${spec.file}.key`));
  entry.certFile = await readSourceFile(entry.certPath);
  entry.keyFile = entry.certFile ? await readSourceFile(entry.keyPath) : undefined;
  return fillCertificate(entry, entry.certFile?.text, entry.keyFile?.text);
}

async function readKubeconfigEntry(spec: KubeadmCertificateSpec, kubeconfigDir: string): Promise<CertificateEntry> {
  const file = path.join(kubeconfigDir, spec.file);
  const entry = baseEntry(spec, file, file);
  entry.kubeconfigPath = file;
  const source = await readSourceFile(file);
  if (!source) return entry;
  try {
    const creds = readKubeconfigCredentials(source.text, file);
    if (creds.clientCertificatePem !== undefined) {
      Object.assign(entry, { embedded: true, certFile: source, keyFile: source });
      return fillCertificate(entry, creds.clientCertificatePem, creds.clientKeyPem);
    }
    if (creds.clientCertificatePath === undefined) throw new Error('its user has neither client-certificate-data nor client-certificate');
    // Relative paths in a kubeconfig are relative to the kubeconfig's directory.
    entry.certPath = path.resolve(kubeconfigDir, creds.clientCertificatePath);
    entry.keyPath = path.resolve(kubeconfigDir, creds.clientKeyPath ?? creds.clientCertificatePath);
    Object.assign(entry, { embedded: false, certFile: await readSourceFile(entry.certPath) });
    entry.keyFile = entry.keyPath === entry.certPath ? entry.certFile : await readSourceFile(entry.keyPath);
    return fillCertificate(entry, entry.certFile?.text, entry.keyFile?.text);
  } catch (err) {
    entry.error = messageOf(err);
    return entry;
  }
}

/** The node's addresses: given ones, else the static pod annotations, else controller-manager.conf's server. */
async function inferNodeAddresses(manifestsDir: string, certificates: CertificateEntry[], given: NodeAddress[]): Promise<NodeAddress[]> {
  if (given.length > 0) return uniqueAddresses(given);
  const found: NodeAddress[] = [];
  for (const manifest of ['kube-apiserver.yaml', 'etcd.yaml']) {
    const file = path.join(manifestsDir, manifest);
    const text = (await readSourceFile(file))?.text;
    const address = text === undefined ? undefined : addressFromManifest(text);
    if (address) found.push({ address, source: file });
  }
  const cm = certificates.find((c) => c.name === 'controller-manager.conf' && c.certFile);
  if (found.length === 0 && cm?.certFile) {
    try {
      const server = readKubeconfigCredentials(cm.certFile.text, cm.certFile.path).server;
      const host = server === undefined ? undefined : hostOf(server);
      if (host && /^[\d.]+$|:/.test(host)) found.push({ address: host, source: `${cm.certFile.path} server` });
    } catch {
      // its own finding already reports a broken controller-manager.conf
    }
  }
  return uniqueAddresses(found);
}

/** Reads a kubeadm node's PKI dir and kubeconfigs; `given` node addresses win over inferred ones. */
export async function readKubeadmPki(pkiDir: string, kubeconfigDir: string, manifestsDir: string, given: NodeAddress[]): Promise<PkiInventory> {
  const etcdFiles = await listDir(path.join(pkiDir, 'etcd'));
  const externalEtcd = !etcdFiles.some((f) => f.endsWith('.crt'));
  const authorities = [];
  for (const spec of KUBEADM_AUTHORITIES) {
    if (externalEtcd && spec.name === 'etcd-ca') continue;
    const certPath = path.join(pkiDir, `${spec.base}.crt`);
    const keyPath = path.join(pkiDir, `${spec.base}.key`);
    authorities.push(authorityFrom(spec.name, certPath, keyPath, await readSourceFile(certPath), await readSourceFile(keyPath)));
  }
  const certificates: CertificateEntry[] = [];
  for (const spec of KUBEADM_CERTIFICATES) {
    if (externalEtcd && spec.ca === 'etcd-ca') continue;
    certificates.push(spec.kind === 'pair' ? await readPair(spec, pkiDir) : await readKubeconfigEntry(spec, kubeconfigDir));
  }
  const nodeAddresses = await inferNodeAddresses(manifestsDir, certificates, given);
  return { layout: 'kubeadm', pkiDir, kubeconfigDir, authorities, certificates, nodeAddresses };
}
