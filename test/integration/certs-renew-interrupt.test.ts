/**
 * A renewal interrupted midway leaves the original files or the new ones, never a mix: the
 * process is killed between two swaps (or while staging), then the next run finishes the
 * journal. Also: in-process failures recover at once, dry runs write nothing, one renewal at
 * a time.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findUnfinishedJournals, recoverUnfinished, renewCertificates, type RenewCertificatesOptions } from '../../src/certs/index.js';
import { journalState, readJournal } from '../../src/certs/renewal-journal.js';
import { AbortedError, AppError } from '../../src/errors.js';
import { runProcess } from '../support/cli.js';
import { copyKubeadmPki, kubeadmPkiFixture, treeFingerprint, type KubeadmPki } from '../support/kubeadm-pki.js';

const DAY = 86_400_000;
const certsIndex = fileURLToPath(new URL('../../src/certs/index.js', import.meta.url));
let base: KubeadmPki & { remove(): Promise<void> };
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kk-interrupt-'));
after(async () => {
  await base?.remove();
  rmSync(scratch, { recursive: true, force: true });
});
before(async () => {
  base = await kubeadmPkiFixture({ keyType: 'ecdsa' });
});

let n = 0;
function node(): { pki: KubeadmPki; options: RenewCertificatesOptions } {
  const pki = copyKubeadmPki(base, path.join(scratch, `node-${n++}`));
  const options: RenewCertificatesOptions = {
    names: ['all'], pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir, manifestsDir: pki.manifestsDir,
    backupRoot: path.join(pki.root, 'tmp'), now: new Date(), validityMs: 365 * DAY, dryRun: false,
  };
  return { pki, options };
}

/** Runs `renew all` in a child process that dies (exit 86, no cleanup) after step `hook` number `at`. */
async function renewAndDie(options: RenewCertificatesOptions, hook: 'afterSwap' | 'afterStage', at: number): Promise<void> {
  const script = `
    import { renewCertificates } from ${JSON.stringify(certsIndex)};
    const options = JSON.parse(process.env.KK_OPTIONS);
    await renewCertificates({ ...options, now: new Date(options.now), hooks: { ${hook}(i) { if (i === ${at}) process.exit(86); } } });
    process.exit(0);`;
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', script], { env: { KK_OPTIONS: JSON.stringify(options) } });
  assert.equal(result.code, 86, result.stderr);
}

async function onlyJournal(backupRoot: string): Promise<string> {
  const dirs = readdirSync(backupRoot).filter((d) => d.startsWith('kubekeeper-certs-'));
  assert.equal(dirs.length, 1);
  return path.join(backupRoot, dirs[0] as string, 'journal.json');
}

test('a renewal killed between two swaps is completed by the next run, leaving only new files', async () => {
  const { options } = node();
  await renewAndDie(options, 'afterSwap', 4);
  const journalFile = await onlyJournal(options.backupRoot as string);
  const journal = await readJournal(journalFile);
  assert.equal(journal.phase, 'swapping');
  assert.equal(await journalState(journal), 'mixed', 'the kill really happened midway');
  assert.deepEqual(await findUnfinishedJournals(options.backupRoot as string), [journalFile]);

  const dry = await renewCertificates({ ...options, dryRun: true });
  assert.deepEqual(dry.unfinished, [journalFile], 'a dry run reports it and leaves it');
  assert.equal(await journalState(journal), 'mixed');

  const rerun = await renewCertificates({ ...options, names: ['admin.conf'] });
  assert.deepEqual(rerun.recovered, [{ journal: journalFile, outcome: 'completed' }]);
  assert.equal((await readJournal(journalFile)).phase, 'done');
  // Every target now holds the interrupted renewal's content, except admin.conf which the rerun renewed again.
  const stillNew = journal.entries.filter((e) => !e.target.endsWith('admin.conf'));
  assert.equal(await journalState({ ...journal, entries: stillNew }), 'new');
  assert.equal(journal.entries.some((e) => existsSync(e.staged)), false);
});

