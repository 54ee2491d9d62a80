/**
 * `kubekeeper operator` against a real control plane (etcd 3.6 + kube-apiserver 1.37 +
 * kube-controller-manager), the real kubectl, and the signature-checking S3 server (versitygw):
 * the generated CRDs and RBAC apply with `kubectl apply --server-side`; the API server's schema
 * and CEL validation refuse invalid policies; two operator processes (run outside the cluster,
 * each with a kubeconfig of the generated ServiceAccount, so only the generated RBAC applies)
 * elect one leader on a Lease; the leader backs up the control plane's own etcd into versitygw
 * and publishes EtcdBackup objects, status conditions, Events and metrics; the leader is
 * SIGKILLed, the other takes over and no schedule slot is stored twice; a deleted policy's
 * schedule stops while another policy's goes on. Every wait polls state (until()); no timing
 * is asserted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { formatIdentityFile, generateIdentity, generateSigningKey } from '../../src/crypto/index.js';
import { runKubekeeper } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { type ControlPlane, findControlPlanePeers, kubernetesCase, KUBERNETES_CASE, OLDEST_KUBERNETES, startControlPlane } from '../support/control-plane.js';
import { findVersitygw } from '../support/peers.js';
import { cliPath } from '../support/paths.js';
import { sample, until } from '../support/poll.js';
import { startEtcd } from '../support/etcd.js';
import { startProcess, type ManagedProcess } from '../support/processes.js';
import { startVersitygw, type VersitygwServer } from '../support/versitygw.js';

const NS = 'kubekeeper-system';
const SA_USER = `system:serviceaccount:${NS}:kubekeeper-operator`;
const INTERVAL_MS = 4000;
const SCHEDULE = `@every ${INTERVAL_MS / 1000}s`;

const CAP = {
  apply: 'generate operator: CRDs, RBAC, Namespace and Deployment apply with kubectl apply --server-side',
  validation: 'the API server refuses invalid EtcdBackupPolicies (schedule pattern, missing repository, enum, CEL rule)',
  backup: 'operator backs up the control plane\'s etcd (and a TLS etcd with the client certificate from a Secret) into S3 and publishes EtcdBackup objects, status conditions, Events and metrics',
  failover: 'two operators elect one Lease leader; after SIGKILL of the leader the other takes over and no slot is stored twice',
  deletion: 'a deleted policy\'s schedule stops (another policy goes on) and its EtcdBackup objects are garbage-collected',
  drill: 'a policy\'s drill restores its latest backup into a throwaway etcd 3.6 and reports LastDrillSucceeded and a DrillSucceeded Event',
  watch: 'with a 1 h resync, the operator reacts to a created, changed and deleted policy through its watch',
  health: 'operator /healthz turns 503 while the API server is down longer than --liveness-timeout and 200 once it is back; /readyz 200',
  deltas: 'a policy with continuousDeltas streams delta segments into S3 past its first full backup (ContinuousDeltas=True, delta metrics); deleting it stops the streamer',
} as const;

const cap = (capability: string) => ({ ...KUBERNETES_CASE, capability });

interface LogEvent {
  event: string;
  policy?: string;
  backup?: string;
  code?: string;
  address?: string;
  [key: string]: unknown;
}

const logEvents = (p: ManagedProcess): LogEvent[] => p.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEvent);

interface Ctx {
  cp: ControlPlane;
  s3: Pick<VersitygwServer, 'bucket' | 'endpoint' | 'env' | 'accessKeyId' | 'secretAccessKey'>;
  dir: string;
  recipient: string;
  identity: string;
  etcdBinDir: string;
  operators: Map<string, ManagedProcess>;
}

function policy(name: string, folder: string, ctx: Ctx, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'kubekeeper.io/v1alpha1', kind: 'EtcdBackupPolicy', metadata: { name, namespace: NS },
    spec: {
      schedule: SCHEDULE,
      etcd: { endpoints: [ctx.cp.etcd.clientUrl] },
      repository: { url: `s3://${ctx.s3.bucket}/${folder}`, s3: { endpoint: ctx.s3.endpoint, region: 'us-east-1', pathStyle: true }, credentialsSecretRef: { name: 's3-credentials' } },
      encryption: { recipients: [ctx.recipient] },
      retention: { keepLast: 1000 },
      ...extra,
    },
  });
}

async function applyJson(ctx: Ctx, name: string, json: string, extra: string[] = []) {
  const file = path.join(ctx.dir, `${name}.json`);
  writeFileSync(file, json, { mode: 0o600 });
  return ctx.cp.kubectl(['apply', '--server-side', '-f', file, ...extra]);
}

async function kubectlJson<T>(ctx: Ctx, args: string[]): Promise<T> {
  return JSON.parse(await ctx.cp.kubectlOk([...args, '-o', 'json'])) as T;
}

interface BackupList {
  backups: { name: string; status: string; manifest?: { createdAt: string; cluster: { revision: number } } }[];
  pointInTime?: { recoveryPoint?: { revision: number }; segments: number; gaps: number; backups: { name: string; fromRevision: number; toRevision: number }[] };
}

async function repoBackups(ctx: Ctx, folder: string): Promise<BackupList['backups']> {
  return (await repoList(ctx, folder)).backups;
}

async function repoList(ctx: Ctx, folder: string): Promise<BackupList> {
  const r = await runKubekeeper(['backup', 'list', '--repo', `s3://${ctx.s3.bucket}/${folder}`, '--s3-endpoint', ctx.s3.endpoint, '-w', 'json'], {
    env: { ...ctx.s3.env, AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' },
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as BackupList;
}

function startOperator(ctx: Ctx, id: string): ManagedProcess {
  const p = startProcess(`operator ${id}`, process.execPath, [
    cliPath, 'operator', `--kubeconfig=${ctx.cp.kubeconfigFor(SA_USER, ['system:serviceaccounts', `system:serviceaccounts:${NS}`])}`,
    `--namespace=${NS}`, `--lease-namespace=${NS}`, '--lease-name=kubekeeper-operator',
    // A resync of an hour: only the watch can make a policy created or changed during the test take effect.
    '--lease-duration=3s', '--renew-deadline=2s', '--retry-period=500ms', '--resync-period=1h', '--liveness-timeout=5s',
    `--identity=${id}`, '--metrics-listen=127.0.0.1:0',
  ]);
  ctx.operators.set(id, p);
  return p;
}

async function leaseHolder(ctx: Ctx): Promise<string | undefined> {
  const r = await ctx.cp.kubectl(['-n', NS, 'get', 'lease', 'kubekeeper-operator', '-o', 'json']);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { spec: { holderIdentity?: string } }).spec.holderIdentity || undefined;
}

async function metrics(p: ManagedProcess): Promise<string> {
  const address = await until('the metrics address', () => logEvents(p).find((e) => e.event === 'metrics.listening')?.address);
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

/** The HTTP status of /healthz or /readyz. */
async function probe(p: ManagedProcess, which: '/healthz' | '/readyz'): Promise<number> {
  const address = await until('the metrics address', () => logEvents(p).find((e) => e.event === 'metrics.listening')?.address);
  const res = await fetch(`http://${address}${which}`, { signal: AbortSignal.timeout(5000) });
  await res.text();
  return res.status;
}

