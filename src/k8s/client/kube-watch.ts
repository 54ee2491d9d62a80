/**
 * One watch request (`?watch=1`) as an async iterable of its events: the API server streams
 * one JSON object per line until `timeoutSeconds` passes (then the stream ends cleanly and the
 * caller watches again from the last resourceVersion it saw). Authentication and TLS come from
 * the kubeconfig, as for KubeRest. The whole request is bounded (the server's timeout plus a
 * margin) and so is each line; a non-2xx answer is a KubeApiError (410 Gone: the
 * resourceVersion is too old, list again), a broken connection a KubeUnreachableError.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeUnreachableError } from '../kube-api-error.js';
import { parseStatus } from './kube-rest.js';

/** Bound on one watch event (one object): as KubeRest's bound on one answer. */
export const MAX_WATCH_EVENT_BYTES = 32 * 1024 * 1024;
/** Added to the server's timeoutSeconds before the client gives up on a silent watch. */
export const WATCH_CLIENT_MARGIN_MS = 15_000;

/** One event; ERROR carries a Status (code 410: the resourceVersion expired). */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface WatchRequestOptions {
  signal: AbortSignal;
  /** The server ends the watch after this long (its timeoutSeconds). */
  timeoutSeconds: number;
  /** Called once the server accepted the watch (HTTP 200), before any event. */
  onOpen?: () => void;
}

/** Streams the events of `path` (which already carries resourceVersion and other parameters). */
export async function* watchRequest<T>(kc: KubeConfig, action: string, path: string, options: WatchRequestOptions): AsyncGenerator<WatchEvent<T>> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const url = new URL(`${server.replace(/\/+$/, '')}${path}${path.includes('?') ? '&' : '?'}watch=1&timeoutSeconds=${options.timeoutSeconds}`);
  const requestOptions: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(requestOptions);
  const bound = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutSeconds * 1000 + WATCH_CLIENT_MARGIN_MS)]);
  const transport = url.protocol === 'https:' ? https : http;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = transport.request(url, { ...requestOptions, signal: bound }, resolve);
    req.on('error', (err) => reject(new KubeUnreachableError(action, err)));
    req.end();
  });
  try {
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      let text = '';
      for await (const chunk of res) {
        text += (chunk as Buffer).toString('utf8');
        if (text.length > 65536) break;
      }
      throw new KubeApiError(action, status, parseStatus(text));
    }
    options.onOpen?.();
    let pending = '';
    try {
      for await (const chunk of res) {
        pending += (chunk as Buffer).toString('utf8');
        if (pending.length > MAX_WATCH_EVENT_BYTES) throw new KubeUnreachableError(action, new Error(`a watch event larger than ${MAX_WATCH_EVENT_BYTES} bytes`));
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) yield parseEvent<T>(action, line);
        }
      }
    } catch (err) {
      if (err instanceof KubeUnreachableError || err instanceof KubeApiError) throw err;
      // Our own signal ends the watch quietly; the bound or a reset is a broken connection.
      if (options.signal.aborted) return;
      throw new KubeUnreachableError(action, err as Error);
    }
    if (pending.trim()) yield parseEvent<T>(action, pending.trim());
  } finally {
    res.destroy();
  }
}

function parseEvent<T>(action: string, line: string): WatchEvent<T> {
  try {
    return JSON.parse(line) as WatchEvent<T>;
  } catch (err) {
    throw new KubeUnreachableError(action, new Error(`a watch event is not JSON (${(err as Error).message})`));
  }
}

/** 410 Gone, as an answer or as a watch ERROR event: the resourceVersion is too old; list again. */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 410;
}
