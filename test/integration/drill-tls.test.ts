/**
 * The restore drill's throwaway etcd holds a copy of every Secret of the cluster: against real
 * etcd 3.4 and 3.6 its client and peer URLs refuse a client without the drill's own client
 * certificate (plain HTTP or TLS without a certificate), it does not see kubekeeper's secrets
 * in its environment, and a whole drill passes with it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { RestoreDrillResult } from '../../src/backup/index.js';
import { startDrillEtcd, writeDrillTls } from '../../src/backup/drill-etcd.js';
import { freePort } from '../support/ports.js';
import { runKubekeeper } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';
import { etcdVersions, findEtcd } from '../support/peers.js';

const versions = etcdVersions.filter((v) => v.startsWith('3.4.') || v.startsWith('3.6.'));

/** Status code of GET url/health, or the error that ended the request. */
function get(url: string, options: https.RequestOptions = {}): Promise<number | Error> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https') ? https : http).get(`${url}/health`, { ...options, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(err));
  });
}

async function withDir(prefix: string, work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const version of versions) {
  const { peer, missing } = findEtcd(version);

  test(`drill etcd ${version} refuses clients without the drill's certificate and gets none of kubekeeper's secrets`, async (t) => {
    await check(t, { suite: 'etcd', peer: 'etcd', version, capability: 'drill etcd: mutual TLS on client and peer URLs, allowlisted env' }, async () => {
      await withDir('kk-drill-tls-', async (dir) => {
        const tls = await writeDrillTls(path.join(dir, 'tls'));
        const [clientPort, peerPort] = [await freePort(), await freePort()];
        // In process.env as well: that is what the drill etcd inherited before.
        process.env.KUBEKEEPER_PASSPHRASE = 'hunter2';
        process.env.AWS_SECRET_ACCESS_KEY = 'aws-secret';
        const etcd = await startDrillEtcd({
          binary: path.join(peer?.binDir as string, 'etcd'), name: 'drill', dataDir: path.join(dir, 'data'), tls, clientPort, peerPort,
          quotaBackendBytes: 2 ** 30, startTimeoutMs: 60_000,
        }).finally(() => {
          delete process.env.KUBEKEEPER_PASSPHRASE;
          delete process.env.AWS_SECRET_ACCESS_KEY;
        });
        try {
          assert.equal(etcd.clientUrl, `https://127.0.0.1:${clientPort}`);
          const ca = readFileSync(tls.caFile);
          const withCert = { ca, cert: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile) };
          assert.equal(await get(etcd.clientUrl, withCert), 200, 'the drill\'s own client certificate is accepted');
          const noCert = await get(etcd.clientUrl, { ca });
          assert.ok(noCert instanceof Error, `TLS without a client certificate got ${String(noCert)}`);
          const plain = await get(`http://127.0.0.1:${clientPort}`);
          assert.notEqual(plain, 200, 'plain HTTP is not served');
          const peerNoCert = await get(`https://127.0.0.1:${peerPort}`, { ca });
          assert.ok(peerNoCert instanceof Error, `the peer URL without a client certificate got ${String(peerNoCert)}`);
          // Another CA's certificate (what anyone could make) is refused too.
          const other = await writeDrillTls(path.join(dir, 'other'));
          const forged = await get(etcd.clientUrl, { ca, cert: readFileSync(other.clientCertFile), key: readFileSync(other.clientKeyFile) });
          assert.ok(forged instanceof Error, `a certificate of another CA got ${String(forged)}`);
          assert.equal(Number((await etcd.client.status()).header.revision) >= 1, true, 'kubekeeper\'s own checks connect');

          const environ = readFileSync(`/proc/${etcd.pid}/environ`, 'latin1').split('\0').filter(Boolean);
          assert.ok(environ.some((e) => e.startsWith('PATH=')), environ.join(' '));
          assert.deepEqual(environ.filter((e) => /^(KUBEKEEPER_|AWS_|ETCD)/.test(e)), []);
          assert.deepEqual((await readdir(path.join(dir, 'tls'))).sort(), ['ca.crt', 'client.crt', 'client.key', 'server.crt', 'server.key'], 'no CA key on disk');
        } finally {
          await etcd.stop();
        }
      });
    }, missing);
  });

  test(`drill passes with etcd ${version} as the drill etcd when the backup comes from etcd ${version}`, async (t) => {
    await check(t, { suite: 'etcd', peer: 'etcd', version, capability: 'restore drill (kubekeeper restore served by this etcd over mutual TLS)' }, async () => {
      await withDir('kk-drill-tls-', async (dir) => {
        const member = await startEtcd({ binDir: peer?.binDir });
        try {
          for (let i = 0; i < 3; i++) await etcdctlOk(member, ['put', `/registry/secrets/default/s-${i}`, `v${i}`]);
          const keyFile = path.join(dir, 'key.txt');
          execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
          const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
          const repo = path.join(dir, 'repo');
          const saved = await runKubekeeper(['backup', 'save', ...member.clientFlags, '--repo', repo, '--name', 'b1', '-r', recipient]);
          assert.equal(saved.code, 0, saved.stderr);
          const workDir = path.join(dir, 'work');
          await mkdir(workDir, { mode: 0o700 });
          const r = await runKubekeeper(['drill', '--repo', repo, '-i', keyFile, '--work-dir', workDir, '--etcd-binary', path.join(peer?.binDir as string, 'etcd'),
            '--expect-key', '/registry/secrets/', '-w', 'json'], { timeoutMs: 120_000 });
          assert.equal(r.code, 0, r.stdout + r.stderr);
          const result = JSON.parse(r.stdout) as RestoreDrillResult;
          assert.equal(result.keyCount, 3);
          assert.match(result.checks.find((c) => c.step === 'start')?.detail ?? '', /answered on https:\/\/127\.0\.0\.1:\d+/);
          assert.deepEqual(await readdir(workDir), []);
        } finally {
          await member.stop();
        }
      });
    }, missing);
  });
}
