/**
 * `snapshot ls / get / diff` on objects a real kube-apiserver 1.37.2 wrote (issue 16 item 3
 * "Inspect", issue 18 item 12): `snapshot get` of each object equals `kubectl get -o json` of the
 * same object, taken right after the snapshot with no write in between (same resourceVersion), and
 * Secrets encrypted at rest (aescbc, secretbox) show as encrypted with provider and key name.
 *
 * Set-up: a control plane (test/support/control-plane.ts) whose EncryptionConfiguration lists
 * identity first, so the objects compared are stored in plain protobuf (or JSON); snapshot A; the
 * API server restarted with aescbc first (a Secret created), then with secretbox first (a Secret
 * created, another rewritten as the Kubernetes docs say to re-encrypt); the controller-manager
 * stopped so no controller writes; snapshot B; then kubectl.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { openSnapshotFile } from '../../src/backup/index.js';
import { objectDocument } from '../../src/cli/output/inspect.js';
import { decodeValue, forEachLiveKey } from '../../src/inspect/index.js';
import { openBolt } from '../../src/snapshot/index.js';
import { runKubekeeper, runProcess } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { findControlPlanePeers, KUBERNETES_CASE, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { kubeRequest } from '../support/kube-http.js';
import { waitUntil } from '../support/processes.js';
import { tempDir } from '../support/temp.js';
import { CRON_TAB, INSPECT_OBJECTS, certificateSigningRequest } from './kubernetes-inspect-objects.js';

type Json = Record<string, unknown>;
const { peers, missing } = findControlPlanePeers();

/**
 * Every normalisation applied before comparing: only what is not part of the object. The API
 * server adds metadata.resourceVersion on read; kubekeeper adds the same (the key's mod
 * revision), so it is compared, not normalised.
 */
const NORMALISATIONS = [
  'the "kubekeeper" key removed from `snapshot get` output (where and how kubekeeper found the object stored; not part of the object)',
];

const withoutKubekeeper = ({ kubekeeper: _k, ...object }: Json): Json => object;

function encryptionConfig(first: 'identity' | 'aescbc' | 'secretbox', keys: { aescbc: string; secretbox: string }): string {
  const providers = {
    identity: '      - identity: {}',
    aescbc: `      - aescbc:\n          keys:\n            - name: key1\n              secret: ${keys.aescbc}`,
    secretbox: `      - secretbox:\n          keys:\n            - name: key2\n              secret: ${keys.secretbox}`,
  };
  const order = [first, ...(['identity', 'aescbc', 'secretbox'] as const).filter((p) => p !== first)];
  return ['apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources: [secrets]', '    providers:',
    ...order.map((p) => providers[p]), ''].join('\n');
}

