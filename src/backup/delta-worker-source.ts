/**
 * The point-in-time restore's worker as source, where the bundle carries it (esbuild's define,
 * scripts/build-bundle.mjs); undefined in dist/, where the worker is a file beside
 * delta-worker.js. A module of its own so that only a point-in-time restore loads its ~0.7 MB.
 */
declare const KUBEKEEPER_DELTA_WORKER: string | undefined;

/** The bundled worker source, or undefined outside a bundle. */
export function deltaWorkerSource(): string | undefined {
  return typeof KUBEKEEPER_DELTA_WORKER === 'string' ? KUBEKEEPER_DELTA_WORKER : undefined;
}
