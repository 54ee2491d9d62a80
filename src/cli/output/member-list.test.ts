import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemberList } from '../../etcd/index.js';
import { renderMemberList } from './member-list.js';

// Captured from etcdctl 3.7.4 against a fresh single-member etcd 3.7.4.
const ID = 14457916396909594669n;
const list: MemberList = {
  header: { clusterId: 3024969854625004564n, memberId: ID, revision: 0n, raftTerm: 2n },
  members: [{ id: ID, name: 'default', peerURLs: ['http://127.0.0.1:61800'], clientURLs: ['http://127.0.0.1:61790'], isLearner: false }],
};

test('renderMemberList json equals etcdctl 3.7 (revision 0 and isLearner false left out)', () => {
  assert.equal(renderMemberList(list, 'json'),
    '{"header":{"cluster_id":3024969854625004564,"member_id":14457916396909594669,"raft_term":2},' +
    '"members":[{"ID":14457916396909594669,"name":"default","peerURLs":["http://127.0.0.1:61800"],"clientURLs":["http://127.0.0.1:61790"]}]}\n');
});

test('renderMemberList table (box borders), simple and fields equal etcdctl 3.7', () => {
  assert.equal(renderMemberList(list, 'table'), [
    '┌──────────────────┬─────────┬─────────┬────────────────────────┬────────────────────────┬────────────┐',
    '│        ID        │ STATUS  │  NAME   │       PEER ADDRS       │      CLIENT ADDRS      │ IS LEARNER │',
    '├──────────────────┼─────────┼─────────┼────────────────────────┼────────────────────────┼────────────┤',
    '│ c8a4d65c9617882d │ started │ default │ http://127.0.0.1:61800 │ http://127.0.0.1:61790 │      false │',
    '└──────────────────┴─────────┴─────────┴────────────────────────┴────────────────────────┴────────────┘',
    '',
  ].join('\n'));
  assert.equal(renderMemberList(list, 'simple'), 'c8a4d65c9617882d, started, default, http://127.0.0.1:61800, http://127.0.0.1:61790, false\n');
  assert.equal(renderMemberList(list, 'fields'), [
    '"ClusterID" : 3024969854625004564', '"MemberID" : 14457916396909594669', '"RaftTerm" : 2', '"ID" : 14457916396909594669', '"Name" : "default"',
    '"PeerURL" : "http://127.0.0.1:61800"', '"ClientURL" : "http://127.0.0.1:61790"', '"IsLearner" : false', '', '',
  ].join('\n'));
});

test('renderMemberList marks a member without a name as unstarted and prints learners', () => {
  const added = { ...list, members: [{ id: 0x1an, name: '', peerURLs: ['http://10.0.0.2:2380'], clientURLs: [], isLearner: true }] };
  assert.equal(renderMemberList(added, 'simple'), '1a, unstarted, , http://10.0.0.2:2380, , true\n');
  assert.match(renderMemberList(added, 'json'), /"members":\[\{"ID":26,"peerURLs":\["http:\/\/10.0.0.2:2380"\],"isLearner":true\}\]/);
  assert.match(renderMemberList(added, 'fields'), /"ID" : 26\n"Name" : ""\n"PeerURL" : "http:\/\/10.0.0.2:2380"\n"IsLearner" : true\n\n$/);
});
