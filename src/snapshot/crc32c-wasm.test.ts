import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CRC32C_INIT, crc32c, crc32cUpdate } from './crc32c.js';
import { createWasmCrc32c } from './crc32c-wasm.js';

test('the wasm CRC-32C engine is available when running on Node', () => {
  assert.ok(createWasmCrc32c());
});

test('the wasm CRC-32C engine matches the spec vector when hashing "123456789"', () => {
  const engine = createWasmCrc32c();
  assert.ok(engine);
  engine.load(new TextEncoder().encode('123456789'));
  assert.equal((~engine.update(CRC32C_INIT, 0, 9) >>> 0).toString(16), 'e3069283');
});

test('the wasm CRC-32C engine equals the JavaScript one when ranges are odd and chained', () => {
  const engine = createWasmCrc32c();
  assert.ok(engine);
  const data = randomBytes(5000);
  engine.load(data);
  let wasmState = CRC32C_INIT;
  let jsState = CRC32C_INIT;
  for (const [start, end] of [[0, 0], [0, 1], [1, 8], [8, 9], [13, 4000], [4000, 4999], [3, 3], [0, 5000]] as const) {
    wasmState = engine.update(wasmState, start, end);
    jsState = crc32cUpdate(jsState, data, start, end);
    assert.equal(wasmState, jsState, `range ${start}-${end}`);
  }
});

test('the wasm CRC-32C engine grows its memory when a node is larger than one wasm page', () => {
  const engine = createWasmCrc32c();
  assert.ok(engine);
  engine.load(randomBytes(100));
  const big = randomBytes(300_000);
  engine.load(big);
  assert.equal(~engine.update(CRC32C_INIT, 0, big.length) >>> 0, crc32c(big));
});
