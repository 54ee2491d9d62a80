/**
 * A real 3-member (or n-member) etcd cluster on 127.0.0.1 for the member runbook tests: fixed
 * slots (name, ports, data dir under one root) so a test can kill a member, wipe or move its
 * data dir, and start a member that joins an existing cluster from the env file a runbook
 * wrote (ETCD_NAME, ETCD_INITIAL_CLUSTER, ...). Every process is stopped by PID (etcd.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, startEtcd, type EtcdProcess } from './etcd.js';
import type { EtcdPeer } from './peers.js';

export interface ClusterSlot {
  name: string;
  peerPort: number;
  clientPort: number;
  peerUrl: string;
  clientUrl: string;
  dataDir: string;
}

export interface EtcdCluster {
  peer: EtcdPeer;
  root: string;
  slots: Map<string, ClusterSlot>;
  /** The running process of each slot that has one. */
  running: Map<string, EtcdProcess>;
  /** A slot for a member that is not in the cluster yet (new ports, data dir under root). */
  addSlot(name: string): Promise<ClusterSlot>;
  /** SIGKILLs a member (a crash) and forgets its process. */
  kill(name: string): Promise<void>;
  /** Stops a member gracefully (its data dir stays as a clean shutdown leaves it) and forgets its process. */
  stopMember(name: string): Promise<void>;
  /** Starts slot `name` with the flags of a runbook's env file (joining an existing cluster). */
  startFromEnvFile(name: string, envFile: string): Promise<EtcdProcess>;
  /** Starts slot `name` on its data dir as a fresh single-member cluster's restored member (or restarts it). */
  startSlot(name: string, initialCluster?: string): Promise<EtcdProcess>;
  stop(): Promise<void>;
}

async function makeSlot(root: string, name: string): Promise<ClusterSlot> {
  const peerPort = await freePort();
  const clientPort = await freePort();
  return { name, peerPort, clientPort, peerUrl: `http://127.0.0.1:${peerPort}`, clientUrl: `http://127.0.0.1:${clientPort}`, dataDir: path.join(root, `${name}.etcd`) };
}

/** ETCD_X=value lines as etcd flag names. */
function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^ETCD_([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[(m[1] as string).toLowerCase().replace(/_/g, '-')] = m[2] as string;
  }
  return out;
}

/** Starts `names` as one cluster (each waits for a quorum) and waits until all are healthy. */
export async function startEtcdCluster(peer: EtcdPeer, root: string, names: readonly string[] = ['m1', 'm2', 'm3']): Promise<EtcdCluster> {
  const slots = new Map<string, ClusterSlot>();
  for (const name of names) slots.set(name, await makeSlot(root, name));
  const running = new Map<string, EtcdProcess>();
  const start = (slot: ClusterSlot, extra: { initialCluster: string; initialClusterState?: 'new' | 'existing'; noWait?: boolean; name?: string }) => startEtcd({
    binDir: peer.binDir, name: extra.name ?? slot.name, dataDir: slot.dataDir, clientPort: slot.clientPort, peerPort: slot.peerPort,
    initialCluster: extra.initialCluster, initialClusterState: extra.initialClusterState ?? 'new', noWait: extra.noWait ?? false, initialClusterToken: `kk-members-${path.basename(root)}`,
  });
  const cluster: EtcdCluster = {
    peer, root, slots, running,
    async addSlot(name) {
      const slot = await makeSlot(root, name);
      slots.set(name, slot);
      return slot;
    },
    async kill(name) {
      const p = running.get(name);
      if (!p) return;
      p.kill('SIGKILL');
      await p.exited;
      running.delete(name);
    },
    async stopMember(name) {
      const p = running.get(name);
      if (!p) return;
      await p.stop();
      running.delete(name);
    },
    async startFromEnvFile(name, envFile) {
      const slot = slots.get(name) as ClusterSlot;
      const env = readEnvFile(envFile);
      if (env['initial-cluster-state'] !== 'existing' || !env['initial-cluster']) throw new Error(`${envFile} is not a join env file: ${JSON.stringify(env)}`);
      // A learner does not pass /health (it serves no linearizable read): the runbook waits for it.
      const p = await start(slot, { name: env.name ?? name, initialCluster: env['initial-cluster'], initialClusterState: 'existing', noWait: true });
      running.set(name, p);
      return p;
    },
    async startSlot(name, initialCluster) {
      const slot = slots.get(name) as ClusterSlot;
      const p = await start(slot, { initialCluster: initialCluster ?? `${name}=${slot.peerUrl}` });
      running.set(name, p);
      return p;
    },
    async stop() {
      for (const p of running.values()) await p.stop();
      running.clear();
    },
  };
  const initialCluster = [...slots.values()].map((s) => `${s.name}=${s.peerUrl}`).join(',');
  const started = await Promise.all([...slots.values()].map((s) => start(s, { initialCluster, noWait: true })));
  started.forEach((p) => running.set(p.name, p));
  try {
    await Promise.all(started.map((p) => p.waitHealthy(60_000)));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** etcdctl-style client flags for several members at once. */
export function endpointsFlag(cluster: EtcdCluster, names: readonly string[]): string {
  return `--endpoints=${names.map((n) => (cluster.slots.get(n) as ClusterSlot).clientUrl).join(',')}`;
}

/** Resolves once `file` exists (a runbook wrote it), checking every 100 ms for up to `timeoutMs`. */
export async function whenFileExists(file: string, timeoutMs: number, stop: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stop()) {
    if (existsSync(file)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return existsSync(file);
}
