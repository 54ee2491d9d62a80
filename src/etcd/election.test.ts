import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { ProtoWriter } from '../protobuf/index.js';
import { campaign, electionKey, type ElectionChannel } from './election.js';
import { decodePutIfAbsentTxn, encodePutIfAbsentTxn } from './election-messages.js';
import { METHODS } from './grpc-channel.js';

const lease = (id: bigint, ttl: bigint) => Buffer.from(new ProtoWriter().varint(2, id).varint(3, ttl).finish());

/** A member that grants lease 7, lets the Txn win, and answers keep-alives with `keepAliveTtl`. */
function fakeChannel(keepAliveTtl: bigint): ElectionChannel & { revoked: number } {
  const channel = {
    revoked: 0,
    unary(path: string): Promise<Buffer> {
      if (path === METHODS.leaseGrant) return Promise.resolve(lease(7n, 1n));
      if (path === METHODS.txn) return Promise.resolve(Buffer.from(new ProtoWriter().varint(2, true).finish()));
      if (path === METHODS.leaseRevoke) channel.revoked++;
      return Promise.resolve(Buffer.alloc(0));
    },
    bidiOnce: () => Promise.resolve(lease(7n, keepAliveTtl)),
  };
  return channel;
}

test('campaign marks leadership lost when a keep-alive says the lease expired', async () => {
  const lostReasons: string[] = [];
  const r = await campaign(fakeChannel(0n), { job: 'backup', ttlSeconds: 1, onLost: (reason) => lostReasons.push(reason) });
  assert.ok(r.won);
  // The keep-alive timer is unref'd (it never holds a process open by itself): keep the loop alive here.
  const keep = setInterval(() => undefined, 1000);
  await once(r.leadership.lost, 'abort').finally(() => clearInterval(keep));
  assert.deepEqual(lostReasons, ['the lease expired']);
  assert.match(String((r.leadership.lost.reason as Error).message), /Lost the election key "\/kubekeeper\.io\/election\/backup"/);
  await r.leadership.resign();
});

test('resign revokes the lease once and stops the keep-alives', async () => {
  const channel = fakeChannel(1n);
  const r = await campaign(channel, { job: 'drill', ttlSeconds: 1 });
  assert.ok(r.won);
  await r.leadership.resign();
  await r.leadership.resign();
  assert.equal(channel.revoked, 1);
  assert.equal(r.leadership.lost.aborted, false);
});

test('the put-if-absent Txn decodes the holder from the failure range', () => {
  const kv = new ProtoWriter().bytes(1, '/kubekeeper.io/election/backup').varint(2, 5n).bytes(5, 'node-b/9/ff').finish();
  const range = new ProtoWriter().bytes(2, kv).finish();
  const response = new ProtoWriter().varint(2, false).bytes(3, new ProtoWriter().bytes(1, range).finish()).finish();
  const decoded = decodePutIfAbsentTxn(response);
  assert.equal(decoded.succeeded, false);
  assert.equal(new TextDecoder().decode(decoded.current?.value), 'node-b/9/ff');
  assert.ok(encodePutIfAbsentTxn('/k', 'v', 1n).length > 0);
  assert.throws(() => electionKey('../x'), /Invalid election job name/);
});
