/**
 * The election of scheduled runs (etcd/election.ts) against real etcd 3.4 (PATH) and 3.6: one
 * campaign wins and the other learns the holder; keep-alives hold the key past its TTL; a
 * resign frees it at once; a holder killed with SIGKILL frees it after the TTL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { campaign, connectEtcd, type CampaignResult, type EtcdClient } from '../../src/etcd/index.js';
import { RESERVED_PREFIX } from '../../src/snapshot/index.js';
import { etcdctlOk, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { findEtcd } from '../support/peers.js';

const TIMEOUTS = { dialTimeoutMs: 2000, commandTimeoutMs: 5000 };
const here = path.dirname(fileURLToPath(import.meta.url));

async function connect(etcd: EtcdProcess): Promise<EtcdClient> {
  return connectEtcd({ endpoints: [etcd.clientUrl], ...TIMEOUTS });
}

async function electionCases(t: test.TestContext, binDir?: string): Promise<void> {
  const etcd = await startEtcd({ binDir });
  const [a, b] = await Promise.all([connect(etcd), connect(etcd)]);
  try {
    await t.test('exactly one of two simultaneous campaigns wins; the other names the holder', async () => {
      const [ra, rb] = await Promise.all([campaign(a, { job: 'backup', identity: 'node-a' }), campaign(b, { job: 'backup', identity: 'node-b' })]);
      const winner = ra.won ? ra : rb;
      const loser = ra.won ? rb : ra;
      assert.equal(winner.won, true);
      assert.equal(loser.won, false);
      assert.ok(winner.won && !loser.won);
      assert.equal(loser.holder, winner.leadership.identity);
      assert.equal(await etcdctlOk(etcd, ['get', '--print-value-only', `${RESERVED_PREFIX}election/backup`]), `${winner.leadership.identity}\n`);
      await winner.leadership.resign();
      assert.equal(await etcdctlOk(etcd, ['get', '--prefix', '--keys-only', RESERVED_PREFIX]), '');
      const again = await campaign(loser === ra ? a : b, { job: 'backup' });
      assert.ok(again.won);
      await again.leadership.resign();
    });
    await t.test('keep-alives hold the key past its TTL; other jobs are independent', async () => {
      const held = await campaign(a, { job: 'drill', ttlSeconds: 2 });
      assert.ok(held.won);
      await sleep(5000);
      assert.equal(held.leadership.lost.aborted, false);
      const other = await campaign(b, { job: 'drill', ttlSeconds: 2 });
      assert.ok(!other.won);
      const backup = await campaign(b, { job: 'backup', ttlSeconds: 2 });
      assert.ok(backup.won);
      await Promise.all([held.leadership.resign(), backup.leadership.resign()]);
    });
    await t.test('a holder killed with SIGKILL loses the key once its lease expires', async () => {
      const script = `import { campaign, connectEtcd } from ${JSON.stringify(path.join(here, '../../src/etcd/index.js'))};
        const c = await connectEtcd({ endpoints: [${JSON.stringify(etcd.clientUrl)}], dialTimeoutMs: 2000, commandTimeoutMs: 5000 });
        const r = await campaign(c, { job: 'backup', ttlSeconds: 3, identity: 'doomed' });
        console.log(r.won ? 'won' : 'lost'); setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      assert.equal(line.toString().trim(), 'won');
      child.kill('SIGKILL');
      await once(child, 'exit');
      const first = await campaign(b, { job: 'backup', ttlSeconds: 3 });
      assert.ok(!first.won);
      assert.equal(first.holder, 'doomed');
      // The lease expires within its TTL (plus etcd's expiry check): wait for that, bounded.
      let result: CampaignResult = first;
      for (let i = 0; i < 40 && !result.won; i++) {
        await sleep(250);
        result = await campaign(b, { job: 'backup', ttlSeconds: 3 });
      }
      assert.ok(result.won, 'the dead holder\'s key was never freed');
      await result.leadership.resign();
    });
  } finally {
    a.close();
    b.close();
    await etcd.stop();
  }
}

test('election on etcd from PATH (3.4)', async (t) => electionCases(t));

test('election on etcd 3.6', async (t) => {
  const { peer, missing } = findEtcd('3.6.17');
  if (!peer) return t.skip(missing);
  await electionCases(t, peer.binDir);
});
