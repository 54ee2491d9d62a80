/**
 * Connecting: probe every endpoint at once with Maintenance.Status (it needs no quorum), take
 * the first one in --endpoints order that answered and knows a leader (else the first that
 * answered), then authenticate there if a user is set. etcd 3.4/3.5 serve Status to anyone;
 * etcd 3.6+ with auth enabled want a token for it ("user name is empty"): a probe refused so
 * authenticates first when a user is set, and asks again.
 */
import { AppError } from '../errors.js';
import { GrpcEtcdClient } from './client.js';
import { decodeAuthenticateResponse, encodeAuthenticateRequest } from './cluster-messages.js';
import type { EtcdConnectOptions } from './connect-options.js';
import { parseEndpoint } from './endpoint.js';
import { CONNECTIVITY_CODES, EtcdError } from './errors.js';
import { GrpcChannel, loadTlsSettings, METHODS } from './grpc-channel.js';
import { decodeStatusResponse, EMPTY_MESSAGE } from './maintenance-messages.js';
import type { EndpointStatus, EtcdClient } from './types.js';

/** Opens a channel without any call (gRPC connects lazily, on the first call). */
export async function openChannel(options: EtcdConnectOptions, endpoint: string): Promise<GrpcChannel> {
  const parsed = parseEndpoint(endpoint, options);
  return new GrpcChannel(parsed, await loadTlsSettings(options, parsed));
}

/** Status with the dial timeout plus the command timeout: the first call also connects. */
async function probe(channel: GrpcChannel, options: EtcdConnectOptions, signal?: AbortSignal, action = 'connect'): Promise<EndpointStatus> {
  const timeoutMs = options.dialTimeoutMs + options.commandTimeoutMs;
  let bytes: Uint8Array;
  try {
    bytes = await channel.unary(METHODS.status, EMPTY_MESSAGE, { action, timeoutMs, signal });
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'etcd-auth-required') || options.user === undefined || channel.token !== undefined) throw err;
    await authenticate(channel, options, signal);
    bytes = await channel.unary(METHODS.status, EMPTY_MESSAGE, { action, timeoutMs, signal });
  }
  return decodeStatusResponse(bytes, channel.endpoint.endpoint);
}

/**
 * Gets an auth token when a user is set. A cluster without auth answers "authentication is
 * not enabled"; like etcdctl, kubekeeper then goes on without a token.
 */
export async function authenticate(channel: GrpcChannel, options: EtcdConnectOptions, signal?: AbortSignal): Promise<void> {
  // The probe may have authenticated already (etcd 3.6+ with auth enabled).
  if (channel.token !== undefined) return;
  if (options.user === undefined || options.user === '') return;
  try {
    const bytes = await channel.unary(METHODS.authenticate, encodeAuthenticateRequest(options.user, options.password ?? ''), {
      action: `authenticate as "${options.user}"`, timeoutMs: options.commandTimeoutMs, signal,
    });
    channel.setToken(decodeAuthenticateResponse(bytes));
  } catch (err) {
    if (err instanceof EtcdError && /authentication is not enabled/i.test(String((err.cause as { details?: string })?.details))) return;
    throw err;
  }
}

/**
 * Maintenance.Status of one endpoint on a channel of its own (no auth: etcd serves Status to
 * anyone who passes TLS). For `endpoint status` over several endpoints.
 */
export async function getEndpointStatus(options: EtcdConnectOptions, endpoint: string, signal?: AbortSignal): Promise<EndpointStatus> {
  const channel = await openChannel(options, endpoint);
  try {
    return await probe(channel, options, signal, 'get the status');
  } finally {
    channel.close();
  }
}

/** Opens a client on exactly `endpoint`: connect, then authenticate. Closes the channel on failure. */
export async function openEtcdClient(options: EtcdConnectOptions, endpoint: string, signal?: AbortSignal): Promise<EtcdClient> {
  const channel = await openChannel(options, endpoint);
  try {
    await probe(channel, options, signal);
    await authenticate(channel, options, signal);
  } catch (err) {
    channel.close();
    throw err;
  }
  return new GrpcEtcdClient(channel, options, (other) => openChannel(options, other));
}

type ProbeResult = { channel: GrpcChannel; status?: EndpointStatus; error?: unknown };

function allFailed(results: ProbeResult[]): AppError {
  const errors = results.map((r) => r.error);
  const first = errors[0];
  if (errors.length === 1 && first instanceof AppError) return first;
  const reasons = results.map((r) => `"${r.channel.endpoint.endpoint}": ${r.error instanceof Error ? r.error.message.replace(/^Cannot [^:]+: /, '') : String(r.error)}`);
  return new AppError('etcd-unreachable', `Cannot connect to any of ${results.length} endpoints: ${reasons.join('; ')}`, {
    hint: first instanceof AppError ? first.hint : 'Check --endpoints and that etcd is running',
    cause: first,
  });
}

/**
 * Connects to the first healthy endpoint of `options.endpoints` (see the file comment).
 * Throws the connection error when all fail; an auth error at once (the credentials are the
 * same for every member). `client.endpoint` says which member was picked.
 */
export async function connectEtcd(options: EtcdConnectOptions, signal?: AbortSignal): Promise<EtcdClient> {
  const channels = await Promise.all(options.endpoints.map((e) => openChannel(options, e)));
  const results: ProbeResult[] = await Promise.all(channels.map(async (channel) => {
    try {
      return { channel, status: await probe(channel, options, signal) };
    } catch (error) {
      return { channel, error };
    }
  }));
  const answered = results.filter((r) => r.status !== undefined);
  const aborted = results.find((r) => r.error instanceof AppError && r.error.code === 'aborted');
  const hard = results.find((r) => r.error !== undefined && !(r.error instanceof AppError && CONNECTIVITY_CODES.has(r.error.code)));
  const chosen = answered.find((r) => r.status?.leader !== 0n) ?? answered[0];
  for (const r of results) if (r !== chosen) r.channel.close();
  if (aborted) {
    chosen?.channel.close();
    throw aborted.error;
  }
  if (!chosen) throw hard?.error instanceof Error ? hard.error : allFailed(results);
  try {
    await authenticate(chosen.channel, options, signal);
  } catch (err) {
    chosen.channel.close();
    throw err;
  }
  return new GrpcEtcdClient(chosen.channel, options, (other) => openChannel(options, other));
}
