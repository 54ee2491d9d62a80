import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeClusterId, computeMemberId, formatId, planRestoreCluster, type RestoreClusterOptions } from './member-id.js';
import { RestoreConfigError, canonicalPeerUrl, parseInitialCluster } from './member-id-url.js';

const defaults: RestoreClusterOptions = {
  name: 'default',
  initialCluster: 'default=http://localhost:2380',
  initialClusterToken: 'etcd-cluster',
  initialAdvertisePeerUrls: ['http://localhost:2380'],
};

test('computeMemberId matches etcdctl when flags are the defaults (spec §6.2)', () => {
  assert.equal(computeMemberId(['http://localhost:2380'], 'etcd-cluster'), 10276657743932975437n);
  assert.equal(computeClusterId([0x8e9e05c52164694dn]).toString(16), 'cdf818194e3a8c32');
});

test('computeMemberId matches etcdctl when a loopback URL and custom token are used (spec §6.2)', () => {
  const r = computeMemberId(['http://127.0.0.1:52380'], 'tok-r');
  assert.equal(r, 863114609509021317n);
  assert.equal(formatId(r), 'bfa662a143c3685');
  assert.equal(computeClusterId([r]), 3523373424839839567n);
  const a = computeMemberId(['http://127.0.0.1:42380'], 'tok-a');
  assert.equal(a, 11736944023068365374n);
  assert.equal(computeClusterId([a]), 16122780350172778796n);
});

test('planRestoreCluster gives the three-member IDs of spec §6.2 sorted by ID when restoring member b', () => {
  const cluster = planRestoreCluster({
    name: 'b',
    initialCluster: 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=https://10.0.0.3:2390,c=http://10.0.0.3:2380',
    initialClusterToken: 'tok3',
    initialAdvertisePeerUrls: ['http://10.0.0.2:2380'],
  });
  assert.deepEqual(cluster.members.map((m) => [m.name, formatId(m.id)]), [
    ['c', '17d3b606fa26a87d'], ['b', '2af815ba216b5750'], ['a', 'ba3d8e585d4e3172'],
  ]);
  assert.deepEqual(cluster.members[0]?.peerUrls, ['http://10.0.0.3:2380', 'https://10.0.0.3:2390']);
  assert.equal(formatId(cluster.clusterId), '9cd145f59c2816d5');
  assert.equal(cluster.local.name, 'b');
});

test('planRestoreCluster accepts the etcdctl defaults', () => {
  const cluster = planRestoreCluster(defaults);
  assert.equal(formatId(cluster.local.id), '8e9e05c52164694d');
  assert.equal(cluster.members.length, 1);
});

test('planRestoreCluster refuses a name missing from the initial cluster', () => {
  assert.throws(() => planRestoreCluster({ ...defaults, name: 'x' }),
    (e: unknown) => e instanceof RestoreConfigError && e.message === 'couldn\'t find local name "x" in the initial cluster configuration' && e.exitCode === 2);
});

test('planRestoreCluster refuses advertised URLs that differ from the initial cluster', () => {
  assert.throws(() => planRestoreCluster({
    name: 'a', initialCluster: 'a=http://10.0.0.1:2380', initialClusterToken: 't', initialAdvertisePeerUrls: ['http://10.0.0.2:2380'],
  }), { message: '--initial-cluster has a=http://10.0.0.1:2380 but missing from --initial-advertise-peer-urls=http://10.0.0.2:2380' });
  assert.throws(() => planRestoreCluster({
    name: 'a', initialCluster: 'a=http://10.0.0.1:2380', initialClusterToken: 't',
    initialAdvertisePeerUrls: ['http://10.0.0.1:2380', 'http://10.0.0.9:2380'],
  }), { message: '--initial-advertise-peer-urls has http://10.0.0.9:2380 but missing from --initial-cluster=a=http://10.0.0.1:2380,a=http://10.0.0.9:2380' });
});

test('planRestoreCluster refuses a URL used by two members', () => {
  assert.throws(() => planRestoreCluster({
    name: 'a', initialCluster: 'b=http://10.0.0.1:2380,a=http://10.0.0.1:2380', initialClusterToken: 't', initialAdvertisePeerUrls: ['http://10.0.0.1:2380'],
  }), { message: 'initial cluster a=http://10.0.0.1:2380,b=http://10.0.0.1:2380 has duplicate url' });
});

test('canonicalPeerUrl lower-cases the scheme and keeps the host as typed', () => {
  assert.equal(canonicalPeerUrl('  HTTP://LocalHost:2380 '), 'http://LocalHost:2380');
  assert.equal(canonicalPeerUrl('https://[::1]:2380'), 'https://[::1]:2380');
  assert.equal(canonicalPeerUrl('unix://etcd.sock:1'), 'unix://etcd.sock:1');
});

test('canonicalPeerUrl rejects what etcd rejects when the URL is malformed', () => {
  assert.throws(() => canonicalPeerUrl('ftp://a:1'), { message: 'URL scheme must be http, https, unix, or unixs: ftp://a:1' });
  assert.throws(() => canonicalPeerUrl('http://a'), { message: 'URL address does not have the form "host:port": http://a' });
  assert.throws(() => canonicalPeerUrl('http://a:x'), { message: 'URL address does not have the form "host:port": http://a:x' });
  assert.throws(() => canonicalPeerUrl('http://a:1/'), { message: 'URL must not contain a path: http://a:1/' });
  assert.throws(() => canonicalPeerUrl(''), RestoreConfigError);
});

test('parseInitialCluster accumulates repeated names and skips empty items', () => {
  const m = parseInitialCluster('a=http://h2:1,,a=http://h1:1,b=http://h3:1');
  assert.deepEqual([...m], [['a', ['http://h1:1', 'http://h2:1']], ['b', ['http://h3:1']]]);
});
