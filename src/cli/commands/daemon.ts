/**
 * `kubekeeper daemon --config F`: scheduled backups with retention, restore drills, and a
 * Prometheus /metrics + /healthz endpoint, logging one JSON object per event to stdout.
 * SIGTERM/SIGINT stop it cleanly: the run in flight is aborted, nothing half-written is
 * listed as good, and it exits 0.
 */
import { loadConfig, runDaemon } from '../../daemon/index.js';
import { createJsonLogger } from '../../logger.js';
import { defineCommand } from '../command.js';
import { withConfigHints } from '../config-flags.js';

export default defineCommand({
  name: 'daemon',
  summary: 'Run scheduled backups, retention and restore drills, and serve Prometheus metrics',
  flags: {
    config: { type: 'string', short: 'c', env: ['KUBEKEEPER_CONFIG'], valueName: 'FILE', description: 'Config file (kubekeeper YAML or an RKE cluster.yml)' },
    'pki-dir': { type: 'string', valueName: 'DIR', description: 'Also serve certificate expiry gauges for this PKI dir (kubeadm or RKE)' },
  },
  details: [
    'Logs go to stdout as JSON lines ({"time","level","event",...}); secrets are never logged.',
    'Metrics: GET /metrics on metrics.listen; GET /healthz answers 503 when the newest good backup',
    'is older than metrics.staleAfter. Example systemd unit: ExecStart=/usr/bin/kubekeeper daemon -c /etc/kubekeeper/config.yaml',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const file = flags.config ?? '/etc/kubekeeper/config.yaml';
    const config = await loadConfig(file, io.env);
    const logger = createJsonLogger((line) => io.stdout.write(line));
    await withConfigHints(file, () => runDaemon(config, { signal, logger, env: io.env, pkiDir: flags['pki-dir'] }));
  },
});
