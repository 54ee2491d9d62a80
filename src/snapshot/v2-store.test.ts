import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeV2Store } from './v2-store.js';

const member = { id: 10276657743932975437n, name: 'default', peerUrls: ['http://localhost:2380'] };

test('encodeV2Store has the 6457-byte size of etcdctl\'s default restore (spec §5.7)', () => {
  const json = encodeV2Store([member]);
  assert.equal(Buffer.byteLength(json), 6457);
  assert.ok(json.startsWith('{"Root":{"Path":"/","CreatedIndex":0,"ModifiedIndex":0,"ExpireTime":"0001-01-01T00:00:00Z","Value":"","Children":{"0":'));
  assert.ok(json.endsWith(',"CurrentIndex":1,"Stats":{"getsSuccess":0,"getsFail":0,"setsSuccess":0,"setsFail":0,"deleteSuccess":0,"deleteFail":0,"updateSuccess":0,"updateFail":0,"createSuccess":1,"createFail":0,"compareAndSwapSuccess":0,"compareAndSwapFail":0,"compareAndDeleteSuccess":0,"compareAndDeleteFail":0,"expireCount":0,"watchers":0},"CurrentVersion":2}'));
});

test('encodeV2Store is valid JSON with one event per member and 1000 slots', () => {
  const parsed = JSON.parse(encodeV2Store([member, { id: 2n, name: 'b', peerUrls: ['http://b:1'] }])) as {
    WatcherHub: { EventHistory: { Queue: { Events: unknown[]; Size: number } } };
    Root: { Children: { '0': { Children: { members: { Children: Record<string, unknown> } } } } };
  };
  assert.equal(parsed.WatcherHub.EventHistory.Queue.Events.length, 1000);
  assert.equal(parsed.WatcherHub.EventHistory.Queue.Size, 2);
  // Member dirs are keyed by unpadded hex and sorted as strings, not by numeric ID.
  assert.deepEqual(Object.keys(parsed.Root.Children['0'].Children.members.Children), ['2', '8e9e05c52164694d']);
});

test('encodeV2Store refuses an empty member list', () => {
  assert.throws(() => encodeV2Store([]), RangeError);
});
