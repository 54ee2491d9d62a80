/** `kubekeeper health`: API server /livez and /readyz, nodes, control-plane pods and (optionally) etcd. */
import { ExitCode } from '../../errors.js';
import { checkClusterHealth } from '../../k8s/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdCheckFlags, etcdHealthSource, etcdOptionsFromCheckFlags } from '../etcd-check-flags.js';
import { kubeClientFromFlags, kubeFlags } from '../kube-flags.js';
import { renderHealthJson, renderHealthText } from '../output/health.js';

/**
 * A health check answers quickly or reports what did not answer: with etcd unreachable the API
 * server holds a list for 60 s before it gives up, /livez and /readyz answer within seconds.
 */
const HEALTH_REQUEST_TIMEOUT_MS = 10_000;

export default defineCommand({
  name: 'health',
  summary: 'Check API server, nodes, control-plane pods and etcd; exit 3 when anything is unhealthy',
  flags: { ...kubeFlags, ...etcdCheckFlags, 'write-out': writeOutFlag(['table', 'json'], 'table') },
  details: [
    'Reads /livez?verbose and /readyz?verbose (each failed check is named), the Ready condition',
    'of every node, and the kubeadm static pods (kube-apiserver, kube-controller-manager,',
    'kube-scheduler, etcd) of every control-plane node. With --etcd-endpoints it also checks every',
    'etcd member: health, status (version, db size, leader, raft term) and alarms.',
    'Exit code: 0 healthy, 3 unhealthy, 1 the check itself could not run.',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const client = await kubeClientFromFlags(flags, io, { requestTimeoutMs: HEALTH_REQUEST_TIMEOUT_MS });
    const etcdOptions = etcdOptionsFromCheckFlags(flags);
    const etcd = etcdOptions ? etcdHealthSource(etcdOptions, signal) : undefined;
    try {
      const report = await checkClusterHealth(client, { etcd: etcd?.source, signal });
      io.stdout.write(flags['write-out'] === 'json' ? renderHealthJson(report) : renderHealthText(report));
      return report.healthy ? ExitCode.ok : ExitCode.checkFailed;
    } finally {
      etcd?.close();
    }
  },
});
