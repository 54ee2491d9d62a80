import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './config.js';
import { parseConfigText } from './config-load.js';

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const parse = (dashboard: string) => parseConfigText('/etc/kubekeeper/config.yaml', `repository:\n  url: /var/backups/kk\nbackup:\n  recipients: [${RECIPIENT}]\n${dashboard}`, {}).config;

function errorOf(dashboard: string): ConfigError {
  try {
    parse(dashboard);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('config dashboard section reads listen, token file, fleet and paths beside the config', () => {
  const c = parse([
    'dashboard:',
    '  tokenFile: dashboard-token',
    '  name: prod-eu',
    '  certWarn: 14d',
    '  etcdQuotaBytes: 8589934592',
    '  fleet:',
    '    - { name: prod-us, url: s3://etcd-backups/prod-us, trustedSigners: [signer.pub], s3: { endpoint: "https://minio:9000" } }',
    '    - { name: lab, url: /srv/lab-backups }',
    '',
  ].join('\n'));
  assert.deepEqual(c.dashboard, {
    listen: '127.0.0.1:9478', tokenFile: '/etc/kubekeeper/dashboard-token', name: 'prod-eu', certWarnMs: 14 * 86_400_000, etcdQuotaBytes: 8589934592,
    fleet: [
      { name: 'prod-us', url: 's3://etcd-backups/prod-us', trustedSigners: ['/etc/kubekeeper/signer.pub'], s3: { endpoint: 'https://minio:9000', region: undefined, pathStyle: undefined, caBundleFile: undefined } },
      { name: 'lab', url: '/srv/lab-backups', trustedSigners: [] },
    ],
  });
  assert.equal(parse('').dashboard, undefined, 'no section: no dashboard');
});

test('config dashboard section is refused without a token file, with half a TLS pair, a bad listen or a fleet name twice', () => {
  assert.match(errorOf('dashboard:\n  listen: 127.0.0.1:9478\n').message, /dashboard\.tokenFile: is required: the dashboard is always behind a bearer token/);
  assert.match(errorOf('dashboard:\n  tokenFile: t\n  tlsCert: c.pem\n').message, /tlsCert and tlsKey must be given together/);
  assert.match(errorOf('dashboard:\n  tokenFile: t\n  listen: ":9478"\n').message, /is not host:port/);
  assert.match(errorOf('dashboard:\n  tokenFile: t\n  fleet: [{ name: a, url: /x }, { name: a, url: /y }]\n').message, /"a" is listed twice/);
  assert.match(errorOf('dashboard:\n  tokenFile: t\n  fleet: [{ url: /x }]\n').message, /fleet\.0\.name|fleet\[0\]\.name/);
  assert.match(errorOf('dashboard:\n  tokenFile: t\n  colour: blue\n').message, /colour: unknown field/);
});
