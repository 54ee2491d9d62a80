/**
 * A real Kubernetes control plane for tests: etcd + kube-apiserver + kube-controller-manager of
 * one Kubernetes version (the peers built by scripts/peers.sh: 1.37 on etcd 3.6, 1.35 on the etcd
 * kubeadm pairs with it, 3.6) on 127.0.0.1 with free ports, in a 0700 temp dir, with a
 * PKI made by openssl (test/support/control-plane-pki.ts), service-account keys, client-cert
 * users (CN = user, O = groups; `admin` is in system:masters), an optional audit policy generated
 * by `kubekeeper audit policy` with the API server's own log rotation flags, and an optional
 * --encryption-provider-config.
 *
 * Start-up is kept short: no leader election, priority-and-fairness off, only the controllers the
 * tests need (service accounts, ReplicaSets, Deployments, DaemonSets, PodDisruptionBudgets,
 * garbage collection), no kubelet or scheduler (test/support/node-simulator.ts plays the nodes).
 * Everything is stopped by PID, and killed when the test process exits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { etcdForKubernetes } from '../../src/k8s/versions/etcd-versions.js';
import { parseVersion } from '../../src/k8s/versions/kube-version.js';
import { runKubekeeper, runProcess, type CliResult } from './cli.js';
import { generateControlPlanePki, writeKubeconfig, type ClientCert, type ControlPlanePki } from './control-plane-pki.js';
import { freePort, startEtcd, type EtcdProcess } from './etcd.js';
import { kubeRequest, type KubeCredentials } from './kube-http.js';
import { etcdVersions, findEtcd, findKubernetes, pinnedVersions, type KubernetesPeer } from './peers.js';
import { startProcess, waitUntil, type ManagedProcess } from './processes.js';

/** SIGKILL follows SIGTERM after this long when the API server is stopped. */
const API_SERVER_STOP_GRACE_MS = 2000;

/** The controllers the tests need; everything else stays off for a fast start. */
export const DEFAULT_CONTROLLERS = [
  'serviceaccount-controller', 'replicaset-controller', 'deployment-controller', 'daemonset-controller',
  'disruption-controller', 'garbage-collector-controller',
];

export interface AuditOptions {
  /** Profile for `kubekeeper audit policy --profile` (default recommended). */
  profile?: string;
  /** --audit-log-maxsize in MB (default 1: the smallest the API server accepts). */
  maxSizeMb?: number;
  /** --audit-log-maxbackup (default 5). */
  maxBackup?: number;
  /** --audit-log-compress (default true). */
  compress?: boolean;
}

export interface ControlPlaneOptions {
  /** Bin dir of the etcd peer (findEtcd('3.6.17').peer.binDir). */
  etcdBinDir: string;
  kubernetes: KubernetesPeer;
  audit?: AuditOptions | boolean;
  /** EncryptionConfiguration YAML for --encryption-provider-config. */
  encryptionConfig?: string;
  /** Start kube-controller-manager (default true). */
  controllerManager?: boolean;
  controllers?: readonly string[];
}

export interface StartupTimes {
  etcdMs: number;
  apiserverMs: number;
  controllerManagerMs: number;
  totalMs: number;
}

export interface ControlPlane {
  /** The 0700 temp dir holding pki/, kubeconfigs, audit/ and the policy. */
  dir: string;
  pki: ControlPlanePki;
  etcd: EtcdProcess;
  apiserver: ManagedProcess | undefined;
  controllerManager: ManagedProcess | undefined;
  /** https://127.0.0.1:<port> (the port survives restarts). */
  server: string;
  /** Admin kubeconfig (CN=admin, O=system:masters). */
  kubeconfig: string;
  /** The audit log path (--audit-log-path) when auditing is on. */
  auditLog: string | undefined;
  auditPolicyFile: string | undefined;
  startup: StartupTimes;
  /** Client certificate for a user (issued on first use). */
  user(name: string, groups?: readonly string[]): ClientCert;
  /** A kubeconfig file for a user. */
  kubeconfigFor(name: string, groups?: readonly string[]): string;
  /** Credentials for test/support/kube-http.ts (default: admin). */
  credentials(user?: ClientCert): KubeCredentials;
  /** Runs the peer's kubectl with the admin (or given) kubeconfig. */
  kubectl(args: readonly string[], options?: { kubeconfig?: string; timeoutMs?: number }): Promise<CliResult>;
  /** kubectl that must exit 0; returns stdout. */
  kubectlOk(args: readonly string[], options?: { kubeconfig?: string; timeoutMs?: number }): Promise<string>;
  /** Stops the API server (by PID). */
  stopApiserver(): Promise<void>;
  /** The API server's current flags (against the current etcd), e.g. to write a static pod manifest. */
  apiserverArgs(): string[];
  /**
   * Starts the API server against the current etcd (after stopApiserver or replaceEtcd), with
   * `args` instead of apiserverArgs() when given; resolves with the start-up time in ms.
   */
  startApiserver(args?: readonly string[]): Promise<number>;
  /** Stops the current etcd and uses `etcd` from now on (e.g. one started on a restored data dir). */
  replaceEtcd(etcd: EtcdProcess): Promise<void>;
  /** Stops everything by PID and removes the temp dir. */
  stop(): Promise<void>;
}

