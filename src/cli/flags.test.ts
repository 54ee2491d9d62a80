import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../errors.js';
import { parseCommandLine, parseDurationMs } from './flags.js';

const defs = {
  endpoints: { type: 'list', env: ['ETCDCTL_ENDPOINTS'], default: ['127.0.0.1:2379'], description: '' },
  'dial-timeout': { type: 'duration', default: 2000, description: '' },
  force: { type: 'boolean', description: '' },
  'write-out': { type: 'string', short: 'w', choices: ['simple', 'json'], default: 'simple', description: '' },
  password: { type: 'string', secret: true, choices: ['x'], description: '' },
} as const;

test('parseCommandLine reads long, short, = and boolean forms', () => {
  const r = parseCommandLine(['a.db', '--endpoints', 'h1:1,h2:2', '-w', 'json', '--dial-timeout=5s', '--force'], defs, {});
  assert.deepEqual(r.args, ['a.db']);
  assert.deepEqual(r.flags.endpoints, ['h1:1', 'h2:2']);
  assert.equal(r.flags['write-out'], 'json');
  assert.equal(r.flags['dial-timeout'], 5000);
  assert.equal(r.flags.force, true);
});

test('parseCommandLine falls back to env vars, then defaults', () => {
  assert.deepEqual(parseCommandLine([], defs, { ETCDCTL_ENDPOINTS: 'e:1' }).flags.endpoints, ['e:1']);
  const r = parseCommandLine([], defs, {});
  assert.deepEqual(r.flags.endpoints, ['127.0.0.1:2379']);
  assert.equal(r.flags.force, false);
  assert.equal(r.flags['dial-timeout'], 2000);
});

test('parseCommandLine accumulates repeated list flags and honours --', () => {
  const r = parseCommandLine(['--endpoints=a', '--endpoints', 'b', '--', '--force'], defs, {});
  assert.deepEqual(r.flags.endpoints, ['a', 'b']);
  assert.deepEqual(r.args, ['--force']);
});

test('parseCommandLine rejects unknown flags, missing values and bad choices with UsageError', () => {
  assert.throws(() => parseCommandLine(['--nope'], defs, {}), UsageError);
  assert.throws(() => parseCommandLine(['--endpoints'], defs, {}), /needs a value/);
  assert.throws(() => parseCommandLine(['-w', 'yaml'], defs, {}), /Invalid value for --write-out/);
  assert.throws(() => parseCommandLine(['--force=maybe'], defs, {}), /true or false/);
});

test('parseCommandLine never echoes a secret value in its error', () => {
  assert.throws(() => parseCommandLine(['--password', 'hunter2'], defs, {}), (err: Error) => !err.message.includes('hunter2'));
});

test('parseDurationMs reads Go durations and plain seconds', () => {
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('30d'), 30 * 86_400_000);
  assert.equal(parseDurationMs('5'), 5000);
  assert.equal(parseDurationMs('5x'), undefined);
  assert.equal(parseDurationMs(''), undefined);
});
