/**
 * DefragActions over gRPC: each call opens a channel to exactly the endpoint it acts on (a
 * Defragment must reach that member, a MoveLeader the leader) and closes it afterwards.
 */
import { connectMaintenance, getEndpointStatus, openMaintenanceClient, type Alarm, type EtcdConnectOptions, type Member } from '../etcd/index.js';
import { memberEndpoints, readMembership, statusDetails } from './cluster-view.js';
import type { DefragActions } from './defrag-apply.js';
import { describeMember } from './member-detail.js';

export interface EtcdActionsOptions {
  members: readonly Member[];
  quotaBytes?: number;
  /** Timeout of one member's Defragment call. */
  defragTimeoutMs: number;
  signal?: AbortSignal;
}

async function withClient<T>(options: EtcdConnectOptions, endpoint: string, signal: AbortSignal | undefined, use: (c: Awaited<ReturnType<typeof openMaintenanceClient>>) => Promise<T>): Promise<T> {
  const client = await openMaintenanceClient({ ...options, endpoints: [endpoint] }, endpoint, signal);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

/** DefragActions on the live cluster `options` reaches; statuses and health use every member of `actions.members`. */
export function etcdDefragActions(options: EtcdConnectOptions, actions: EtcdActionsOptions): DefragActions {
  const { members, signal } = actions;
  const alarms = async (): Promise<Alarm[]> => (await readMembership(options, signal)).alarms;
  return {
    statuses: async () => statusDetails(options, memberEndpoints(members), members, await alarms(), actions.quotaBytes, signal),
    alarms,
    async status(endpoint) {
      const status = await getEndpointStatus(options, endpoint, signal);
      const name = members.find((m) => m.id === status.memberId)?.name;
      return describeMember(status, await alarms(), { ...(name !== undefined ? { name } : {}), ...(actions.quotaBytes !== undefined ? { quotaBytes: actions.quotaBytes } : {}) });
    },
    defragment: (endpoint) => withClient(options, endpoint, signal, (c) => c.defragment(actions.defragTimeoutMs)),
    moveLeader: (endpoint, targetId) => withClient(options, endpoint, signal, async (c) => void (await c.moveLeader(targetId))),
    async disarm(alarm) {
      const client = await connectMaintenance(options, signal);
      try {
        await client.alarmDisarm(alarm);
      } finally {
        client.close();
      }
    },
  };
}
