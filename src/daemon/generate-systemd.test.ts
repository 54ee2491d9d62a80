import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from './config-load.js';
import { generateCrontab } from './generate-crontab.js';
import { generateSystemdUnits } from './generate-systemd.js';

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const config = (schedule: string) => parseConfigText('/etc/kubekeeper/config.yaml', [
  'repository:', '  url: /srv/etcd-backups', 'backup:', `  recipients: [${RECIPIENT}]`, '  timeout: 15m',
  'schedule:', schedule, '  jitter: 10m', 'lockFile: /run/kubekeeper/backup.lock',
].join('\n'), {}).config;

/** key=value lines of a unit section, repeated keys joined. */
function directives(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1] as string, [...(out.get(m[1] as string) ?? []), m[2] as string]);
  }
  return out;
}

test('generateSystemdUnits hardens the service and leaves only the lock and repository writable', () => {
  const { service } = generateSystemdUnits(config('  interval: 6h'));
  const d = directives(service);
  assert.deepEqual(d.get('ExecStart'), ['/usr/local/bin/kubekeeper backup run --config /etc/kubekeeper/config.yaml']);
  assert.deepEqual(d.get('Type'), ['oneshot']);
  for (const [key, value] of [['ProtectSystem', 'strict'], ['NoNewPrivileges', 'yes'], ['PrivateTmp', 'yes'], ['ProtectHome', 'read-only'], ['UMask', '0077']]) {
    assert.deepEqual(d.get(key as string), [value], key);
  }
  assert.deepEqual(d.get('ReadWritePaths'), ['/run/kubekeeper /srv/etcd-backups']);
  assert.deepEqual(d.get('RuntimeDirectory'), ['kubekeeper']);
  assert.deepEqual(d.get('ExecStartPre'), ['+/usr/bin/install -d -m 0700 /srv/etcd-backups']);
  assert.deepEqual(d.get('TimeoutStartSec'), [`${15 * 60 + 300}s`]);
  assert.equal(d.get('MemoryDenyWriteExecute'), undefined, 'V8 needs W+X memory');
});

test('generateSystemdUnits schedules the timer on the calendar when the interval divides a day, else by interval', () => {
  const calendar = directives(generateSystemdUnits(config('  interval: 6h')).timer);
  assert.deepEqual(calendar.get('OnCalendar'), ['*-*-* 00,06,12,18:00:00']);
  assert.deepEqual(calendar.get('Persistent'), ['true']);
  assert.deepEqual(calendar.get('RandomizedDelaySec'), ['600s']);
  const interval = directives(generateSystemdUnits(config('  interval: 5h')).timer);
  assert.deepEqual(interval.get('OnUnitActiveSec'), [`${5 * 3600}s`]);
  assert.equal(interval.get('OnCalendar'), undefined);
  const cron = directives(generateSystemdUnits(config('  cron: "30 2 * * sun"')).timer);
  assert.deepEqual(cron.get('OnCalendar'), ['Sun *-*-* 02:30:00']);
});

test('generateCrontab writes a cron.d line with the user and the schedule, and refuses an interval cron cannot say', () => {
  const text = generateCrontab(config('  cron: "15 */2 * * *"'));
  assert.match(text, /^15 \*\/2 \* \* \* root \/usr\/local\/bin\/kubekeeper backup run --config \/etc\/kubekeeper\/config\.yaml >>\/var\/log\/kubekeeper-backup\.log 2>&1$/m);
  assert.match(text, /^PATH=/m);
  assert.throws(() => generateCrontab(config('  interval: 5h')), /does not divide an hour, a day or a week/);
});

test('generateSystemdUnits and generateCrontab carry backup.signingKeyFile: read-only in the sandbox, named in cron.d', () => {
  const signed = parseConfigText('/etc/kubekeeper/config.yaml', [
    'repository:', '  url: /srv/etcd-backups', 'backup:', `  recipients: [${RECIPIENT}]`, '  signingKeyFile: /etc/kubekeeper/signing.key',
    'schedule:', '  cron: "0 3 * * *"', 'lockFile: /run/kubekeeper/backup.lock',
  ].join('\n'), {}).config;
  assert.deepEqual(directives(generateSystemdUnits(signed).service).get('ReadOnlyPaths'), ['/etc/kubekeeper/signing.key']);
  assert.equal(directives(generateSystemdUnits(config('  interval: 6h')).service).get('ReadOnlyPaths'), undefined);
  assert.match(generateCrontab(signed), /^# Manifests are signed with \/etc\/kubekeeper\/signing\.key \(backup\.signingKeyFile\)/m);
});
