import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointStatus } from '../../etcd/index.js';
import { renderEndpointStatus } from './endpoint-status.js';

// Captured from etcdctl 3.4.23 against a fresh single-member etcd.
const ID = 13668033151171901709n;
const status: EndpointStatus = {
  endpoint: '127.0.0.1:23791', header: { clusterId: 15118495548433857066n, memberId: ID, revision: 1n, raftTerm: 2n }, memberId: ID,
  clusterId: 15118495548433857066n, version: '3.4.23', dbSize: 20480, dbSizeInUse: 16384, leader: ID, raftTerm: 2n, raftIndex: 4n,
  raftAppliedIndex: 4n, isLearner: false, errors: [],
};

test('renderEndpointStatus json equals etcdctl 3.4 byte for byte, uint64 IDs unquoted', () => {
  assert.equal(renderEndpointStatus([status], 'json'),
    '[{"Endpoint":"127.0.0.1:23791","Status":{"header":{"cluster_id":15118495548433857066,"member_id":13668033151171901709,"revision":1,"raft_term":2},' +
    '"version":"3.4.23","dbSize":20480,"leader":13668033151171901709,"raftIndex":4,"raftTerm":2,"raftAppliedIndex":4,"dbSizeInUse":16384}}]\n');
});

test('renderEndpointStatus table and simple equal etcdctl 3.4', () => {
  assert.equal(renderEndpointStatus([status], 'table'), [
    '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
    '|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |',
    '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
    '| 127.0.0.1:23791 | bdae9bbc11dd390d |  3.4.23 |   20 kB |      true |      false |         2 |          4 |                  4 |        |',
    '+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
    '',
  ].join('\n'));
  assert.equal(renderEndpointStatus([status], 'simple'), '127.0.0.1:23791, bdae9bbc11dd390d, 3.4.23, 20 kB, true, false, 2, 4, 4, \n');
});

test('renderEndpointStatus shows errors, a follower and a learner', () => {
  const follower = { ...status, leader: 1n, isLearner: true, errors: ['memberID:1 alarm:NOSPACE', 'x'] };
  assert.equal(renderEndpointStatus([follower], 'simple'), '127.0.0.1:23791, bdae9bbc11dd390d, 3.4.23, 20 kB, false, true, 2, 4, 4, memberID:1 alarm:NOSPACE, x\n');
  assert.match(renderEndpointStatus([follower], 'json'), /"leader":1,.*"errors":\["memberID:1 alarm:NOSPACE","x"\],"dbSizeInUse":16384,"isLearner":true\}/);
});
