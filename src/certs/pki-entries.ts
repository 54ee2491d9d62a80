/**
 * Turning file texts into inventory entries, shared by the kubeadm and RKE readers. Parsing
 * failures are recorded on the entry (`error`) so one corrupt file does not hide the rest.
 */
import { AppError, messageOf } from '../errors.js';
import { keyPemFormat, parseCertificates, parsePrivateKey, privateKeyBlock } from './certificate-info.js';
import type { AuthorityEntry, CertificateEntry, SourceFile } from './inventory.js';

/** Parses a CA's files into an entry; reading errors other than "missing" are recorded, not thrown. */
export function authorityFrom(name: string, certPath: string, keyPath: string, certFile?: SourceFile, keyFile?: SourceFile): AuthorityEntry {
  const entry: AuthorityEntry = { name, certPath, keyPath, certFile, keyFile, certs: [] };
  try {
    if (certFile) entry.certs = parseCertificates(certFile.text, certPath);
    if (keyFile) entry.key = parsePrivateKey(keyFile.text, keyPath);
  } catch (err) {
    entry.error = messageOf(err);
  }
  return entry;
}

/** Fills a certificate entry from its certificate and key texts; errors are recorded on it. */
export function fillCertificate(entry: CertificateEntry, certText: string | undefined, keyText: string | undefined): CertificateEntry {
  try {
    if (certText !== undefined) entry.cert = parseCertificates(certText, entry.certPath)[0];
    const keyPem = keyText === undefined ? undefined : privateKeyBlock(keyText);
    if (keyText !== undefined && keyPem === undefined) throw new AppError('key-unreadable', `Cannot read private key "${entry.keyPath}": no PEM PRIVATE KEY block`);
    if (keyPem !== undefined) {
      entry.key = parsePrivateKey(keyPem, entry.keyPath);
      entry.keyFormat = keyPemFormat(keyPem);
    }
  } catch (err) {
    entry.error = messageOf(err);
  }
  return entry;
}
