/**
 * The part of the etcd keyspace kubekeeper reserves for itself (election keys of scheduled
 * runs, see etcd/election.ts). It starts with `/kubekeeper.io/`, which no Kubernetes key can
 * share: the API server writes under its `--etcd-prefix` (default `/registry/`), and a DNS
 * name with a dot is not a prefix Kubernetes or its distributions use. Inspection hides these
 * keys and `snapshot restore` drops them, so a restored cluster starts with no stale leader.
 */
export const RESERVED_PREFIX = '/kubekeeper.io/';

const RESERVED = new TextEncoder().encode(RESERVED_PREFIX);

/** True when the etcd key (bytes or text) lies under RESERVED_PREFIX. */
export function isReservedKey(key: Uint8Array | string): boolean {
  if (typeof key === 'string') return key.startsWith(RESERVED_PREFIX);
  if (key.length < RESERVED.length) return false;
  for (let i = 0; i < RESERVED.length; i++) if (key[i] !== RESERVED[i]) return false;
  return true;
}

/** The range end that covers exactly the keys under RESERVED_PREFIX (etcd's prefix end). */
export const RESERVED_RANGE_END = RESERVED_PREFIX.slice(0, -1) + String.fromCharCode(RESERVED_PREFIX.charCodeAt(RESERVED_PREFIX.length - 1) + 1);
