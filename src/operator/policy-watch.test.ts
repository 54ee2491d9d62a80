import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../daemon/index.js';
import { KubeApiError, KubeUnreachableError, type WatchEvent, type WatchRequestOptions } from '../k8s/index.js';
import { silentLogger } from '../logger.js';
import type { OperatorApi } from './operator-api.js';
import { watchPolicies } from './policy-watch.js';
import type { EtcdBackupPolicy } from './resources.js';

const pol = (name: string, rv: string): EtcdBackupPolicy => ({ metadata: { name, namespace: 'kk', resourceVersion: rv }, spec: {} as EtcdBackupPolicy['spec'] });

/** Time only moves when something sleeps. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    sleepUntil: (at) => {
      slept.push(at.getTime() - now);
      now = Math.max(now, at.getTime());
      return Promise.resolve();
    },
  };
}

type Step = { list: EtcdBackupPolicy[]; rv: string } | { watchFrom: string; events?: WatchEvent<EtcdBackupPolicy>[]; fail?: Error };

/** Plays `steps` in order: each list or watch request must be the next step; the last one stops the loop. */
function scripted(steps: Step[], stop: AbortController): { api: Pick<OperatorApi, 'listVersioned' | 'watch'>; calls: string[] } {
  const calls: string[] = [];
  const next = () => {
    const s = steps.shift();
    if (!s) throw new Error('no more steps');
    if (steps.length === 0) stop.abort();
    return s;
  };
  const api = {
    listVersioned: () => {
      const s = next();
      calls.push('list');
      if (!('list' in s)) throw new Error(`expected ${JSON.stringify(s)}, got a list`);
      return Promise.resolve({ items: s.list, resourceVersion: s.rv });
    },
    watch: (_t: unknown, _ns: string | undefined, rv: string, options: WatchRequestOptions) => {
      const s = next();
      calls.push(`watch ${rv} ${options.timeoutSeconds}s`);
      if ('list' in s) throw new Error(`expected a list, got a watch from ${rv}`);
      assert.equal(rv, s.watchFrom);
      return (async function* () {
        options.onOpen?.();
        for (const e of s.events ?? []) yield e;
        if (s.fail) throw s.fail;
      })();
    },
  } as unknown as Pick<OperatorApi, 'listVersioned' | 'watch'>;
  return { api, calls };
}

test('watchPolicies lists once, then applies watched changes from the list\'s resourceVersion and re-lists after 410 Gone', async () => {
  const stop = new AbortController();
  const { api, calls } = scripted([
    { list: [pol('a', '5')], rv: '10' },
    { watchFrom: '10', events: [{ type: 'ADDED', object: pol('b', '11') }, { type: 'BOOKMARK', object: pol('', '15') }] },
    // The watch ended on its timeout: reopened from the bookmark.
    { watchFrom: '15', events: [{ type: 'DELETED', object: pol('a', '16') }, { type: 'ERROR', object: { code: 410, message: 'too old' } as unknown as EtcdBackupPolicy }] },
    { list: [pol('b', '11'), pol('c', '20')], rv: '21' },
    { watchFrom: '21', fail: new KubeApiError('Cannot watch', 410, { message: 'gone' }) },
    { list: [pol('c', '20')], rv: '30' },
  ], stop);
  const seen: string[][] = [];
  const clock = fakeClock();
  await watchPolicies({ api, signal: stop.signal, resyncPeriodMs: 3_600_000, watchTimeoutSeconds: 60, logger: silentLogger, clock, onPolicies: (ps) => Promise.resolve(void seen.push(ps.map((p) => p.metadata.name))) });
  assert.deepEqual(calls, ['list', 'watch 10 60s', 'watch 15 60s', 'list', 'watch 21 60s', 'list']);
  assert.deepEqual(seen, [['a'], ['a', 'b'], ['b'], ['b', 'c'], ['c']]);
  assert.deepEqual(clock.slept, [], 'no backoff for a timeout or an expired resourceVersion');
});

test('watchPolicies retries a broken watch with exponential backoff from the same resourceVersion', async () => {
  const stop = new AbortController();
  const down = () => new KubeUnreachableError('Cannot watch', new Error('ECONNREFUSED'));
  const { api, calls } = scripted([
    { list: [], rv: '7' },
    { watchFrom: '7', fail: down() },
    { watchFrom: '7', fail: down() },
    { watchFrom: '7', fail: down() },
    { watchFrom: '7', events: [{ type: 'ADDED', object: pol('a', '8') }] },
    { watchFrom: '8', fail: down() },
    { watchFrom: '8' },
  ], stop);
  const clock = fakeClock();
  await watchPolicies({ api, signal: stop.signal, resyncPeriodMs: 3_600_000, watchTimeoutSeconds: 60, logger: silentLogger, clock, backoff: { initialMs: 100, maxMs: 250 }, onPolicies: () => Promise.resolve() });
  assert.equal(calls.length, 7);
  assert.deepEqual(clock.slept, [100, 200, 250, 100], 'doubling up to the maximum, reset by a watch that worked');
});

test('watchPolicies lists again when the resync period is due, and bounds each watch by it', async () => {
  const stop = new AbortController();
  const { api, calls } = scripted([
    { list: [], rv: '1' },
    { watchFrom: '1', fail: new KubeUnreachableError('Cannot watch', new Error('reset')) },
    { list: [], rv: '2' },
  ], stop);
  const clock = fakeClock();
  await watchPolicies({ api, signal: stop.signal, resyncPeriodMs: 30_000, watchTimeoutSeconds: 60, logger: silentLogger, clock, backoff: { initialMs: 40_000, maxMs: 40_000 }, onPolicies: () => Promise.resolve() });
  assert.deepEqual(calls, ['list', 'watch 1 30s', 'list']);
});
