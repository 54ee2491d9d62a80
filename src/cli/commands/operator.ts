/**
 * `kubekeeper operator`: reconciles EtcdBackupPolicies (backups, retention, EtcdBackup
 * inventory, status, Events, drills) while this replica holds the Lease; logs JSON lines to
 * stdout. Runs in the cluster (service account) or anywhere with a kubeconfig.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { UsageError } from '../../errors.js';
import { checkLeaseDurations, openResourceClient } from '../../k8s/index.js';
import { createJsonLogger } from '../../logger.js';
import { runOperator } from '../../operator/index.js';
import { defineCommand } from '../command.js';
import { kubeFlags } from '../kube-flags.js';

export default defineCommand({
  name: 'operator',
  summary: 'Run the Kubernetes operator: EtcdBackupPolicy schedules under Lease leader election',
  flags: {
    ...kubeFlags,
    namespace: { type: 'string', short: 'n', valueName: 'NS', description: 'Reconcile the policies of this namespace only' },
    'all-namespaces': { type: 'boolean', short: 'A', description: 'Reconcile the policies of every namespace' },
    'lease-namespace': { type: 'string', env: ['POD_NAMESPACE'], default: 'kubekeeper-system', valueName: 'NS', description: 'Namespace of the leader election Lease' },
    'lease-name': { type: 'string', default: 'kubekeeper-operator', valueName: 'NAME', description: 'Name of the Lease' },
    'lease-duration': { type: 'duration', default: 15_000, description: 'How long a silent leader keeps the Lease (whole seconds)' },
    'renew-deadline': { type: 'duration', default: 10_000, description: 'A leader that could not renew for this long stops leading' },
    'retry-period': { type: 'duration', default: 2_000, description: 'Between two attempts to acquire or renew the Lease' },
    'resync-period': { type: 'duration', default: 600_000, description: 'How often the policies are listed again besides the watch (a safety net)' },
    'liveness-timeout': { type: 'duration', default: 120_000, description: '/healthz fails after this long without an answer of the API server (leading: of the policy watch)' },
    identity: { type: 'string', env: ['POD_NAME'], valueName: 'ID', description: 'This replica\'s identity in the Lease (default: hostname and a random suffix)' },
    'metrics-listen': { type: 'string', valueName: 'HOST:PORT', description: 'Serve /metrics, /healthz and /readyz here (port 0: any free port)' },
  },
  details: [
    'Install the CRDs and RBAC with "kubekeeper generate operator"; then create EtcdBackupPolicy objects.',
    'Logs go to stdout as JSON lines; Secrets are read through the API and never logged.',
  ].join('\n'),
  async run({ flags, io, signal }) {
    if (flags.namespace && flags['all-namespaces']) throw new UsageError('Give --namespace or --all-namespaces, not both');
    if (!flags.namespace && !flags['all-namespaces']) throw new UsageError('Name the policies\' namespace with --namespace, or pass --all-namespaces');
    try {
      checkLeaseDurations(flags['lease-duration'], flags['renew-deadline'], flags['retry-period']);
    } catch (err) {
      throw new UsageError(`--lease-duration, --renew-deadline, --retry-period: ${(err as Error).message}`);
    }
    if (flags['liveness-timeout'] < 2 * flags['retry-period']) throw new UsageError(`--liveness-timeout (${flags['liveness-timeout']} ms) must be at least twice --retry-period (${flags['retry-period']} ms): every Lease attempt counts as an answer`);
    const api = await openResourceClient({ kubeconfig: flags.kubeconfig, context: flags.context, env: io.env });
    const logger = createJsonLogger((line) => io.stdout.write(line));
    const identity = flags.identity ?? `${os.hostname()}_${randomBytes(4).toString('hex')}`;
    await runOperator({
      api, logger, signal, identity,
      leaseNamespace: flags['lease-namespace'], leaseName: flags['lease-name'],
      leaseDurationMs: flags['lease-duration'], renewDeadlineMs: flags['renew-deadline'], retryPeriodMs: flags['retry-period'],
      resyncPeriodMs: flags['resync-period'], livenessTimeoutMs: flags['liveness-timeout'], watchNamespace: flags['all-namespaces'] ? undefined : flags.namespace,
      metricsListen: flags['metrics-listen'],
      onListening: ({ host, port }) => logger.log('info', 'metrics.listening', { address: `${host}:${port}` }),
    });
  },
});
