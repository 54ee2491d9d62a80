/**
 * How to reach etcd, in etcdctl's terms. Built by cli/etcd-flags.ts from flags and ETCDCTL_*
 * env vars, or by the daemon from its config file.
 */
export interface EtcdConnectOptions {
  /** host:port or scheme://host:port, as etcdctl's --endpoints. */
  endpoints: string[];
  /** PEM file paths; when any is set (or an endpoint is https://) TLS is used. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Skip server certificate verification (etcdctl --insecure-skip-tls-verify). Off by default. */
  insecureSkipVerify?: boolean;
  /** Use TLS without client certs and with system roots (etcdctl --insecure-transport=false). */
  useTls?: boolean;
  /** Auth: username and password (never logged). */
  user?: string;
  password?: string;
  dialTimeoutMs: number;
  commandTimeoutMs: number;
}
