import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointStatus } from '../etcd/index.js';
import { DEFAULT_DEFRAG_POLICY, planDefrag } from './defrag-plan.js';
import { describeMember, type MemberDetail } from './member-detail.js';

const MIB = 1024 ** 2;
const LEADER = 0xaan;

function member(id: bigint, dbMiB: number, inUseMiB: number, extra: Partial<EndpointStatus> = {}, alarms: ('NOSPACE' | 'CORRUPT')[] = []): MemberDetail {
  const header = { clusterId: 1n, memberId: id, revision: 10n, raftTerm: 2n };
  const status: EndpointStatus = {
    endpoint: `http://127.0.0.1:${Number(id)}`, header, memberId: id, clusterId: 1n, version: '3.6.17', dbSize: dbMiB * MIB, dbSizeInUse: inUseMiB * MIB,
    leader: LEADER, raftTerm: 2n, raftIndex: 100n, raftAppliedIndex: 100n, isLearner: false, errors: [], storageVersion: '3.6.0', dbSizeQuota: 0, ...extra,
  };
  return describeMember(status, alarms.map((alarm) => ({ memberId: id, alarm })), { name: `m${Number(id)}`, quotaBytes: 8 * 1024 * MIB });
}

const summary = (plan: ReturnType<typeof planDefrag>) => ({
  decisions: plan.decisions.map((d) => `${d.member.name} ${d.defrag ? 'defrag' : 'skip'}: ${d.reason}`),
  steps: plan.steps.map((s) => (s.kind === 'move-leader' ? `move-leader ${s.from.name} -> ${s.to.name}` : `defrag ${s.member.name}`)),
});

test('planDefrag defragments fragmented followers first, then moves the leadership to a defragmented follower and defragments the leader', () => {
  const plan = planDefrag([member(LEADER, 1000, 400), member(0xbbn, 1000, 500), member(0xccn, 1000, 990)], DEFAULT_DEFRAG_POLICY);
  assert.deepEqual(summary(plan), {
    decisions: [
      'm170 defrag: fragmentation 60% (600.0 MiB free of 1000.0 MiB) >= 30%',
      'm187 defrag: fragmentation 50% (500.0 MiB free of 1000.0 MiB) >= 30%',
      'm204 skip: fragmentation 1% (10.0 MiB free of 1000.0 MiB) < 30%',
    ],
    steps: ['defrag m187', 'move-leader m170 -> m187', 'defrag m170'],
  });
});

test('planDefrag defragments under quota pressure or NOSPACE even with little fragmentation, and skips a small reclaim', () => {
  const plan = planDefrag([member(LEADER, 10, 9), member(0xbbn, 900, 890, { dbSizeQuota: 1024 * MIB }), member(0xccn, 100, 95, {}, ['NOSPACE']), member(0xddn, 20, 5)], DEFAULT_DEFRAG_POLICY);
  assert.deepEqual(summary(plan).decisions, [
    'm170 skip: fragmentation 10% (1.0 MiB free of 10.0 MiB) < 30%',
    'm187 defrag: db size is 87.9% of the quota 1.0 GiB (>= 80%); fragmentation 1.1% (10.0 MiB free of 900.0 MiB)',
    'm204 defrag: NOSPACE alarm raised; fragmentation 5% (5.0 MiB free of 100.0 MiB)',
    'm221 skip: fragmentation 75% (15.0 MiB free of 20.0 MiB): less than 16.0 MiB to reclaim',
  ]);
  assert.deepEqual(summary(plan).steps, ['defrag m187', 'defrag m204'], 'the leader needs nothing: no leadership move');
});

test('planDefrag takes the quota the member reports (etcd 3.6+) over the assumed one', () => {
  const reported = member(0xbbn, 900, 890, { dbSizeQuota: 1024 * MIB });
  assert.deepEqual([reported.quotaSource, reported.quotaBytes, reported.quotaPercent], ['member', 1024 * MIB, 87.9]);
  assert.equal(planDefrag([reported], DEFAULT_DEFRAG_POLICY).steps.length, 1);
  const assumed = member(0xbbn, 900, 890);
  assert.deepEqual([assumed.quotaSource, assumed.quotaBytes, assumed.quotaPercent], ['assumed', 8 * 1024 * MIB, 11]);
  assert.equal(planDefrag([assumed], DEFAULT_DEFRAG_POLICY).steps.length, 0);
});

test('planDefrag never hands the leadership to a learner, and defragments a lone leader in place', () => {
  const plan = planDefrag([member(LEADER, 100, 10), member(0xbbn, 100, 100, { isLearner: true })], { ...DEFAULT_DEFRAG_POLICY, minReclaimBytes: 0 });
  assert.deepEqual(summary(plan).steps, ['defrag m170']);
  assert.match(plan.steps[0]?.reason ?? '', /no voting follower to take the leadership, defragmented as leader$/);
});

test('planDefrag --force defragments every member, still followers first and the leader last', () => {
  const plan = planDefrag([member(LEADER, 10, 10), member(0xbbn, 10, 10), member(0xccn, 10, 10)], { ...DEFAULT_DEFRAG_POLICY, force: true });
  assert.deepEqual(summary(plan).steps, ['defrag m187', 'defrag m204', 'move-leader m170 -> m187', 'defrag m170']);
});
