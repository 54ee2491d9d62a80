/**
 * `kubekeeper drill`: a restore drill. Downloads a backup, restores it with kubekeeper's own
 * restore into a temp dir, starts a throwaway etcd on 127.0.0.1 from it, checks revision,
 * key counts and expected keys, stops it and cleans up. Exit 0 pass, 3 fail, 1 when the
 * drill cannot run at all (no etcd binary, unreadable config).
 */
import { type RestoreDrillResult, loadBackupIdentities, runRestoreDrill } from '../../backup/index.js';
import { ExitCode } from '../../errors.js';
import { recordFlags, storeDrillRecord } from '../run-record-flags.js';
import { identityFlags, identitySources, openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';

const FORMATS = ['text', 'json'] as const;

export default defineCommand({
  name: 'drill',
  summary: 'Prove a backup restores: restore it into a throwaway etcd and check what it serves',
  flags: {
    config: { type: 'string', short: 'c', env: ['KUBEKEEPER_CONFIG'], valueName: 'FILE', description: 'Daemon config: repository, keys and drill settings (the repository and key flags are then ignored)' },
    backup: { type: 'string', default: 'latest', valueName: 'NAME|latest', description: 'The backup to drill' },
    ...repoFlags,
    ...identityFlags,
    'etcd-binary': { type: 'string', default: 'etcd', valueName: 'PATH', description: 'The etcd to start (looked up in PATH without a slash)' },
    'expect-key': { type: 'list', valueName: 'KEY', description: 'A key the restored etcd must serve; "PREFIX/" needs at least one key under it (repeatable)' },
    'start-timeout': { type: 'duration', default: 120_000, description: 'How long etcd may take to answer' },
    'work-dir': { type: 'string', valueName: 'DIR', description: 'Where the backup is restored: a dir of the user running kubekeeper that others cannot write to (default <temp dir>/kubekeeper-drills-<uid>, 0700; needs about twice the backup size)' },
    ...recordFlags,
    'write-out': writeOutFlag(FORMATS, 'text'),
  },
  details: [
    'Examples:',
    '  kubekeeper drill --config /etc/kubekeeper/config.yaml',
    '  kubekeeper drill --repo s3://etcd-backups/prod -i key.txt --expect-key /registry/namespaces/kube-system',
    'Exit status: 0 the drill passed, 3 a step failed (the reason is printed), 1 the drill could not run.',
  ].join('\n'),
  async run({ flags, io, signal }) {
    let result: RestoreDrillResult;
    if (flags.config) {
      // Loaded only here: the daemon's modules (and its YAML parser) are a tenth of a
      // second of start-up that a drill from flags does not need.
      const { loadConfig, runConfiguredDrill } = await import('../../daemon/index.js');
      const config = await loadConfig(flags.config, io.env);
      const expectKeys = [...config.drill.expectKeys, ...flags['expect-key']];
      result = await runConfiguredDrill({ ...config, drill: { ...config.drill, expectKeys } }, { ref: flags.backup, signal, env: io.env, workDir: flags['work-dir'], record: !flags['no-record'] });
    } else {
      const identities = await loadBackupIdentities(identitySources(flags, io.env, io.promptSecret === undefined));
      const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
      try {
        result = await runRestoreDrill(repo, {
          ref: flags.backup, identities, etcdBinary: flags['etcd-binary'], expectKeys: flags['expect-key'],
          startTimeoutMs: flags['start-timeout'], workDir: flags['work-dir'], signal, env: io.env,
        });
        await storeDrillRecord(flags, io, repo.backend, result);
      } finally {
        await repo.backend.close();
      }
    }
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(result)}\n` : renderText(result));
    return result.ok ? ExitCode.ok : ExitCode.checkFailed;
  },
});

function renderText(result: RestoreDrillResult): string {
  const width = Math.max(...result.checks.map((c) => c.step.length));
  const lines = result.checks.map((c) => `${(c.ok ? 'ok' : 'FAIL').padEnd(4)}  ${c.step.padEnd(width)}  ${c.detail} (${c.durationMs} ms)`);
  const name = result.backupName ? `backup "${result.backupName}"` : 'the backup';
  const summary = result.ok
    ? `Drill passed: ${name} restores and serves revision ${result.revision} with ${result.keyCount} keys (${result.durationMs} ms)`
    : `Drill FAILED at ${result.failedStep}: ${result.reason}`;
  const reaped = (result.reaped ?? []).map((r) => `Removed the leftovers of an interrupted drill: ${r.dir}${r.killedEtcdPid !== undefined ? ` (killed its etcd, pid ${r.killedEtcdPid})` : ''}\n`);
  return `${reaped.join('')}${lines.join('\n')}\n${summary}\n`;
}
