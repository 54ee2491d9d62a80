import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Member } from '../etcd/index.js';
import { checkRemovalKeepsQuorum, QuorumError, quorumOf } from './quorum.js';

const member = (id: bigint, name: string, isLearner = false): Member => ({ id, name, peerURLs: [`http://10.0.0.${id}:2380`], clientURLs: [`http://10.0.0.${id}:2379`], isLearner });
const three = [member(1n, 'a'), member(2n, 'b'), member(3n, 'c')];

test('quorumOf is a strict majority of the voters', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(quorumOf), [1, 2, 2, 3, 3]);
});

test('checkRemovalKeepsQuorum allows removing the one dead member of three', () => {
  checkRemovalKeepsQuorum(three, new Set([1n, 2n]), 3n);
});

test('checkRemovalKeepsQuorum refuses removing a live member when another is down', () => {
  assert.throws(() => checkRemovalKeepsQuorum(three, new Set([1n, 2n]), 1n), (err: QuorumError) =>
    err instanceof QuorumError && err.code === 'member-quorum' && err.voters === 2 && err.healthy === 1 && err.needed === 2 && /"c" down/.test(err.message) && /member replace c/.test(err.hint ?? ''));
});

test('checkRemovalKeepsQuorum refuses any change when the cluster has no quorum now', () => {
  assert.throws(() => checkRemovalKeepsQuorum(three, new Set([1n]), 3n), (err: QuorumError) => err.healthy === 1 && err.needed === 2 && /member recover/.test(err.hint ?? ''));
});

test('checkRemovalKeepsQuorum ignores learners for quorum and allows removing one', () => {
  checkRemovalKeepsQuorum([...three, member(4n, 'd', true)], new Set([1n, 2n]), 4n);
});
