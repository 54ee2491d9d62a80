/**
 * Issue 20, item 1 (merging) in the daemon with a passphrase: backups and segments encrypted
 * to backup.passphraseFile, no mergeIdentityFiles; the daemon's merge decrypts the segments
 * with that passphrase (real etcd 3.6), and a restore with the passphrase to a revision inside
 * a merged segment gives the source's `get --rev R`.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { findEtcd, pinnedVersions } from '../support/peers.js';
import { restoredStateAt, withoutLeases } from '../support/pitr-check.js';
import { pitrDaemonConfig, startPitrDaemon } from '../support/pitr-daemon.js';
import { untilMergedSegment } from '../support/pitr-merge.js';
import { startPitr } from '../support/pitr-setup.js';
import { etcdctlState } from '../support/pitr-workload.js';

const peer = findEtcd(pinnedVersions.ETCD_36 as string);

test('daemon deltas merge with backup.passphraseFile as the only key, and the merged segment restores', { timeout: 300_000, skip: peer.missing }, async (t) => {
  // No age identity is used: everything is encrypted to the passphrase.
  const { dir, repoDir, etcd, workload } = await startPitr(t, { prefix: 'kk-pitr-pmerge-', binDir: peer.peer?.binDir, seed: 37, operations: 20, fullBackup: false });
  const passFile = path.join(dir, 'pass.txt');
  await writeFile(passFile, 'merge with the passphrase, not an identity file\n', { mode: 0o600 });
  const saved = await runKubekeeper(['backup', 'save', ...etcd.clientFlags, '--repo', repoDir, '--passphrase-file', passFile, '--name', 'full1']);
  assert.equal(saved.code, 0, saved.stderr);
  // Every segment costs an scrypt (work factor 18) to write and one to read, seconds on a loaded
  // machine: 20 s periods hold several 1 s flushes however slow each write is.
  const config = pitrDaemonConfig({
    dir, repoDir, endpoint: etcd.clientUrl, recipients: [], passphraseFile: passFile,
    deltas: { enabled: true, flushIntervalMs: 1000, flushBytes: 1024 * 1024, maxLagMs: 60_000, electionTtlMs: 3000, merge: true, mergePeriodMs: 20_000, mergeIntervalMs: 2000 },
  });
  const { lines, repo, stop } = await startPitrDaemon(t, config);
  const written: number[] = [];
  const merged = await untilMergedSegment({ repo, round: () => workload.run(5), written, minParts: 2, minInside: 1, timeoutMs: 180_000, lines });
  await stop();
  assert.ok(lines.some((l) => l.includes('"event":"delta.merge.enabled"') && l.includes('"keys":"backup.passphraseFile"')));
  assert.ok(!lines.some((l) => l.includes('"event":"delta.merge.failed"')), lines.filter((l) => l.includes('merge.failed')).join('\n'));
  assert.equal(merged.encryption.scheme, 'age');
  const target = written.find((r) => r > merged.firstRevision && r < merged.lastRevision) as number;
  const expected = withoutLeases(await etcdctlState(etcd, target));
  assert.deepEqual(await restoredStateAt({ dir, repoDir, keyFiles: [], extraArgs: ['--passphrase-file', passFile], backup: 'full1', revision: target, binDir: peer.peer?.binDir }), expected);
});
