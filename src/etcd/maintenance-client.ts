/** Connecting a client for the maintenance commands (see maintenance-types.ts). */
import type { EtcdConnectOptions } from './connect-options.js';
import { connectEtcd, openEtcdClient } from './connect.js';
import type { EtcdMaintenanceClient } from './maintenance-types.js';

export type { EtcdMaintenanceClient } from './maintenance-types.js';

/** Like openEtcdClient: exactly `endpoint`. */
export async function openMaintenanceClient(options: EtcdConnectOptions, endpoint: string, signal?: AbortSignal): Promise<EtcdMaintenanceClient> {
  return (await openEtcdClient(options, endpoint, signal)) as EtcdMaintenanceClient;
}

/** Like connectEtcd: the first healthy endpoint of `options.endpoints`. */
export async function connectMaintenance(options: EtcdConnectOptions, signal?: AbortSignal): Promise<EtcdMaintenanceClient> {
  return (await connectEtcd(options, signal)) as EtcdMaintenanceClient;
}
