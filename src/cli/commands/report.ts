/**
 * `kubekeeper report --html FILE`: the dashboard as one self-contained HTML file (data,
 * script and styles inlined; a Content-Security-Policy allowing only those), for air-gapped
 * handover and incident write-ups. Reads what the daemon's page reads: from --config the
 * repository, retention, etcd, certificates and fleet; or a single --repo.
 */
import { writeFileAtomic } from '../../backup/index.js';
import { collectConfiguredDashboard, loadConfig } from '../../daemon/index.js';
import { collectDashboardData, loadDashboardAssets, staticReportHtml, type DashboardData } from '../../dashboard/index.js';
import { UsageError } from '../../errors.js';
import { loadTrustedSigners } from '../../crypto/index.js';
import { replayableBody } from '../../storage/index.js';
import { openRepositoryFromFlags, repoFlags } from '../backup-flags.js';
import { defineCommand } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { withConfigHints } from '../config-flags.js';
import { cliWarnings } from '../output/warnings.js';

export default defineCommand({
  name: 'report',
  summary: 'Write the dashboard as one self-contained HTML file (backups, drills, certificates, etcd, retention, fleet)',
  flags: {
    html: { type: 'string', valueName: 'FILE', description: 'The HTML file to write (0600; refused if it exists, unless --force)' },
    config: { type: 'string', short: 'c', env: ['KUBEKEEPER_CONFIG'], valueName: 'FILE', description: 'Daemon config: repository, retention, etcd, dashboard.pkiDir and fleet (the repository flags are then ignored)' },
    'pki-dir': { type: 'string', valueName: 'DIR', description: 'Show the certificates of this PKI dir (kubeadm or RKE)' },
    name: { type: 'string', valueName: 'NAME', description: 'The cluster\'s name in the report (default dashboard.name, else the repository)' },
    force: { type: 'boolean', description: 'Replace an existing file' },
    ...repoFlags,
    'keep-last': { type: 'number', min: 0, integer: true, valueName: 'N', description: 'Without --config: show what "backup prune --keep-last N" would keep and remove' },
    'keep-within': { type: 'duration', valueName: 'DURATION', description: 'Without --config: ... and "--keep-within DURATION"' },
    'etcd-status': { type: 'boolean', description: 'Without --config: also show the live etcd member (db size, quota, revision, alarms) reached with the etcd flags' },
    ...etcdFlags,
  },
  details: [
    'Examples:',
    '  kubekeeper report --html /tmp/etcd-report.html --config /etc/kubekeeper/config.yaml',
    '  kubekeeper report --html report.html --repo s3://etcd-backups/prod --trusted-signer signer.pub --keep-last 6 --etcd-status',
    'The file makes no network request when opened; it holds backup names, sizes, times, results and certificate names, no cluster data.',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const file = flags.html;
    if (!file) throw new UsageError('report needs --html FILE (the only format so far)');
    const assets = await loadDashboardAssets();
    let data: DashboardData;
    if (flags.config) {
      const configFile = flags.config;
      const config = await withConfigHints(configFile, () => loadConfig(configFile, io.env));
      data = await collectConfiguredDashboard(config, { env: io.env, logger: cliWarnings(io), pkiDir: flags['pki-dir'], source: 'report', signal });
    } else {
      data = await collectDashboardData({
        self: {
          name: flags.name ?? flags.repo, ...(flags['pki-dir'] ? { pkiDir: flags['pki-dir'] } : {}),
          retention: { keepLast: flags['keep-last'], keepWithinMs: flags['keep-within'] },
          ...(flags['etcd-status'] ? { etcd: etcdOptionsFromFlags(flags) } : {}),
          open: async () => {
            const signers = (await Promise.all(flags['trusted-signer'].map((k) => loadTrustedSigners(k)))).flat();
            const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
            return { repo, signers, close: () => repo.backend.close() };
          },
        },
        source: 'report', signal,
      });
    }
    const self = data.clusters[0];
    if (self && flags.name) self.name = flags.name;
    const html = staticReportHtml(data, assets);
    await writeFileAtomic(file, replayableBody(Buffer.from(html, 'utf8')), { overwrite: flags.force, action: 'write the report', signal });
    const c = data.clusters[0];
    const deltas = c?.backups.filter((b) => b.kind === 'delta').length ?? 0;
    const fulls = (c?.backups.length ?? 0) - deltas;
    io.stdout.write(`Report written to ${file} (${Buffer.byteLength(html)} bytes): ${data.clusters.length} cluster(s), ${fulls} backup(s) and ${c?.drills.length ?? 0} drill(s) of ${c?.name ?? '?'}${deltas ? `; ${deltas} delta segment(s)` : ''}\n`);
  },
});
