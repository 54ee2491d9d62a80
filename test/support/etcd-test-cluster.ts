/**
 * A real multi-member etcd cluster on 127.0.0.1 (any peer version), with data dirs this helper
 * owns so that a member can be stopped, changed offline and restarted on the same ports, and
 * the leader found. Stops every member by PID and removes the data dirs on `stop()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { etcdctlOk, freePort, startEtcd, type EtcdProcess } from './etcd.js';

export interface EtcdClusterOptions {
  /** Directory of the etcd binary (a peer); default: etcd on PATH (Debian's 3.4). */
  binDir?: string;
  /** Number of members; default 3. */
  size?: number;
  quotaBackendBytes?: number;
  extraArgs?: string[];
  /** Member name prefix; default "m" (members m0, m1, m2). */
  namePrefix?: string;
}

export interface EtcdClusterMember {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  clientUrl: string;
  /** The running process; replaced by `restart`. */
  process: EtcdProcess;
}

export interface EtcdCluster {
  members: EtcdClusterMember[];
  binDir: string | undefined;
  /** Every client URL, comma-separated (for --endpoints). */
  endpoints: string;
  /** etcdctl-style flags naming every member: --endpoints=a,b,c. */
  clientFlags: string[];
  /** The member that every member's status names as leader. */
  leader(): Promise<EtcdClusterMember>;
  /** Stops one member (SIGTERM, then wait); its data dir stays. */
  stopMember(i: number): Promise<void>;
  /** Starts a stopped member again on its data dir and ports, waiting until it is healthy. */
  restartMember(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const size = options.size ?? 3;
  const prefix = options.namePrefix ?? 'm';
  const root = await mkdtemp(path.join(os.tmpdir(), 'kk-cluster-'));
  const plan: Omit<EtcdClusterMember, 'process'>[] = [];
  for (let i = 0; i < size; i++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    plan.push({ name: `${prefix}${i}`, clientPort, peerPort, dataDir: path.join(root, `${prefix}${i}`), clientUrl: `http://127.0.0.1:${clientPort}` });
  }
  const initialCluster = plan.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
  const start = (m: Omit<EtcdClusterMember, 'process'>, state: 'new' | 'existing', noWait: boolean) => startEtcd({
    name: m.name, dataDir: m.dataDir, clientPort: m.clientPort, peerPort: m.peerPort, initialCluster, initialClusterState: state,
    initialClusterToken: `kk-cluster-${path.basename(root)}`, noWait,
    ...(options.binDir ? { binDir: options.binDir } : {}),
    ...(options.quotaBackendBytes ? { quotaBackendBytes: options.quotaBackendBytes } : {}),
    ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
  });
  const members: EtcdClusterMember[] = [];
  const stopAll = async () => {
    await Promise.all(members.map((m) => m.process.stop()));
    await rm(root, { recursive: true, force: true });
  };
  try {
    for (const m of plan) members.push({ ...m, process: await start(m, 'new', true) });
    await Promise.all(members.map((m) => m.process.waitHealthy(60_000)));
  } catch (err) {
    await stopAll();
    throw err;
  }
  const endpoints = members.map((m) => m.clientUrl).join(',');
  const cluster: EtcdCluster = {
    members, binDir: options.binDir, endpoints, clientFlags: [`--endpoints=${endpoints}`],
    async leader() {
      const text = await etcdctlOk(cluster, ['endpoint', 'status', '-w', 'json']);
      const leaders = new Set([...text.matchAll(/"leader":(\d+)/g)].map((x) => x[1]));
      const ids = [...text.matchAll(/"Endpoint":"([^"]+)","Status":\{"header":\{"cluster_id":\d+,"member_id":(\d+)/g)];
      const [leaderId] = leaders;
      const endpoint = ids.find((x) => x[2] === leaderId)?.[1];
      const leader = members.find((m) => m.clientUrl === endpoint);
      if (leaders.size !== 1 || !leader) throw new Error(`no single leader in: ${text}`);
      return leader;
    },
    async stopMember(i) {
      await (members[i] as EtcdClusterMember).process.stop();
    },
    async restartMember(i) {
      const m = members[i] as EtcdClusterMember;
      m.process = await start(m, 'existing', false);
    },
    stop: stopAll,
  };
  return cluster;
}
