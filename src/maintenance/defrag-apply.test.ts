import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm, EndpointStatus } from '../etcd/index.js';
import { applyDefragPlan, type DefragActions } from './defrag-apply.js';
import { DEFAULT_DEFRAG_POLICY, planDefrag } from './defrag-plan.js';
import { describeMember, type MemberDetail } from './member-detail.js';

const MIB = 1024 ** 2;

/** A fake cluster of three members: defrag shrinks a member to its in-use size; MoveLeader moves it. */
function fakeCluster(options: { failDefragOf?: string; alarms?: Alarm[]; quota?: number } = {}) {
  let leader = 1n;
  const sizes = new Map([[1n, [100, 20]], [2n, [100, 30]], [3n, [100, 40]]]);
  const alarms = [...(options.alarms ?? [])];
  const calls: string[] = [];
  const detail = (id: bigint): MemberDetail => {
    const [db, inUse] = sizes.get(id) as number[];
    const status: EndpointStatus = {
      endpoint: `m${id}`, header: { clusterId: 9n, memberId: id, revision: 5n, raftTerm: 2n }, memberId: id, clusterId: 9n, version: '3.6.17',
      dbSize: (db as number) * MIB, dbSizeInUse: (inUse as number) * MIB, leader, raftTerm: 2n, raftIndex: 50n, raftAppliedIndex: 50n, isLearner: false,
      errors: [], storageVersion: '3.6.0', dbSizeQuota: (options.quota ?? 1000) * MIB,
    };
    return describeMember(status, alarms, { name: `m${id}` });
  };
  const actions: DefragActions = {
    statuses: async () => ({ details: [1n, 2n, 3n].map(detail), unreachable: [] }),
    alarms: async () => alarms,
    status: async (endpoint) => detail(BigInt(endpoint.slice(1))),
    async defragment(endpoint) {
      calls.push(`defrag ${endpoint}`);
      if (endpoint === options.failDefragOf) throw new Error('etcdserver: request timed out');
      const id = BigInt(endpoint.slice(1));
      const [, inUse] = sizes.get(id) as number[];
      sizes.set(id, [inUse as number, inUse as number]);
    },
    async moveLeader(endpoint, target) {
      calls.push(`move-leader ${endpoint} -> m${target}`);
      leader = target;
    },
    async disarm(alarm) {
      calls.push(`disarm ${alarm.alarm} m${alarm.memberId}`);
      alarms.splice(alarms.indexOf(alarm), 1);
    },
  };
  return { actions, calls, members: () => [1n, 2n, 3n].map(detail) };
}

const options = { policy: { ...DEFAULT_DEFRAG_POLICY, minReclaimBytes: 0 }, healthTimeoutMs: 1000 };

test('applyDefragPlan runs the followers, moves the leadership, then defragments the old leader, and reports sizes', async () => {
  const c = fakeCluster();
  const members = c.members();
  const result = await applyDefragPlan(planDefrag(members, options.policy, members), c.actions, options);
  assert.deepEqual(c.calls, ['defrag m2', 'defrag m3', 'move-leader m1 -> m2', 'defrag m1']);
  assert.deepEqual(result.steps.filter((s) => s.kind === 'defrag').map((s) => [s.endpoint, s.before?.dbSizeBytes, s.after?.dbSizeBytes]),
    [['m2', 100 * MIB, 30 * MIB], ['m3', 100 * MIB, 40 * MIB], ['m1', 100 * MIB, 20 * MIB]]);
});

test('applyDefragPlan stops at a failed member: the leader is never moved nor defragmented', async () => {
  const c = fakeCluster({ failDefragOf: 'm2' });
  const members = c.members();
  await assert.rejects(applyDefragPlan(planDefrag(members, options.policy, members), c.actions, options), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'maintenance-defrag-failed');
    assert.match(err.message, /Cannot defragment member m2: etcdserver: request timed out/);
    return true;
  });
  assert.deepEqual(c.calls, ['defrag m2']);
});

test('applyDefragPlan disarms NOSPACE once the db is under the quota pressure line, and keeps it when not', async () => {
  const small = fakeCluster({ alarms: [{ memberId: 3n, alarm: 'NOSPACE' }], quota: 110 });
  const members = small.members();
  const result = await applyDefragPlan(planDefrag(members, options.policy, members), small.actions, options);
  assert.deepEqual(result.disarmed, [{ memberId: 3n, alarm: 'NOSPACE' }]);
  assert.equal(small.calls.at(-1), 'disarm NOSPACE m3');

  const tight = fakeCluster({ alarms: [{ memberId: 3n, alarm: 'NOSPACE' }], quota: 45 });
  const tightMembers = tight.members();
  const kept = await applyDefragPlan(planDefrag(tightMembers, options.policy, tightMembers), tight.actions, options);
  assert.deepEqual(kept.disarmed, []);
  assert.match(kept.kept[0]?.reason ?? '', /db size is still 88\.9% of the quota/);
});
