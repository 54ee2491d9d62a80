/**
 * The kubeadm rotation plans, one per CA. Ordering constraints, which are why the steps come
 * in this order:
 * - a component must trust the new CA before anything presents a certificate it signed, so
 *   every trust bundle (old+new) is rolled out before the CA key is switched;
 * - kube-controller-manager's --client-ca-file and --cluster-signing-cert-file cannot be
 *   bundles (upstream docs), so they point at single-certificate copies;
 * - etcd members restart one at a time, each healthy before the next, to keep quorum;
 * - the old CA is dropped only after every certificate it signed has been replaced.
 */
import path from 'node:path';
import type { RotationContext, RotationStep } from './rotation-step.js';

const CP_EACH = 'every control-plane node, one at a time';
const CP_ALL = 'every control-plane node';
const ONE_CP = 'one control-plane node';
const CLUSTER = 'the cluster (kubectl, admin credentials)';

function files(ctx: RotationContext) {
  const ext = path.extname(ctx.certPath);
  const base = ctx.certPath.slice(0, -ext.length);
  return { crt: ctx.certPath, key: ctx.keyPath, newCrt: `${base}-new${ext}`, newKey: `${base}-new.key`, oldCrt: `${base}-old${ext}` };
}

function roll(ctx: RotationContext, pod: string, check: string): string {
  const manifest = path.join(ctx.inventory.kubeconfigDir ?? '/etc/kubernetes', 'manifests', `${pod}.yaml`);
  return `restart static pod ${pod} (move ${manifest} out, wait until its container stops, move it back, wait until it runs again), then ${check}`;
}

function prepare(ctx: RotationContext, extra: string): RotationStep[] {
  const f = files(ctx);
  return [
    { phase: 'prepare', title: 'Back up', where: CP_ALL, actions: [
      'copy /etc/kubernetes (pki, *.conf, manifests) to a safe place',
      `take an etcd snapshot: kubekeeper snapshot save <file>${extra}`,
    ] },
    { phase: 'prepare', title: `Create the new CA "${ctx.ca}"`, where: ONE_CP, actions: [
      `generate a new key (${ctx.keyAlgorithm}, like the current CA's) and a self-signed CA certificate, subject CN=${ctx.commonName}, CA:TRUE, keyUsage keyCertSign+digitalSignature+keyEncipherment, valid 10 years`,
      `save them as ${f.newCrt} and ${f.newKey} (0600), keep a copy of the current CA as ${f.oldCrt}`,
      `copy ${f.newCrt}, ${f.newKey} and ${f.oldCrt} to the same paths on every other control-plane node`,
    ] },
  ];
}

function kubeconfigPaths(ctx: RotationContext): string[] {
  return ctx.inventory.certificates.filter((c) => c.kubeconfigPath && c.cert).map((c) => c.kubeconfigPath as string);
}

/** `openssl verify` works on PEM files; certificates inside kubeconfigs need extracting first. */
function verifyAgainst(ctx: RotationContext, newCrt: string): string[] {
  const entries = ctx.inventory.certificates.filter((c) => c.caName === ctx.ca && c.cert);
  const pems = entries.filter((c) => !c.embedded).map((c) => c.certPath);
  const embedded = entries.filter((c) => c.embedded).map((c) => c.certPath);
  const out = [`openssl verify -CAfile ${newCrt} ${pems.join(' ')} succeeds`];
  if (embedded.length > 0) {
    out.push(`the same for the client certificates embedded in ${embedded.join(', ')} (extract each: grep client-certificate-data <file> | awk '{print $2}' | base64 -d > <file>.pem)`);
  }
  return out;
}

