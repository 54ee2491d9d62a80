import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CRC32C_INIT, crc32cUpdate } from './crc32c.js';
import { createNativeCrc32c } from './crc32c-native.js';

test('native CRC-32C engine is available on this platform (x64/arm64 Linux)', () => {
  assert.ok(createNativeCrc32c(), '@node-rs/crc32 did not load');
});

test('native CRC-32C engine matches the table engine on ranges and chained updates', () => {
  const engine = createNativeCrc32c();
  if (!engine) return;
  const data = randomBytes(10_000);
  engine.load(data);
  for (const [start, end] of [[0, 0], [0, 1], [3, 511], [511, 513], [0, 10_000], [4096, 8192]] as const) {
    assert.equal(engine.update(CRC32C_INIT, start, end), crc32cUpdate(CRC32C_INIT, data, start, end), `${start}-${end}`);
  }
  const chained = engine.update(engine.update(CRC32C_INIT, 0, 700), 700, 10_000);
  assert.equal(chained, crc32cUpdate(CRC32C_INIT, data, 0, 10_000));
  engine.load(new TextEncoder().encode('123456789'));
  assert.equal((~engine.update(CRC32C_INIT, 0, 9)) >>> 0, 0xe3069283);
});
