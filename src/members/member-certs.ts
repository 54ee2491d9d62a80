/**
 * The new member's certificates for `member replace --etcd-ca-dir`: issued from the etcd CA
 * (kubeadm: /etc/kubernetes/pki/etcd/ca.crt and ca.key) for its name and the hosts of its
 * URLs, written as kubeadm names them (server.crt/key, peer.crt/key, plus ca.crt) into a
 * directory to copy to the new node. Rerunning issues a fresh pair and replaces the files.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { issueEtcdMemberCertificates } from '../certs/index.js';
import { AppError, fileErrorText } from '../errors.js';
import type { Clock } from '../k8s/index.js';
import { replaceFileAtomic } from '../replace-file.js';

export interface MemberCertOptions {
  /** Holds ca.crt and ca.key of the etcd CA. */
  caDir: string;
  /** Where server.crt, server.key, peer.crt, peer.key and ca.crt are written (0600, dir 0700). */
  outDir: string;
  name: string;
  /** The member's peer and client URLs; their hosts become SANs. */
  urls: readonly string[];
  clock: Clock;
}

/** The host of each URL ("[::1]" -> "::1"). */
export function hostsOf(urls: readonly string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).hostname.replace(/^\[(.*)\]$/, '$1')))];
}

async function readCaFile(dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('member-cert-ca', `Cannot read the etcd CA file "${file}": ${fileErrorText(err)}`, { hint: 'Point --etcd-ca-dir at the directory with the etcd ca.crt and ca.key (kubeadm: /etc/kubernetes/pki/etcd)' });
  }
}

/** Issues and writes the certificates; returns a one-line summary for the step. */
export async function issueMemberCertificates(options: MemberCertOptions): Promise<string> {
  const caCertPem = await readCaFile(options.caDir, 'ca.crt');
  const caKeyPem = await readCaFile(options.caDir, 'ca.key');
  const hosts = hostsOf(options.urls);
  const issued = await issueEtcdMemberCertificates({ caCertPem, caKeyPem, nodeName: options.name, hosts, now: new Date(options.clock.now()) });
  await mkdir(options.outDir, { recursive: true, mode: 0o700 });
  const files: Array<[string, string]> = [
    ['ca.crt', caCertPem], ['server.crt', issued.server.certPem], ['server.key', issued.server.keyPem], ['peer.crt', issued.peer.certPem], ['peer.key', issued.peer.keyPem],
  ];
  for (const [name, pem] of files) await replaceFileAtomic(path.join(options.outDir, name), pem, { mode: 0o600 });
  return `server.crt, peer.crt (CN ${options.name}, SANs ${[...issued.server.cert.dnsNames, ...issued.server.cert.ipAddresses].join(', ')}) in ${options.outDir}: copy them to the new node's etcd PKI dir (kubeadm: /etc/kubernetes/pki/etcd)`;
}
