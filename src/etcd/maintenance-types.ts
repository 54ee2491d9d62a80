/**
 * A client for the maintenance commands (defrag, move-leader, endpoint hashkv, alarm disarm):
 * the EtcdClient plus the Maintenance RPCs that change or check one member. Defragment blocks
 * the member's backend while it runs, so it takes its own timeout (seconds to minutes for a
 * large db) instead of the command timeout.
 */
import type { AlarmList, HashKV } from './maintenance-rpc.js';
import type { Alarm, EtcdClient, ResponseHeader } from './types.js';

export type { AlarmList, HashKV } from './maintenance-rpc.js';

export interface EtcdMaintenanceClient extends EtcdClient {
  /** Maintenance.Defragment of the member this client is connected to. */
  defragment(timeoutMs: number): Promise<void>;
  /** Maintenance.HashKV at `revision` (0: the latest) of the member this client is connected to. */
  hashKV(revision: bigint): Promise<HashKV>;
  /** Maintenance.MoveLeader; only the leader accepts it. Returns the response header, if etcd sent one. */
  moveLeader(targetId: bigint): Promise<ResponseHeader | undefined>;
  /** Maintenance.Alarm GET with the response header (absent from etcd 3.4). */
  alarmList(): Promise<AlarmList>;
  /** Maintenance.Alarm DEACTIVATE of one alarm; returns the alarms it deactivated. */
  alarmDisarm(alarm: Alarm): Promise<Alarm[]>;
}

