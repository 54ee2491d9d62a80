import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemberList } from '../../etcd/index.js';
import { renderMemberList } from './member-list.js';

// Captured from etcdctl 3.4.23 against a fresh single-member etcd.
const ID = 13668033151171901709n;
const list: MemberList = {
  header: { clusterId: 15118495548433857066n, memberId: ID, revision: 0n, raftTerm: 2n },
  members: [{ id: ID, name: 'a', peerURLs: ['http://127.0.0.1:23801'], clientURLs: ['http://127.0.0.1:23791'], isLearner: false }],
};

test('renderMemberList json equals etcdctl 3.4 (revision 0 and isLearner false left out)', () => {
  assert.equal(renderMemberList(list, 'json'),
    '{"header":{"cluster_id":15118495548433857066,"member_id":13668033151171901709,"raft_term":2},' +
    '"members":[{"ID":13668033151171901709,"name":"a","peerURLs":["http://127.0.0.1:23801"],"clientURLs":["http://127.0.0.1:23791"]}]}\n');
});

test('renderMemberList table and simple equal etcdctl 3.4', () => {
  assert.equal(renderMemberList(list, 'table'), [
    '+------------------+---------+------+------------------------+------------------------+------------+',
    '|        ID        | STATUS  | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |',
    '+------------------+---------+------+------------------------+------------------------+------------+',
    '| bdae9bbc11dd390d | started |    a | http://127.0.0.1:23801 | http://127.0.0.1:23791 |      false |',
    '+------------------+---------+------+------------------------+------------------------+------------+',
    '',
  ].join('\n'));
  assert.equal(renderMemberList(list, 'simple'), 'bdae9bbc11dd390d, started, a, http://127.0.0.1:23801, http://127.0.0.1:23791, false\n');
});

test('renderMemberList marks a member without a name as unstarted and prints learners', () => {
  const added = { ...list, members: [{ id: 0x1an, name: '', peerURLs: ['http://10.0.0.2:2380'], clientURLs: [], isLearner: true }] };
  assert.equal(renderMemberList(added, 'simple'), '1a, unstarted, , http://10.0.0.2:2380, , true\n');
  assert.match(renderMemberList(added, 'json'), /"members":\[\{"ID":26,"peerURLs":\["http:\/\/10.0.0.2:2380"\],"isLearner":true\}\]/);
});
