/**
 * `certs renew` acts as root on what it finds in its backup dir (journals to roll back,
 * parked manifests to move back): it trusts only a dir of the running uid that nobody else can
 * write to, and a journal only when it names PKI files or kubeconfigs.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { renewCertificates, type RenewCertificatesOptions } from '../../src/certs/index.js';
import { readJournal, type RenewalJournal } from '../../src/certs/renewal-journal.js';
import { assertJournalTargets } from '../../src/certs/renewal-trust.js';
import { AppError } from '../../src/errors.js';
import { copyKubeadmPki, kubeadmPkiFixture, treeFingerprint, type KubeadmPki } from '../support/kubeadm-pki.js';

const DAY = 86_400_000;
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
let base: KubeadmPki & { remove(): Promise<void> };
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kk-renew-trust-'));
after(async () => {
  await base?.remove();
  rmSync(scratch, { recursive: true, force: true });
});
before(async () => {
  base = await kubeadmPkiFixture({ keyType: 'ecdsa' });
});

let n = 0;
function node(): { pki: KubeadmPki; options: RenewCertificatesOptions & { backupRoot: string } } {
  const pki = copyKubeadmPki(base, path.join(scratch, `node-${n++}`));
  return {
    pki,
    options: {
      names: ['admin.conf'], pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir, manifestsDir: pki.manifestsDir,
      backupRoot: path.join(pki.root, 'tmp'), now: new Date(), validityMs: 365 * DAY, dryRun: false,
    },
  };
}

const refused = (code: string, message: RegExp) => (e: unknown) => e instanceof AppError && e.code === code && message.test(e.message);

test('certs renew refuses a --backup-dir that others can write to, or that another uid owns, and changes nothing', async () => {
  const { pki, options } = node();
  mkdirSync(options.backupRoot, { mode: 0o700 });
  chmodSync(options.backupRoot, 0o777);
  const before = treeFingerprint(pki.pkiDir);
  await assert.rejects(renewCertificates(options), refused('certs-backup-dir-unsafe', /backup dir ".*" has mode 777: others can write to it/));
  if (asRoot) {
    chmodSync(options.backupRoot, 0o700);
    chownSync(options.backupRoot, NOBODY, NOBODY);
    await assert.rejects(renewCertificates(options), refused('certs-backup-dir-unsafe', /is owned by uid 65534/));
  }
  assert.deepEqual(treeFingerprint(pki.pkiDir), before);
});

test('certs renew refuses a planted journal that would roll a file outside the PKI back to the planter\'s content', async () => {
  const { pki, options } = node();
  // The victim stands in for /etc/passwd or a systemd unit (a real one is never touched by a test).
  const victim = path.join(pki.root, 'victim.txt');
  writeFileSync(victim, 'root:x:0:0\n', { mode: 0o644 });
  const folder = path.join(options.backupRoot, 'kubekeeper-certs-20260101T000000Z');
  mkdirSync(path.join(folder, 'files'), { recursive: true, mode: 0o700 });
  const backup = path.join(folder, 'files', victim);
  mkdirSync(path.dirname(backup), { recursive: true });
  writeFileSync(backup, 'attacker::0:0\n');
  const journal: RenewalJournal = {
    kind: 'kubekeeper-certs-renewal', version: 1, createdAt: new Date().toISOString(), phase: 'staging',
    entries: [{ target: victim, staged: `${victim}.kubekeeper-new`, backup, oldSha256: '0'.repeat(64), newSha256: '1'.repeat(64), mode: 0o4755, uid: 0, gid: 0 }],
  };
  writeFileSync(path.join(folder, 'journal.json'), JSON.stringify(journal), { mode: 0o600 });
  await assert.rejects(renewCertificates(options), refused('certs-journal-refused', /its target ".*victim\.txt" is outside the PKI dir/));
  assert.equal(readFileSync(victim, 'utf8'), 'root:x:0:0\n', 'the victim is untouched');
});

test('assertJournalTargets accepts what a renewal wrote and refuses /etc/passwd, a staged copy elsewhere and a setuid mode', async () => {
  const { pki, options } = node();
  const outcome = await renewCertificates({ ...options, names: ['all'] });
  const file = outcome.result?.journal as string;
  const journal = await readJournal(file);
  const allowed = { pkiDir: pki.pkiDir, kubeconfigDir: pki.kubeconfigDir };
  assertJournalTargets(journal, file, allowed);
  const first = journal.entries.find((e) => e.target.startsWith(pki.pkiDir));
  assert.ok(first);
  const withEntry = (patch: Partial<typeof first>) => ({ ...journal, entries: [{ ...first, ...patch }] });
  assert.throws(() => assertJournalTargets(withEntry({ target: '/etc/passwd', staged: '/etc/passwd.kubekeeper-new', backup: null }), file, allowed),
    refused('certs-journal-refused', /"\/etc\/passwd" is outside the PKI dir/));
  assert.throws(() => assertJournalTargets(withEntry({ target: path.join(pki.pkiDir, '..', 'manifests', 'x.yaml') }), file, allowed), refused('certs-journal-refused', /outside the PKI dir/));
  assert.throws(() => assertJournalTargets(withEntry({ staged: '/etc/cron.d/x' }), file, allowed), refused('certs-journal-refused', /staged copy at "\/etc\/cron\.d\/x"/));
  assert.throws(() => assertJournalTargets(withEntry({ mode: 0o4755 }), file, allowed), refused('certs-journal-refused', /mode 4755/));
});

test('certs renew leaves a parked manifest alone when another uid wrote it', { skip: asRoot ? false : 'needs root to chown to nobody' }, async () => {
  const { pki, options } = node();
  const parkDir = path.join(options.backupRoot, 'parked-manifests');
  mkdirSync(parkDir, { recursive: true, mode: 0o700 });
  const planted = path.join(parkDir, 'evil.yaml');
  writeFileSync(planted, 'apiVersion: v1\nkind: Pod\n');
  chownSync(planted, NOBODY, NOBODY);
  await assert.rejects(renewCertificates(options), refused('certs-backup-dir-unsafe', /parked manifest ".*evil\.yaml" is owned by uid 65534/));
  assert.equal(existsSync(path.join(pki.manifestsDir, 'evil.yaml')), false);
  // A manifest kubekeeper parked itself is still put back.
  rmSync(planted);
  renameSync(path.join(pki.manifestsDir, 'kube-scheduler.yaml'), path.join(parkDir, 'kube-scheduler.yaml'));
  assert.deepEqual((await renewCertificates(options)).restoredManifests, ['kube-scheduler']);
});
