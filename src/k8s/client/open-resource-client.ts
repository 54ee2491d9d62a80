/** Lazy entry point to ResourceClient: client-node loads only when a command talks to a cluster. */
import type { KubeConfigSource } from './load-kubeconfig.js';
import type { ResourceClient } from './resource-client.js';

/** Loads the kubeconfig (kubectl's rules, or the in-cluster service account) and returns a client. */
export async function openResourceClient(source: KubeConfigSource, options: { requestTimeoutMs?: number } = {}): Promise<ResourceClient> {
  const [{ ResourceClient: Client }, { loadKubeConfig }] = await Promise.all([import('./resource-client.js'), import('./load-kubeconfig.js')]);
  return new Client(loadKubeConfig(source), options);
}
