/**
 * `kubekeeper endpoint status`: Maintenance.Status of every endpoint (version, db size,
 * leader, raft indexes, errors), like etcdctl. An endpoint that does not answer is reported
 * on stderr, the others are still shown, and the exit code is 1.
 */
import { getEndpointStatus, type EndpointStatus } from '../../etcd/index.js';
import { AppError, messageOf } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { renderEndpointStatus, STATUS_FORMATS, type EndpointStatusFormat } from '../output/endpoint-status.js';

export default defineCommand({
  name: 'endpoint status',
  summary: 'Show version, db size and quota, leader and raft indexes of each etcd endpoint (like etcdctl 3.7)',
  flags: {
    ...etcdFlags,
    'write-out': writeOutFlag(STATUS_FORMATS, 'simple'),
  },
  async run({ flags, io, signal }) {
    const options = etcdOptionsFromFlags(flags);
    const settled = await Promise.allSettled(options.endpoints.map((endpoint) => getEndpointStatus(options, endpoint, signal)));
    const statuses: EndpointStatus[] = [];
    const failures: AppError[] = [];
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') statuses.push(r.value);
      else if (r.reason instanceof AppError && (r.reason.code === 'usage' || r.reason.code === 'aborted' || r.reason.code === 'etcd-tls-file')) throw r.reason;
      else {
        failures.push(r.reason instanceof AppError ? r.reason : new AppError('etcd-rpc', messageOf(r.reason)));
        io.stderr.write(`Failed to get the status of endpoint ${options.endpoints[i]} (${messageOf(r.reason).replace(/^Cannot [^:]+: /, '')})\n`);
      }
    });
    io.stdout.write(renderEndpointStatus(statuses, flags['write-out'] as EndpointStatusFormat));
    if (failures.length > 0) {
      const first = failures[0] as AppError;
      throw new AppError(first.code, `Cannot get the status of ${failures.length} of ${options.endpoints.length} endpoints`, { hint: first.hint, cause: first });
    }
  },
});
