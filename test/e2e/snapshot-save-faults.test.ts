/**
 * `kubekeeper snapshot save` when things go wrong, against real etcd: every failure is one
 * "Error:" line naming what failed plus one "Hint:" line, a non-zero exit code, and no file
 * (not even <file>.part) left behind. Mount-based cases skip, with the reason, where mounting
 * is not permitted.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { runKubekeeper, runProcess } from '../support/cli.js';
import { etcdctlOk, freePort, startEtcd, type EtcdProcess } from '../support/etcd.js';
import { tempDir } from '../support/temp.js';

let plain: EtcdProcess;
let mtls: EtcdProcess;
let auth: EtcdProcess;

before(async () => {
  [plain, mtls, auth] = await Promise.all([startEtcd({ name: 'faults-plain' }), startEtcd({ name: 'faults-mtls', tls: true }), startEtcd({ name: 'faults-auth' })]);
  // ~400 KB of data, so the snapshot cannot fit on a 64 KiB file system.
  for (let i = 0; i < 4; i++) await etcdctlOk(plain, ['put', `/registry/configmaps/default/big-${i}`, 'x'.repeat(100_000)]);
  await etcdctlOk(auth, ['user', 'add', 'root:right-pw']);
  await etcdctlOk(auth, ['auth', 'enable']);
});
after(() => Promise.all([plain?.stop(), mtls?.stop(), auth?.stop()]));

/** Runs a save that must fail; checks the two-line error and that `dir` holds only `keep`. */
async function expectFailure(args: string[], dir: string, message: RegExp, hint: RegExp, keep: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await runKubekeeper(['snapshot', 'save', ...args, '--dial-timeout=2s'], { env });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 3, r.stderr);
  assert.match(lines[0] as string, /^Error: /);
  assert.match(lines[0] as string, message);
  assert.match(lines[1] as string, /^Hint: /);
  assert.match(lines[1] as string, hint);
  assert.deepEqual((await readdir(dir)).sort(), keep);
}

/**
 * Makes a temp dir with a tmpfs mounted at `<dir>/<name>`, unmounted and removed after the
 * test (in that order, in one hook), or returns why mounting is not possible.
 */
async function mountTmpfs(t: TestContext, name: string, options: string): Promise<{ dir: string; mountPoint: string } | string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kk-mnt-'));
  const mountPoint = path.join(dir, name);
  await mkdir(mountPoint);
  const r = await runProcess('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]);
  t.after(async () => {
    if (r.code === 0) await runProcess('umount', [mountPoint]);
    await rm(dir, { recursive: true, force: true });
  });
  if (r.code !== 0) return `mounting a tmpfs is not permitted here (${r.stderr.trim() || `exit ${r.code}`})`;
  return { dir, mountPoint };
}

test('snapshot save to an unreachable endpoint fails with the endpoint and a hint', async (t) => {
  const dir = await tempDir(t);
  const endpoint = `127.0.0.1:${await freePort()}`;
  await expectFailure([path.join(dir, 's.db'), `--endpoints=${endpoint}`], dir, new RegExp(`Cannot connect: etcd at "${endpoint}" is unreachable \\(connect ECONNREFUSED`), /--endpoints/);
});

test('snapshot save with the wrong CA fails verification and points at --cacert', async (t) => {
  const dir = await tempDir(t);
  const tls = mtls.tls;
  assert.ok(tls);
  await expectFailure([path.join(dir, 's.db'), `--endpoints=${mtls.clientUrl}`, `--cacert=${tls.otherCaCert}`, `--cert=${tls.clientCert}`, `--key=${tls.clientKey}`],
    dir, /the server certificate is not trusted/, /--cacert/);
});

test('snapshot save without a client certificate to an mTLS etcd says a certificate is required', async (t) => {
  const dir = await tempDir(t);
  const tls = mtls.tls;
  assert.ok(tls);
  await expectFailure([path.join(dir, 's.db'), `--endpoints=${mtls.clientUrl}`, `--cacert=${tls.caCert}`], dir, /TLS|certificate|connection/i, /--cert and --key/);
});

test('snapshot save with a wrong password fails without echoing it', async (t) => {
  const dir = await tempDir(t);
  // From the environment: a password in argv would add a warning line (it is visible in ps).
  await expectFailure([path.join(dir, 's.db'), `--endpoints=${auth.clientUrl}`, '--user=root'], dir,
    /Cannot authenticate as "root": etcd at ".*" rejected the user name or password$/, /--user and --password/, [], { ETCDCTL_PASSWORD: 'wrong-pw' });
  const ok = await runKubekeeper(['snapshot', 'save', path.join(dir, 'ok.db'), `--endpoints=${auth.clientUrl}`], { env: { ETCDCTL_USER: 'root:right-pw' } });
  assert.equal(ok.code, 0, ok.stderr);
});

test('snapshot save into a missing directory fails before contacting etcd', async (t) => {
  const dir = await tempDir(t);
  const dead = `127.0.0.1:${await freePort()}`;
  // A dead endpoint proves the check runs first: the error is about the directory, not the network.
  await expectFailure([path.join(dir, 'no-such-dir', 's.db'), `--endpoints=${dead}`], dir, /the directory does not exist/, /mkdir -p/);
});

test('snapshot save to a path under a regular file fails with "not a directory"', async (t) => {
  const dir = await tempDir(t);
  await writeFile(path.join(dir, 'file'), 'x');
  await expectFailure([path.join(dir, 'file', 's.db'), ...plain.clientFlags], dir, /not a directory/, /parents is a file/, ['file']);
});

test('snapshot save onto a read-only file system fails and leaves nothing', async (t) => {
  const mounted = await mountTmpfs(t, 'ro', 'ro,size=1m');
  if (typeof mounted === 'string') return t.skip(mounted);
  await expectFailure([path.join(mounted.mountPoint, 's.db'), ...plain.clientFlags], mounted.dir, /read-only/, /writable file system/, ['ro']);
  assert.deepEqual(await readdir(mounted.mountPoint), []);
});

test('snapshot save on a full disk fails with ENOSPC and removes the .part file', async (t) => {
  const mounted = await mountTmpfs(t, 'small', 'size=64k');
  if (typeof mounted === 'string') return t.skip(mounted);
  await expectFailure([path.join(mounted.mountPoint, 's.db'), ...plain.clientFlags], mounted.dir, /no space left on the device \(ENOSPC\)/, /Free space/, ['small']);
  assert.deepEqual(await readdir(mounted.mountPoint), []);
});
