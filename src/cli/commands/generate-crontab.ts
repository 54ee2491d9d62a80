/** `kubekeeper generate crontab`: prints an /etc/cron.d entry running `backup run` on the config's schedule. */
import { generateCrontab, loadConfig } from '../../daemon/index.js';
import { defineCommand } from '../command.js';
import { configFlags } from '../config-flags.js';

export default defineCommand({
  name: 'generate crontab',
  summary: 'Print an /etc/cron.d entry that runs "backup run" on schedule',
  flags: {
    ...configFlags,
    binary: { type: 'string', default: '/usr/local/bin/kubekeeper', valueName: 'PATH', description: 'Path of the kubekeeper executable' },
    user: { type: 'string', default: 'root', valueName: 'USER', description: 'User the job runs as (must read the etcd client key)' },
    'log-file': { type: 'string', default: '/var/log/kubekeeper-backup.log', valueName: 'FILE', description: 'Where the JSON events go' },
  },
  details: 'Install: kubekeeper generate crontab --config /etc/kubekeeper/config.yaml > /etc/cron.d/kubekeeper-backup',
  async run({ flags, io }) {
    const config = await loadConfig(flags.config, io.env);
    io.stdout.write(generateCrontab(config, { binary: flags.binary, user: flags.user, logFile: flags['log-file'] }));
  },
});
