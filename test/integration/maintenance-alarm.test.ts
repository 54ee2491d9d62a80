/**
 * A real NOSPACE alarm (etcd --quota-backend-bytes 2 MiB, filled until a put is refused) on
 * 3-member clusters of etcd 3.6 and 3.4: `alarm list` prints what etcdctl 3.7 prints in every
 * format, `alarm disarm` disarms it, `endpoint status --detail` shows the alarm and the quota
 * use (reported by 3.6, --quota-bytes for 3.4), and after space is freed `defrag` reclaims it
 * and disarms the alarm, so writes succeed again.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { openEtcdClient } from '../../src/etcd/index.js';
import { runKubekeeper } from '../support/cli.js';
import { etcdctlOk } from '../support/etcd.js';
import { startEtcdCluster, type EtcdCluster } from '../support/etcd-test-cluster.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';

const QUOTA = 2 * 1024 * 1024;
const newest = findEtcd(pinnedVersions.ETCD_37 as string);

/** Puts 64 KiB values until etcd refuses one for lack of space; returns how many went in. */
async function fill(endpoint: string, from: number): Promise<number> {
  const client = await openEtcdClient({ endpoints: [endpoint], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 }, endpoint);
  try {
    for (let i = from; i < from + 1000; i++) {
      try {
        await client.put(`/fill/${i}`, Buffer.alloc(64 * 1024, 'n'));
      } catch (err) {
        assert.match(String(err), /database space exceeded/);
        return i;
      }
    }
    throw new Error('etcd never ran out of space');
  } finally {
    client.close();
  }
}

/**
 * The one thing normalised: the order of several alarms. etcd keeps them in a Go map and lists
 * them in its random iteration order, so two calls can differ; each alarm's text is unchanged.
 */
function alarmsInOrder(format: string, text: string): string {
  if (format === 'simple') return text.split('\n').sort().join('\n');
  if (format === 'json') return text.replace(/"alarms":\[(.*)\]/, (_, list: string) => `"alarms":[${list.split(/,(?=\{)/).sort().join(',')}]`);
  const alarms = [...text.matchAll(/"MemberID" : \d+\n"AlarmType" : \w+\n\n/g)].map((m) => m[0]);
  const header = text.slice(0, text.search(/"MemberID" : \d+\n"AlarmType"/));
  return header + alarms.sort().join('') + `(${text.length} bytes)`;
}

async function kk(cluster: EtcdCluster | string[], args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runKubekeeper([...args, ...(Array.isArray(cluster) ? cluster : cluster.clientFlags)]);
}

for (const key of ['ETCD_36', 'ETCD_34_DEBIAN']) {
  const version = pinnedVersions[key] as string;
  const { peer, missing } = findEtcd(version);
  test(`etcd ${version}: alarm list/disarm against a real NOSPACE alarm, and defrag disarms it once space is back`, { skip: missing ?? newest.missing, timeout: 180_000 }, async (t: TestContext) => {
    const cluster = await startEtcdCluster({ binDir: peer?.binDir as string, quotaBackendBytes: QUOTA });
    t.after(() => cluster.stop());
    const first = cluster.members[0]?.clientUrl as string;
    const one = [`--endpoints=${first}`];
    const filled = await fill(first, 0);

    const etcdctl37 = { clientFlags: one, binDir: newest.peer?.binDir };
    for (const format of ['simple', 'json', 'fields']) {
      const ours = await kk(one, ['alarm', 'list', '-w', format]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(alarmsInOrder(format, ours.stdout), alarmsInOrder(format, await etcdctlOk(etcdctl37, ['alarm', 'list', '-w', format])), format);
    }
    const listed = await etcdctlOk(etcdctl37, ['alarm', 'list']);
    assert.match(listed, /^memberID:\d+ {2}alarm:NOSPACE\n/);

    const detail = JSON.parse((await kk(cluster, ['endpoint', 'status', '--detail', '-w', 'json', '--quota-bytes', String(QUOTA)])).stdout) as { alarms: string[]; quotaPercent: number; quotaSource: string; quotaBytes: number }[];
    assert.ok(detail.some((m) => m.alarms.includes('NOSPACE')), JSON.stringify(detail));
    assert.ok(detail.every((m) => m.quotaBytes === QUOTA && m.quotaPercent >= 90), JSON.stringify(detail));
    assert.deepEqual(new Set(detail.map((m) => m.quotaSource)), new Set([version.startsWith('3.4') ? 'assumed' : 'member']));

    const disarm = await kk(one, ['alarm', 'disarm']);
    assert.equal(disarm.code, 0, disarm.stderr);
    assert.equal(alarmsInOrder('simple', disarm.stdout), alarmsInOrder('simple', listed), 'alarm disarm prints the alarms it disarmed, as etcdctl does');
    assert.equal((await kk(one, ['alarm', 'list'])).stdout, '');

    // Still over quota: the next put raises NOSPACE again. Free the space, then defrag.
    await fill(first, filled);
    const client = await openEtcdClient({ endpoints: [first], dialTimeoutMs: 2000, commandTimeoutMs: 10_000 }, first);
    try {
      const { revision } = await client.deleteRange('/fill/', '/fill0');
      await etcdctlOk(cluster, ['compaction', '--physical', String(revision)]);
      // Release the pages compaction freed (a later commit does; puts are refused under NOSPACE).
      await client.deleteRange('/tick');
    } finally {
      client.close();
    }
    const r = await kk(cluster, ['defrag', '--cluster', '--min-reclaim-bytes', '0', '--quota-bytes', String(QUOTA), '-w', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { steps: { kind: string }[]; disarmed: { alarm: string }[]; kept: unknown[] };
    assert.ok(result.steps.filter((s) => s.kind === 'defrag').length >= 1);
    assert.deepEqual(result.disarmed.map((a) => a.alarm).filter((a) => a === 'NOSPACE').length >= 1, true, r.stdout);
    assert.deepEqual(result.kept, []);
    assert.equal((await kk(one, ['alarm', 'list'])).stdout, '');
    await etcdctlOk(cluster, ['put', '/after', 'writes work again']);
  });
}
