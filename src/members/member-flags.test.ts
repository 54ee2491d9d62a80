import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinFlags, parseEnvFile, renderCommandLine, renderEnvFile } from './member-flags.js';

const members = [
  { id: 1n, name: 'm1', peerURLs: ['https://10.0.0.1:2380'], clientURLs: ['https://10.0.0.1:2379'], isLearner: false },
  // MemberAdd'ed, not started: no name yet.
  { id: 9n, name: '', peerURLs: ['https://10.0.0.9:2380'], clientURLs: [], isLearner: true },
];

test('joinFlags names the unstarted entry after the joining member and says existing', () => {
  const flags = joinFlags(members, { name: 'm9', peerURLs: ['https://10.0.0.9:2380'], dataDir: '/var/lib/etcd' });
  assert.equal(renderCommandLine(flags),
    'etcd --name=m9 --initial-cluster=m1=https://10.0.0.1:2380,m9=https://10.0.0.9:2380 --initial-cluster-state=existing --initial-advertise-peer-urls=https://10.0.0.9:2380 --data-dir=/var/lib/etcd');
  const env = renderEnvFile(flags);
  assert.match(env, /^ETCD_NAME=m9\nETCD_INITIAL_CLUSTER=m1=https:\/\/10\.0\.0\.1:2380,m9=https:\/\/10\.0\.0\.9:2380\nETCD_INITIAL_CLUSTER_STATE=existing\n/);
  assert.deepEqual(parseEnvFile(env), Object.fromEntries(flags));
});
