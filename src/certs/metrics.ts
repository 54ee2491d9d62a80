/**
 * Expiry as Prometheus samples, for the daemon's /metrics. Seconds until expiry (negative once
 * expired) are computed from `now`, so a report read once can be served for a while and still
 * count down; alert rules can then fire weeks ahead (`< 30 * 86400`).
 */
import type { ExpirationReport } from './expiration-report.js';

export const CERTIFICATE_EXPIRY_METRIC = 'kubekeeper_certificate_expiry_seconds';

export interface ExpirySample {
  name: string;
  path: string;
  /** Seconds from `now` to NotAfter, whole seconds (floor). */
  value: number;
}

/** One sample per certificate and CA that was read; missing files have none. */
export function certificateExpirySamples(report: ExpirationReport, now: Date): ExpirySample[] {
  return [...report.certificates, ...report.authorities]
    .filter((row) => row.notAfter !== undefined)
    .map((row) => ({ name: row.name, path: row.path, value: Math.floor(((row.notAfter as Date).getTime() - now.getTime()) / 1000) }));
}

/** Label values escaped as the text exposition format requires: backslash, quote, newline. */
function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The samples in Prometheus text exposition format (HELP, TYPE, one line per sample, final
 * newline), e.g. `kubekeeper_certificate_expiry_seconds{name="apiserver",path="/etc/kubernetes/pki/apiserver.crt"} 31535999`.
 */
export function certificateExpiryMetrics(report: ExpirationReport, now: Date): string {
  const lines = [
    `# HELP ${CERTIFICATE_EXPIRY_METRIC} Seconds until the certificate expires; negative once expired.`,
    `# TYPE ${CERTIFICATE_EXPIRY_METRIC} gauge`,
    ...certificateExpirySamples(report, now).map(
      (s) => `${CERTIFICATE_EXPIRY_METRIC}{name="${labelValue(s.name)}",path="${labelValue(s.path)}"} ${s.value}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