test('kubekeeper operator on a real control plane', { timeout: 900_000 }, async (t) => {
  const { peers, missing: cpMissing } = findControlPlanePeers();
  const vgw = findVersitygw();
  const missing = cpMissing ?? vgw.missing;
  if (!peers || !vgw.peer) {
    for (const capability of Object.values(CAP)) await check(t, cap(capability), async () => undefined, missing);
    return;
  }
  const cp = await startControlPlane({ ...peers });
  t.after(() => cp.stop());
  const s3 = await startVersitygw({ bin: vgw.peer });
  t.after(() => s3.stop());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-operator-'));
  const key = generateIdentity();
  const ctx: Ctx = { cp, s3, dir, recipient: key.recipient, identity: formatIdentityFile(key, new Date()), etcdBinDir: peers.etcdBinDir, operators: new Map() };
  t.after(async () => {
    for (const p of ctx.operators.values()) await p.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  });

  await check(t, cap(CAP.apply), () => applyManifests(ctx));
  await check(t, cap(CAP.validation), () => validation(ctx));
  await check(t, cap(CAP.backup), (st) => backups(ctx, st));
  await check(t, cap(CAP.failover), (st) => failover(ctx, st));
  await check(t, cap(CAP.deletion), () => deletion(ctx));
  await check(t, cap(CAP.drill), () => drill(ctx));
  await check(t, cap(CAP.deltas), () => deltas(ctx));
  await check(t, cap(CAP.watch), () => watched(ctx));
  await check(t, cap(CAP.health), () => health(ctx));
});

