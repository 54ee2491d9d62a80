/**
 * The entry point to the Kubernetes client. @kubernetes/client-node is large (its generated
 * API takes a noticeable share of a second to load), so it is imported only when a command
 * really talks to a cluster; offline commands such as `review` never load it.
 */
import type { KubeClient, KubeClientOptions } from './kube-client.js';
import type { KubeConfigSource } from './load-kubeconfig.js';

/** Loads the kubeconfig (kubectl's rules, see loadKubeConfig) and returns a client for it. */
export async function openKubeClient(source: KubeConfigSource, options: KubeClientOptions = {}): Promise<KubeClient> {
  const [{ KubeClient: Client }, { loadKubeConfig }] = await Promise.all([import('./kube-client.js'), import('./load-kubeconfig.js')]);
  return new Client(loadKubeConfig(source), options);
}
