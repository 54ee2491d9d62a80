/**
 * A small JSON client for the parts of the API client-node's typed APIs make awkward: custom
 * resources and their status subresource, merge patches, Leases with MicroTime fields, and
 * events.k8s.io Events. Authentication and TLS come from the kubeconfig (kc.applyToHTTPSOptions),
 * every request is bounded in time and in answer size, and every failure is a KubeApiError
 * (with the server's Status) or a KubeUnreachableError.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeUnreachableError, type KubeStatus } from '../kube-api-error.js';
import { KUBE_REQUEST_TIMEOUT_MS } from './kube-client.js';

/** Bound on one answer: a list of a few thousand small objects fits; anything larger is refused. */
export const MAX_REST_BODY_BYTES = 32 * 1024 * 1024;

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequestOptions {
  /** Default application/json; "application/merge-patch+json" for PATCH. */
  contentType?: string;
}

/** Sends JSON requests to the API server of a kubeconfig's current context. */
export class KubeRest {
  private readonly timeoutMs: number;

  constructor(private readonly kc: KubeConfig, options: { requestTimeoutMs?: number } = {}) {
    this.timeoutMs = options.requestTimeoutMs ?? KUBE_REQUEST_TIMEOUT_MS;
  }

  /** The API server URL of the current context (for messages; never includes credentials). */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /**
   * One request: `path` starts with /api or /apis (query included); resolves with the parsed
   * JSON answer of a 2xx status, throws KubeApiError for any other status.
   */
  async request<T>(action: string, method: RestMethod, path: string, body?: unknown, options: RestRequestOptions = {}): Promise<T> {
    const url = new URL(`${this.server.replace(/\/+$/, '')}${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = options.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
      headers['Content-Length'] = String(payload.length);
    }
    const requestOptions: https.RequestOptions = { method, headers };
    await this.kc.applyToHTTPSOptions(requestOptions);
    const transport = url.protocol === 'https:' ? https : http;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = transport.request(url, requestOptions, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_REST_BODY_BYTES) req.destroy(new Error(`answer larger than ${MAX_REST_BODY_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new KubeUnreachableError(action, err)));
      });
      req.on('error', (err) => reject(new KubeUnreachableError(action, err)));
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`)));
      req.end(payload);
    });
    if (status < 200 || status > 299) throw new KubeApiError(action, status, parseStatus(text));
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch (err) {
      throw new KubeUnreachableError(action, new Error(`the answer is not JSON (${(err as Error).message})`));
    }
  }
}

/** An error answer's body as a Kubernetes Status (or its first 200 characters as the message). */
export function parseStatus(text: string): KubeStatus | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as KubeStatus) : undefined;
  } catch {
    return { message: text.trim().slice(0, 200) || undefined };
  }
}

/** 409: a resourceVersion precondition failed, or the object already exists. */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}
