/**
 * `backup check-storage` (issue 20, item 5) through the built CLI: it passes against versitygw
 * (an S3 server that verifies SigV4 signatures), and flags s3rver, which stores the AWS SDK's
 * default aws-chunked checksum framing as object data, and a server whose clock is an hour
 * off (s3rver behind a proxy that moves the Date header). Every run leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { findVersitygw, pinnedVersions } from '../support/peers.js';
import { startS3Server } from '../support/s3.js';
import { startSkewProxy } from '../support/s3-skew-proxy.js';
import { startVersitygw } from '../support/versitygw.js';

const version = pinnedVersions.VERSITYGW as string;
const vgw = findVersitygw(version);
const cleanAws: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

interface Report {
  ok: boolean;
  checks: { name: string; status: string; detail: string }[];
  clockSkewSeconds?: number;
  sdkDefaultChecksumsSafe?: boolean;
  uploadMiBps?: number;
}

async function checkStorage(endpoint: string, env: Record<string, string>, repo: string, extra: string[] = []) {
  const r = await runKubekeeper(['backup', 'check-storage', '--repo', repo, '--s3-endpoint', endpoint, '--probe-size-mib', '6', '-w', 'json', ...extra], {
    env: { ...cleanAws, ...env }, timeoutMs: 120_000,
  });
  return { code: r.code, report: JSON.parse(r.stdout || '{}') as Report, stderr: r.stderr };
}

function statusOf(report: Report, name: string): string | undefined {
  return report.checks.find((c) => c.name === name)?.status;
}

/** Every file under `dir`, recursively (versitygw and s3rver keep objects as files). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  return out;
}

test('backup check-storage passes against versitygw and leaves nothing behind', { timeout: 300_000 }, async (t) => {
  await check(t, { suite: 's3', peer: 'versitygw', version, capability: 'backup check-storage: every check passes, nothing left behind' }, async () => {
    const server = await startVersitygw({ bin: vgw.peer as string });
    t.after(() => server.stop());
    const { code, report, stderr } = await checkStorage(server.endpoint, server.env, 's3://kk-test/prod');
    assert.equal(code, 0, `${stderr}\n${JSON.stringify(report.checks, null, 1)}`);
    assert.equal(report.ok, true);
    for (const name of ['endpoint', 'credentials', 'bucket', 'addressing', 'clock-skew', 'put-get-list-delete', 'multipart-upload', 'read-back', 'throughput', 'sdk-default-checksums', 'cleanup']) {
      assert.equal(statusOf(report, name), 'ok', `${name}: ${JSON.stringify(report.checks.find((c) => c.name === name))}`);
    }
    assert.equal(report.sdkDefaultChecksumsSafe, true);
    assert.ok((report.uploadMiBps ?? 0) > 0);
    assert.deepEqual(await filesUnder(path.join(server.dir, 'kk-test')), []);
    const wrong = await checkStorage(server.endpoint, { ...server.env, AWS_SECRET_ACCESS_KEY: 'wrong' }, 's3://kk-test/prod');
    assert.equal(wrong.code, 3);
    assert.equal(statusOf(wrong.report, 'credentials'), 'fail');
    assert.equal(statusOf(wrong.report, 'endpoint'), 'ok');
  }, vgw.missing);
});

test('backup check-storage reports that s3rver stores the SDK default checksum framing, without failing kubekeeper', { timeout: 120_000 }, async (t) => {
  const server = await startS3Server();
  t.after(() => server.stop());
  const { code, report } = await checkStorage(server.endpoint, server.env, 's3://kk-test/prod');
  assert.equal(code, 0, JSON.stringify(report.checks));
  assert.equal(statusOf(report, 'sdk-default-checksums'), 'warn');
  assert.equal(report.sdkDefaultChecksumsSafe, false);
  assert.match(report.checks.find((c) => c.name === 'sdk-default-checksums')?.detail ?? '', /stores the AWS SDK's default checksum framing as data/);
  assert.equal(statusOf(report, 'read-back'), 'ok', 'kubekeeper\'s own settings store the bytes unchanged');
  assert.equal(statusOf(report, 'cleanup'), 'ok');
  assert.deepEqual((await filesUnder(server.dir)).filter((f) => f.includes('kubekeeper-check')), []);
});

test('backup check-storage fails on a server clock an hour ahead', { timeout: 120_000 }, async (t) => {
  const server = await startS3Server();
  t.after(() => server.stop());
  const proxy = await startSkewProxy(server.endpoint, 3600_000);
  t.after(() => proxy.close());
  const { code, report } = await checkStorage(proxy.endpoint, server.env, 's3://kk-test/skew');
  assert.equal(code, 3);
  assert.equal(statusOf(report, 'clock-skew'), 'fail');
  assert.ok(report.clockSkewSeconds !== undefined && Math.abs(report.clockSkewSeconds - 3600) <= 2, String(report.clockSkewSeconds));
  assert.equal(statusOf(report, 'cleanup'), 'ok');
});
