import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp.js';
import { createCrictlRuntime } from './crictl-runtime.js';

test('createCrictlRuntime runs crictl without kubekeeper\'s secrets in its environment when the parent holds them', async (t) => {
  const dir = await tempDir(t);
  const envFile = path.join(dir, 'env.txt');
  const fake = path.join(dir, 'crictl');
  await writeFile(fake, `#!/bin/sh\nenv > '${envFile}'\necho abc123\n`);
  await chmod(fake, 0o700);
  const parent = { PATH: process.env.PATH, HOME: '/root', CONTAINER_RUNTIME_ENDPOINT: 'unix:///run/containerd/containerd.sock', KUBEKEEPER_PASSPHRASE: 'hunter2', AWS_SECRET_ACCESS_KEY: 's3cr3t' };
  const ids = await createCrictlRuntime(fake, parent).runningContainerIds('kube-apiserver');
  assert.deepEqual(ids, ['abc123']);
  const env = await readFile(envFile, 'utf8');
  assert.match(env, /^CONTAINER_RUNTIME_ENDPOINT=unix:\/\/\/run\/containerd\/containerd\.sock$/m);
  assert.doesNotMatch(env, /KUBEKEEPER_|AWS_|hunter2|s3cr3t/);
});
