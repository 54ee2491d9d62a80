/** Issue 18 item 6 as a user meets it: secrets on the command line, terminals, hostile strings. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { type Manifest } from '../../src/backup/index.js';
import { kubekeeperCommand, runKubekeeper } from '../support/cli.js';
import { etcdctlOk, startEtcd } from '../support/etcd.js';
import { startS3Server } from '../support/s3.js';
import { tempDir } from '../support/temp.js';

const SECRET = 'hunter2';

test('a --password before the command word is neither taken for the command nor echoed', async () => {
  for (const argv of [
    ['--password', SECRET, 'snapshot', 'save'],
    ['--password', SECRET, 'no-such-command'],
    ['--pasword', SECRET, 'member', 'list'],
    ['--password', SECRET, 'snapshot'],
  ]) {
    const r = await runKubekeeper(argv, { env: { ETCDCTL_ENDPOINTS: '127.0.0.1:1', ETCDCTL_DIAL_TIMEOUT: '100ms' } });
    assert.notEqual(r.code, 0, argv.join(' '));
    assert.ok(!`${r.stdout}${r.stderr}`.includes(SECRET), `${argv.join(' ')} echoed the secret: ${r.stderr}`);
  }
});

test('a flag before the command word is parsed by the command', async () => {
  const r = await runKubekeeper(['--endpoints', '127.0.0.1:1', '--dial-timeout', '100ms', 'member', 'list']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /"127\.0\.0\.1:1" is unreachable/);
});

test('a password given in argv draws a warning; one from the environment does not', async () => {
  const env = { ETCDCTL_DIAL_TIMEOUT: '100ms' };
  const inArgv = await runKubekeeper(['member', 'list', '--endpoints', '127.0.0.1:1', '--user', `root:${SECRET}`], { env });
  assert.match(inArgv.stderr, /^Warning: a password on the command line can be read by any local user/m);
  const fromEnv = await runKubekeeper(['member', 'list', '--endpoints', '127.0.0.1:1', '--user', 'root'], { env: { ...env, ETCDCTL_PASSWORD: SECRET } });
  assert.doesNotMatch(fromEnv.stderr, /Warning: a password/);
});

test('--user NAME alone without a terminal fails with a hint instead of hanging', async () => {
  const r = await runKubekeeper(['member', 'list', '--endpoints', '127.0.0.1:1', '--user', 'root']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--user needs a password and there is no terminal/);
  assert.match(r.stderr, /Hint: Set ETCDCTL_PASSWORD/);
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), answering the first "Password: " prompt. */
function runOnTty(args: readonly string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [...kubekeeperCommand(), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KUBEKEEPER_DEBUG: '' } });
    let output = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      if (!answered && output.includes('Password: ')) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('--user NAME alone asks for the password on a terminal without echoing it, like etcdctl', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  await etcdctlOk(etcd, ['user', 'add', `root:${SECRET}`]);
  await etcdctlOk(etcd, ['auth', 'enable']);
  const endpoint = etcd.clientUrl;
  const r = await runOnTty(['member', 'list', '--endpoints', endpoint, '--user', 'root'], SECRET);
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /Password: /);
  assert.match(r.output, /kk-test/);
  assert.ok(!r.output.includes(SECRET), `the password was echoed: ${JSON.stringify(r.output)}`);
  const wrong = await runOnTty(['member', 'list', '--endpoints', endpoint, '--user', 'root'], 'wrong');
  assert.equal(wrong.code, 1, wrong.output);
  assert.ok(!wrong.output.includes('wrong'), wrong.output);
});

test('control characters in a manifest never reach the terminal', async (t) => {
  const repo = await tempDir(t);
  await mkdir(path.join(repo, 'manifest'), { recursive: true, mode: 0o700 });
  const hash = 'a'.repeat(64);
  const evil = '3.5.0\u001b]0;pwned\u0007\u001b[2J\r\u202e';
  const manifest: Manifest = {
    format: 'kubekeeper.backup/v1', name: 'nightly', createdAt: '2024-05-10T12:00:00.000Z', completedAt: '2024-05-10T12:00:05.000Z',
    cluster: { clusterId: 'cdf818194e3a8c32', memberId: '8e9e05c52164694d', endpoint: `https://10.0.0.1:2379${evil}`, etcdVersion: evil, revision: 42, dbSizeBytes: 20480 },
    snapshot: { sizeBytes: 20512, sha256: hash, dbSha256: hash },
    compression: 'gzip', encryption: { scheme: 'none' },
    objects: [{ role: 'snapshot', name: 'nightly.snapshot.db.gz', compression: 'gzip', sizeBytes: 1000, sha256: hash, contentSizeBytes: 20512, contentSha256: hash }],
    kubekeeperVersion: `0.1.0${evil}`,
  };
  await writeFile(path.join(repo, 'manifest', 'nightly.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  for (const args of [['backup', 'list', '--repo', repo], ['backup', 'show', 'nightly', '--repo', repo]]) {
    // The data object is missing: list and show report the backup incomplete (exit 3) and print it.
    const r = await runKubekeeper(args);
    assert.ok(r.code === 0 || r.code === 3, r.stderr);
    if (args[1] === 'show') assert.match(r.stdout, /3\.5\.0\]0;pwned/, args.join(' '));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, args.join(' '));
  }
  const missing = await runKubekeeper(['snapshot', 'status', `/nonexistent/\u001b[2Ja.db`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[2Ja\.db/);
  assert.ok(!missing.stderr.includes('\u001b'), missing.stderr);
});

test('an s3:// repository with credentials in the URL is refused without printing them', async () => {
  for (const repo of [`s3://AKIAEXAMPLE:${SECRET}@bucket/folder`, `s3://AKIAEXAMPLE:${SECRET}/x@bucket/folder`, 's3://AKIAEXAMPLE@bucket/f']) {
    const r = await runKubekeeper(['backup', 'list', '--repo', repo]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^Error: Refusing a repository URL with credentials in it/);
    assert.match(r.stderr, /Hint: Use --repo s3:\/\/BUCKET\/FOLDER and give the keys with --s3-credentials-file FILE/);
    assert.ok(!r.stderr.includes(SECRET) && !r.stderr.includes('AKIAEXAMPLE'), r.stderr);
  }
});

test('a plain-HTTP S3 endpoint draws a warning; the command still runs', async (t) => {
  const s3 = await startS3Server();
  t.after(() => s3.stop());
  const r = await runKubekeeper(['backup', 'list', '--repo', `s3://${s3.bucket}/f`, '--s3-endpoint', s3.endpoint], { env: s3.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^Warning: the S3 endpoint http://127\\.0\\.0\\.1:${s3.port} is plain HTTP`, 'm'));
});

test('a passphrase file every user can read is refused like an identity file', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'passphrase');
  await writeFile(file, `${SECRET}\n`, { mode: 0o644 });
  const r = await runKubekeeper(['backup', 'verify', 'latest', '--repo', dir, '--passphrase-file', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^Error: Refusing the passphrase file ".*": it is readable by every user \(mode 644\)\nHint: It holds the backup passphrase: run "chmod 600 /);
  assert.ok(!r.stderr.includes(SECRET));
});
