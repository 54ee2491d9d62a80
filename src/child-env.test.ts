import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childEnv } from './child-env.js';

test('childEnv passes PATH, locale, TZ and HOME but no secret when the parent holds KUBEKEEPER_* and AWS_* variables', () => {
  const parent = {
    PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', LC_TIME: 'de_DE', TZ: 'UTC', HOME: '/root',
    KUBEKEEPER_PASSPHRASE: 'hunter2', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ACCESS_KEY_ID: 'id',
    ETCDCTL_PASSWORD: 'pw', SSH_AUTH_SOCK: '/tmp/agent', LD_PRELOAD: '/tmp/evil.so', KUBECONFIG: '/etc/kubernetes/admin.conf',
  };
  assert.deepEqual(childEnv(parent), { PATH: '/usr/bin', LANG: 'C.UTF-8', LC_ALL: 'C', LC_TIME: 'de_DE', TZ: 'UTC', HOME: '/root' });
});

test('childEnv adds the variables a child needs by name and the values kubekeeper sets on top', () => {
  const parent = { PATH: '/bin', KUBECONFIG: '/k', AWS_PROFILE: 'p', KUBEKEEPER_NODE: 'forged' };
  assert.deepEqual(childEnv(parent, ['KUBECONFIG', 'CONTAINER_RUNTIME_ENDPOINT'], { KUBEKEEPER_NODE: 'n1' }), { PATH: '/bin', KUBECONFIG: '/k', KUBEKEEPER_NODE: 'n1' });
});
