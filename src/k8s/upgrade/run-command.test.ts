import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runShellCommand } from './run-command.js';

test('runShellCommand gives the upgrade command the node and version but none of kubekeeper\'s secrets when the parent holds them', async () => {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const env = { PATH: process.env.PATH, HOME: '/root', KUBECONFIG: '/etc/kubernetes/admin.conf', KUBEKEEPER_PASSPHRASE: 'hunter2', AWS_SECRET_ACCESS_KEY: 's3cr3t', ETCDCTL_PASSWORD: 'pw' };
  const code = await runShellCommand('env', { env, set: { KUBEKEEPER_NODE: 'cp-1', KUBEKEEPER_TARGET_VERSION: '1.30.4' }, stdout, stderr: new PassThrough() });
  assert.equal(code, 0);
  assert.match(out, /^KUBEKEEPER_NODE=cp-1$/m);
  assert.match(out, /^KUBEKEEPER_TARGET_VERSION=1\.30\.4$/m);
  assert.match(out, /^KUBECONFIG=\/etc\/kubernetes\/admin\.conf$/m);
  assert.doesNotMatch(out, /PASSPHRASE|AWS_|ETCDCTL_|hunter2|s3cr3t/);
});
