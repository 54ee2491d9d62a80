/**
 * Errors from the Kubernetes API, carrying what callers decide on: the HTTP status, the
 * Status `reason`, and the `details.causes` (an eviction refused by a PodDisruptionBudget
 * names the budget in a cause of type "DisruptionBudget").
 */
import { AppError } from '../errors.js';

/** One entry of a Status object's `details.causes` (`reason` is the cause type on the wire). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The Kubernetes `Status` object an API server returns with every error. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

const DEFAULT_HINT = 'Check --kubeconfig and --context, and that your user may perform this request';

/** A request the API server answered with a non-2xx status. */
export class KubeApiError extends AppError {
  readonly status: number;
  /** The server's own message (kubectl prints this text), without our "action" prefix. */
  readonly serverMessage: string;
  readonly reason: string | undefined;
  readonly causes: StatusCause[];

  constructor(action: string, status: number, body: KubeStatus | undefined, hint = DEFAULT_HINT) {
    const serverMessage = body?.message ?? `HTTP ${status}`;
    super('kube-api', `${action}: ${serverMessage} (HTTP ${status})`, { hint });
    this.status = status;
    this.serverMessage = serverMessage;
    this.reason = body?.reason;
    this.causes = body?.details?.causes ?? [];
  }
}

/** 404: the object does not exist (for drain, "already gone"). */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/** 429: an eviction refused by a PodDisruptionBudget (or API rate limiting); retried. */
export function isTooManyRequests(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 429;
}

/** 403 with cause NamespaceTerminating: eviction refused because the namespace is going away. */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 403 && err.causes.some((c) => c.reason === 'NamespaceTerminating');
}

/**
 * The PodDisruptionBudget named in a 429 eviction refusal, from the cause the API server
 * writes: "The disruption budget <name> needs 2 healthy pods and has 2 currently" or
 * "The disruption budget <name> is still being processed by the server.".
 */
export function blockingBudget(err: unknown): { name: string; detail: string } | undefined {
  if (!(err instanceof KubeApiError)) return undefined;
  for (const cause of err.causes) {
    const m = /^The disruption budget (\S+) (.*)$/.exec(cause.message ?? '');
    if (cause.reason === 'DisruptionBudget' && m) return { name: m[1] as string, detail: (m[2] as string).replace(/\.$/, '') };
  }
  return undefined;
}

/** The API server could not be reached at all (refused, DNS, TLS): no HTTP status to act on. */
export class KubeUnreachableError extends AppError {
  constructor(action: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('kube-unreachable', `${action}: cannot reach the Kubernetes API server (${detail})`, {
      cause,
      hint: 'Check the server address in your kubeconfig (--kubeconfig, KUBECONFIG, --context) and that it is reachable',
    });
  }
}
