/**
 * `endpoint health` output in etcdctl 3.4's formats: simple, table, and json (Go field names,
 * "took" as a Go duration). In simple format etcdctl 3.4 prints every line on stderr; like
 * etcdctl 3.5, healthy lines go to stdout here (so `| grep` works) and unhealthy ones to stderr.
 */
import type { EndpointHealth } from '../../etcd/index.js';
import { formatGoDuration, goJsonObject, goJsonString } from './go-format.js';
import { renderTable } from './table.js';

export const HEALTH_FORMATS = ['simple', 'table', 'json'] as const;
export type HealthFormat = (typeof HEALTH_FORMATS)[number];

export interface Rendered {
  stdout: string;
  stderr: string;
}

export function renderEndpointHealth(results: readonly EndpointHealth[], format: HealthFormat): Rendered {
  if (format === 'json') {
    const items = results.map((h) => goJsonObject([
      ['endpoint', goJsonString(h.endpoint)],
      ['health', String(h.health)],
      ['took', goJsonString(formatGoDuration(h.tookMs))],
      ['error', h.error ? goJsonString(h.error) : undefined],
    ]));
    return { stdout: `[${items.join(',')}]\n`, stderr: '' };
  }
  if (format === 'table') {
    const rows = results.map((h) => [h.endpoint, String(h.health), formatGoDuration(h.tookMs), h.error ?? '']);
    return { stdout: renderTable(['endpoint', 'health', 'took', 'error'], rows), stderr: '' };
  }
  let stdout = '';
  let stderr = '';
  for (const h of results) {
    if (h.error === undefined) stdout += `${h.endpoint} is healthy: successfully committed proposal: took = ${formatGoDuration(h.tookMs)}\n`;
    else stderr += `${h.endpoint} is unhealthy: failed to commit proposal: ${h.error}\n`;
  }
  return { stdout, stderr };
}
