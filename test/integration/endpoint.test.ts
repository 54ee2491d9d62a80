/**
 * `endpoint health`, `endpoint status` and `member list` against real etcd 3.4, each output
 * format compared with the real etcdctl 3.4 run with the same flags. Values that move between
 * two calls (raft indexes, revision, db size, timings) are masked before comparing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { etcdctl, etcdctlOk, freePort, startEtcd, type EtcdProcess } from '../support/etcd.js';

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

/** Masks numbers that change between two status calls; keeps widths out of the comparison by splitting table cells. */
function maskStatus(text: string): string {
  return text
    .replace(/"(raftIndex|raftAppliedIndex|revision|dbSize|dbSizeInUse|raft_term|raftTerm)":\d+/g, '"$1":N')
    .replace(/, \d+ kB, (true|false), (true|false), \d+, \d+, \d+, /g, ', N kB, $1, $2, N, N, N, ');
}

function tableCells(table: string): string[][] {
  return table.trim().split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

for (const [name, get] of [['plain', () => plain], ['mTLS', () => mtls]] as const) {
  test(`member list equals etcdctl in simple, table and json over ${name}`, async () => {
    for (const format of ['simple', 'table', 'json']) {
      const [ours, theirs] = await Promise.all([kkOk(get(), ['member', 'list', '-w', format]), etcdctlOk(get(), ['member', 'list', '-w', format])]);
      assert.equal(maskStatus(ours), maskStatus(theirs), format);
    }
  });

  test(`endpoint status equals etcdctl in simple, table and json over ${name}`, async () => {
    for (const format of ['simple', 'json']) {
      const [ours, theirs] = await Promise.all([kkOk(get(), ['endpoint', 'status', '-w', format]), etcdctlOk(get(), ['endpoint', 'status', '-w', format])]);
      assert.equal(maskStatus(ours), maskStatus(theirs), format);
    }
    const [ours, theirs] = await Promise.all([kkOk(get(), ['endpoint', 'status', '-w', 'table']), etcdctlOk(get(), ['endpoint', 'status', '-w', 'table'])]);
    const [oursCells, theirCells] = [tableCells(ours), tableCells(theirs)];
    assert.deepEqual(oursCells[0], theirCells[0]);
    // endpoint, ID, version, is leader, is learner, errors; the moving numbers are masked.
    const stable = (row: string[] | undefined) => [0, 1, 2, 4, 5, 9].map((i) => row?.[i]);
    assert.deepEqual(stable(oursCells[1]), stable(theirCells[1]));
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

test('endpoint status shows the live endpoints, names the dead one on stderr and exits 1 like etcdctl', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const r = await runKubekeeper(['endpoint', 'status', `--endpoints=${dead},${plain.clientUrl}`]);
  const theirs = await etcdctl({ clientFlags: [] }, ['endpoint', 'status', `--endpoints=${dead},${plain.clientUrl}`, '--command-timeout=1s']);
  assert.equal(r.code, 1);
  assert.equal(theirs.code, 1);
  assert.equal(maskStatus(r.stdout), maskStatus(theirs.stdout));
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
