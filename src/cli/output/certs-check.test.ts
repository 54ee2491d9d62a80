import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { GOLDEN_NOW } from '../../../test/fixtures/certs/generate-golden-pki.js';
import { repoRoot } from '../../../test/support/paths.js';
import { buildExpirationReport, parseResidualTime, readPki, type ExpirationReport } from '../../certs/index.js';
import { certsCheckJson, renderCertsCheckText } from './certs-check.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'certs', 'kubeadm-node');
const DAY = 86_400_000;

function assertGolden(name: string, actual: string): void {
  const file = path.join(repoRoot, 'test', 'fixtures', 'certs', name);
  if (process.env.KK_UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

let report: ExpirationReport;
before(async () => {
  const inventory = await readPki({ pkiDir: path.join(FIXTURE, 'pki'), kubeconfigDir: FIXTURE });
  report = buildExpirationReport(inventory, { now: GOLDEN_NOW, warnWithinMs: 30 * DAY });
});

test('renderCertsCheckText prints kubeadm\'s tables, then problems and the verdict, as in the golden file', () => {
  assertGolden('check.golden.txt', renderCertsCheckText(report).split(FIXTURE).join('<fixture>'));
});

test('renderCertsCheckText lines up like kubeadm: columns padded to the widest cell plus 3, "no" padded to 8', () => {
  const lines = renderCertsCheckText(report).split('\n');
  // !MISSING! super-admin.conf (26 characters) sets the first column's width, as in Go's tabwriter.
  assert.equal(lines[0]?.indexOf('EXPIRES'), 29);
  assert.ok(lines.includes(`${'!MISSING! super-admin.conf'.padEnd(29)}${''.padEnd(25)}${''.padEnd(16)}${''.padEnd(24)}`));
  assert.ok(lines.some((l) => l.startsWith('ca ') && l.endsWith('   no      ')));
});

test('certsCheckJson keeps kubeadm\'s CertificateExpirationInfo shape and round-trips through JSON', () => {
  const json = JSON.parse(JSON.stringify(certsCheckJson(report))) as {
    kind: string; apiVersion: string; needsAttention: boolean;
    certificates: { name: string; expirationDate: string | null; residualTime: number; caName?: string; externallyManaged: boolean; missing: boolean }[];
    certificateAuthorities: { name: string; caName?: string; residualTime: number }[];
  };
  assert.equal(json.kind, 'CertificateExpirationInfo');
  assert.equal(json.apiVersion, 'output.kubeadm.k8s.io/v1alpha3');
  const kubeletClient = json.certificates.find((c) => c.name === 'apiserver-kubelet-client');
  assert.deepEqual({ ...kubeletClient, path: undefined }, {
    ...kubeletClient, path: undefined, expirationDate: '2031-03-14T05:06:07Z', residualTime: 10 * 86_400, caName: 'ca', externallyManaged: false, missing: false,
  });
  const missing = json.certificates.find((c) => c.name === 'super-admin.conf');
  assert.deepEqual([missing?.missing, missing?.expirationDate, missing?.residualTime], [true, null, 0]);
  assert.ok(json.certificateAuthorities.every((ca) => ca.caName === undefined));
  assert.equal(json.needsAttention, true);
  // the table's RESIDUAL TIME and the JSON seconds agree
  assert.equal(parseResidualTime('10d'), kubeletClient?.residualTime);
});
