import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointStatus } from '../../etcd/index.js';
import { renderEndpointStatus } from './endpoint-status.js';

// Captured from etcdctl 3.7.4 against fresh single-member etcd 3.7.4 and 3.4.23 servers.
const ID = 14457916396909594669n;
const status37: EndpointStatus = {
  endpoint: 'http://127.0.0.1:61790', header: { clusterId: 3024969854625004564n, memberId: ID, revision: 1n, raftTerm: 2n }, memberId: ID,
  clusterId: 3024969854625004564n, version: '3.7.4', dbSize: 20480, dbSizeInUse: 16384, leader: ID, raftTerm: 2n, raftIndex: 4n,
  raftAppliedIndex: 4n, isLearner: false, errors: [], storageVersion: '3.7.0', dbSizeQuota: 2147483648, downgradeInfo: { enabled: false, targetVersion: '' },
};
const ID34 = 5147096428030983514n;
const status34: EndpointStatus = {
  ...status37, endpoint: 'http://127.0.0.1:61791', header: { clusterId: 11164511044631257395n, memberId: ID34, revision: 1n, raftTerm: 2n },
  memberId: ID34, clusterId: 11164511044631257395n, version: '3.4.23', leader: ID34, storageVersion: '', dbSizeQuota: 0, downgradeInfo: undefined,
};

test('renderEndpointStatus json equals etcdctl 3.7 byte for byte: uint64 IDs unquoted, an empty downgradeInfo kept, an absent one left out', () => {
  assert.equal(renderEndpointStatus([status37], 'json'),
    '[{"Endpoint":"http://127.0.0.1:61790","Status":{"header":{"cluster_id":3024969854625004564,"member_id":14457916396909594669,"revision":1,"raft_term":2},' +
    '"version":"3.7.4","dbSize":20480,"leader":14457916396909594669,"raftIndex":4,"raftTerm":2,"raftAppliedIndex":4,"dbSizeInUse":16384,' +
    '"storageVersion":"3.7.0","dbSizeQuota":2147483648,"downgradeInfo":{}}}]\n');
  assert.equal(renderEndpointStatus([status34], 'json'),
    '[{"Endpoint":"http://127.0.0.1:61791","Status":{"header":{"cluster_id":11164511044631257395,"member_id":5147096428030983514,"revision":1,"raft_term":2},' +
    '"version":"3.4.23","dbSize":20480,"leader":5147096428030983514,"raftIndex":4,"raftTerm":2,"raftAppliedIndex":4,"dbSizeInUse":16384}}]\n');
});

test('renderEndpointStatus table equals etcdctl 3.7 (box borders) for a 3.4 server', () => {
  assert.equal(renderEndpointStatus([status34], 'table'), [
    '┌────────────────────────┬──────────────────┬─────────┬─────────────────┬─────────┬────────┬───────────────────────┬───────┬───────────┬────────────┬───────────┬────────────┬────────────────────┬────────┬──────────────────────────┬───────────────────┐',
    '│        ENDPOINT        │        ID        │ VERSION │ STORAGE VERSION │ DB SIZE │ IN USE │ PERCENTAGE NOT IN USE │ QUOTA │ IS LEADER │ IS LEARNER │ RAFT TERM │ RAFT INDEX │ RAFT APPLIED INDEX │ ERRORS │ DOWNGRADE TARGET VERSION │ DOWNGRADE ENABLED │',
    '├────────────────────────┼──────────────────┼─────────┼─────────────────┼─────────┼────────┼───────────────────────┼───────┼───────────┼────────────┼───────────┼────────────┼────────────────────┼────────┼──────────────────────────┼───────────────────┤',
    '│ http://127.0.0.1:61791 │ 476e28ee4977fd5a │  3.4.23 │                 │   20 kB │  16 kB │                   20% │   0 B │      true │      false │         2 │          4 │                  4 │        │                          │             false │',
    '└────────────────────────┴──────────────────┴─────────┴─────────────────┴─────────┴────────┴───────────────────────┴───────┴───────────┴────────────┴───────────┴────────────┴────────────────────┴────────┴──────────────────────────┴───────────────────┘',
    '',
  ].join('\n'));
});

test('renderEndpointStatus simple and fields equal etcdctl 3.7', () => {
  assert.equal(renderEndpointStatus([status37], 'simple'), 'http://127.0.0.1:61790, c8a4d65c9617882d, 3.7.4, 3.7.0, 20 kB, 16 kB, 20%, 2.1 GB, true, false, 2, 4, 4, , , false\n');
  assert.equal(renderEndpointStatus([status34], 'simple'), 'http://127.0.0.1:61791, 476e28ee4977fd5a, 3.4.23, , 20 kB, 16 kB, 20%, 0 B, true, false, 2, 4, 4, , , false\n');
  assert.equal(renderEndpointStatus([status34], 'fields'), [
    '"ClusterID" : 11164511044631257395', '"MemberID" : 5147096428030983514', '"Revision" : 1', '"RaftTerm" : 2', '"Version" : "3.4.23"',
    '"StorageVersion" : ""', '"DBSize" : 20480', '"DBSizeInUse" : 16384', '"DBSizeQuota" : 0', '"Leader" : 5147096428030983514', '"IsLearner" : false',
    '"RaftIndex" : 4', '"RaftAppliedIndex" : 4', '"Errors" : []', '"Endpoint" : "http://127.0.0.1:61791"', '"DowngradeTargetVersion" : ""',
    '"DowngradeEnabled" : false', '', '',
  ].join('\n'));
});

test('renderEndpointStatus shows errors, a follower, a learner and a downgrade in progress', () => {
  const follower = { ...status37, leader: 1n, isLearner: true, errors: ['memberID:1 alarm:NOSPACE', 'x'], downgradeInfo: { enabled: true, targetVersion: '3.6.0' } };
  assert.equal(renderEndpointStatus([follower], 'simple'),
    'http://127.0.0.1:61790, c8a4d65c9617882d, 3.7.4, 3.7.0, 20 kB, 16 kB, 20%, 2.1 GB, false, true, 2, 4, 4, memberID:1 alarm:NOSPACE, x, 3.6.0, true\n');
  assert.match(renderEndpointStatus([follower], 'json'), /"leader":1,.*"errors":\["memberID:1 alarm:NOSPACE","x"\],"dbSizeInUse":16384,"isLearner":true,.*"downgradeInfo":\{"enabled":true,"targetVersion":"3.6.0"\}\}/);
  assert.match(renderEndpointStatus([follower], 'fields'), /"Errors" : \[memberID:1 alarm:NOSPACE x\]\n/);
});

test('renderEndpointStatus rounds the percentage not in use down like etcdctl\'s integer division', () => {
  // 100 - 10000*100/30000 = 100 - 33 = 67.
  assert.match(renderEndpointStatus([{ ...status37, dbSize: 30000, dbSizeInUse: 10000 }], 'simple'), /, 30 kB, 10 kB, 67%, /);
});
