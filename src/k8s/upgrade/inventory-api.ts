/** What `upgrade plan` reads from the cluster. */
import type { DaemonSet, Node, Pod } from '../types.js';

export interface InventoryApi {
  /** gitVersion from GET /version (the apiserver that answered). */
  getServerVersion(): Promise<string>;
  listNodes(): Promise<Node[]>;
  listPods(namespace: string, labelSelector: string): Promise<Pod[]>;
  listDaemonSets(namespace: string): Promise<DaemonSet[]>;
}
