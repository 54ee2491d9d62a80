/**
 * `kubekeeper endpoint status`: Maintenance.Status of every endpoint (version, db size, quota,
 * leader, raft indexes, errors) in etcdctl 3.7's formats; `--detail` shows each member's
 * in-use size, fragmentation, quota use and alarms instead. An endpoint that does not answer
 * is reported on stderr, the others are still shown, and the exit code is 1.
 */
import { getEndpointStatus, type EndpointStatus } from '../../etcd/index.js';
import { AppError, messageOf, UsageError } from '../../errors.js';
import { readClusterView, resolveEndpoints } from '../../maintenance/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { clusterFlag, quotaFlag } from '../maintenance-flags.js';
import { renderEndpointStatus, STATUS_FORMATS, type EndpointStatusFormat } from '../output/endpoint-status.js';
import { renderMemberDetails } from '../output/maintenance-detail.js';

function failureText(endpoint: string, err: unknown): string {
  return `Failed to get the status of endpoint ${endpoint} (${messageOf(err).replace(/^Cannot [^:]+: /, '')})\n`;
}

export default defineCommand({
  name: 'endpoint status',
  summary: 'Show version, db size and quota, leader and raft indexes of each etcd endpoint (like etcdctl 3.7)',
  flags: {
    ...etcdFlags,
    ...clusterFlag,
    detail: { type: 'boolean', description: 'Show in-use size, fragmentation, quota use and alarms per member (table or json)' },
    ...quotaFlag,
    'write-out': writeOutFlag(STATUS_FORMATS, 'simple'),
  },
  async run({ flags, io, signal }) {
    const options = etcdOptionsFromFlags(flags);
    const format = flags['write-out'] as EndpointStatusFormat;
    let failures: AppError[] = [];
    let total: number;
    if (flags.detail) {
      if (format === 'fields') throw new UsageError('--detail prints table or json', 'Use --detail with -w table or -w json');
      const view = await readClusterView(options, { cluster: flags.cluster, quotaBytes: flags['quota-bytes'], signal });
      for (const u of view.unreachable) io.stderr.write(failureText(u.endpoint, u.error));
      io.stdout.write(renderMemberDetails(view.targets, format === 'json' ? 'json' : 'table'));
      failures = view.unreachable.map((u) => u.error);
      total = view.targets.length + failures.length;
    } else {
      const endpoints = await resolveEndpoints(options, flags.cluster, signal);
      const settled = await Promise.allSettled(endpoints.map((endpoint) => getEndpointStatus(options, endpoint, signal)));
      const statuses: EndpointStatus[] = [];
      settled.forEach((r, i) => {
        if (r.status === 'fulfilled') statuses.push(r.value);
        else if (r.reason instanceof AppError && (r.reason.code === 'usage' || r.reason.code === 'aborted' || r.reason.code === 'etcd-tls-file')) throw r.reason;
        else {
          failures.push(r.reason instanceof AppError ? r.reason : new AppError('etcd-rpc', messageOf(r.reason)));
          io.stderr.write(failureText(endpoints[i] as string, r.reason));
        }
      });
      io.stdout.write(renderEndpointStatus(statuses, format));
      total = endpoints.length;
    }
    if (failures.length > 0) {
      const first = failures[0] as AppError;
      throw new AppError(first.code, `Cannot get the status of ${failures.length} of ${total} endpoints`, { hint: first.hint, cause: first });
    }
  },
});