function auditDefaults(a: ControlPlaneOptions['audit']): Required<AuditOptions> | undefined {
  if (!a) return undefined;
  const o = a === true ? {} : a;
  return { profile: o.profile ?? 'recommended', maxSizeMb: o.maxSizeMb ?? 1, maxBackup: o.maxBackup ?? 5, compress: o.compress ?? true };
}

/** Starts the control plane; throws (after stopping what started) when any part is not ready in time. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const t0 = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kk-cp-'));
  const pki = generateControlPlanePki(path.join(dir, 'pki'));
  const admin = pki.client('admin', ['system:masters']);
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const kubeconfig = writeKubeconfig(path.join(dir, 'admin.conf'), server, pki.caCert, admin);
  // In system:masters: the controllers act with the controller-manager's own identity (no per-controller service accounts).
  const kcmUser = pki.client('system:kube-controller-manager', ['system:masters']);
  const kcmKubeconfig = writeKubeconfig(path.join(dir, 'controller-manager.conf'), server, pki.caCert, kcmUser);
  const audit = auditDefaults(options.audit);
  let auditPolicyFile: string | undefined;
  let auditLog: string | undefined;
  if (audit) {
    const policy = await runKubekeeper(['audit', 'policy', '--profile', audit.profile]);
    if (policy.code !== 0) throw new Error(`kubekeeper audit policy failed: ${policy.stderr}`);
    auditPolicyFile = path.join(dir, 'audit-policy.yaml');
    writeFileSync(auditPolicyFile, policy.stdout, { mode: 0o600 });
    auditLog = path.join(dir, 'audit', 'audit.log');
  }
  let encryptionFile: string | undefined;
  if (options.encryptionConfig) {
    encryptionFile = path.join(dir, 'encryption-config.yaml');
    writeFileSync(encryptionFile, options.encryptionConfig, { mode: 0o600 });
  }

  const started: { etcd?: EtcdProcess; apiserver?: ManagedProcess; kcm?: ManagedProcess } = {};
  const cleanup = async () => {
    await started.kcm?.stop();
    await started.apiserver?.stop(API_SERVER_STOP_GRACE_MS);
    await started.etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const credentials = (user: ClientCert = admin): KubeCredentials => ({ server, caCert: pki.caCert, cert: user.cert, key: user.key });
  const apiserverArgs = () => [
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
    `--etcd-servers=${started.etcd?.clientUrl}`,
    `--tls-cert-file=${pki.apiserverCert}`, `--tls-private-key-file=${pki.apiserverKey}`, `--client-ca-file=${pki.caCert}`,
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
    '--service-cluster-ip-range=10.96.0.0/12', '--authorization-mode=Node,RBAC', '--anonymous-auth=false',
    '--enable-priority-and-fairness=false', '--profiling=false', '--endpoint-reconciler-type=none',
    `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
    ...(auditLog && auditPolicyFile ? [
      `--audit-policy-file=${auditPolicyFile}`, `--audit-log-path=${auditLog}`,
      `--audit-log-maxsize=${audit?.maxSizeMb}`, `--audit-log-maxbackup=${audit?.maxBackup}`,
      ...(audit?.compress ? ['--audit-log-compress'] : []),
    ] : []),
    ...(encryptionFile ? [`--encryption-provider-config=${encryptionFile}`] : []),
    '-v=1',
  ];
  const readyz = async () => (await kubeRequest(credentials(), 'GET', '/readyz', undefined, { timeoutMs: 2000 })).status === 200;
  const startApiserver = async (args?: readonly string[]): Promise<number> => {
    const begin = Date.now();
    const p = startProcess('kube-apiserver', options.kubernetes.kubeApiserver, args ?? apiserverArgs());
    started.apiserver = p;
    await waitUntil('kube-apiserver /readyz', readyz, { timeoutMs: 90_000, intervalMs: 100, process: p });
    return Date.now() - begin;
  };

  try {
    const etcdBegin = Date.now();
    started.etcd = await startEtcd({ binDir: options.etcdBinDir, name: 'cp1' });
    const etcdMs = Date.now() - etcdBegin;
    const apiserverMs = await startApiserver();
    let controllerManagerMs = 0;
    if (options.controllerManager !== false) {
      const begin = Date.now();
      started.kcm = startProcess('kube-controller-manager', options.kubernetes.kubeControllerManager, [
        `--kubeconfig=${kcmKubeconfig}`, `--authentication-kubeconfig=${kcmKubeconfig}`, `--authorization-kubeconfig=${kcmKubeconfig}`,
        '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false',
        `--controllers=${(options.controllers ?? DEFAULT_CONTROLLERS).join(',')}`,
        `--root-ca-file=${pki.caCert}`, `--service-account-private-key-file=${pki.saKey}`,
        '--use-service-account-credentials=false', '--concurrent-gc-syncs=5', '-v=1',
      ]);
      // The serviceaccount controller creates "default" in every namespace: pods can be created once it exists.
      await waitUntil('the default ServiceAccount', async () =>
        (await kubeRequest(credentials(), 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
      { timeoutMs: 60_000, process: started.kcm });
      controllerManagerMs = Date.now() - begin;
    }
    const startup = { etcdMs, apiserverMs, controllerManagerMs, totalMs: Date.now() - t0 };
    const kubectl = (args: readonly string[], o: { kubeconfig?: string; timeoutMs?: number } = {}) =>
      runProcess(options.kubernetes.kubectl, [`--kubeconfig=${o.kubeconfig ?? kubeconfig}`, ...args], { timeoutMs: o.timeoutMs ?? 60_000 });
    const plane: ControlPlane = {
      dir, pki, server, kubeconfig, auditLog, auditPolicyFile, startup,
      get etcd() {
        return started.etcd as EtcdProcess;
      },
      get apiserver() {
        return started.apiserver;
      },
      get controllerManager() {
        return started.kcm;
      },
      user: (name, groups) => pki.client(name, groups),
      kubeconfigFor: (name, groups) =>
        writeKubeconfig(path.join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.conf`), server, pki.caCert, pki.client(name, groups)),
      credentials,
      kubectl,
      async kubectlOk(args, o) {
        const r = await kubectl(args, o);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
        return r.stdout;
      },
      async stopApiserver() {
        // After SIGTERM kube-apiserver stops listening at once, then holds on to open connections
        // (the controller-manager's watches) for about 10 s more; tests need the port closed, not the drain.
        await started.apiserver?.stop(API_SERVER_STOP_GRACE_MS);
        started.apiserver = undefined;
      },
      apiserverArgs,
      startApiserver,
      async replaceEtcd(etcd) {
        await started.etcd?.stop();
        started.etcd = etcd;
      },
      stop: cleanup,
    };
    return plane;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The case fields every Kubernetes conformance check shares (suite, peer, version). */
