import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineCommand } from '../command.js';
import { formatDurationMs, renderHelp } from './help.js';

test('formatDurationMs prints durations as they are typed', () => {
  assert.equal(formatDurationMs(31_536_000_000), '365d');
  assert.equal(formatDurationMs(90_000), '1m30s');
  assert.equal(formatDurationMs(2000), '2s');
  assert.equal(formatDurationMs(250), '250ms');
  assert.equal(formatDurationMs(0), '0s');
});

test('renderHelp shows flags with defaults, env vars and duration defaults in units', () => {
  const help = renderHelp(defineCommand({
    name: 'x y', summary: 'Does x', args: '<file>', flags: {
      'dial-timeout': { type: 'duration', default: 2000, env: ['ETCDCTL_DIAL_TIMEOUT'], description: 'Dial timeout' },
      force: { type: 'boolean', description: 'Overwrite' },
    }, run: async () => 0,
  }));
  assert.match(help, /^Usage: kubekeeper x y <file> \[flags\]$/m);
  assert.match(help, /--dial-timeout DURATION +Dial timeout \(default 2s; env ETCDCTL_DIAL_TIMEOUT\)/);
  assert.match(help, /--force +Overwrite$/m);
});