test('kubekeeper operator CRDs on the oldest supported Kubernetes', { timeout: 300_000 }, async (t) => {
  const oldest = (capability: string) => ({ ...kubernetesCase(OLDEST_KUBERNETES), capability });
  const { peers, missing } = findControlPlanePeers(OLDEST_KUBERNETES);
  if (!peers) {
    for (const capability of [CAP.apply, CAP.validation]) await check(t, oldest(capability), async () => undefined, missing);
    return;
  }
  const cp = await startControlPlane({ ...peers, controllerManager: false });
  t.after(() => cp.stop());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-operator-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // No S3 server is reached here: the policies only go through the API server's validation.
  const s3 = { bucket: 'kk-test', endpoint: 'http://127.0.0.1:9', env: {}, accessKeyId: '', secretAccessKey: '' };
  const ctx: Ctx = { cp, s3, dir, recipient: generateIdentity().recipient, identity: '', etcdBinDir: peers.etcdBinDir, operators: new Map() };
  await check(t, oldest(CAP.apply), () => applyManifests(ctx));
  await check(t, oldest(CAP.validation), () => validation(ctx));
});

async function applyManifests(ctx: Ctx): Promise<void> {
  const out = path.join(ctx.dir, 'manifests');
  const gen = await runKubekeeper(['generate', 'operator', '--image', 'registry.example/kubekeeper:test', '-o', out]);
  assert.equal(gen.code, 0, gen.stderr);
  const applied = await ctx.cp.kubectlOk(['apply', '--server-side', '-f', out]);
  for (const object of ['namespace/kubekeeper-system', 'customresourcedefinition.apiextensions.k8s.io/etcdbackuppolicies.kubekeeper.io',
    'customresourcedefinition.apiextensions.k8s.io/etcdbackups.kubekeeper.io', 'serviceaccount/kubekeeper-operator',
    'role.rbac.authorization.k8s.io/kubekeeper-operator', 'rolebinding.rbac.authorization.k8s.io/kubekeeper-operator-lease', 'deployment.apps/kubekeeper-operator']) {
    assert.match(applied, new RegExp(`^${object.replace(/\./g, '\\.')} serverside-applied$`, 'm'));
  }
  await ctx.cp.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/etcdbackuppolicies.kubekeeper.io', 'crd/etcdbackups.kubekeeper.io']);
  const ns = await kubectlJson<{ metadata: { labels: Record<string, string> } }>(ctx, ['get', 'namespace', NS]);
  assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
  // Least privilege, as the API server's authorizer sees the ServiceAccount.
  const can = async (verb: string, resource: string, ns = NS, extra: string[] = []) => (await ctx.cp.kubectl(['auth', 'can-i', verb, resource, '-n', ns, `--as=${SA_USER}`, ...extra])).stdout.trim();
  assert.equal(await can('list', 'etcdbackuppolicies.kubekeeper.io'), 'yes');
  assert.equal(await can('patch', 'etcdbackuppolicies.kubekeeper.io', NS, ['--subresource=status']), 'yes');
  assert.equal(await can('patch', 'etcdbackuppolicies.kubekeeper.io'), 'no');
  assert.equal(await can('update', 'etcdbackuppolicies.kubekeeper.io'), 'no');
  assert.equal(await can('delete', 'etcdbackuppolicies.kubekeeper.io'), 'no');
  assert.equal(await can('list', 'secrets'), 'no');
  assert.equal(await can('get', 'secrets', 'kube-system'), 'no');
  assert.equal(await can('update', 'leases/kubekeeper-operator'), 'yes');
  assert.equal(await can('update', 'leases/kube-scheduler'), 'no');
}

