/**
 * `endpoint status` output in etcdctl 3.4's formats: simple (comma-separated rows), table,
 * and json ({"Endpoint","Status"} with the StatusResponse's Go JSON, omitempty fields left out).
 */
import type { EndpointStatus, ResponseHeader } from '../../etcd/index.js';
import { formatSizeSI } from '../../snapshot/index.js';
import { goJsonObject, goJsonString, omitZero } from './go-format.js';
import { renderTable } from './table.js';

export const STATUS_FORMATS = ['simple', 'table', 'json'] as const;
export type EndpointStatusFormat = (typeof STATUS_FORMATS)[number];

const HEADERS = ['endpoint', 'ID', 'version', 'db size', 'is leader', 'is learner', 'raft term', 'raft index', 'raft applied index', 'errors'];

function row(s: EndpointStatus): string[] {
  return [
    s.endpoint, s.memberId.toString(16), s.version, formatSizeSI(s.dbSize), String(s.leader === s.memberId),
    String(s.isLearner), s.raftTerm.toString(), s.raftIndex.toString(), s.raftAppliedIndex.toString(), s.errors.join(', '),
  ];
}

/** etcdserverpb.ResponseHeader as Go's encoding/json writes it (all fields omitempty). */
export function headerJson(h: ResponseHeader): string {
  return goJsonObject([['cluster_id', omitZero(h.clusterId)], ['member_id', omitZero(h.memberId)], ['revision', omitZero(h.revision)], ['raft_term', omitZero(h.raftTerm)]]);
}

function statusJson(s: EndpointStatus): string {
  const status = goJsonObject([
    ['header', headerJson(s.header)],
    ['version', s.version === '' ? undefined : goJsonString(s.version)],
    ['dbSize', omitZero(s.dbSize)],
    ['leader', omitZero(s.leader)],
    ['raftIndex', omitZero(s.raftIndex)],
    ['raftTerm', omitZero(s.raftTerm)],
    ['raftAppliedIndex', omitZero(s.raftAppliedIndex)],
    ['errors', s.errors.length === 0 ? undefined : `[${s.errors.map(goJsonString).join(',')}]`],
    ['dbSizeInUse', omitZero(s.dbSizeInUse)],
    ['isLearner', s.isLearner ? 'true' : undefined],
  ]);
  return goJsonObject([['Endpoint', goJsonString(s.endpoint)], ['Status', status]]);
}

export function renderEndpointStatus(statuses: readonly EndpointStatus[], format: EndpointStatusFormat): string {
  if (format === 'json') return `[${statuses.map(statusJson).join(',')}]\n`;
  if (format === 'table') return renderTable(HEADERS, statuses.map(row));
  return statuses.map((s) => `${row(s).join(', ')}\n`).join('');
}