test('a renewal killed while staging is rolled back by the next run, leaving only the originals', async () => {
  const { pki, options } = node();
  const pkiBefore = treeFingerprint(pki.pkiDir);
  await renewAndDie(options, 'afterStage', 6);
  const journalFile = await onlyJournal(options.backupRoot as string);
  const journal = await readJournal(journalFile);
  assert.equal(journal.phase, 'staging');
  assert.ok(journal.entries.some((e) => existsSync(e.staged)), 'staged files were left behind');
  assert.deepEqual(await recoverUnfinished(options.backupRoot as string, { pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir }), [{ journal: journalFile, outcome: 'rolled-back' }]);
  assert.equal(await journalState(journal), 'old');
  assert.deepEqual(treeFingerprint(pki.pkiDir), pkiBefore);
});

test('a failure between swaps in the same process completes the renewal from the journal and says so', async () => {
  const { options } = node();
  await assert.rejects(renewCertificates({ ...options, hooks: { afterSwap: (i) => { if (i === 2) throw new Error('disk on fire'); } } }),
    (e: unknown) => e instanceof AppError && e.code === 'certs-renew-interrupted' && /disk on fire; the renewal was completed from its journal/.test(e.message));
  const journal = await readJournal(await onlyJournal(options.backupRoot as string));
  assert.equal(journal.phase, 'done');
  assert.equal(await journalState(journal), 'new');
});

test('a failure while staging in the same process restores the originals and removes staged files', async () => {
  const { pki, options } = node();
  const before = treeFingerprint(pki.pkiDir);
  await assert.rejects(renewCertificates({ ...options, hooks: { afterStage: (i) => { if (i === 3) throw new Error('no space left'); } } }), /no space left/);
  assert.deepEqual(treeFingerprint(pki.pkiDir), before);
  assert.equal((await readJournal(await onlyJournal(options.backupRoot as string))).phase, 'rolled-back');
});

test('an interrupt (SIGINT) while staging stops the renewal and leaves the originals', async () => {
  const { pki, options } = node();
  const before = treeFingerprint(pki.pkiDir);
  const controller = new AbortController();
  await assert.rejects(renewCertificates({ ...options, signal: controller.signal, hooks: { afterStage: (i) => { if (i === 1) controller.abort(); } } }), AbortedError);
  assert.deepEqual(treeFingerprint(pki.pkiDir), before);
});

test('a dry run writes nothing: no file, mode or mtime changes and no backup folder', async () => {
  const { pki, options } = node();
  const before = treeFingerprint(pki.root);
  const outcome = await renewCertificates({ ...options, dryRun: true });
  assert.equal(outcome.plan.items.filter((i) => i.action === 'renew').length, 11);
  assert.equal(outcome.result, undefined);
  assert.deepEqual(treeFingerprint(pki.root), before);
  assert.equal(existsSync(options.backupRoot as string), false);
});

test('a second renewal is refused while another live process holds the lock, and a dead holder\'s lock is taken over', async () => {
  const { options } = node();
  const backupRoot = options.backupRoot as string;
  mkdirSync(backupRoot, { recursive: true });
  const lock = path.join(backupRoot, 'kubekeeper-certs.lock');
  writeFileSync(lock, `${process.ppid}\n`);
  await assert.rejects(renewCertificates(options), (e: unknown) => e instanceof AppError && e.code === 'certs-renew-locked' && e.message.includes(`PID ${process.ppid}`));
  writeFileSync(lock, '2147483646\n');
  const outcome = await renewCertificates({ ...options, names: ['apiserver'] });
  assert.ok(outcome.result);
  assert.equal(existsSync(lock), false, 'released');
  assert.match(readFileSync(path.join(outcome.result.backupDir, 'journal.json'), 'utf8'), /"phase": "done"/);
});

test('a static pod manifest left parked by a killed restart is put back by the next renewal', async () => {
  const { pki, options } = node();
  const parkDir = path.join(options.backupRoot as string, 'parked-manifests');
  mkdirSync(parkDir, { recursive: true });
  renameSync(path.join(pki.manifestsDir, 'kube-apiserver.yaml'), path.join(parkDir, 'kube-apiserver.yaml'));
  const outcome = await renewCertificates({ ...options, names: ['admin.conf'] });
  assert.deepEqual(outcome.restoredManifests, ['kube-apiserver']);
  assert.equal(existsSync(path.join(pki.manifestsDir, 'kube-apiserver.yaml')), true);
  assert.deepEqual(readdirSync(parkDir), []);
});
