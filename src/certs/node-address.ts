/**
 * Where this node's address can be learned without asking the cluster (the check must work
 * while the API server is down): kubeadm's static pod annotations, then the local API
 * endpoint that controller-manager.conf points at.
 */
import { parse } from 'yaml';
import { canonicalIp } from './certificate-info.js';
import type { NodeAddress } from './inventory.js';

/** kube-apiserver.yaml: `<advertise-address>:<port>`. */
export const APISERVER_ENDPOINT_ANNOTATION = 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint';
/** etcd.yaml: `https://<advertise-address>:2379`. */
export const ETCD_CLIENT_URLS_ANNOTATION = 'kubeadm.kubernetes.io/etcd.advertise-client-urls';

/** The host of `host:port`, `[v6]:port` or a URL; IPs canonical, names as written. */
export function hostOf(endpoint: string): string | undefined {
  const text = endpoint.trim();
  let host: string;
  try {
    host = new URL(text.includes('://') ? text : `https://${text}`).hostname;
  } catch {
    return undefined;
  }
  if (host === '') return undefined;
  host = host.replace(/^\[|\]$/g, '');
  return host.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(host) ? canonicalIp(host) : host;
}

/** The advertise address in a kubeadm static pod manifest's annotations, if any. */
export function addressFromManifest(manifestText: string): string | undefined {
  let doc: { metadata?: { annotations?: Record<string, string> } } | undefined;
  try {
    doc = parse(manifestText) as typeof doc;
  } catch {
    return undefined; // a broken manifest is not this check's business; other sources remain
  }
  const annotations = doc?.metadata?.annotations ?? {};
  const endpoint = annotations[APISERVER_ENDPOINT_ANNOTATION] ?? annotations[ETCD_CLIENT_URLS_ANNOTATION]?.split(',')[0];
  return endpoint === undefined ? undefined : hostOf(endpoint);
}

/** Addresses without duplicates; the first source named wins. */
export function uniqueAddresses(candidates: readonly NodeAddress[]): NodeAddress[] {
  const seen = new Set<string>();
  const out: NodeAddress[] = [];
  for (const c of candidates) {
    if (seen.has(c.address)) continue;
    seen.add(c.address);
    out.push(c);
  }
  return out;
}