async function validation(ctx: Ctx): Promise<void> {
  const good = JSON.parse(policy('valid', 'valid', ctx)) as { spec: Record<string, unknown> };
  const ok = await applyJson(ctx, 'valid', JSON.stringify(good), ['--dry-run=server']);
  assert.equal(ok.code, 0, ok.stderr);
  const refused = async (name: string, mutate: (spec: Record<string, unknown>) => void, expected: RegExp) => {
    const p = JSON.parse(policy(name, name, ctx)) as { spec: Record<string, unknown> };
    mutate(p.spec);
    const r = await applyJson(ctx, name, JSON.stringify(p));
    assert.notEqual(r.code, 0, `${name} was accepted`);
    assert.match(r.stderr, expected, name);
  };
  await refused('bad-schedule', (s) => (s.schedule = 'every five minutes'), /spec\.schedule: Invalid value: "every five minutes": spec\.schedule in body should match/);
  await refused('no-repository', (s) => delete s.repository, /spec\.repository: Required value/);
  await refused('bad-compression', (s) => (s.compression = 'lz4'), /spec\.compression: Unsupported value: "lz4": supported values: "zstd", "gzip", "none"/);
  await refused('bad-recipient', (s) => (s.encryption = { recipients: ['age1notakey'] }), /spec\.encryption\.recipients\[0\]/);
  await refused('local-with-s3', (s) => (s.repository = { url: '/var/backups/kubekeeper', s3: { region: 'x' } }), /s3 and credentialsSecretRef need an s3:\/\/ url/);
  await refused('half-tls', (s) => (s.etcd = { endpoints: ['127.0.0.1:2379'], certFile: '/etc/kubernetes/pki/etcd/healthcheck-client.crt' }), /certFile and keyFile must be given together/);
  const listed = await kubectlJson<{ items: unknown[] }>(ctx, ['-n', NS, 'get', 'etcdbackuppolicies']);
  assert.equal(listed.items.length, 0, 'nothing invalid (and the dry run) was stored');
}

interface Condition {
  type: string;
  status: string;
  reason: string;
}
interface PolicyObject {
  metadata: { uid: string };
  status?: { conditions?: Condition[]; lastBackup?: string; backupCount?: number };
}
interface BackupObject {
  metadata: { name: string; ownerReferences?: { uid: string; kind: string }[] };
  spec: { backupName: string; revision: number; sizeBytes: number; snapshotSha256: string; encrypted: boolean; verified: boolean; signed: boolean };
}

const condition = (p: PolicyObject, type: string) => p.status?.conditions?.find((c) => c.type === type);

