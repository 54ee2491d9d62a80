/** checkClusterHealth and checkEtcdHealth with fakes: every section reported, none hiding another. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiError, FakeCluster, makeNode, makePod } from '../testing.js';
import { checkClusterHealth } from './check-health.js';
import { checkEtcdHealth } from './etcd-health.js';
import type { EtcdEndpointStatus, EtcdHealthSource, EtcdMemberInfo } from './health-api.js';

const member = (id: string, url: string | undefined): EtcdMemberInfo => ({ id, name: `m${id}`, peerUrls: [], clientUrls: url ? [url] : [], isLearner: false });
const status = (memberId: string, leaderId: string): EtcdEndpointStatus => ({ memberId, version: '3.5.12', dbSizeBytes: 1 << 20, leaderId, raftTerm: 3, raftIndex: 100, isLearner: false, errors: [] });

function etcdSource(overrides: Partial<EtcdHealthSource> = {}): EtcdHealthSource {
  return {
    endpoints: ['https://10.0.0.1:2379'],
    memberList: async () => [member('1', 'https://10.0.0.1:2379'), member('2', 'https://10.0.0.2:2379'), member('3', 'https://10.0.0.3:2379')],
    endpointHealth: async () => ({ healthy: true, tookMs: 2 }),
    endpointStatus: async (ep) => status(ep.slice(-6, -5), '1'),
    alarms: async () => [],
    ...overrides,
  };
}

test('checkEtcdHealth agrees on one leader and finds no problem when every member is healthy', async () => {
  const report = await checkEtcdHealth(etcdSource());
  assert.deepEqual(report.problems, []);
  assert.equal(report.leader, '1');
  assert.equal(report.endpoints.length, 3);
});

test('checkEtcdHealth reports an unhealthy member, an unstarted member, alarms and an even member count', async () => {
  const report = await checkEtcdHealth(etcdSource({
    memberList: async () => [member('1', 'https://10.0.0.1:2379'), member('2', 'https://10.0.0.2:2379'), member('3', 'https://10.0.0.3:2379'), member('4', undefined)],
    endpointHealth: async (ep) => (ep.includes('10.0.0.2') ? { healthy: false, tookMs: 5000, error: 'context deadline exceeded' } : { healthy: true, tookMs: 2 }),
    alarms: async () => [{ memberId: '3', alarm: 'NOSPACE' }],
  }));
  assert.deepEqual(report.problems, [
    'etcd member "m2" is unhealthy: context deadline exceeded',
    'etcd member "m4" is unhealthy: member has not started (no client URLs)',
    'etcd alarm NOSPACE is active on member 3',
  ]);
  assert.match(report.notes[0] ?? '', /4 voting members/);
});

test('checkEtcdHealth reports members that disagree on the leader or have none', async () => {
  const split = await checkEtcdHealth(etcdSource({ endpointStatus: async (ep) => status(ep.slice(-6, -5), ep.includes('10.0.0.3') ? '3' : '1') }));
  assert.deepEqual(split.problems, ['etcd members disagree on the leader (1, 3)']);
  const none = await checkEtcdHealth(etcdSource({ endpointStatus: async (ep) => status(ep.slice(-6, -5), '0') }));
  assert.deepEqual(none.problems, ['etcd has no leader']);
});

test('checkClusterHealth keeps checking nodes and pods when /readyz cannot be reached', async () => {
  const cluster = new FakeCluster({ nodes: [makeNode('cp1', { roles: ['control-plane'] })], pods: [] });
  cluster.getHealthEndpoint = async (endpoint) => {
    if (endpoint === 'readyz') throw apiError(503, 'service unavailable');
    return { statusCode: 200, body: 'ok' };
  };
  const report = await checkClusterHealth(cluster);
  assert.equal(report.healthy, false);
  assert.deepEqual(report.problems, ['API server /readyz cannot be checked: Request failed: service unavailable (HTTP 503)']);
  assert.equal(report.nodes.length, 1);
  assert.match(report.notes.join('\n'), /control-plane static pods not checked: no pods labelled tier=control-plane/);
});

test('checkClusterHealth includes etcd problems when an etcd source is given', async () => {
  const cluster = new FakeCluster({ nodes: [makeNode('cp1')], pods: [makePod('etcd-cp1', { namespace: 'kube-system', node: 'cp1', labels: { component: 'etcd', tier: 'control-plane' } })] });
  const report = await checkClusterHealth(cluster, { etcd: etcdSource({ alarms: async () => [{ memberId: '1', alarm: 'CORRUPT' }] }) });
  assert.ok(report.problems.includes('etcd alarm CORRUPT is active on member 1'));
  assert.ok(report.problems.includes('kube-apiserver static pod is missing on node "cp1"'));
});

test('checkClusterHealth sends every API request before waiting for any, so a hanging server costs one timeout', async () => {
  const events: string[] = [];
  const reply = <T>(name: string, value: T) => {
    events.push(`call ${name}`);
    return new Promise<T>((resolve) => setImmediate(() => {
      events.push(`done ${name}`);
      resolve(value);
    }));
  };
  const report = await checkClusterHealth({
    getHealthEndpoint: (endpoint) => reply(endpoint, { statusCode: 200, body: '[+]ping ok\nlivez check passed' }),
    listNodes: () => reply('nodes', [makeNode('n1')]),
    listPods: () => reply('pods', []),
  });
  assert.deepEqual(events.slice(0, 4), ['call livez', 'call readyz', 'call nodes', 'call pods']);
  assert.deepEqual(report.apiserver.map((a) => a.endpoint), ['livez', 'readyz'], 'still reported in order');
  assert.deepEqual(report.nodes.map((n) => n.name), ['n1']);
});
