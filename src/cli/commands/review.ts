/** `kubekeeper review <cluster.yml>`: production review of an RKE1 cluster file (offline). */
import { readFile } from 'node:fs/promises';
import { AppError, ExitCode, fileErrorText } from '../../errors.js';
import type { ClusterReview } from '../../k8s/index.js';
import { reviewClusterFile, SEVERITIES, severityRank } from '../../k8s/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { renderReviewJson, renderReviewText } from '../output/review.js';

export default defineCommand({
  name: 'review',
  summary: 'Review an RKE cluster.yml for production: upgrades, etcd backups, audit log, etcd members, certificates',
  args: '<cluster.yml>...',
  minArgs: 1,
  maxArgs: Infinity,
  flags: {
    'fail-on': { type: 'string', default: 'high', choices: [...SEVERITIES, 'none'], valueName: 'SEVERITY', description: 'Exit 3 when a finding is at least this severe' },
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'Checks upgrade_strategy (batch sizes, drain, node_drain_input), services.etcd snapshots',
    '(enabled, retention, off-site S3 copy, credentials in the file), services.kube-api.audit_log,',
    'the etcd member count (single or even) and certificate settings. Each finding has a',
    'severity, the line, why it matters and the fix. Reads the file only; no cluster access.',
  ].join('\n'),
  async run({ args, flags, io }) {
    const reviews: ClusterReview[] = [];
    for (const file of args) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new AppError('review-read', `Cannot read "${file}": ${fileErrorText(err)}`, { hint: 'Pass the path of an RKE cluster.yml' });
      }
      reviews.push(reviewClusterFile(text, file));
    }
    io.stdout.write(flags['write-out'] === 'json' ? renderReviewJson(reviews) : reviews.map(renderReviewText).join('\n'));
    const threshold = flags['fail-on'];
    if (threshold === 'none') return ExitCode.ok;
    const failing = reviews.some((r) => r.findings.some((f) => severityRank(f.severity) <= severityRank(threshold as (typeof SEVERITIES)[number])));
    return failing ? ExitCode.checkFailed : ExitCode.ok;
  },
});