async function backups(ctx: Ctx, _t: TestContext): Promise<void> {
  await ctx.cp.kubectlOk(['-n', NS, 'create', 'secret', 'generic', 's3-credentials', `--from-literal=accessKeyId=${ctx.s3.accessKeyId}`, `--from-literal=secretAccessKey=${ctx.s3.secretAccessKey}`]);
  // beta signs its manifests with a key from a Secret, and trusts only that key.
  const signing = generateSigningKey();
  const signingFile = path.join(ctx.dir, 'signing.key');
  writeFileSync(signingFile, signing.fileText, { mode: 0o600 });
  await ctx.cp.kubectlOk(['-n', NS, 'create', 'secret', 'generic', 'signing-key', `--from-file=signing.key=${signingFile}`]);
  const extra: Record<string, Record<string, unknown>> = {
    alpha: {},
    beta: { signing: { keySecretRef: { name: 'signing-key' } }, repository: { ...JSON.parse(policy('x', 'beta', ctx)).spec.repository, trustedSigners: [signing.key.publicKey.toString()] } },
  };
  for (const name of ['alpha', 'beta']) {
    const r = await applyJson(ctx, name, policy(name, name, ctx, extra[name]));
    assert.equal(r.code, 0, r.stderr);
  }
  const a = startOperator(ctx, 'op-a');
  const b = startOperator(ctx, 'op-b');
  const leader = await until('a Lease holder', () => leaseHolder(ctx));
  assert.ok(['op-a', 'op-b'].includes(leader), leader);
  const objects = await until('two EtcdBackup objects of alpha', async () => {
    const list = await kubectlJson<{ items: BackupObject[] }>(ctx, ['-n', NS, 'get', 'etcdbackups', '-l', 'kubekeeper.io/policy=alpha']);
    return list.items.length >= 2 ? list.items : undefined;
  });
  const stored = await repoBackups(ctx, 'alpha');
  const p = await getPolicy(ctx, 'alpha');
  for (const o of objects) {
    const inRepo = stored.find((s) => s.name === o.spec.backupName);
    assert.ok(inRepo, `${o.spec.backupName} is in the repository`);
    assert.equal(o.spec.revision, inRepo.manifest?.cluster.revision);
    assert.ok(o.spec.revision > 1 && o.spec.sizeBytes > 0 && /^[0-9a-f]{64}$/.test(o.spec.snapshotSha256));
    assert.deepEqual([o.spec.encrypted, o.spec.verified, o.spec.signed], [true, true, false]);
    assert.equal(o.metadata.ownerReferences?.[0]?.uid, p.metadata.uid, 'owned by the policy');
  }
  const status = await until('alpha status: Ready, LastBackupSucceeded', async () => {
    const x = await getPolicy(ctx, 'alpha');
    return condition(x, 'Ready')?.status === 'True' && condition(x, 'LastBackupSucceeded')?.status === 'True' ? x : undefined;
  });
  assert.equal(condition(status, 'LastBackupSucceeded')?.reason, 'BackupSucceeded');
  assert.equal(condition(status, 'ContinuousDeltas'), undefined, 'no deltas condition for a policy without continuousDeltas');
  const events = await kubectlJson<{ items: { regarding: { name: string; kind: string }; reason: string; type: string; reportingController: string; reportingInstance: string }[] }>(ctx, ['-n', NS, 'get', 'events.events.k8s.io']);
  const ok = events.items.filter((e) => e.regarding.kind === 'EtcdBackupPolicy' && e.regarding.name === 'alpha' && e.reason === 'BackupSucceeded');
  assert.ok(ok.length >= 2, `BackupSucceeded events: ${ok.length}; ${JSON.stringify(logEvents(a).concat(logEvents(b)).filter((e) => e.event === 'event.failed'))}`);
  assert.ok(ok.every((e) => e.type === 'Normal' && e.reportingController === 'kubekeeper.io/operator' && e.reportingInstance === leader));
  // The leader's metrics count its runs; the other replica stands by and ran nothing.
  const leaderProcess = leader === 'op-a' ? a : b;
  const follower = leader === 'op-a' ? b : a;
  const m = await metrics(leaderProcess);
  assert.equal(sample(m, 'kubekeeper_operator_leader'), 1);
  assert.ok((sample(m, 'kubekeeper_backup_runs_total{namespace="kubekeeper-system",policy="alpha",result="success"}') ?? 0) >= 2, m);
  assert.equal(sample(await metrics(follower), 'kubekeeper_operator_leader'), 0);
  assert.deepEqual(logEvents(follower).filter((e) => e.event === 'backup.run.start'), [], 'the follower never backed up');
  const signed = await until('an EtcdBackup of beta', async () => {
    const list = await kubectlJson<{ items: BackupObject[] }>(ctx, ['-n', NS, 'get', 'etcdbackups', '-l', 'kubekeeper.io/policy=beta']);
    return list.items.length >= 1 ? list.items : undefined;
  });
  assert.deepEqual(signed.map((o) => [o.spec.signed, o.spec.verified]), signed.map(() => [true, true]), 'beta\'s manifests are signed by the trusted key');
  await tlsFromSecret(ctx);
}

/** An etcd that requires client certificates, reached with the certificate from a Secret (tlsSecretRef). */
async function tlsFromSecret(ctx: Ctx): Promise<void> {
  const etcd = await startEtcd({ binDir: ctx.etcdBinDir, tls: true, name: 'tls' });
  try {
    const tls = etcd.tls as NonNullable<typeof etcd.tls>;
    await ctx.cp.kubectlOk(['-n', NS, 'create', 'secret', 'generic', 'etcd-client', `--from-file=ca.crt=${tls.caCert}`, `--from-file=tls.crt=${tls.clientCert}`, `--from-file=tls.key=${tls.clientKey}`]);
    const r = await applyJson(ctx, 'gamma', policy('gamma', 'gamma', ctx, { etcd: { endpoints: [etcd.clientUrl], tlsSecretRef: { name: 'etcd-client' } } }));
    assert.equal(r.code, 0, r.stderr);
    const [object] = await until('an EtcdBackup of gamma', async () => {
      const list = await kubectlJson<{ items: BackupObject[] }>(ctx, ['-n', NS, 'get', 'etcdbackups', '-l', 'kubekeeper.io/policy=gamma']);
      return list.items.length >= 1 ? list.items : undefined;
    });
    const stored = await repoBackups(ctx, 'gamma');
    assert.ok(stored.some((b) => b.name === object?.spec.backupName && b.status === 'ok'));
  } finally {
    await ctx.cp.kubectlOk(['-n', NS, 'delete', 'etcdbackuppolicy', 'gamma']);
    await etcd.stop();
  }
}

/** Names of backups each operator process stored ("backup.run.done"), in log order. */
const storedBy = (p: ManagedProcess) => logEvents(p).filter((e) => e.event === 'backup.run.done').map((e) => e.backup as string);

