/**
 * What went wrong talking to etcd, in words an operator can act on: a gRPC status and its
 * details become an EtcdError with a stable code and a hint. Credentials never appear here.
 */
import { AbortedError, AppError } from '../errors.js';

/** A failed etcd call; `code` is one of the ETCD_ERROR codes below. */
export class EtcdError extends AppError {
  readonly endpoint: string;
  /** The gRPC status code, when the failure came from gRPC. */
  readonly grpcCode: number | undefined;
  constructor(code: string, message: string, options: { endpoint: string; hint?: string; cause?: unknown; grpcCode?: number }) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.endpoint = options.endpoint;
    this.grpcCode = options.grpcCode;
  }
}

/** The subset of @grpc/grpc-js's ServiceError used here. */
interface GrpcErrorLike {
  code?: number;
  details?: string;
  message?: string;
}

/** gRPC status codes (grpc.status) used in the mapping. */
const GRPC = { cancelled: 1, deadlineExceeded: 4, permissionDenied: 7, unavailable: 14, unauthenticated: 16 } as const;

/** Errors that mean "this endpoint cannot be used", so another endpoint may be tried. */
export const CONNECTIVITY_CODES: ReadonlySet<string> = new Set(['etcd-unreachable', 'etcd-timeout', 'etcd-tls', 'etcd-connection-lost', 'etcd-unavailable']);

const HINTS = {
  unreachable: 'Check --endpoints (host and client port, usually 2379) and that etcd is running there',
  timeout: 'Check the endpoint address and any firewall; raise --dial-timeout or --command-timeout for a slow member',
  wrongCa: 'Pass the CA that signed the etcd server certificate with --cacert (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)',
  hostname: 'Use an endpoint name or IP that the server certificate lists (check its subjectAltName), or fix the certificate',
  clientCert: 'etcd requires a client certificate: pass --cert and --key (kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.crt and .key)',
  tls: 'Check --cacert, --cert and --key, and whether the endpoint speaks TLS (https://) or plain text (http://)',
  auth: 'Check --user and --password (or ETCDCTL_USER / ETCDCTL_PASSWORD)',
  authRequired: 'Authentication is enabled on this cluster: pass --user (and --password)',
  permission: 'Snapshots and maintenance calls need a user with the root role; use such a user with --user',
} as const;

/** A short reason from grpc-js's details: "No connection established. Last error: Error: connect ECONNREFUSED ..." -> the last part. */
function reasonOf(details: string): string {
  const last = /Last error: (?:Error: )?(.*)$/s.exec(details);
  return (last?.[1] ?? details)
    .replace(/\.?\s*Resolution note:.*$/s, '')
    .replace(/\s*\(\d{4}-\d\d-\d\dT[^)]*\)\s*$/, '')
    .trim();
}

function classifyTls(fullReason: string): { hint: string; text: string } | undefined {
  // OpenSSL's "8020...:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/...": keep the words.
  const reason = /error:[0-9A-F]+:SSL routines:[^:]*:([^:]+)/.exec(fullReason)?.[1] ?? fullReason;
  const r = reason.toLowerCase();
  if (/unable to verify|self[- ]signed|unable to get (local )?issuer|certificate verify failed|cert_untrusted/.test(r)) return { hint: HINTS.wrongCa, text: `the server certificate is not trusted (${reason})` };
  if (/altnames|hostname|ip address|does not match/.test(r)) return { hint: HINTS.hostname, text: `the server certificate does not match the endpoint (${reason})` };
  if (/certificate required|bad certificate|alert number 116|alert number 42|handshake failure/.test(r)) return { hint: HINTS.clientCert, text: `the server refused the TLS handshake (${reason})` };
  if (/ssl|tls|certificate|wrong version number|packet length too long|eproto/.test(r)) return { hint: HINTS.tls, text: `TLS handshake failed (${reason})` };
  return undefined;
}

/**
 * Turns a thrown gRPC error into an EtcdError saying which `action` failed at which endpoint.
 * An abort becomes AbortedError. `timeoutMs` is the deadline that was used, for the message.
 */
export function toEtcdError(err: unknown, action: string, endpoint: string, timeoutMs?: number): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as GrpcErrorLike;
  const details = e.details ?? e.message ?? String(err);
  const reason = reasonOf(details);
  const at = `etcd at "${endpoint}"`;
  const make = (code: string, message: string, hint?: string) => new EtcdError(code, `Cannot ${action}: ${message}`, { endpoint, hint, cause: err, grpcCode: e.code });
  const tls = classifyTls(reason);
  // etcd sends auth failures with several status codes (InvalidArgument, and Unknown from the snapshot stream).
  if (/authentication failed|invalid user ID or password/i.test(details)) return make('etcd-auth-failed', `${at} rejected the user name or password`, HINTS.auth);
  if (/user name is empty|user name not found|invalid auth token/i.test(details)) return make('etcd-auth-required', `${at} requires authentication (${reason})`, HINTS.authRequired);
  switch (e.code) {
    case GRPC.cancelled:
      // `action` is a verb phrase ("stream the snapshot"): "The attempt to stream the snapshot was interrupted".
      return new AbortedError(`The attempt to ${action}`);
    case GRPC.deadlineExceeded:
      if (tls) return make('etcd-tls', `${at}: ${tls.text}`, tls.hint);
      return make('etcd-timeout', `${at} did not answer${timeoutMs ? ` within ${timeoutMs} ms` : ''}${reason && !/deadline/i.test(reason) ? ` (${reason})` : ''}`, HINTS.timeout);
    case GRPC.unavailable:
      if (tls) return make('etcd-tls', `${at}: ${tls.text}`, tls.hint);
      if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|No connection established/i.test(details)) {
        return make('etcd-unreachable', `${at} is unreachable (${reason})`, HINTS.unreachable);
      }
      // etcd itself answered "Unavailable" (etcdserver: no leader, leader changed, unhealthy cluster,
      // request timed out): the member is up but cannot serve this now; another member or a retry may.
      if (/^etcdserver: /.test(reason)) {
        return make('etcd-unavailable', `${at} cannot serve the request now (${reason})`, 'etcd is running but has no leader, is changing leader or is short of healthy members: check "kubekeeper endpoint status --cluster", then retry');
      }
      return make('etcd-connection-lost', `the connection to ${at} failed (${reason})`, 'Check that etcd is still running (it may have restarted or been killed), then retry');
    case GRPC.unauthenticated:
      return make('etcd-auth-required', `${at} did not accept the credentials (${reason})`, HINTS.authRequired);
    case GRPC.permissionDenied:
      return make('etcd-permission-denied', `${at} denied permission (${reason})`, HINTS.permission);
  }
  return make('etcd-rpc', `${at} returned an error: ${reason}`);
}
