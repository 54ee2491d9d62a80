/**
 * Cluster operations against a real control plane (one shared by the checks, in order):
 * `health` against the real /livez and /readyz (healthy, then with etcd frozen by SIGSTOP: the
 * real failed checks are named and the hanging lists are bounded), `upgrade plan` against the
 * real /version, Node kubelet versions and etcd member versions, and `certs renew apiserver`
 * followed by a restart of the API server with the renewed certificate, verified against the CA.
 * Health and upgrade plan run for every Kubernetes minor of the suite (1.37 -> 1.38, 1.35 -> 1.36);
 * health with etcd frozen and certs renew for the newest only.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { findControlPlanePeers, kubernetesCase, NEWEST_KUBERNETES, startControlPlane } from '../support/control-plane.js';
import { kubeRequest } from '../support/kube-http.js';
import { startNodeSimulator } from '../support/node-simulator.js';
import { kubernetesVersions } from '../support/peers.js';
import { waitUntil } from '../support/processes.js';


/** The capabilities this file checks (the same names when the peers are missing and the checks are skipped). */
const CAP = {
  health: 'health reads the real /livez and /readyz and the Nodes',
  frozen: 'health names the failed etcd checks and bounds the hanging lists when etcd is frozen',
  plan: 'upgrade plan reads the real /version, kubelet and etcd member versions',
  renew: 'certs renew apiserver; the restarted API server serves the new certificate, verified against the CA',
} as const;

/**
 * The one-minor upgrade each version's plan is checked for: the etcd target and kubekeeper's
 * warning about it. kubeadm's table (by hand): 1.38 is past it, so 1.37's 3.7.0-0 with kubeadm's
 * fallback warning; 1.36 pairs with 3.6.8-0, older than the running 3.6.17, which is never
 * downgraded.
 */
const NEXT_MINOR: Readonly<Record<string, { to: string; etcd: string; warning: string }>> = {
  '1.37.2': {
    to: '1.38.0', etcd: '3.7.0-0',
    warning: 'could not find officially supported version of etcd for Kubernetes v1.38.0, falling back to the nearest etcd version (3.7.0-0)',
  },
  '1.35.4': {
    to: '1.36.0', etcd: '3.6.17',
    warning: 'etcd 3.6.17 is newer than 3.6.8-0 (kubeadm\'s etcd for this release): etcd is never downgraded, it stays at 3.6.17',
  },
};
/** A minor skipped from each version: refused. */
const SKIPPED_MINOR: Readonly<Record<string, string>> = { '1.37.2': '1.39.0', '1.35.4': '1.37.0' };

interface HealthJson {
  healthy: boolean;
  apiserver: { endpoint: string; statusCode: number; healthy: boolean; checks: { name: string; ok: boolean }[]; failed: string[] }[];
  nodes: { name: string; ready: boolean; kubeletVersion: string; roles: string[] }[];
  problems: string[];
}

interface PlanJson {
  clusterVersion: string;
  components: { component: string; node: string; current: string; target: string }[];
  skew: unknown[];
  blockers: string[];
  warnings: string[];
}

const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' }).trim();

/** The serial of the certificate the server presents, after verifying it against `ca` for 127.0.0.1. */
function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(ca), servername: undefined, timeout: 5000 }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!socket.authorized) reject(new Error(`not authorized: ${String(socket.authorizationError)}`));
      else resolve(cert.serialNumber.toUpperCase());
    });
    socket.on('error', reject);
    socket.on('timeout', () => socket.destroy(new Error('TLS handshake timed out')));
  });
}