async function failover(ctx: Ctx, t: TestContext): Promise<void> {
  const leader = await until('a Lease holder', () => leaseHolder(ctx));
  const other = leader === 'op-a' ? 'op-b' : 'op-a';
  const dead = ctx.operators.get(leader) as ManagedProcess;
  const survivor = ctx.operators.get(other) as ManagedProcess;
  const killedAt = Date.now();
  process.kill(dead.pid, 'SIGKILL');
  await dead.exited;
  type LeaseJson = { spec: { holderIdentity?: string; renewTime: string; acquireTime: string; leaseTransitions: number } };
  const lastRenew = await kubectlJson<LeaseJson>(ctx, ['-n', NS, 'get', 'lease', 'kubekeeper-operator']);
  const before = (await repoBackups(ctx, 'alpha')).length;
  assert.equal(await until('the other operator holding the Lease', async () => ((await leaseHolder(ctx)) === other ? other : undefined), 60_000), other);
  const taken = await kubectlJson<LeaseJson>(ctx, ['-n', NS, 'get', 'lease', 'kubekeeper-operator']);
  // Measured, not asserted: the Lease is 3 s, retried every 0.5 s.
  t.diagnostic(`takeover: ${Date.parse(taken.spec.acquireTime) - Date.parse(lastRenew.spec.renewTime)} ms after the dead leader's last renewal, ${Date.now() - killedAt} ms after SIGKILL as polled (lease duration 3000 ms)`);
  assert.equal(lastRenew.spec.holderIdentity, leader, 'the dead leader still held the Lease after it died: the survivor had to wait for expiry');
  await until('two backups of alpha by the new leader', () => (storedBy(survivor).filter((n) => n.startsWith('alpha-')).length >= 2 ? true : undefined), 120_000);
  const all = await repoBackups(ctx, 'alpha');
  assert.ok(all.length >= before + 2);
  // Every backup is one slot of the @every grid, stored once, and was taken at or after its slot.
  const names = all.map((b) => b.name);
  assert.equal(new Set(names).size, names.length);
  for (const b of all) {
    const m = /^alpha-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(b.name);
    assert.ok(m, b.name);
    const slot = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
    assert.equal(slot % INTERVAL_MS, 0, `${b.name} is on the ${INTERVAL_MS} ms grid`);
    assert.ok(Date.parse(b.manifest?.createdAt ?? '') >= slot, `${b.name} was taken at or after its slot`);
    assert.equal(b.status, 'ok');
  }
  // No slot ran twice: what each process stored is disjoint, and neither met a slot already stored.
  const byDead = storedBy(dead);
  const bySurvivor = storedBy(survivor);
  assert.deepEqual(byDead.filter((n) => bySurvivor.includes(n)), []);
  for (const p of [dead, survivor]) assert.deepEqual(logEvents(p).filter((e) => e.event === 'backup.slot.stored' || e.code === 'backup-exists'), []);
  const lease = await kubectlJson<{ spec: { leaseTransitions: number } }>(ctx, ['-n', NS, 'get', 'lease', 'kubekeeper-operator']);
  assert.ok(lease.spec.leaseTransitions >= 1);
}

async function deletion(ctx: Ctx): Promise<void> {
  const op = await leaderOperator(ctx);
  await until('EtcdBackup objects of alpha', async () => ((await kubectlJson<{ items: unknown[] }>(ctx, ['-n', NS, 'get', 'etcdbackups', '-l', 'kubekeeper.io/policy=alpha'])).items.length > 0 ? true : undefined));
  const stopsBefore = logEvents(op).filter((e) => e.event === 'policy.stop' && e.policy === `${NS}/alpha`).length;
  await ctx.cp.kubectlOk(['-n', NS, 'delete', 'etcdbackuppolicy', 'alpha']);
  // The runner is stopped (an in-flight run finishes first), then alpha's count is final.
  await until('alpha\'s runner stopped', () => (logEvents(op).filter((e) => e.event === 'policy.stop' && e.policy === `${NS}/alpha`).length > stopsBefore ? true : undefined));
  const alphaAfterStop = (await repoBackups(ctx, 'alpha')).map((b) => b.name).sort();
  // Progress marker: beta stores two more backups, so at least two more slots passed.
  const betaBefore = storedBy(op).filter((n) => n.startsWith('beta-')).length;
  await until('two more backups of beta', () => (storedBy(op).filter((n) => n.startsWith('beta-')).length >= betaBefore + 2 ? true : undefined), 120_000);
  assert.deepEqual((await repoBackups(ctx, 'alpha')).map((b) => b.name).sort(), alphaAfterStop, 'no backup of alpha after its deletion');
  // The inventory objects are owned by the policy: the garbage collector removes them; the backups stay.
  await until('alpha\'s EtcdBackup objects garbage-collected', async () => ((await kubectlJson<{ items: unknown[] }>(ctx, ['-n', NS, 'get', 'etcdbackups', '-l', 'kubekeeper.io/policy=alpha'])).items.length === 0 ? true : undefined));
  assert.ok(alphaAfterStop.length > 0);
}

