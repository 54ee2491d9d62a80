import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deltaMergeKeys } from './config-deltas.js';
import { ConfigError, type KubekeeperConfig } from './config.js';
import { parseConfigText } from './config-load.js';

const config = (deltas: Partial<NonNullable<KubekeeperConfig['deltas']>>, backup: Partial<KubekeeperConfig['backup']> = {}, drill: Partial<KubekeeperConfig['drill']> = {}) => ({
  deltas: { enabled: true, flushIntervalMs: 1000, flushBytes: 1, maxLagMs: 1000, ...deltas },
  backup: { namePrefix: 'x', compression: 'gzip' as const, recipients: ['age1x'], include: [], timeoutMs: 1, ...backup },
  drill: { enabled: false, identityFiles: [], expectKeys: [], etcdBinary: 'etcd', timeoutMs: 1, ...drill },
});

test('deltaMergeKeys takes mergeIdentityFiles, else the backup passphrase, else the drill keys; refuses a merge with none', () => {
  assert.deepEqual(deltaMergeKeys(config({ merge: true, mergeIdentityFiles: ['/k'] }, { passphraseFile: '/p' })), { identityFiles: ['/k'], source: 'deltas.mergeIdentityFiles' });
  assert.deepEqual(deltaMergeKeys(config({ merge: true }, { recipients: [], passphraseFile: '/p' })), { identityFiles: [], passphraseFile: '/p', source: 'backup.passphraseFile' });
  assert.deepEqual(deltaMergeKeys(config({ merge: true }, {}, { identityFiles: ['/d'] })), { identityFiles: ['/d'], source: 'drill.identityFiles/passphraseFile' });
  assert.throws(() => deltaMergeKeys(config({ merge: true })), (err: Error & { code?: string; hint?: string }) => err.code === 'config-invalid' && /deltas\.merge/.test(err.message) && /merge: false/.test(err.hint ?? ''));
  assert.equal(deltaMergeKeys(config({ merge: false, mergeIdentityFiles: ['/k'] })), undefined);
  assert.equal(deltaMergeKeys(config({ enabled: false, merge: true })), undefined);
  assert.equal(deltaMergeKeys(config({})), undefined, 'a config built in code without merge: no merge, no error');
});

test('deltas.watchPoll: 1 s by default (or flushInterval when shorter), 0 holds the watch open, never longer than flushInterval', () => {
  const base = ['etcd:', '  endpoints: [127.0.0.1:1]', 'repository:', '  url: /tmp/kk-repo', 'backup:', '  passphraseFile: /tmp/kk-pass', 'deltas:'];
  const parse = (...lines: string[]) => parseConfigText('d.yaml', [...base, ...lines].join('\n'), {}).config.deltas;
  assert.equal(parse('  enabled: true')?.watchPollMs, 1000);
  assert.equal(parse('  flushInterval: 300ms')?.watchPollMs, 300);
  assert.equal(parse('  watchPoll: 0')?.watchPollMs, 0);
  assert.equal(parse('  watchPoll: 250ms')?.watchPollMs, 250);
  assert.throws(() => parse('  flushInterval: 2s', '  watchPoll: 5s'), (err: unknown) => err instanceof ConfigError && /deltas\.watchPoll/.test(err.message) && /flushInterval/.test(err.message));
});
