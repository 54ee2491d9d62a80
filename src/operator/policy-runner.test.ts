import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { BackupRunResult, Clock, KubekeeperConfig } from '../daemon/index.js';
import { AppError } from '../errors.js';
import type { EventRecord, KubeObject } from '../k8s/index.js';
import { silentLogger } from '../logger.js';
import type { OperatorApi } from './operator-api.js';
import { createOperatorState } from './operator-state.js';
import type { StartDeltas } from './policy-deltas.js';
import { runPolicy } from './policy-runner.js';
import type { EtcdBackupPolicy, EtcdBackupPolicyStatus } from './resources.js';

/** Time jumps to each wake-up: the scheduler's loop runs as fast as the test can go. */
function jumpingClock(start: string): Clock {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    sleepUntil: (at, signal) => {
      if (!signal.aborted) now = Math.max(now, at.getTime());
      return Promise.resolve();
    },
  };
}

interface Fake {
  api: OperatorApi;
  statuses: EtcdBackupPolicyStatus[];
  events: EventRecord[];
  exists: { value: boolean };
}

function fakeApi(policy: EtcdBackupPolicy): Fake {
  const fake: Fake = { statuses: [], events: [], exists: { value: true }, api: undefined as unknown as OperatorApi };
  fake.api = {
    server: 'https://fake',
    get: () => Promise.resolve(fake.exists.value ? policy : undefined),
    list: () => Promise.resolve([]),
    create: (_t: unknown, _ns: string, o: KubeObject) => Promise.resolve(o),
    delete: () => Promise.resolve(),
    patchStatus: (_t: unknown, _ns: string, _name: string, status: EtcdBackupPolicyStatus) => {
      fake.statuses.push(structuredClone(status));
      return Promise.resolve(policy);
    },
    getSecretData: () => Promise.resolve({}),
    createEvent: (e: EventRecord) => {
      fake.events.push(e);
      return Promise.resolve();
    },
  } as unknown as OperatorApi;
  return fake;
}

async function policyIn(t: { after(fn: () => Promise<void>): void }, schedule: string): Promise<EtcdBackupPolicy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-policy-runner-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return {
    metadata: { name: 'prod', namespace: 'kk', uid: 'u1', generation: 3 },
    spec: { schedule, etcd: { endpoints: ['127.0.0.1:2379'] }, repository: { url: dir }, encryption: { recipients: ['age1x'] }, continuousDeltas: true },
  };
}

/** A streamer that leads at once and stops when its signal fires; records what it was started with. */
function fakeDeltas(started: { config?: KubekeeperConfig; stopped: boolean }): StartDeltas {
  return (config, options) => {
    started.config = config;
    return {
      status: { leader: true, storedRevision: 7, etcdRevision: 9, segmentsWritten: 2, gaps: 0, restarts: 0 },
      done: new Promise<void>((resolve) => {
        const stopped = () => {
          started.stopped = true;
          resolve();
        };
        if (options.signal.aborted) stopped();
        else options.signal.addEventListener('abort', stopped, { once: true });
      }),
    };
  };
}

const result = (name: string): BackupRunResult => ({ backupName: name, bytes: 10, snapshotBytes: 20, durationMs: 1, pruned: [], kept: 1 });

test('runPolicy names each backup after its slot on the @every grid, and reports conditions and Events', async (t) => {
  const policy = await policyIn(t, '@every 10s');
  const fake = fakeApi(policy);
  const names: string[] = [];
  const stop = new AbortController();
  const deltas: { config?: KubekeeperConfig; stopped: boolean } = { stopped: false };
  await runPolicy(policy, {
    api: fake.api, logger: silentLogger, clock: jumpingClock('2026-12-06T01:00:03Z'), state: createOperatorState(new Date()), identity: 'op-1',
    startDeltas: fakeDeltas(deltas),
    runBackup: (_config, options) => {
      names.push(options.name as string);
      if (names.length === 3) stop.abort();
      return Promise.resolve(result(options.name as string));
    },
  }, stop.signal);
  assert.deepEqual(names, ['prod-20261206T010010Z', 'prod-20261206T010020Z', 'prod-20261206T010030Z']);
  const last = fake.statuses.at(-1) as EtcdBackupPolicyStatus;
  assert.deepEqual(last.conditions?.map((c) => [c.type, c.status, c.reason, c.observedGeneration]), [
    ['ContinuousDeltas', 'True', 'Streaming', 3], ['Ready', 'True', 'Scheduled', 3], ['LastBackupSucceeded', 'True', 'BackupSucceeded', 3],
  ]);
  assert.match(last.conditions?.[0]?.message ?? '', /^Recovery point at revision 7 \(etcd at 9\): \d+s and 2 revisions behind; 2 segments stored in /);
  assert.deepEqual([deltas.config?.deltas?.enabled, deltas.config?.repository.url, deltas.stopped], [true, policy.spec.repository.url, true], 'the streamer ran on the policy\'s repository and stopped with the run');
  assert.equal(last.lastBackup, 'prod-20261206T010030Z');
  assert.deepEqual(fake.events.map((e) => [e.reason, e.type, e.reportingInstance]), Array(3).fill(['BackupSucceeded', 'Normal', 'op-1']));
});

