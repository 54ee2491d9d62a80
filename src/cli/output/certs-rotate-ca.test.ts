import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import { planCaRotation, readPki } from '../../certs/index.js';
import { renderRotateCaText, rotateCaJson } from './certs-rotate-ca.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'certs', 'kubeadm-node');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kk-rotate-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function assertGolden(name: string, actual: string): void {
  const file = path.join(repoRoot, 'test', 'fixtures', 'certs', name);
  if (process.env.KK_UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

for (const ca of ['ca', 'etcd-ca', 'front-proxy-ca']) {
  test(`renderRotateCaText prints the ${ca} rotation plan as in its golden file`, async () => {
    const plan = planCaRotation(await readPki({ pkiDir: path.join(FIXTURE, 'pki'), kubeconfigDir: FIXTURE }), ca);
    assertGolden(`rotate-${ca}.golden.txt`, renderRotateCaText(plan).split(FIXTURE).join('<fixture>'));
  });
}

test('renderRotateCaText prints RKE\'s one-command rotation as in its golden file', async () => {
  const ssl = path.join(scratch, 'ssl');
  mkdirSync(ssl);
  for (const [from, to] of [['ca', 'kube-ca'], ['apiserver', 'kube-apiserver'], ['apiserver-kubelet-client', 'kube-node']]) {
    cpSync(path.join(FIXTURE, 'pki', `${from}.crt`), path.join(ssl, `${to}.pem`));
    cpSync(path.join(FIXTURE, 'pki', `${from}.key`), path.join(ssl, `${to}-key.pem`));
  }
  const plan = planCaRotation(await readPki({ pkiDir: ssl }), 'ca');
  assert.equal(plan.ca, 'kube-ca');
  assertGolden('rotate-rke.golden.txt', renderRotateCaText(plan).split(ssl).join('<ssl>'));
});

test('rotateCaJson numbers the steps in order', async () => {
  const plan = planCaRotation(await readPki({ pkiDir: path.join(FIXTURE, 'pki'), kubeconfigDir: FIXTURE }), 'etcd-ca');
  const json = rotateCaJson(plan) as { steps: { number: number; phase: string }[] };
  assert.deepEqual(json.steps.map((s) => s.number), json.steps.map((_, i) => i + 1));
  assert.equal(json.steps[0]?.phase, 'prepare');
});