function clusterCaSteps(ctx: RotationContext): RotationStep[] {
  const f = files(ctx);
  const confs = kubeconfigPaths(ctx).join(', ');
  const leaves = ctx.signs.map((s) => s.name).filter((n) => n !== 'kubelet.conf');
  return [
    ...prepare(ctx, ''),
    { phase: 'trust-both', title: 'Bundle old and new CA', where: CP_ALL, actions: [
      `cat ${f.oldCrt} ${f.newCrt} > ${f.crt} (${f.key} stays the old key: nothing is signed by the new CA yet)`,
    ] },
    { phase: 'trust-both', title: 'Roll kube-apiserver with the bundle', where: CP_EACH, actions: [
      roll(ctx, 'kube-apiserver', 'wait for /readyz'),
      'it now accepts client certificates of both CAs (--client-ca-file; also --kubelet-certificate-authority if set)',
    ] },
    { phase: 'trust-both', title: 'Roll kube-controller-manager and kube-scheduler', where: CP_EACH, actions: [
      `in kube-controller-manager.yaml point --client-ca-file and --cluster-signing-cert-file at ${f.newCrt} and --cluster-signing-key-file at ${f.newKey} (these flags cannot take a bundle); --root-ca-file stays ${f.crt}, the bundle`,
      roll(ctx, 'kube-controller-manager', 'check that every namespace\'s kube-root-ca.crt ConfigMap holds both certificates'),
      roll(ctx, 'kube-scheduler', 'check its log for TLS errors'),
    ] },
    { phase: 'trust-both', title: 'Trust both in kubeconfigs and kubelets', where: 'every node', actions: [
      `set certificate-authority-data to the base64 bundle in ${confs} on this node and in kubelet.conf on every other node`,
      'point the kubelet\'s clientCAFile (usually /etc/kubernetes/pki/ca.crt) at the bundle, then systemctl restart kubelet; the node must stay Ready',
    ] },
    { phase: 'trust-both', title: 'Trust both in the cluster', where: CLUSTER, actions: [
      'set data ca.crt to the bundle in every legacy Secret of type kubernetes.io/service-account-token',
      'set certificate-authority-data to the bundle in ConfigMap kube-public/cluster-info (bootstrap-token joins)',
      'restart aggregated API servers and webhooks that authenticate clients with this CA',
      'restart, in a rolling fashion, every workload using in-cluster config (kube-proxy, CoreDNS, CNI, operators): annotate Deployments and DaemonSets',
    ] },
    { phase: 're-issue', title: 'Switch signing to the new CA', where: CP_ALL, actions: [
      `copy ${f.newKey} over ${f.key} (${f.crt} stays the bundle; kubekeeper signs with the bundle certificate that matches the key)`,
    ] },
    { phase: 're-issue', title: 'Re-issue this node\'s certificates', where: CP_EACH, actions: [
      `kubekeeper certs renew ${leaves.join(' ')} --restart-static-pods (keeps subjects and SANs, new keys, signed by the new CA)`,
      'wait for kube-apiserver /readyz and check the control-plane logs for TLS errors before the next node',
    ] },
    { phase: 're-issue', title: 'Re-issue kubelet client certificates', where: 'every node', actions: [
      'issue a client certificate signed by the new CA with CN=system:node:<node>, O=system:nodes and install it as /var/lib/kubelet/pki/kubelet-client-current.pem (or the embedded data of kubelet.conf where the kubelet does not rotate), then restart the kubelet',
      'with serverTLSBootstrap: approve the kubelets\' new serving CSRs (kubectl get csr; kubectl certificate approve)',
      'user kubeconfigs outside the nodes: re-issue their client certificates with the new CA',
    ] },
    { phase: 'verify', title: 'Verify nothing depends on the old CA', where: CP_ALL, actions: [
      ...verifyAgainst(ctx, f.newCrt),
      'kubectl get nodes: all Ready; no TLS errors in kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy logs',
    ] },
    { phase: 'drop-old', title: 'Drop the old CA', where: CP_ALL, actions: [
      `copy ${f.newCrt} over ${f.crt}; point kube-controller-manager's flags back at ${f.crt} and ${f.key}`,
      `set certificate-authority-data to the new CA alone in ${confs} (kubelet.conf on every node), in the kubelet clientCAFile, in cluster-info and in legacy service-account token Secrets`,
      'roll kube-apiserver, kube-controller-manager and kube-scheduler on every control-plane node one at a time; restart the kubelet on every node; restart workloads using in-cluster config again',
      `remove ${f.newCrt}, ${f.newKey} and ${f.oldCrt}; keep the backup offline`,
    ] },
  ];
}