test('runPolicy starts no backup once the policy is gone, and leaves no delta streamer running', async (t) => {
  const policy = await policyIn(t, '@every 10s');
  const fake = fakeApi(policy);
  fake.exists.value = false;
  let runs = 0;
  const deltas: { config?: KubekeeperConfig; stopped: boolean } = { stopped: false };
  await runPolicy(policy, {
    api: fake.api, logger: silentLogger, clock: jumpingClock('2026-12-06T01:00:03Z'), state: createOperatorState(new Date()), identity: 'op-1', startDeltas: fakeDeltas(deltas),
    runBackup: () => {
      runs++;
      return Promise.resolve(result('x'));
    },
  }, new AbortController().signal);
  assert.equal(runs, 0);
  assert.ok(deltas.config === undefined || deltas.stopped, 'no streamer outlives the run once the policy is gone');
});

test('runPolicy reports ContinuousDeltas=False Disabled when deltas were turned off', async (t) => {
  const policy = await policyIn(t, '@every 10s');
  policy.spec.continuousDeltas = false;
  policy.status = { conditions: [{ type: 'ContinuousDeltas', status: 'True', reason: 'Streaming', message: 'x', lastTransitionTime: '2026-12-06T00:00:00Z' }] };
  const fake = fakeApi(policy);
  fake.exists.value = false;
  let started = false;
  await runPolicy(policy, {
    api: fake.api, logger: silentLogger, clock: jumpingClock('2026-12-06T01:00:03Z'), state: createOperatorState(new Date()), identity: 'op-1',
    startDeltas: () => {
      started = true;
      throw new Error('not started');
    },
  }, new AbortController().signal);
  assert.equal(started, false);
  assert.deepEqual(fake.statuses[0]?.conditions?.map((c) => [c.type, c.status, c.reason]), [['ContinuousDeltas', 'False', 'Disabled'], ['Ready', 'True', 'Scheduled']]);
});

test('runPolicy counts a slot another replica stored as done, not as a failure to retry', async (t) => {
  const policy = await policyIn(t, '@every 10s');
  const fake = fakeApi(policy);
  const state = createOperatorState(new Date());
  const stop = new AbortController();
  const names: string[] = [];
  await runPolicy(policy, {
    api: fake.api, logger: silentLogger, clock: jumpingClock('2026-12-06T01:00:03Z'), state, identity: 'op-1',
    runBackup: (_config, options) => {
      names.push(options.name as string);
      // The third run is interrupted by the stop (not counted): the first two are the slots stored elsewhere.
      if (names.length === 3) stop.abort();
      return Promise.reject(new AppError('backup-exists', 'exists'));
    },
  }, stop.signal);
  assert.deepEqual(names, ['prod-20261206T010010Z', 'prod-20261206T010020Z', 'prod-20261206T010030Z'], 'no retry of a stored slot');
  const c = state.policies.get('kk/prod');
  assert.deepEqual([c?.slotsAlreadyStored, c?.failures], [2, 0]);
});

test('runPolicy reports an unusable schedule as Ready=False with a Warning Event', async (t) => {
  const policy = await policyIn(t, '@every 500ms');
  const fake = fakeApi(policy);
  await runPolicy(policy, { api: fake.api, logger: silentLogger, clock: jumpingClock('2026-12-06T01:00:03Z'), state: createOperatorState(new Date()), identity: 'op-1' }, new AbortController().signal);
  assert.deepEqual(fake.statuses.at(-1)?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'InvalidSchedule']]);
  assert.deepEqual(fake.events.map((e) => [e.reason, e.type]), [['InvalidSchedule', 'Warning']]);
});
