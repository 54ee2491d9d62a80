/**
 * `endpoint status` output in etcdctl 3.7's formats (the newest supported etcdctl, whatever the
 * server's version): simple (comma-separated rows), table (tablewriter 1.x box borders), json
 * ({"Endpoint","Status"} with the StatusResponse's Go JSON, omitempty fields left out) and fields.
 * A server older than 3.6 leaves storage version, quota and downgrade info empty, and etcdctl
 * 3.7 prints them as such ("", "0 B", false); so does this.
 */
import type { EndpointStatus, ResponseHeader } from '../../etcd/index.js';
import { formatSizeSI } from '../../snapshot/index.js';
import { goJsonObject, goJsonString, omitZero } from './go-format.js';
import { renderTable } from './table.js';

export const STATUS_FORMATS = ['simple', 'table', 'json', 'fields'] as const;
export type EndpointStatusFormat = (typeof STATUS_FORMATS)[number];

const HEADERS = [
  'endpoint', 'ID', 'version', 'storage version', 'db size', 'in use', 'percentage not in use', 'quota', 'is leader', 'is learner',
  'raft term', 'raft index', 'raft applied index', 'errors', 'downgrade target version', 'downgrade enabled',
];

/** etcdctl's `100 - inUse*100/size` in int64 arithmetic (integer division), e.g. "20%". */
export function percentNotInUse(s: Pick<EndpointStatus, 'dbSize' | 'dbSizeInUse'>): string {
  if (s.dbSize <= 0) return '0%';
  return `${100 - Math.trunc((s.dbSizeInUse * 100) / s.dbSize)}%`;
}

function row(s: EndpointStatus): string[] {
  return [
    s.endpoint, s.memberId.toString(16), s.version, s.storageVersion, formatSizeSI(s.dbSize), formatSizeSI(s.dbSizeInUse), percentNotInUse(s),
    formatSizeSI(s.dbSizeQuota), String(s.leader === s.memberId), String(s.isLearner), s.raftTerm.toString(), s.raftIndex.toString(),
    s.raftAppliedIndex.toString(), s.errors.join(', '), s.downgradeInfo?.targetVersion ?? '', String(s.downgradeInfo?.enabled ?? false),
  ];
}

/** etcdserverpb.ResponseHeader as Go's encoding/json writes it (all fields omitempty). */
export function headerJson(h: ResponseHeader): string {
  return goJsonObject([['cluster_id', omitZero(h.clusterId)], ['member_id', omitZero(h.memberId)], ['revision', omitZero(h.revision)], ['raft_term', omitZero(h.raftTerm)]]);
}

const omitEmpty = (value: string) => (value === '' ? undefined : goJsonString(value));

function statusJson(s: EndpointStatus): string {
  const downgrade = s.downgradeInfo && goJsonObject([
    ['enabled', s.downgradeInfo.enabled ? 'true' : undefined],
    ['targetVersion', omitEmpty(s.downgradeInfo.targetVersion)],
  ]);
  const status = goJsonObject([
    ['header', headerJson(s.header)],
    ['version', omitEmpty(s.version)],
    ['dbSize', omitZero(s.dbSize)],
    ['leader', omitZero(s.leader)],
    ['raftIndex', omitZero(s.raftIndex)],
    ['raftTerm', omitZero(s.raftTerm)],
    ['raftAppliedIndex', omitZero(s.raftAppliedIndex)],
    ['errors', s.errors.length === 0 ? undefined : `[${s.errors.map(goJsonString).join(',')}]`],
    ['dbSizeInUse', omitZero(s.dbSizeInUse)],
    ['isLearner', s.isLearner ? 'true' : undefined],
    ['storageVersion', omitEmpty(s.storageVersion)],
    ['dbSizeQuota', omitZero(s.dbSizeQuota)],
    ['downgradeInfo', downgrade],
  ]);
  return goJsonObject([['Endpoint', goJsonString(s.endpoint)], ['Status', status]]);
}

/** etcdctl's fieldsPrinter.hdr: decimal IDs, the revision only when positive. */
export function headerFields(h: ResponseHeader): string {
  const revision = h.revision > 0n ? `"Revision" : ${h.revision}\n` : '';
  return `"ClusterID" : ${h.clusterId}\n"MemberID" : ${h.memberId}\n${revision}"RaftTerm" : ${h.raftTerm}\n`;
}

function statusFields(s: EndpointStatus): string {
  return headerFields(s.header) + [
    `"Version" : ${goQuote(s.version)}`,
    `"StorageVersion" : ${goQuote(s.storageVersion)}`,
    `"DBSize" : ${s.dbSize}`,
    `"DBSizeInUse" : ${s.dbSizeInUse}`,
    `"DBSizeQuota" : ${s.dbSizeQuota}`,
    `"Leader" : ${s.leader}`,
    `"IsLearner" : ${s.isLearner}`,
    `"RaftIndex" : ${s.raftIndex}`,
    `"RaftAppliedIndex" : ${s.raftAppliedIndex}`,
    // fmt.Println of a []string: "[a b]".
    `"Errors" : [${s.errors.join(' ')}]`,
    `"Endpoint" : ${goQuote(s.endpoint)}`,
    `"DowngradeTargetVersion" : ${goQuote(s.downgradeInfo?.targetVersion ?? '')}`,
    `"DowngradeEnabled" : ${s.downgradeInfo?.enabled ?? false}`,
  ].join('\n') + '\n\n';
}

/**
 * Go's %q for the printable ASCII and UTF-8 text etcd reports (versions, URLs, names): a JSON
 * string differs from %q only in escapes such text does not contain, except that Go leaves
 * <, > and & alone.
 */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Maintenance.Status of each endpoint as etcdctl 3.7 prints it in `format`. */
export function renderEndpointStatus(statuses: readonly EndpointStatus[], format: EndpointStatusFormat): string {
  if (format === 'json') return `[${statuses.map(statusJson).join(',')}]\n`;
  if (format === 'fields') return statuses.map(statusFields).join('');
  if (format === 'table') return renderTable(HEADERS, statuses.map(row), { border: 'box' });
  return statuses.map((s) => `${row(s).join(', ')}\n`).join('');
}
