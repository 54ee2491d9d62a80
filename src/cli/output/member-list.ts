/**
 * `member list` output in etcdctl 3.7's formats: simple, table (hex IDs, "unstarted" for a
 * member without a name, tablewriter 1.x box borders), json (the MemberListResponse's Go JSON)
 * and fields.
 */
import type { Member, MemberList } from '../../etcd/index.js';
import { goQuote, headerFields, headerJson } from './endpoint-status.js';
import { goJsonObject, goJsonString, omitZero } from './go-format.js';
import { renderTable } from './table.js';

export const MEMBER_FORMATS = ['simple', 'table', 'json', 'fields'] as const;
export type MemberListFormat = (typeof MEMBER_FORMATS)[number];

function row(m: Member): string[] {
  return [m.id.toString(16), m.name === '' ? 'unstarted' : 'started', m.name, m.peerURLs.join(','), m.clientURLs.join(','), String(m.isLearner)];
}

const strings = (values: readonly string[]) => (values.length === 0 ? undefined : `[${values.map(goJsonString).join(',')}]`);

function memberJson(m: Member): string {
  return goJsonObject([
    ['ID', omitZero(m.id)],
    ['name', m.name === '' ? undefined : goJsonString(m.name)],
    ['peerURLs', strings(m.peerURLs)],
    ['clientURLs', strings(m.clientURLs)],
    ['isLearner', m.isLearner ? 'true' : undefined],
  ]);
}

function memberFields(m: Member): string {
  const urls = [...m.peerURLs.map((u) => `"PeerURL" : ${goQuote(u)}\n`), ...m.clientURLs.map((u) => `"ClientURL" : ${goQuote(u)}\n`)];
  return `"ID" : ${m.id}\n"Name" : ${goQuote(m.name)}\n${urls.join('')}"IsLearner" : ${m.isLearner}\n\n`;
}

/** Cluster.MemberList as etcdctl 3.7 prints it in `format`. */
export function renderMemberList(list: MemberList, format: MemberListFormat): string {
  if (format === 'json') return `${goJsonObject([['header', headerJson(list.header)], ['members', `[${list.members.map(memberJson).join(',')}]`]])}\n`;
  if (format === 'fields') return headerFields(list.header) + list.members.map(memberFields).join('');
  const rows = list.members.map(row);
  if (format === 'table') return renderTable(['ID', 'Status', 'Name', 'Peer Addrs', 'Client Addrs', 'Is Learner'], rows, { border: 'box' });
  return rows.map((r) => `${r.join(', ')}\n`).join('');
}
