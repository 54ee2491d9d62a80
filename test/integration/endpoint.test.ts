/**
 * `endpoint health`, `endpoint status` and `member list` against real etcd 3.4, each output
 * format compared with the real etcdctl run with the same flags: etcdctl 3.4 for health (timings
 * masked), etcdctl 3.7 for status and member list (their output follows the newest etcdctl).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { etcdctl, etcdctlOk, freePort, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';

let plain: EtcdProcess;
let mtls: EtcdProcess;

before(async () => {
  [plain, mtls] = await Promise.all([startEtcd({ name: 'plain' }), startEtcd({ name: 'mtls', tls: true })]);
});
after(() => Promise.all([plain?.stop(), mtls?.stop()]));

async function kkOk(member: EtcdProcess, args: string[]): Promise<string> {
  const r = await runKubekeeper([...args, ...member.clientFlags]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** The newest supported etcdctl (3.7), whose output `endpoint status` and `member list` follow whatever the server's version. */
const newest = findEtcd(pinnedVersions.ETCD_37 as string);

/**
 * kubekeeper's output must equal etcdctl 3.7's byte for byte. etcdctl runs before and after it
 * and either output counts: an idle member may still move a raft index between two calls.
 */
async function assertLikeEtcdctl37(clientFlags: string[], args: string[]): Promise<void> {
  const etcdctl37 = { clientFlags, binDir: newest.peer?.binDir };
  const before = await etcdctl(etcdctl37, args, 10_000);
  const ours = await runKubekeeper([...args, ...clientFlags]);
  const afterwards = await etcdctl(etcdctl37, args, 10_000);
  assert.equal(ours.code, afterwards.code, ours.stderr);
  if (ours.stdout !== afterwards.stdout) assert.equal(ours.stdout, before.stdout, args.join(' '));
}

function tableCells(table: string): string[][] {
  return table.trim().split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

for (const [name, get] of [['plain', () => plain], ['mTLS', () => mtls]] as const) {
  test(`member list equals etcdctl 3.7 in every format over ${name}`, { skip: newest.missing }, async () => {
    for (const format of ['simple', 'table', 'json', 'fields']) await assertLikeEtcdctl37(get().clientFlags, ['member', 'list', '-w', format]);
  });

  test(`endpoint status equals etcdctl 3.7 in every format over ${name}`, { skip: newest.missing }, async () => {
    for (const format of ['simple', 'table', 'json', 'fields']) await assertLikeEtcdctl37(get().clientFlags, ['endpoint', 'status', '-w', format]);
  });

  test(`endpoint health matches etcdctl in simple, table and json over ${name}`, async () => {
    const maskTook = (s: string) => s.replace(/took = [0-9.]+(µs|ms|s)/g, 'took = T').replace(/"took":"[0-9.]+(µs|ms|s)"/g, '"took":"T"');
    const [json, theirJson] = await Promise.all([kkOk(get(), ['endpoint', 'health', '-w', 'json']), etcdctlOk(get(), ['endpoint', 'health', '-w', 'json'])]);
    assert.equal(maskTook(json), maskTook(theirJson));
    // etcdctl 3.4 prints the simple lines on stderr; kubekeeper prints healthy ones on stdout (as 3.5 does).
    const [simple, theirSimple] = await Promise.all([kkOk(get(), ['endpoint', 'health']), etcdctl(get(), ['endpoint', 'health'])]);
    assert.equal(theirSimple.code, 0);
    assert.equal(maskTook(simple), maskTook(theirSimple.stderr));
    const [ours, theirs] = await Promise.all([kkOk(get(), ['endpoint', 'health', '-w', 'table']), etcdctlOk(get(), ['endpoint', 'health', '-w', 'table'])]);
    const took = (row: string[] | undefined) => row?.map((c, i) => (i === 2 ? 'T' : c));
    assert.deepEqual(tableCells(ours).map(took), tableCells(theirs).map(took));
  });
}

test('endpoint health reports a dead endpoint as unhealthy on stderr and exits 3, like etcdctl exits non-zero', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const r = await runKubekeeper(['endpoint', 'health', `--endpoints=${plain.clientUrl},${dead}`]);
  assert.equal(r.code, 3);
  assert.match(r.stdout, new RegExp(`^${plain.clientUrl} is healthy: successfully committed proposal: took = `));
  assert.match(r.stderr, new RegExp(`${dead} is unhealthy: failed to commit proposal: etcd at "${dead}" is unreachable \\(connect ECONNREFUSED`));
  assert.match(r.stderr, /^Error: unhealthy cluster: 1 of 2 endpoints unhealthy$/m);
  const json = JSON.parse((await runKubekeeper(['endpoint', 'health', `--endpoints=${dead},${plain.clientUrl}`, '-w', 'json'])).stdout) as { endpoint: string; health: boolean }[];
  assert.deepEqual(json.map((h) => [h.endpoint, h.health]), [[dead, false], [plain.clientUrl, true]]);
});

test('endpoint status shows the live endpoints, names the dead one on stderr and exits 1 like etcdctl', { skip: newest.missing }, async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const r = await runKubekeeper(['endpoint', 'status', `--endpoints=${dead},${plain.clientUrl}`]);
  const theirs = await etcdctl({ clientFlags: [], binDir: newest.peer?.binDir }, ['endpoint', 'status', `--endpoints=${dead},${plain.clientUrl}`, '--command-timeout=1s']);
  assert.equal(r.code, 1);
  assert.equal(theirs.code, 1);
  assert.equal(r.stdout, theirs.stdout);
  assert.match(r.stderr, new RegExp(`^Failed to get the status of endpoint ${dead} \\(`, 'm'));
});

test('endpoint health and member list reject a wrong CA with a one-line error and a hint', async () => {
  const tls = mtls.tls;
  assert.ok(tls);
  const flags = [`--endpoints=${mtls.clientUrl}`, `--cacert=${tls.otherCaCert}`, `--cert=${tls.clientCert}`, `--key=${tls.clientKey}`];
  const members = await runKubekeeper(['member', 'list', ...flags]);
  assert.equal(members.code, 1);
  assert.match(members.stderr, /^Error: Cannot connect: etcd at "https:\/\/127\.0\.0\.1:\d+": the server certificate is not trusted .*\nHint: Pass the CA that signed the etcd server certificate with --cacert/);
  const health = await runKubekeeper(['endpoint', 'health', ...flags]);
  assert.equal(health.code, 3);
  assert.match(health.stderr, /is unhealthy: failed to commit proposal: etcd at .* the server certificate is not trusted/);
});