async function drill(ctx: Ctx): Promise<void> {
  const identityFile = path.join(ctx.dir, 'identity.txt');
  writeFileSync(identityFile, ctx.identity, { mode: 0o600 });
  await ctx.cp.kubectlOk(['-n', NS, 'create', 'secret', 'generic', 'backup-identity', `--from-file=identity=${identityFile}`]);
  const r = await applyJson(ctx, 'delta', policy('delta', 'delta', ctx, {
    drill: { schedule: '@every 6s', identitySecretRef: { name: 'backup-identity' }, etcdBinary: path.join(ctx.etcdBinDir, 'etcd'), expectKeys: ['/registry/namespaces/default'] },
  }));
  assert.equal(r.code, 0, r.stderr);
  try {
    const p = await until('delta: LastDrillSucceeded=True', async () => {
      const x = await getPolicy(ctx, 'delta');
      return condition(x, 'LastDrillSucceeded')?.status === 'True' ? x : undefined;
    }, 180_000);
    assert.equal(condition(p, 'LastDrillSucceeded')?.reason, 'DrillSucceeded');
    const events = await kubectlJson<{ items: { regarding: { name: string }; reason: string }[] }>(ctx, ['-n', NS, 'get', 'events.events.k8s.io']);
    assert.ok(events.items.some((e) => e.regarding.name === 'delta' && e.reason === 'DrillSucceeded'));
  } finally {
    await ctx.cp.kubectlOk(['-n', NS, 'delete', 'etcdbackuppolicy', 'delta']);
  }
}

/** The etcd revision of a ConfigMap written now through the API server (its resourceVersion). */
async function writeConfigMap(ctx: Ctx, name: string): Promise<number> {
  await ctx.cp.kubectlOk(['-n', NS, 'create', 'configmap', name, `--from-literal=at=${name}`]);
  return Number((await kubectlJson<{ metadata: { resourceVersion: string } }>(ctx, ['-n', NS, 'get', 'configmap', name])).metadata.resourceVersion);
}

async function deltas(ctx: Ctx): Promise<void> {
  const op = await leaderOperator(ctx);
  // A daily schedule: the only full backup is the one the streamer asks for (the repository has none).
  const r = await applyJson(ctx, 'pitr', policy('pitr', 'pitr', ctx, { schedule: '@daily', continuousDeltas: true }));
  assert.equal(r.code, 0, r.stderr);
  const streaming = await until('pitr: ContinuousDeltas=True Streaming', async () => {
    const x = await getPolicy(ctx, 'pitr');
    return condition(x, 'ContinuousDeltas')?.status === 'True' ? x : undefined;
  }, 180_000);
  assert.equal(condition(streaming, 'ContinuousDeltas')?.reason, 'Streaming');
  assert.ok(logEvents(op).some((e) => e.event === 'policy.deltas.full' && e.policy === `${NS}/pitr`), 'the streamer asked the policy for its first full backup');
  const [full] = (await repoBackups(ctx, 'pitr')).filter((b) => b.status === 'ok');
  assert.ok(full?.manifest, 'one full backup of pitr');
  const written = await writeConfigMap(ctx, 'pitr-1');
  assert.ok(written > full.manifest.cluster.revision);
  const pit = await until('a restorable range of pitr past the ConfigMap write', async () => {
    const list = await repoList(ctx, 'pitr');
    const range = list.pointInTime?.backups.find((b) => b.name === full.name);
    return range && range.toRevision >= written ? list.pointInTime : undefined;
  }, 120_000);
  assert.ok(pit && pit.segments >= 1 && pit.gaps === 0, JSON.stringify(pit));
  assert.equal(pit.backups.find((b) => b.name === full.name)?.fromRevision, full.manifest.cluster.revision);
  const m = await metrics(op);
  assert.equal(sample(m, 'kubekeeper_delta_leader{namespace="kubekeeper-system",policy="pitr"}'), 1, m);
  assert.ok((sample(m, 'kubekeeper_delta_segments_written_total{namespace="kubekeeper-system",policy="pitr"}') ?? 0) >= 1, m);
  // Deleting the policy stops the streamer: no segment is stored for later writes.
  await ctx.cp.kubectlOk(['-n', NS, 'delete', 'etcdbackuppolicy', 'pitr']);
  await until('pitr\'s streamer stopped', () => (logEvents(op).some((e) => e.event === 'policy.deltas.stop' && e.policy === `${NS}/pitr`) ? true : undefined));
  const stopped = (await repoList(ctx, 'pitr')).pointInTime;
  const after = await writeConfigMap(ctx, 'pitr-2');
  // Progress marker: beta stores three more backups (12 s of its 4 s slots), longer than the streamer's 10 s flush interval.
  const betaBefore = storedBy(op).filter((n) => n.startsWith('beta-')).length;
  await until('three more backups of beta', () => (storedBy(op).filter((n) => n.startsWith('beta-')).length >= betaBefore + 3 ? true : undefined), 120_000);
  const later = (await repoList(ctx, 'pitr')).pointInTime;
  assert.deepEqual(later, stopped, 'no delta segment after the policy was deleted');
  assert.ok((later?.recoveryPoint?.revision ?? 0) < after);
}

