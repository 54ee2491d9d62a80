/**
 * Renders audit search results: an etcdctl-style table, one line per event while following,
 * JSON lines for scripts, and the summary of what was searched (stderr).
 */
import type { AuditEvent, MalformedSample, SearchStats } from '../../audit/index.js';
import { totalStats } from '../../audit/index.js';
import { formatIecBytes } from './progress.js';
import { renderTable } from './table.js';

export const SEARCH_HEADERS = ['time', 'user', 'source ip', 'user agent', 'verb', 'object', 'code', 'stage'];

/** "pods/log payments/web-0", "deployments.apps team-a/*" for lists, the URI for non-resource requests. */
export function describeObject(event: AuditEvent): string {
  const ref = event.objectRef;
  if (!ref?.resource) return event.requestURI;
  const kind = `${ref.resource}${ref.apiGroup ? `.${ref.apiGroup}` : ''}${ref.subresource ? `/${ref.subresource}` : ''}`;
  const name = ref.name ?? '*';
  return `${kind} ${ref.namespace ? `${ref.namespace}/${name}` : name}`;
}

/** The user, and who they acted as when impersonating. */
export function describeUser(event: AuditEvent): string {
  const user = event.user?.username ?? '';
  return event.impersonatedUser?.username ? `${user} (as ${event.impersonatedUser.username})` : user;
}

export function searchRow(event: AuditEvent): string[] {
  return [
    event.stageTimestamp || event.requestReceivedTimestamp,
    describeUser(event),
    (event.sourceIPs ?? []).join(', '),
    event.userAgent ?? '',
    event.verb,
    describeObject(event),
    event.responseStatus?.code === undefined ? '' : String(event.responseStatus.code),
    event.stage,
  ];
}

export function renderSearchTable(events: readonly AuditEvent[]): string {
  return renderTable(SEARCH_HEADERS, events.map(searchRow), { align: 'left' });
}

/** One event per line, for --follow where the table cannot wait for the last row. */
export function renderSearchLine(event: AuditEvent): string {
  const [time, user, ips, agent, verb, object, code, stage] = searchRow(event);
  return `${time}  ${verb} ${object}  ${code || '-'} ${stage}  user=${user}  ip=${ips}  agent=${agent}\n`;
}

const REASONS: Record<MalformedSample['reason'], string> = {
  'not-json': 'not JSON',
  'legacy-format': 'legacy text format',
  'not-an-event': 'JSON but not an audit event',
  'bad-timestamp': 'no valid timestamp',
  'too-long': 'line too long',
};

/** What was searched, how long it took, and what could not be read. */
export function renderSearchSummary(stats: SearchStats, elapsedMs: number): { text: string; legacy: boolean } {
  const total = totalStats(stats);
  const n = (value: number, word: string) => `${value.toLocaleString('en-US')} ${word}${value === 1 ? '' : 's'}`;
  const lines = [`Searched ${n(total.files, 'file')} (${formatIecBytes(total.bytes)}, ${n(total.lines, 'line')}) in ${(elapsedMs / 1000).toFixed(1)} s: ${n(total.matched, 'matching event')}`];
  const skipped = stats.files.filter((f) => f.skipped).length;
  if (skipped) lines.push(`Skipped ${n(skipped, 'file')} that start after --until`);
  let legacy = false;
  if (total.malformed > 0) {
    const samples = stats.files.flatMap((f) => f.malformedSamples.map((s) => ({ ...s, path: f.path }))).slice(0, 3);
    legacy = stats.files.some((f) => f.malformedSamples.some((s) => s.reason === 'legacy-format'));
    lines.push(`Skipped ${n(total.malformed, 'malformed line')} (${samples.map((s) => `${s.path}:${s.line} ${REASONS[s.reason]}`).join('; ')})`);
  }
  for (const f of stats.files) if (f.error) lines.push(`Could not read all of "${f.path}": ${f.error}`);
  return { text: `${lines.join('\n')}\n`, legacy };
}
