/**
 * `endpoint hashkv` output: etcdctl 3.7's formats (simple, table, json, fields) for the plain
 * command, and the report of `--check` (which members agree, compaction, alarms, findings).
 */
import type { HashKV } from '../../etcd/index.js';
import type { HashKVCheck } from '../../maintenance/index.js';
import { goQuote, headerFields, headerJson } from './endpoint-status.js';
import { goJsonObject, goJsonString, omitZero } from './go-format.js';
import { renderTable } from './table.js';

export const HASHKV_FORMATS = ['simple', 'table', 'json', 'fields'] as const;
export type HashKVFormat = (typeof HASHKV_FORMATS)[number];

export interface EndpointHashKV {
  endpoint: string;
  hash: HashKV;
}

// tablewriter prints the header "hash_revision" as "HASH REVISION".
const row = (h: EndpointHashKV) => [h.endpoint, String(h.hash.hash), h.hash.hashRevision.toString()];

function hashJson(h: EndpointHashKV): string {
  const body = goJsonObject([
    ['header', headerJson(h.hash.header)],
    ['hash', omitZero(h.hash.hash)],
    ['compact_revision', omitZero(h.hash.compactRevision)],
    ['hash_revision', omitZero(h.hash.hashRevision)],
  ]);
  return goJsonObject([['Endpoint', goJsonString(h.endpoint)], ['HashKV', body]]);
}

/** `endpoint hashkv` results as etcdctl 3.7 prints them in `format`. */
export function renderHashKV(hashes: readonly EndpointHashKV[], format: HashKVFormat): string {
  if (format === 'json') return `[${hashes.map(hashJson).join(',')}]\n`;
  if (format === 'fields') {
    return hashes.map((h) => `${headerFields(h.hash.header)}"Endpoint" : ${goQuote(h.endpoint)}\n"Hash" : ${h.hash.hash}\n"HashRevision" : ${h.hash.hashRevision}\n\n`).join('');
  }
  if (format === 'table') return renderTable(['endpoint', 'hash', 'hash revision'], hashes.map(row), { border: 'box' });
  return hashes.map((h) => `${row(h).join(', ')}\n`).join('');
}

export const CHECK_FORMATS = ['table', 'json'] as const;
export type HashKVCheckFormat = (typeof CHECK_FORMATS)[number];

/** The `--check` report: hashes per member, compaction, alarms, and a FINDING line per problem. */
export function renderHashKVCheck(check: HashKVCheck, format: HashKVCheckFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({
      ok: check.findings.length === 0,
      revision: Number(check.revision),
      compactRevisions: check.compactRevisions.map(Number),
      members: check.members.map((m) => ({ endpoint: m.endpoint, id: m.memberId.toString(16), name: m.name, revision: Number(m.revision), hash: m.hash, compactRevision: Number(m.compactRevision), agrees: m.agrees })),
      unreachable: check.unreachable,
      alarms: check.alarms.map((a) => ({ memberId: a.memberId.toString(16), alarm: a.alarm })),
      findings: check.findings,
    }, null, 2)}\n`;
  }
  const rows = check.members.map((m) => [m.endpoint, m.name, m.memberId.toString(16), m.hash.toString(), m.compactRevision.toString(), m.agrees ? 'yes' : 'NO']);
  const table = renderTable(['endpoint', 'name', 'ID', 'hash', 'compacted', 'agrees'], rows, { align: 'left', border: 'box' });
  const compaction = check.compactRevisions.length <= 1
    ? `compacted revision: ${check.compactRevisions[0] === undefined || check.compactRevisions[0] < 0n ? 'none' : check.compactRevisions[0]} on every member`
    : `compacted revisions differ: ${check.compactRevisions.join(', ')}`;
  const alarms = check.alarms.length === 0 ? 'alarms: none' : `alarms: ${check.alarms.map((a) => `${a.alarm} (${a.memberId.toString(16)})`).join(', ')}`;
  const verdict = check.findings.length === 0 ? 'OK: every member has the same keyspace' : check.findings.map((f) => `FINDING: ${f}`).join('\n');
  return `hashed at revision ${check.revision}\n${table}${compaction}\n${alarms}\n${verdict}\n`;
}
