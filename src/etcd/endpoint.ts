/**
 * Endpoints as etcdctl's --endpoints accepts them: "host:port", "http://host:port" or
 * "https://host:port". Pure. The scheme, when given, decides plain text or TLS; a bare
 * host:port uses TLS when any TLS option is set (as etcdctl does).
 */
import { UsageError } from '../errors.js';
import type { EtcdConnectOptions } from './connect-options.js';

export interface ParsedEndpoint {
  /** As the user wrote it; used in every message. */
  endpoint: string;
  host: string;
  port: number;
  /** gRPC target: host:port, IPv6 in brackets. */
  target: string;
  tls: boolean;
}

const DEFAULT_PORT = 2379;

/** True when the options ask for TLS on endpoints without a scheme. */
export function wantsTls(options: EtcdConnectOptions): boolean {
  return Boolean(options.caFile || options.certFile || options.keyFile || options.insecureSkipVerify || options.useTls);
}

/** Parses one --endpoints entry; throws UsageError for schemes kubekeeper cannot dial. */
export function parseEndpoint(endpoint: string, options: EtcdConnectOptions): ParsedEndpoint {
  const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\[[0-9a-fA-F:.]+\]|[^/:[\]\s]+)(?::(\d+))?\/?$/.exec(endpoint.trim());
  const scheme = match?.[1];
  if (!match || (scheme !== undefined && scheme !== 'http' && scheme !== 'https')) {
    throw new UsageError(`Invalid endpoint "${endpoint}"`, 'Use host:port, http://host:port or https://host:port, e.g. --endpoints=https://127.0.0.1:2379');
  }
  const host = match[2] as string;
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (port < 1 || port > 65535) throw new UsageError(`Invalid endpoint "${endpoint}": port ${port} is out of range`);
  const tls = scheme === undefined ? wantsTls(options) : scheme === 'https';
  return { endpoint, host: host.replace(/^\[|\]$/g, ''), port, target: `${host}:${port}`, tls };
}