function etcdCaSteps(ctx: RotationContext): RotationStep[] {
  const f = files(ctx);
  const leaves = ctx.signs.map((s) => s.name);
  const healthy = 'wait until "etcdctl endpoint health --cluster" reports every member healthy';
  return [
    ...prepare(ctx, ' (the way back if etcd loses quorum)'),
    { phase: 'trust-both', title: 'Bundle old and new etcd CA', where: CP_ALL, actions: [
      `cat ${f.oldCrt} ${f.newCrt} > ${f.crt} (${f.key} stays the old key)`,
    ] },
    { phase: 'trust-both', title: 'Roll etcd, then kube-apiserver, with the bundle', where: CP_EACH, actions: [
      `${roll(ctx, 'etcd', healthy)}; --trusted-ca-file and --peer-trusted-ca-file now accept both CAs; never restart the next member before this one is healthy`,
      `${roll(ctx, 'kube-apiserver', 'wait for /readyz')}; --etcd-cafile now accepts both`,
    ] },
    { phase: 're-issue', title: 'Switch signing and re-issue', where: CP_EACH, actions: [
      `copy ${f.newKey} over ${f.key} on every control-plane node`,
      `kubekeeper certs renew ${leaves.join(' ')} on each node`,
      `roll etcd (${healthy}) then kube-apiserver (/readyz), one node at a time`,
    ] },
    { phase: 'verify', title: 'Verify', where: CP_ALL, actions: [
      ...verifyAgainst(ctx, f.newCrt),
      `etcdctl --cacert ${f.newCrt} --cert <apiserver-etcd-client.crt> --key <apiserver-etcd-client.key> endpoint health --cluster`,
    ] },
    { phase: 'drop-old', title: 'Drop the old etcd CA', where: CP_EACH, actions: [
      `copy ${f.newCrt} over ${f.crt}`,
      `roll etcd (${healthy}), then kube-apiserver (/readyz), one node at a time`,
      `remove ${f.newCrt}, ${f.newKey} and ${f.oldCrt}`,
    ] },
  ];
}

function frontProxyCaSteps(ctx: RotationContext): RotationStep[] {
  const f = files(ctx);
  const aggregated = 'restart aggregated API servers (e.g. metrics-server) unless they reload ConfigMap kube-system/extension-apiserver-authentication';
  return [
    ...prepare(ctx, ''),
    { phase: 'trust-both', title: 'Bundle old and new front-proxy CA', where: CP_EACH, actions: [
      `cat ${f.oldCrt} ${f.newCrt} > ${f.crt}`,
      `${roll(ctx, 'kube-apiserver', 'wait for /readyz')}; it publishes --requestheader-client-ca-file in extension-apiserver-authentication`,
      aggregated,
    ] },
    { phase: 're-issue', title: 'Switch signing and re-issue front-proxy-client', where: CP_EACH, actions: [
      `copy ${f.newKey} over ${f.key}`,
      'kubekeeper certs renew front-proxy-client --restart-static-pods',
    ] },
    { phase: 'verify', title: 'Verify', where: CLUSTER, actions: ['kubectl get apiservices: every one Available; kubectl top nodes works'] },
    { phase: 'drop-old', title: 'Drop the old front-proxy CA', where: CP_EACH, actions: [
      `copy ${f.newCrt} over ${f.crt}; ${roll(ctx, 'kube-apiserver', 'wait for /readyz')}`,
      aggregated,
      `remove ${f.newCrt}, ${f.newKey} and ${f.oldCrt}`,
    ] },
  ];
}

/** The steps for one kubeadm CA: `ca`, `etcd-ca` or `front-proxy-ca`. */
export function kubeadmRotationSteps(ctx: RotationContext): RotationStep[] {
  if (ctx.ca === 'etcd-ca') return etcdCaSteps(ctx);
  if (ctx.ca === 'front-proxy-ca') return frontProxyCaSteps(ctx);
  return clusterCaSteps(ctx);
}
