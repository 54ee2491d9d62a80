/**
 * `certs check` output. Text: kubeadm check-expiration's two tables, byte for byte in
 * kubeadm's layout, then what kubeadm does not show (problems, node addresses used, the
 * verdict). JSON: kubeadm's CertificateExpirationInfo (output.kubeadm.k8s.io/v1alpha3) so
 * existing scripts keep working, with kubekeeper's extra fields added alongside.
 */
import { formatExpires, formatResidualTime, type ExpirationReport, type ExpirationRow, needsAttention } from '../../certs/index.js';
import { renderTabwriter } from './certs-tabwriter.js';

const yesNo = (b: boolean) => (b ? 'yes' : 'no').padEnd(8); // kubeadm's %-8v

function residualMs(row: ExpirationRow, now: Date): number {
  return (row.notAfter as Date).getTime() - now.getTime();
}

function kubeadmTables(report: ExpirationReport): string[] {
  const now = report.checkedAt;
  const lines = ['CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED'];
  for (const row of report.certificates) {
    if (!row.notAfter) lines.push(`!MISSING! ${row.name}\t\t\t\t`);
    else lines.push(`${row.name}\t${formatExpires(row.notAfter)}\t${formatResidualTime(residualMs(row, now))}\t${row.caName ?? ''}\t${yesNo(row.externallyManaged)}`);
  }
  lines.push('', 'CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED');
  for (const row of report.authorities) {
    if (!row.notAfter) lines.push(`!MISSING! ${row.name}\t\t\t`);
    else lines.push(`${row.name}\t${formatExpires(row.notAfter)}\t${formatResidualTime(residualMs(row, now))}\t${yesNo(row.externallyManaged)}`);
  }
  return lines;
}

function verdict(report: ExpirationReport): string {
  const window = formatResidualTime(report.warnWithinMs);
  const expiring = report.findings.filter((f) => f.code === 'expiring' || f.code === 'expired').length;
  const errors = report.findings.filter((f) => f.severity === 'error' && f.code !== 'expired').length;
  if (!needsAttention(report)) return `OK: nothing expires within ${window}.`;
  const parts = [];
  if (expiring > 0) parts.push(`${expiring} certificate${expiring === 1 ? '' : 's'} expired or expiring within ${window}`);
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  return `ATTENTION: ${parts.join(', ')}. Renew with "kubekeeper certs renew <name>|all".`;
}

/** The text rendering. */
export function renderCertsCheckText(report: ExpirationReport): string {
  const lines = kubeadmTables(report);
  const problems = report.findings.filter((f) => f.severity !== 'info' || f.code === 'ca-bundle');
  if (problems.length > 0) {
    lines.push('', 'SEVERITY\tNAME\tPROBLEM');
    for (const f of problems) lines.push(`${f.severity}\t${f.name}\t${f.message}`);
  }
  const text = renderTabwriter(lines);
  const addresses = report.nodeAddresses.map((a) => `${a.address} (${a.source})`).join(', ');
  const layout = report.layout === 'rke' ? `RKE certificates in ${report.pkiDir}` : `kubeadm certificates in ${report.pkiDir}`;
  const notes = [`\n${layout}; node address${report.nodeAddresses.length === 1 ? '' : 'es'} checked in SANs: ${addresses || 'none found (pass --node-address)'}`, verdict(report)];
  return `${text}${notes.join('\n')}\n`;
}

function jsonRow(row: ExpirationRow, now: Date, withCa: boolean): Record<string, unknown> {
  return {
    name: row.name,
    // metav1.Time marshals the zero time (a missing file) as null.
    expirationDate: row.notAfter ? row.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
    residualTime: row.notAfter ? Math.trunc(residualMs(row, now) / 1000) : 0,
    ...(withCa && row.caName ? { caName: row.caName } : {}),
    externallyManaged: row.externallyManaged,
    missing: row.missing,
    path: row.path,
    ...(row.notBefore ? { notBefore: row.notBefore.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    ...(row.commonName !== undefined ? {
      commonName: row.commonName, organizations: row.organizations, dnsNames: row.dnsNames,
      ipAddresses: row.ipAddresses, extKeyUsages: row.extKeyUsages, keyAlgorithm: row.keyAlgorithm,
    } : {}),
  };
}

/** The JSON document (an object; the command stringifies it). */
export function certsCheckJson(report: ExpirationReport): Record<string, unknown> {
  const now = report.checkedAt;
  return {
    kind: 'CertificateExpirationInfo',
    apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
    certificates: report.certificates.map((r) => jsonRow(r, now, true)),
    certificateAuthorities: report.authorities.map((r) => jsonRow(r, now, false)),
    layout: report.layout,
    pkiDir: report.pkiDir,
    kubeconfigDir: report.kubeconfigDir ?? null,
    checkedAt: now.toISOString(),
    warnWithinSeconds: Math.trunc(report.warnWithinMs / 1000),
    nodeAddresses: report.nodeAddresses,
    findings: report.findings,
    needsAttention: needsAttention(report),
  };
}
