/**
 * Issue 20, item 1 (merging) in the daemon: the `deltas` section merges each finished period's
 * segments into one (period and check interval shortened by config for the test), against a
 * real etcd 3.6 with the streamer writing alongside; a restore to a revision inside a merged
 * segment gives the source's `get --rev R`. A config whose merge has no key to decrypt
 * segments with is refused by `config check` and at daemon start, not at the first merge.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { listDeltas } from '../../src/backup/index.js';
import { runDaemon } from '../../src/daemon/index.js';
import { createJsonLogger } from '../../src/logger.js';
import { runKubekeeper } from '../support/cli.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { restoredStateAt, withoutLeases } from '../support/pitr-check.js';
import { pitrDaemonConfig, startPitrDaemon } from '../support/pitr-daemon.js';
import { untilMergedSegment } from '../support/pitr-merge.js';
import { startPitr } from '../support/pitr-setup.js';
import { etcdctlState } from '../support/pitr-workload.js';
import { until } from '../support/poll.js';
import { tempDir } from '../support/temp.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

test('daemon deltas merge finished periods into one segment while streaming, and a restore inside a merged segment matches the source', { timeout: 300_000, skip: peer.missing }, async (t) => {
  const { dir, keyFile, recipient, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-dmerge-', binDir: peer.peer?.binDir, seed: 31, operations: 20 });
  const config = pitrDaemonConfig({
    dir, repoDir, endpoint: etcd.clientUrl, recipients: [recipient],
    // 5 s periods hold many 200 ms flushes, even when a loaded machine makes each write slow.
    deltas: { enabled: true, flushIntervalMs: 200, flushBytes: 1024 * 1024, maxLagMs: 60_000, electionTtlMs: 3000, merge: true, mergeIdentityFiles: [keyFile], mergePeriodMs: 5000, mergeIntervalMs: 1000 },
  });
  const { lines, repo, stop } = await startPitrDaemon(t, config);
  // Writes keep coming while the daemon merges the periods behind them.
  const written: number[] = [];
  const merged = await untilMergedSegment({ repo, round: () => workload.run(8), written, minParts: 3, minInside: 3, timeoutMs: 120_000, lines });
  const last = written[written.length - 1] as number;
  await until(`revision ${last} stored`, async () => ((await listDeltas(repo)).segments.some((s) => s.lastRevision >= last) ? true : undefined));
  await stop();
  assert.ok(lines.some((l) => l.includes('"event":"delta.merge.enabled"') && l.includes('"keys":"deltas.mergeIdentityFiles"')), 'merge enabled with the identity files');
  assert.ok(lines.some((l) => l.includes('"event":"delta.merge.done"')));
  assert.ok(!lines.some((l) => l.includes('"event":"delta.merge.failed"')), lines.filter((l) => l.includes('merge.failed')).join('\n'));
  const listing = await listDeltas(repo);
  assert.ok(listing.segments.some((s) => s.name === merged.name), 'the merged segment is stored');
  for (const part of merged.mergedFrom ?? []) assert.equal(listing.segments.some((s) => s.name === part), false, `part ${part} removed after the merge`);
  assert.equal(listing.objects.length, listing.segments.length, 'no part data left behind');

  const inside = written.filter((r) => r > merged.firstRevision && r < merged.lastRevision);
  const target = inside[Math.floor(inside.length / 2)] as number;
  const expected = withoutLeases(await etcdctlState(etcd, target));
  assert.deepEqual(await restoredStateAt({ dir, repoDir, keyFiles: [keyFile], backup: 'full1', revision: target, binDir: peer.peer?.binDir }), expected);
  // And the newest point, across the merged segments and those written after them.
  assert.deepEqual(await restoredStateAt({ dir, repoDir, keyFiles: [keyFile], backup: 'full1', revision: last, binDir: peer.peer?.binDir }), withoutLeases(await etcdctlState(etcd, last)));
});

test('a deltas merge with no key to decrypt segments is refused by config check and at daemon start; a passphrase or merge: false is accepted', async (t) => {
  const dir = await tempDir(t, 'kk-pitr-mergekeys-');
  const base = ['etcd:', '  endpoints: [127.0.0.1:2379]', 'repository:', `  url: ${dir}/repo`];
  const recipients = ['backup:', '  recipients: [age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq]'];
  const check = async (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    await writeFile(file, [...base, ...lines, ''].join('\n'));
    return runKubekeeper(['config', 'check', '--config', file, '-w', 'json']);
  };
  const refused = await check('nokey.yaml', [...recipients, 'deltas:', '  enabled: true']);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /deltas\.merge: merging delta segments must decrypt them/);
  assert.match(refused.stderr, /deltas\.mergeIdentityFiles|merge: false/);
  const off = await check('off.yaml', [...recipients, 'deltas:', '  merge: false']);
  assert.equal(off.code, 0, off.stderr);
  assert.equal((JSON.parse(off.stdout) as { deltas: { merge?: boolean } }).deltas.merge, false);
  const passFile = path.join(dir, 'pass.txt');
  await writeFile(passFile, 'correct horse battery staple\n', { mode: 0o600 });
  const pass = await check('pass.yaml', ['backup:', `  passphraseFile: ${passFile}`, 'deltas:', '  mergePeriod: 1h', '  mergeInterval: 5m', '  orphanGrace: 2h']);
  assert.equal(pass.code, 0, pass.stderr);
  assert.deepEqual((JSON.parse(pass.stdout) as { deltas: unknown }).deltas, { enabled: true, flushInterval: '10s', watchPoll: '1s', flushSizeMiB: 64, maxLag: '5m', mergePeriod: '1h', mergeInterval: '5m', orphanGrace: '2h' });

  // The daemon itself refuses before it starts anything (no etcd is needed to see it).
  let listening = false;
  const config = pitrDaemonConfig({ dir, repoDir: path.join(dir, 'repo'), endpoint: '127.0.0.1:1', recipients: ['age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq'], deltas: { enabled: true, flushIntervalMs: 1000, flushBytes: 1024, maxLagMs: 60_000, merge: true } });
  config.metrics.listen = '127.0.0.1:0';
  await assert.rejects(runDaemon(config, { signal: AbortSignal.timeout(30_000), logger: createJsonLogger(() => undefined), onListening: () => (listening = true) }), /deltas\.merge: merging delta segments must decrypt them/);
  assert.equal(listening, false);
});