/** The operator that holds the Lease now. */
async function leaderOperator(ctx: Ctx): Promise<ManagedProcess> {
  return ctx.operators.get(await until('a Lease holder', () => leaseHolder(ctx))) as ManagedProcess;
}

async function getPolicy(ctx: Ctx, name: string): Promise<PolicyObject> {
  return kubectlJson<PolicyObject>(ctx, ['-n', NS, 'get', 'etcdbackuppolicy', name]);
}

async function policyCondition(ctx: Ctx, name: string, type: string): Promise<Condition | undefined> {
  return condition(await getPolicy(ctx, name), type);
}

/** The operators resync once an hour: each reaction here comes from the watch. */
async function watched(ctx: Ctx): Promise<void> {
  const op = await leaderOperator(ctx);
  const r = await applyJson(ctx, 'watched', policy('watched', 'watched', ctx, { schedule: '@daily', suspend: true }));
  assert.equal(r.code, 0, r.stderr);
  const suspended = await until('watched: Ready=False Suspended', async () => {
    const c = await policyCondition(ctx, 'watched', 'Ready');
    return c?.reason === 'Suspended' ? c : undefined;
  });
  assert.equal(suspended.status, 'False');
  await ctx.cp.kubectlOk(['-n', NS, 'patch', 'etcdbackuppolicy', 'watched', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
  const scheduled = await until('watched: Ready=True Scheduled', async () => {
    const c = await policyCondition(ctx, 'watched', 'Ready');
    return c?.status === 'True' ? c : undefined;
  });
  assert.equal(scheduled.reason, 'Scheduled');
  await ctx.cp.kubectlOk(['-n', NS, 'delete', 'etcdbackuppolicy', 'watched']);
  await until('watched\'s runner stopped', () => (logEvents(op).some((e) => e.event === 'policy.deleted' && e.policy === `${NS}/watched`) ? true : undefined));
  assert.deepEqual(logEvents(op).filter((e) => e.event === 'policies.watch.failed'), [], 'the watch never failed while the API server was up');
}

async function health(ctx: Ctx): Promise<void> {
  const ops = [...ctx.operators.values()].filter((p) => !p.dead());
  assert.ok(ops.length >= 1);
  for (const p of ops) assert.deepEqual([await probe(p, '/healthz'), await probe(p, '/readyz')], [200, 200]);
  await ctx.cp.stopApiserver();
  try {
    // --liveness-timeout=5s: every replica notices that nothing answers any more.
    for (const p of ops) await until('/healthz 503 without the API server', async () => ((await probe(p, '/healthz')) === 503 ? true : undefined), 60_000);
  } finally {
    await ctx.cp.startApiserver();
  }
  for (const p of ops) await until('/healthz 200 with the API server back', async () => ((await probe(p, '/healthz')) === 200 ? true : undefined), 60_000);
  for (const p of ops) await until('/readyz 200 with the API server back', async () => ((await probe(p, '/readyz')) === 200 ? true : undefined), 60_000);
}
