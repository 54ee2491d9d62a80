/**
 * `kubekeeper backup run`: one unattended backup plus retention from a config file, for
 * cron, a systemd timer or a Kubernetes CronJob. A host-wide lock keeps runs from
 * overlapping (a stale lock of a dead run is taken over, and logged). Logs are JSON, one
 * event per line on stdout; a failure also ends with the usual Error/Hint lines on stderr.
 */
import { loadConfig, NotLeaderError, runBackupOnce } from '../../daemon/index.js';
import { createJsonLogger } from '../../logger.js';
import { defineCommand } from '../command.js';
import { configFlags, withConfigHints } from '../config-flags.js';

export default defineCommand({
  name: 'backup run',
  summary: 'Run one backup and retention from a config file (for cron, systemd, CronJob)',
  flags: {
    ...configFlags,
    wait: { type: 'duration', default: 0, valueName: 'DURATION', description: 'Wait this long for a running backup to finish (default: fail at once)' },
  },
  details: [
    'Events: backup.run.start, lock.acquired (lock.takeover when a dead run left its lock),',
    'backup.save.*, backup.prune.*, backup.run.done {backup, bytes, durationMs, pruned, kept}',
    'or backup.run.failed {code, error}; backup.skipped {reason: "not-leader", holder} when another',
    'node of the cluster runs this slot (schedule.election). Exit 0 on success or skip, 1 on failure (also "lock-held").',
    'Example: kubekeeper backup run --config /etc/kubekeeper/config.yaml --wait 10m',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const logger = createJsonLogger((line) => io.stdout.write(line));
    const config = await loadConfig(flags.config, io.env);
    try {
      await withConfigHints(flags.config, () => runBackupOnce(config, { signal, logger, lockWaitMs: flags.wait, env: io.env }));
    } catch (err) {
      // Another control-plane node runs this slot (logged as backup.skipped): not a failure.
      if (err instanceof NotLeaderError) return;
      throw err;
    }
  },
});
