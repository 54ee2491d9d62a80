/**
 * `endpoint health` as etcdctl 3.4 does it: a linearizable read of the key "health" (it goes
 * through raft, so it proves the member is part of a working quorum); "permission denied"
 * still counts as healthy, since the request reached consensus. Then any active alarm makes
 * the endpoint unhealthy, and an alarm list that cannot be read does too.
 */
import { AppError, messageOf } from '../errors.js';
import { openEtcdClient } from './connect.js';
import type { EtcdConnectOptions } from './connect-options.js';
import type { EndpointHealth, EtcdClient } from './types.js';

/** Strips "Cannot <action>: " so a table cell says what is wrong, not what was tried. */
function shortReason(err: unknown): string {
  return messageOf(err).replace(/^Cannot [^:]+: /, '');
}

/** True for errors that make every endpoint fail the same way (bad TLS file, bad flags, Ctrl-C). */
function isFatal(err: unknown): boolean {
  return err instanceof AppError && (err.code === 'usage' || err.code === 'etcd-tls-file' || err.code === 'aborted');
}

async function readHealthKey(client: EtcdClient): Promise<string | undefined> {
  try {
    await client.range({ key: 'health' });
    return undefined;
  } catch (err) {
    if (err instanceof AppError && err.code === 'etcd-permission-denied') return undefined;
    return shortReason(err);
  }
}

async function alarmError(client: EtcdClient): Promise<string | undefined> {
  try {
    const alarms = (await client.alarms()).filter((a) => a.alarm !== 'NONE');
    // etcdctl's wording, trailing space included, so scripts that match it keep working.
    return alarms.length === 0 ? undefined : `Active Alarm(s): ${alarms.map((a) => `${a.alarm} `).join('')}`;
  } catch {
    return 'Unable to fetch the alarm list';
  }
}

/**
 * Checks one endpoint; never throws for an unhealthy or unreachable member (that is the
 * answer), only for errors that would hit every endpoint (unreadable TLS files, abort).
 */
export async function checkEndpointHealth(options: EtcdConnectOptions, endpoint: string, signal?: AbortSignal): Promise<EndpointHealth> {
  const started = performance.now();
  let client: EtcdClient;
  try {
    client = await openEtcdClient({ ...options, endpoints: [endpoint] }, endpoint, signal);
  } catch (err) {
    if (isFatal(err) || !(err instanceof AppError)) throw err;
    return { endpoint, health: false, tookMs: performance.now() - started, error: shortReason(err) };
  }
  try {
    const readStarted = performance.now();
    const error = (await readHealthKey(client)) ?? (await alarmError(client));
    const tookMs = performance.now() - readStarted;
    return error === undefined ? { endpoint, health: true, tookMs } : { endpoint, health: false, tookMs, error };
  } finally {
    client.close();
  }
}
