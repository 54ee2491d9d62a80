import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectStates, diffStates } from './diff-objects.js';
import type { LiveKey } from './live-keys.js';

const enc = new TextEncoder();
async function* keys(...entries: [string, string, number][]): AsyncGenerator<LiveKey> {
  for (const [key, value, rev] of entries) yield { key: enc.encode(key), value: enc.encode(value), modRevision: BigInt(rev), createRevision: 1n, version: 1n, lease: 0n } as LiveKey;
}

test('diffStates carries the encryption at rest of each side: added encrypted, re-encrypted from plaintext', async () => {
  const before = await collectStates(keys(['/registry/secrets/ns/rotated', 'k8s\0plain', 5]));
  const after = await collectStates(keys(
    ['/registry/secrets/ns/rotated', 'k8s:enc:secretbox:v1:key2:\x01\x02', 9],
    ['/registry/secrets/ns/new', 'k8s:enc:aescbc:v1:key1:\x03', 10],
  ));
  const changes = diffStates(before, after);
  assert.deepEqual(changes.map((c) => [c.change, c.name, c.before?.encryption, c.after?.encryption]), [
    ['added', 'new', undefined, 'aescbc/key1'],
    ['changed', 'rotated', undefined, 'secretbox/key2'],
  ]);
});