/** The objects compared one by one: kubekeeper's resource argument and kubectl's. */
const NAMED = [
  { kind: 'Deployment', resource: 'deployments', kubectl: 'deployments.apps', name: 'inspect/web' },
  { kind: 'Pod', resource: 'pods', kubectl: 'pods', name: 'inspect/solo' },
  { kind: 'Secret', resource: 'secrets', kubectl: 'secrets', name: 'inspect/creds' },
  { kind: 'ConfigMap', resource: 'configmaps', kubectl: 'configmaps', name: 'inspect/web-config' },
  { kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions.apiextensions.k8s.io', kubectl: 'customresourcedefinitions.apiextensions.k8s.io', name: 'crontabs.stable.example.com' },
  { kind: 'CronTab (custom resource)', resource: 'crontabs.stable.example.com', kubectl: 'crontabs.stable.example.com', name: 'inspect/nightly' },
  { kind: 'Lease', resource: 'leases', kubectl: 'leases.coordination.k8s.io', name: 'inspect/my-lease' },
  { kind: 'Service', resource: 'services', kubectl: 'services', name: 'inspect/web' },
  { kind: 'StatefulSet', resource: 'statefulsets', kubectl: 'statefulsets.apps', name: 'inspect/db' },
] as const;

interface Cluster {
  cp: ControlPlane;
  snapA: string;
  snapB: string;
}

async function kubectlApply(cp: ControlPlane, dir: string, name: string, yaml: string): Promise<void> {
  const file = path.join(dir, name);
  writeFileSync(file, yaml, { mode: 0o600 });
  await cp.kubectlOk(['apply', '-f', file]);
}

async function snapshot(cp: ControlPlane, file: string): Promise<void> {
  const r = await runKubekeeper(['snapshot', 'save', file, `--endpoints=${cp.etcd.clientUrl}`]);
  assert.equal(r.code, 0, r.stderr);
}

/** Restarts the API server with an EncryptionConfiguration whose first provider (the one that encrypts new writes) is `first`. */
async function restartWithProvider(t: TestContext, cp: ControlPlane, dir: string, first: 'aescbc' | 'secretbox', keys: { aescbc: string; secretbox: string }): Promise<void> {
  const file = path.join(dir, `encryption-${first}.yaml`);
  writeFileSync(file, encryptionConfig(first, keys), { mode: 0o600 });
  const args = cp.apiserverArgs().filter((a) => !a.startsWith('--encryption-provider-config='));
  await cp.stopApiserver();
  t.diagnostic(`kube-apiserver restarted with ${first} first in ${await cp.startApiserver([...args, `--encryption-provider-config=${file}`])} ms`);
}

async function setUp(t: TestContext): Promise<Cluster> {
  if (!peers) throw new Error('unreachable');
  const keys = { aescbc: randomBytes(32).toString('base64'), secretbox: randomBytes(32).toString('base64') };
  const cp = await startControlPlane({ ...peers, encryptionConfig: encryptionConfig('identity', keys) });
  t.after(() => cp.stop());
  t.diagnostic(`control plane started in ${cp.startup.totalMs} ms`);
  const dir = await tempDir(t, 'kk-inspect-');
  await cp.kubectlOk(['create', 'namespace', 'inspect']);
  // Pods need the namespace's default ServiceAccount, which the controller-manager creates.
  await waitUntil('the inspect/default ServiceAccount', async () =>
    (await kubeRequest(cp.credentials(), 'GET', '/api/v1/namespaces/inspect/serviceaccounts/default')).status === 200, { timeoutMs: 60_000 });
  await kubectlApply(cp, dir, 'objects.yaml', INSPECT_OBJECTS);
  await cp.kubectlOk(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=60s']);
  await kubectlApply(cp, dir, 'crontab.yaml', CRON_TAB);
  // A CertificateSigningRequest needs a real PKCS#10 request.
  const csrKey = path.join(dir, 'csr.key');
  const csr = await runProcess('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', csrKey, '-subj', '/CN=alice/O=dev']);
  assert.equal(csr.code, 0, csr.stderr);
  await kubectlApply(cp, dir, 'csr.yaml', certificateSigningRequest(Buffer.from(csr.stdout).toString('base64')));
  const snapA = path.join(dir, 'a.db');
  await snapshot(cp, snapA);

  await restartWithProvider(t, cp, dir, 'aescbc', keys);
  await cp.kubectlOk(['create', 'secret', 'generic', 'enc-aescbc', '-n', 'inspect', '--from-literal=token=aescbc-secret-value']);
  await restartWithProvider(t, cp, dir, 'secretbox', keys);
  await cp.kubectlOk(['create', 'secret', 'generic', 'enc-secretbox', '-n', 'inspect', '--from-literal=token=secretbox-secret-value']);
  // Re-encrypting an existing Secret, as the Kubernetes docs say: get it and replace it unchanged.
  const rotated = path.join(dir, 'rotated.json');
  writeFileSync(rotated, await cp.kubectlOk(['get', 'secret', 'rotated', '-n', 'inspect', '-o', 'json']), { mode: 0o600 });
  await cp.kubectlOk(['replace', '-f', rotated]);

  // No controller writes from here on: what kubectl reads next is what the snapshot holds.
  await cp.controllerManager?.stop();
  const snapB = path.join(dir, 'b.db');
  await snapshot(cp, snapB);
  return { cp, snapA, snapB };
}

async function kubectlJson(cp: ControlPlane, args: readonly string[]): Promise<Json> {
  return JSON.parse(await cp.kubectlOk([...args, '-o', 'json'])) as Json;
}

async function snapshotGet(file: string, resource: string, name: string, extra: readonly string[] = []): Promise<Json> {
  const r = await runKubekeeper(['snapshot', 'get', file, resource, name, '-w', 'json', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Json;
}

const meta = (o: Json) => o.metadata as { resourceVersion?: string; name?: string; namespace?: string };

/** Paths where two JSON values differ (for a readable failure message). */
function differences(a: unknown, b: unknown, at = '', out: string[] = []): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences((a as Json)[k], (b as Json)[k], `${at}.${k}`, out);
  } else out.push(`${at}: kubekeeper ${JSON.stringify(a)?.slice(0, 160)} kubectl ${JSON.stringify(b)?.slice(0, 160)}`);
  return out;
}

function assertSameObject(ours: Json, theirs: Json, what: string): void {
  const diff = differences(ours, theirs);
  assert.deepStrictEqual(ours, theirs, `${what} differs from kubectl get -o json:\n  ${diff.slice(0, 12).join('\n  ')}`);
}

test('kubernetes: snapshot ls/get/diff on objects a real kube-apiserver wrote', async (t) => {
  const cluster = peers ? await setUp(t) : undefined;
  t.diagnostic(`normalisations: ${NORMALISATIONS.join('; ')}`);

  for (const o of NAMED) {
    await check(t, { ...KUBERNETES_CASE, capability: `snapshot get = kubectl get -o json: ${o.kind}` }, async (st) => {
      const { cp, snapB } = cluster as Cluster;
      const [ns, name] = o.name.includes('/') ? o.name.split('/') as [string, string] : [undefined, o.name];
      const where = ns ? ['-n', ns] : [];
      const theirs = await kubectlJson(cp, ['get', o.kubectl, name, ...where, '--show-managed-fields']);
      const ours = await snapshotGet(snapB, o.resource, o.name, ['--show-managed-fields']);
      assert.equal(meta(ours).resourceVersion, meta(theirs).resourceVersion, 'no write between the snapshot and kubectl');
      assertSameObject(withoutKubekeeper(ours), theirs, `${o.kind} ${o.name} (with managedFields)`);
      // Without the flag both hide managedFields.
      const plainTheirs = await kubectlJson(cp, ['get', o.kubectl, name, ...where]);
      const plainOurs = withoutKubekeeper(await snapshotGet(snapB, o.resource, o.name));
      assertSameObject(plainOurs, plainTheirs, `${o.kind} ${o.name}`);
      st.diagnostic(`${o.kind}: ${JSON.stringify(plainOurs, null, 2).length} bytes of JSON, stored as ${(ours.kubekeeper as Json).encoding} ${(ours.kubekeeper as Json).storedApiVersion ?? ''}`);
    }, missing);
  }

  await check(t, { ...KUBERNETES_CASE, capability: 'snapshot get = kubectl get -o json: every object at an unchanged resourceVersion' }, async (st) => {
    const { cp, snapB } = cluster as Cluster;
    const resources = (await cp.kubectlOk(['api-resources', '--verbs=list', '-o', 'name'])).trim().split('\n');
    const listed = await kubectlJson(cp, ['get', resources.join(','), '-A', '--show-managed-fields']);
    const served = new Map<string, Json>();
    for (const item of listed.items as Json[]) served.set(`${item.apiVersion} ${item.kind} ${meta(item).namespace ?? ''}/${meta(item).name}`, item);
    const file = await openSnapshotFile(snapB);
    let compared = 0;
    const mismatches: string[] = [];
    const changed: string[] = [];
    const notServed: string[] = [];
    const kinds = new Set<string>();
    try {
      forEachLiveKey(openBolt(file.ra), undefined, (live) => {
        const decoded = decodeValue(live.value);
        if (decoded.encoding !== 'protobuf' && decoded.encoding !== 'json') return;
        const ours = withoutKubekeeper(objectDocument(decoded, live.modRevision, '', { showManagedFields: true }));
        const id = `${ours.apiVersion} ${ours.kind} ${meta(ours).namespace ?? ''}/${meta(ours).name}`;
        const theirs = served.get(id);
        if (!theirs) return void notServed.push(id);
        if (meta(theirs).resourceVersion !== meta(ours).resourceVersion) return void changed.push(id);
        const diff = differences(JSON.parse(JSON.stringify(ours, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))), theirs);
        if (diff.length > 0) mismatches.push(`${id}:\n    ${diff.slice(0, 6).join('\n    ')}`);
        compared++;
        kinds.add(`${ours.apiVersion} ${ours.kind}`);
      });
    } finally {
      await file.close();
    }
    st.diagnostic(`${compared} objects of ${kinds.size} kinds equal; written after the snapshot (not compared): ${changed.join(', ') || 'none'}; stored but not served by a list: ${notServed.join(', ') || 'none'}`);
    st.diagnostic(`kinds: ${[...kinds].sort().join(', ')}`);
    assert.deepEqual(mismatches, [], `${mismatches.length} of ${compared} objects differ from kubectl get -o json`);
    assert.ok(kinds.size >= 30, `${kinds.size} kinds compared`);
    // Only the API server's own identity Lease is renewed behind the snapshot's back.
    assert.ok(changed.every((id) => id.startsWith('coordination.k8s.io/v1 Lease kube-system/')), `changed: ${changed.join(', ')}`);
  }, missing);

  await check(t, { ...KUBERNETES_CASE, capability: 'snapshot ls/get: Secrets encrypted at rest (aescbc, secretbox) shown with provider and key name' }, async () => {
    const { cp, snapB } = cluster as Cluster;
    const ls = JSON.parse((await runKubekeeper(['snapshot', 'ls', snapB, '--resource', 'secrets', '-n', 'inspect', '-w', 'json'])).stdout) as Json[];
    const byName = Object.fromEntries(ls.map((o) => [o.name, o]));
    assert.deepEqual(byName['enc-aescbc']?.encryption, { provider: 'aescbc', keyName: 'key1' });
    assert.deepEqual(byName['enc-secretbox']?.encryption, { provider: 'secretbox', keyName: 'key2' });
    assert.deepEqual(byName.rotated?.encryption, { provider: 'secretbox', keyName: 'key2' }, 'rewritten under secretbox');
    assert.equal(byName.creds?.encoding, 'protobuf', 'written while identity was first: plain');
    const table = await runKubekeeper(['snapshot', 'ls', snapB, '--resource', 'secrets', '-n', 'inspect']);
    assert.match(table.stdout, /\| secrets +\| inspect +\| enc-aescbc +\| <encrypted: aescbc\/key1> +\|/);
    assert.match(table.stdout, /\| secrets +\| inspect +\| enc-secretbox +\| <encrypted: secretbox\/key2> +\|/);
    for (const [name, provider, keyName, value] of [['enc-aescbc', 'aescbc', 'key1', 'aescbc-secret-value'], ['enc-secretbox', 'secretbox', 'key2', 'secretbox-secret-value']] as const) {
      const doc = await snapshotGet(snapB, 'secrets', `inspect/${name}`);
      assert.deepEqual(Object.keys(doc), ['kubekeeper'], 'nothing of the object is shown');
      const k = doc.kubekeeper as Json;
      assert.equal(k.encoding, 'encrypted');
      assert.equal(k.provider, provider);
      assert.equal(k.keyName, keyName);
      // The API server, holding the key, decrypts what the snapshot cannot show.
      const live = await kubectlJson(cp, ['get', 'secret', name, '-n', 'inspect']);
      assert.equal(Buffer.from((live.data as Record<string, string>).token as string, 'base64').toString(), value);
    }
  }, missing);

  await check(t, { ...KUBERNETES_CASE, capability: 'snapshot diff: Secrets added encrypted and re-encrypted, with provider and key name' }, async () => {
    const { snapA, snapB } = cluster as Cluster;
    const r = await runKubekeeper(['snapshot', 'diff', snapA, snapB, '--resource', 'secrets']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\+ secrets inspect\/enc-aescbc \[encrypted: aescbc\/key1\]$/m);
    assert.match(r.stdout, /^\+ secrets inspect\/enc-secretbox \[encrypted: secretbox\/key2\]$/m);
    assert.match(r.stdout, /^~ secrets inspect\/rotated \(revision \d+ -> \d+\) \[plaintext -> secretbox\/key2\]$/m);
    assert.doesNotMatch(r.stdout, /inspect\/creds/, 'the plain Secret did not change');
    const json = JSON.parse((await runKubekeeper(['snapshot', 'diff', snapA, snapB, '--resource', 'secrets', '-w', 'json'])).stdout) as Array<{ name: string; before?: Json; after?: Json }>;
    const rotated = json.find((c) => c.name === 'rotated');
    assert.equal(rotated?.before?.encryption, undefined);
    assert.equal(rotated?.after?.encryption, 'secretbox/key2');
  }, missing);
});
