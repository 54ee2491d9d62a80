/**
 * The seed scenario, end to end against a real control plane: a pod created with kubectl,
 * `kubekeeper snapshot save`, the pod deleted, the API server stopped, `kubekeeper snapshot
 * restore` (Kubernetes-safe default: revision bumped and compacted) into a new data dir, etcd and
 * the API server started on it. The pod is back (same UID), and a client that watched the delete
 * gets "410 Gone" (expired) when it resumes its watch, re-lists and sees the pod, instead of
 * silently missing events at reused revisions. A Secret encrypted at rest (aescbc) decrypts after
 * the restore. Run for every Kubernetes minor of the suite (1.37 and 1.35, each on its etcd).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { check } from '../support/conformance.js';
import { findControlPlanePeers, kubernetesCase, startControlPlane } from '../support/control-plane.js';
import { etcdctlOk, freePort, startEtcd } from '../support/etcd.js';
import { kubeOk, kubeWatch } from '../support/kube-http.js';
import { kubernetesVersions } from '../support/peers.js';
import { tempDir } from '../support/temp.js';

interface PodList {
  metadata: { resourceVersion: string };
  items: { metadata: { name: string; uid: string } }[];
}

for (const version of kubernetesVersions) test(`kubernetes ${version}: seed scenario (snapshot, delete, restore, the pod is back)`, async (t) => {
  const { peers, missing } = findControlPlanePeers(version);
  await check(t, { ...kubernetesCase(version), capability: 'seed scenario: snapshot save, restore, pod back, watch gets 410 and re-lists, aescbc Secret decrypts' }, async (st) => {
    if (!peers) throw new Error('unreachable');
    const encryptionConfig = [
      'apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources: [secrets]', '    providers:',
      '      - aescbc:', '          keys:', `            - name: key1`, `              secret: ${randomBytes(32).toString('base64')}`, '      - identity: {}', '',
    ].join('\n');
    const cp = await startControlPlane({ ...peers, controllerManager: true, encryptionConfig });
    st.after(() => cp.stop());
    st.diagnostic(`control plane started in ${cp.startup.totalMs} ms (etcd ${cp.startup.etcdMs}, kube-apiserver ${cp.startup.apiserverMs}, controller-manager ${cp.startup.controllerManagerMs})`);
    const dir = await tempDir(st, 'kk-seed-');
    const admin = cp.credentials();
    const podsPath = '/api/v1/namespaces/default/pods';

    // A Secret encrypted at rest (aescbc): after the restore the API server must still decrypt it.
    await cp.kubectlOk(['create', 'secret', 'generic', 'important-secret', '--from-literal=password=s3cret']);
    const raw = await etcdctlOk(cp.etcd, ['get', '/registry/secrets/default/important-secret', '--print-value-only']);
    assert.ok(raw.startsWith('k8s:enc:aescbc:v1:key1:'), 'stored encrypted');
    await cp.kubectlOk(['run', 'important-pod', '--image=registry.k8s.io/pause:3.10', '--restart=Never', '--labels=app=important']);
    const before = await kubeOk<PodList>(admin, 'GET', podsPath);
    const original = before.items.find((p) => p.metadata.name === 'important-pod');
    assert.ok(original, 'kubectl created important-pod');

    const snap = path.join(dir, 'snap.db');
    const save = await runKubekeeper(['snapshot', 'save', snap, `--endpoints=${cp.etcd.clientUrl}`]);
    assert.equal(save.code, 0, save.stderr);

    // A client (an informer) lists, then watches from the list's resourceVersion and sees the delete.
    const watch = kubeWatch(admin, `${podsPath}?watch=true&resourceVersion=${before.metadata.resourceVersion}`);
    assert.equal(await watch.status, 200);
    await cp.kubectlOk(['delete', 'pod', 'important-pod', '--wait=true']);
    let lastSeen = before.metadata.resourceVersion;
    for (;;) {
      const ev = await watch.next();
      lastSeen = (ev.object.metadata as { resourceVersion: string }).resourceVersion;
      if (ev.type === 'DELETED' && (ev.object.metadata as { name: string }).name === 'important-pod') break;
    }
    assert.equal((await kubeOk<PodList>(admin, 'GET', podsPath)).items.length, 0, 'the pod is gone before the restore');

    // Disaster: stop the API server and etcd; restore into a new data dir; start both on it.
    await cp.stopApiserver();
    await watch.closed;
    const peerPort = await freePort();
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const dataDir = path.join(dir, 'restored.etcd');
    const restore = await runKubekeeper(['snapshot', 'restore', snap, '--data-dir', dataDir, '--name', 'cp1',
      '--initial-cluster', `cp1=${peerUrl}`, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster-token', 'kk-restored']);
    assert.equal(restore.code, 0, restore.stderr);
    const restored = await startEtcd({ binDir: peers.etcdBinDir, dataDir, name: 'cp1', peerPort, initialCluster: `cp1=${peerUrl}`, initialClusterToken: 'kk-restored' });
    await cp.replaceEtcd(restored);
    const restartMs = await cp.startApiserver();
    st.diagnostic(`kube-apiserver restarted on the restored etcd in ${restartMs} ms`);

    // The informer resumes its watch where it stopped: the server says that revision is gone (410 / Expired).
    const resumed = kubeWatch(admin, `${podsPath}?watch=true&resourceVersion=${lastSeen}`);
    const status = await resumed.status;
    if (status === 200) {
      const ev = await resumed.next();
      resumed.close();
      assert.equal(ev.type, 'ERROR', `expected an ERROR event, got ${JSON.stringify(ev)}`);
      assert.equal((ev.object as { code?: number }).code, 410, JSON.stringify(ev.object));
      assert.equal((ev.object as { reason?: string }).reason, 'Expired', JSON.stringify(ev.object));
    } else {
      resumed.close();
      assert.equal(status, 410);
    }

    // ... so it re-lists, and the pod is back with its original UID at a newer resourceVersion.
    const after = await kubeOk<PodList>(admin, 'GET', podsPath);
    const back = after.items.find((p) => p.metadata.name === 'important-pod');
    assert.ok(back, 'important-pod is back after the restore');
    assert.equal(back.metadata.uid, original.metadata.uid);
    assert.ok(BigInt(after.metadata.resourceVersion) > BigInt(lastSeen) + 999_000_000n,
      `list resourceVersion ${after.metadata.resourceVersion} is past the bump from ${lastSeen}`);
    assert.match(await cp.kubectlOk(['get', 'pod', 'important-pod', '-o', 'name']), /^pod\/important-pod$/m);
    const secret = JSON.parse(await cp.kubectlOk(['get', 'secret', 'important-secret', '-o', 'json'])) as { data: Record<string, string> };
    assert.equal(Buffer.from(secret.data.password as string, 'base64').toString(), 's3cret', 'the encrypted Secret decrypts after the restore');

    // A watch from the new list's resourceVersion is served normally and sees new changes.
    const fresh = kubeWatch(admin, `${podsPath}?watch=true&resourceVersion=${after.metadata.resourceVersion}`);
    assert.equal(await fresh.status, 200);
    await cp.kubectlOk(['label', 'pod', 'important-pod', 'restored=yes']);
    const ev = await fresh.next();
    fresh.close();
    assert.equal(ev.type, 'MODIFIED');
    assert.equal((ev.object.metadata as { labels: Record<string, string> }).labels.restored, 'yes');
  }, missing);
});
