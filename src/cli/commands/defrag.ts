/**
 * `kubekeeper defrag`: need-based defragmentation, one member at a time. Each member of
 * --endpoints (or with --cluster every member) is defragmented only when it needs it
 * (fragmentation over --fragmentation-threshold with at least --min-reclaim-bytes to give
 * back, db size over --quota-pressure of its quota, or a NOSPACE alarm); followers first, the
 * leader last after its leadership moved to a healthy follower; a health gate before and after
 * each member. Afterwards NOSPACE alarms are disarmed where the db is back under the quota
 * pressure line. `--dry-run` prints the plan and why, and changes nothing.
 */
import { DEFAULT_DEFRAG_POLICY, applyDefragPlan, etcdDefragActions, planDefrag, readClusterView, type DefragPolicy } from '../../maintenance/index.js';
import { AppError } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { clusterFlag, quotaFlag } from '../maintenance-flags.js';
import { DETAIL_FORMATS, renderDefragPlan, renderDefragResult, type DetailFormat } from '../output/maintenance-detail.js';

export default defineCommand({
  name: 'defrag',
  summary: 'Defragment the etcd members that need it, one at a time, the leader last (etcdctl defrag, need-based)',
  maxArgs: 0,
  flags: {
    ...etcdFlags,
    ...clusterFlag,
    'dry-run': { type: 'boolean', description: 'Print the plan (per member: size, in use, fragmentation, decision and reason) and change nothing' },
    'fragmentation-threshold': {
      type: 'number', min: 0, default: DEFAULT_DEFRAG_POLICY.fragmentationThresholdPercent, valueName: 'PERCENT',
      description: 'Defragment a member whose free share of the db is at least this',
    },
    'min-reclaim-bytes': {
      type: 'number', integer: true, min: 0, default: DEFAULT_DEFRAG_POLICY.minReclaimBytes, valueName: 'BYTES',
      description: 'Skip a fragmented member with less than this to give back',
    },
    'quota-pressure': {
      type: 'number', min: 0, default: DEFAULT_DEFRAG_POLICY.quotaPressurePercent, valueName: 'PERCENT',
      description: 'Defragment a member whose db size is at least this share of its quota; disarm NOSPACE below it',
    },
    ...quotaFlag,
    force: { type: 'boolean', description: 'Defragment every member, needed or not (still one at a time, the leader last)' },
    'defrag-timeout': { type: 'duration', default: 300_000, description: "Timeout of one member's defragmentation" },
    'health-timeout': { type: 'duration', default: 60_000, description: 'How long the cluster may take to become healthy again between members' },
    'write-out': writeOutFlag(DETAIL_FORMATS, 'table'),
  },
  details: 'Examples:\n  kubekeeper defrag --cluster --dry-run\n  kubekeeper defrag --cluster --fragmentation-threshold 50',
  async run({ flags, io, signal }) {
    const options = etcdOptionsFromFlags(flags);
    const format = flags['write-out'] as DetailFormat;
    const policy: DefragPolicy = {
      fragmentationThresholdPercent: flags['fragmentation-threshold'],
      minReclaimBytes: flags['min-reclaim-bytes'],
      quotaPressurePercent: flags['quota-pressure'],
      force: flags.force,
    };
    const view = await readClusterView(options, { cluster: flags.cluster, quotaBytes: flags['quota-bytes'], signal });
    if (view.unreachable.length > 0) {
      const first = view.unreachable[0] as (typeof view.unreachable)[number];
      throw new AppError('maintenance-unhealthy', `Cannot defragment: endpoint ${first.endpoint} does not answer (${first.error.message})`, {
        hint: 'Defragment only a healthy cluster: check "kubekeeper endpoint status --cluster", or leave the dead endpoint out of --endpoints', cause: first.error,
      });
    }
    const plan = planDefrag(view.targets, policy, view.all);
    if (flags['dry-run']) {
      io.stdout.write(renderDefragPlan(plan, format));
      return;
    }
    if (format === 'table') io.stderr.write(renderDefragPlan(plan, 'table'));
    const actions = etcdDefragActions(options, { members: view.members, quotaBytes: flags['quota-bytes'], defragTimeoutMs: flags['defrag-timeout'], signal });
    const result = await applyDefragPlan(plan, actions, {
      policy, healthTimeoutMs: flags['health-timeout'], signal,
      onStep: (step, done) => {
        if (done || format !== 'table') return;
        io.stderr.write(step.kind === 'move-leader' ? `Moving the leadership to ${step.to.name || step.to.endpoint}...\n` : `Defragmenting ${step.member.endpoint}...\n`);
      },
    });
    io.stdout.write(renderDefragResult(plan, result, format));
  },
});