for (const version of kubernetesVersions) test(`kubernetes ${version}: health, upgrade plan and certs renew against a real control plane`, async (t) => {
  const { peers, missing } = findControlPlanePeers(version);
  const case_ = (capability: string) => ({ ...kubernetesCase(version), capability });
  // certs renew is kubekeeper's own PKI code, and it and the frozen-etcd health check cost time: the newest minor only.
  const newest = version === NEWEST_KUBERNETES;
  if (!peers) {
    for (const c of [CAP.health, CAP.plan, ...(newest ? [CAP.frozen, CAP.renew] : [])]) await check(t, case_(c), async () => undefined, missing);
    return;
  }
  const next = NEXT_MINOR[version];
  const skipped = SKIPPED_MINOR[version];
  assert.ok(next && skipped, `the upgrade expectations of Kubernetes ${version} are in NEXT_MINOR and SKIPPED_MINOR`);
  const cp = await startControlPlane(peers);
  t.after(() => cp.stop());
  const kubelet = `v${version}`;
  const sim = await startNodeSimulator(cp.credentials(cp.user('node-simulator', ['system:masters'])), { nodes: ['cp-1', 'worker-1'], controlPlane: ['cp-1'], kubeletVersion: kubelet });
  t.after(() => sim.stop());
  const kk = (args: string[]) => runKubekeeper([...args, `--kubeconfig=${cp.kubeconfig}`], { timeoutMs: 90_000 });

  await check(t, case_(CAP.health), async () => {
    const r = await kk(['health', '-w', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as HealthJson;
    for (const endpoint of ['livez', 'readyz']) {
      const raw = await cp.kubectlOk(['get', '--raw', `/${endpoint}?verbose`]);
      const passed = raw.split('\n').filter((l) => l.startsWith('[+]')).map((l) => l.slice(3).replace(/ ok$/, ''));
      const got = report.apiserver.find((a) => a.endpoint === endpoint);
      assert.ok(got?.healthy, endpoint);
      assert.deepEqual(got.checks.filter((c) => c.ok).map((c) => c.name), passed, `${endpoint}: the same checks as the server lists`);
    }
    assert.deepEqual(report.nodes.map((n) => [n.name, n.ready, n.kubeletVersion, n.roles.join(',')]),
      [['cp-1', true, kubelet, 'control-plane'], ['worker-1', true, kubelet, '']]);
  });

  // etcd frozen: ~15 s (the API server's probe, then the 10 s bound on the lists); the newest minor only (CI time).
  if (newest) {
    await check(t, case_(CAP.frozen), async () => {
      cp.etcd.kill('SIGSTOP');
      let r;
      try {
        // The API server rate-limits its etcd probe and may answer from the last result for a moment:
        // wait until it has noticed, so kubekeeper sees the failure it reports.
        await waitUntil('/readyz to fail', async () => (await kubeRequest(cp.credentials(), 'GET', '/readyz', undefined, { timeoutMs: 5000 })).status === 500, { timeoutMs: 30_000 });
        r = await kk(['health', '-w', 'json']);
      } finally {
        cp.etcd.kill('SIGCONT');
      }
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as HealthJson;
      const readyz = report.apiserver.find((a) => a.endpoint === 'readyz');
      assert.equal(readyz?.statusCode, 500);
      assert.ok(readyz.failed.some((name) => name.startsWith('etcd')), JSON.stringify(readyz.failed));
      assert.ok(report.problems.includes('nodes cannot be listed: Cannot list nodes: cannot reach the Kubernetes API server (no answer within 10 s)'), report.problems.join('\n'));
      await waitUntil('/readyz after SIGCONT', async () => (await kubeRequest(cp.credentials(), 'GET', '/readyz')).status === 200, { timeoutMs: 30_000 });
    });
  }

  await check(t, case_(CAP.plan), async () => {
    const served = JSON.parse(await cp.kubectlOk(['get', '--raw', '/version'])) as { gitVersion: string };
    assert.equal(served.gitVersion, kubelet);
    const current = await kk(['upgrade', 'plan', '-w', 'json', '--etcd-endpoints', cp.etcd.clientUrl]);
    assert.equal(current.code, 0, current.stdout + current.stderr);
    const plan = JSON.parse(current.stdout) as PlanJson;
    assert.equal(plan.clusterVersion, served.gitVersion);
    assert.deepEqual(plan.components.map((c) => [c.component, c.node, c.current]), [
      ['etcd', 'cp1', peers.etcdVersion], ['kube-apiserver', '', kubelet], ['kubelet', 'cp-1', kubelet], ['kubelet', 'worker-1', kubelet],
    ]);
    const upgrade = await kk(['upgrade', 'plan', '--to', next.to, '-w', 'json', '--etcd-endpoints', cp.etcd.clientUrl]);
    assert.equal(upgrade.code, 0, upgrade.stdout + upgrade.stderr);
    const nextPlan = JSON.parse(upgrade.stdout) as PlanJson;
    assert.deepEqual(nextPlan.components.map((c) => [c.component, c.node, c.current, c.target]), [
      ['etcd', 'cp1', peers.etcdVersion, next.etcd], ['kube-apiserver', '', kubelet, `v${next.to}`],
      ['kubelet', 'cp-1', kubelet, `v${next.to}`], ['kubelet', 'worker-1', kubelet, `v${next.to}`],
    ]);
    const etcdTarget = nextPlan.warnings.filter((w) => w.startsWith('could not find officially supported version of etcd') || w.includes('is never downgraded'));
    assert.deepEqual(etcdTarget, [next.warning], nextPlan.warnings.join('\n'));
    assert.deepEqual(nextPlan.blockers, []);
    const skip = await kk(['upgrade', 'plan', '--to', skipped, '-w', 'json']);
    assert.equal(skip.code, 3, 'skipping a minor is refused');
    assert.ok((JSON.parse(skip.stdout) as PlanJson).blockers.length > 0);
  });

  if (!newest) return;
  await check(t, case_(CAP.renew), async () => {
    const before = openssl(['x509', '-in', cp.pki.apiserverCert, '-noout', '-serial']).replace('serial=', '');
    const sans = openssl(['x509', '-in', cp.pki.apiserverCert, '-noout', '-ext', 'subjectAltName']);
    const port = Number(new URL(cp.server).port);
    assert.equal(await servedSerial(port, cp.pki.caCert), before);
    const r = await runKubekeeper(['certs', 'renew', 'apiserver', `--pki-dir=${cp.pki.dir}`, `--kubeconfig-dir=${cp.dir}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const after = openssl(['x509', '-in', cp.pki.apiserverCert, '-noout', '-serial']).replace('serial=', '');
    assert.notEqual(after, before);
    assert.equal(openssl(['x509', '-in', cp.pki.apiserverCert, '-noout', '-ext', 'subjectAltName']), sans, 'SANs kept');
    assert.match(openssl(['verify', '-CAfile', cp.pki.caCert, cp.pki.apiserverCert]), /: OK$/);
    // The running API server still serves the old certificate until it restarts (kube-apiserver reloads only on restart here).
    await cp.stopApiserver();
    await cp.startApiserver();
    assert.equal(await servedSerial(port, cp.pki.caCert), after);
    assert.match(await cp.kubectlOk(['get', 'nodes', '-o', 'name']), /node\/cp-1/);
    const health = await kk(['health']);
    assert.equal(health.code, 0, health.stdout + health.stderr);
  });
});
