/**
 * The role leader election needs from the API server: read, create and replace one
 * coordination.k8s.io/v1 Lease. Replace carries metadata.resourceVersion, so two candidates
 * that read the same Lease cannot both win: the second write fails with 409 Conflict.
 */

/** The Lease fields leader election reads and writes (JSON shape). */
export interface Lease {
  apiVersion?: 'coordination.k8s.io/v1';
  kind?: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string> };
  spec: LeaseSpec;
}

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  /** MicroTime: RFC 3339 with microseconds, "2026-12-06T01:02:03.000000Z". */
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface LeaseApi {
  /** The Lease, or undefined when it does not exist (404). */
  getLease(namespace: string, name: string): Promise<Lease | undefined>;
  /** Creates it; throws a KubeApiError with status 409 when it exists already. */
  createLease(lease: Lease): Promise<Lease>;
  /** Replaces it at metadata.resourceVersion; throws a KubeApiError with status 409 when it changed meanwhile. */
  updateLease(lease: Lease): Promise<Lease>;
}

/** A MicroTime as the API server writes it (microsecond precision, UTC). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