export function kubernetesCase(version: string): { suite: 'kubernetes'; peer: 'kube-apiserver'; version: string } {
  return { suite: 'kubernetes', peer: 'kube-apiserver', version };
}

/** The newest Kubernetes minor the suites cover (1.37), the default control plane. */
export const NEWEST_KUBERNETES = pinnedVersions.KUBERNETES_137 as string;
/** The oldest supported minor (1.35), run for the checks that matter for compatibility. */
export const OLDEST_KUBERNETES = pinnedVersions.KUBERNETES_135 as string;

/** The case of the newest minor, for the suites that run only there. */
export const KUBERNETES_CASE = kubernetesCase(NEWEST_KUBERNETES);

/**
 * Issue 16 §3 runs the newest minor's control plane on etcd 3.6 (kubeadm 1.37 would install 3.7;
 * kube-apiserver 1.37 supports both): this keeps the 1.37 checks on the etcd they were proven on.
 */
const ETCD_MINOR_OVERRIDE: Readonly<Record<string, string>> = { '1.37': '3.6' };

/**
 * The built etcd a control plane of Kubernetes `version` runs on: the minor kubeadm pairs with
 * that release (src/k8s/versions/etcd-versions.ts: 1.35 -> 3.6.6-0, so our 3.6.17), unless
 * overridden above; throws when no pinned etcd has that minor.
 */
export function etcdVersionFor(version: string): string {
  const k = parseVersion(version);
  if (!k) throw new Error(`not a Kubernetes version: ${version}`);
  const kubeadm = etcdForKubernetes(k).version;
  const minor = ETCD_MINOR_OVERRIDE[`${k.major}.${k.minor}`] ?? `${kubeadm.major}.${kubeadm.minor}`;
  const etcd = etcdVersions.find((v) => v.startsWith(`${minor}.`));
  if (!etcd) throw new Error(`no pinned etcd ${minor}.x (peers/versions.env) for Kubernetes ${version}`);
  return etcd;
}

/** The peers of a control plane: Kubernetes and the etcd it runs on. */
export type ControlPlanePeers = Pick<ControlPlaneOptions, 'etcdBinDir' | 'kubernetes'> & { etcdVersion: string };

/**
 * The peers a control plane of Kubernetes `version` needs (default the newest, 1.37, with etcd
 * 3.6), or why they are missing (a skip reason locally; findEtcd/findKubernetes throw in CI).
 */
export function findControlPlanePeers(version = NEWEST_KUBERNETES): { peers?: ControlPlanePeers; missing?: string } {
  const etcdVersion = etcdVersionFor(version);
  const etcd = findEtcd(etcdVersion);
  const kubernetes = findKubernetes(version);
  if (!etcd.peer || !kubernetes.peer) return { missing: [etcd.missing, kubernetes.missing].filter(Boolean).join('; ') };
  return { peers: { etcdBinDir: etcd.peer.binDir, etcdVersion, kubernetes: kubernetes.peer } };
}
