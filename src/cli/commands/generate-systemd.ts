/**
 * `kubekeeper generate systemd`: prints a hardened service and timer running `backup run`.
 * Without --output-dir both go to stdout, each under a "# /etc/systemd/system/NAME" line.
 */
import { generateSystemdUnits, loadConfig } from '../../daemon/index.js';
import { defineCommand } from '../command.js';
import { configFlags } from '../config-flags.js';

export default defineCommand({
  name: 'generate systemd',
  summary: 'Print a hardened systemd service + timer that run "backup run" on schedule',
  flags: {
    ...configFlags,
    binary: { type: 'string', default: '/usr/local/bin/kubekeeper', valueName: 'PATH', description: 'Path of the kubekeeper executable' },
    'unit-name': { type: 'string', default: 'kubekeeper-backup', valueName: 'NAME', description: 'Unit name (without .service/.timer)' },
    unit: { type: 'string', choices: ['both', 'service', 'timer'], default: 'both', description: 'Which unit to print' },
  },
  details: [
    'Install: kubekeeper generate systemd --unit service > /etc/systemd/system/kubekeeper-backup.service',
    '         kubekeeper generate systemd --unit timer > /etc/systemd/system/kubekeeper-backup.timer',
    '         systemctl daemon-reload && systemctl enable --now kubekeeper-backup.timer',
    'Secrets referenced as { env: NAME } can be set in /etc/kubekeeper/backup.env (mode 0600).',
  ].join('\n'),
  async run({ flags, io }) {
    const config = await loadConfig(flags.config, io.env);
    const units = generateSystemdUnits(config, { binary: flags.binary, unitName: flags['unit-name'] });
    if (flags.unit === 'service') return void io.stdout.write(units.service);
    if (flags.unit === 'timer') return void io.stdout.write(units.timer);
    io.stdout.write(`# /etc/systemd/system/${units.serviceName}\n${units.service}\n# /etc/systemd/system/${units.timerName}\n${units.timer}`);
  },
});
