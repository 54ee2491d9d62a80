/**
 * cordon / uncordon with kubectl's semantics: no request when the node is already in the
 * wanted state, otherwise one strategic-merge PATCH of `spec.unschedulable` (true to cordon,
 * null to uncordon, because the field is omitempty). Taints are left to the node lifecycle
 * controller, which derives `node.kubernetes.io/unschedulable` from the field.
 */
import type { Node } from './types.js';

/** What cordon and uncordon need from the API. */
export interface CordonApi {
  /** GET /api/v1/nodes/{name}; throws KubeApiError (404 when the node does not exist). */
  getNode(name: string): Promise<Node>;
  /**
   * PATCH /api/v1/nodes/{name} with Content-Type application/strategic-merge-patch+json and
   * body {"spec":{"unschedulable":true}} or {"spec":{"unschedulable":null}}.
   */
  setUnschedulable(name: string, unschedulable: boolean): Promise<void>;
}

export type CordonOutcome = 'cordoned' | 'already cordoned' | 'uncordoned' | 'already uncordoned';

export interface CordonResult {
  node: string;
  outcome: CordonOutcome;
  /** True when nothing was sent because of --dry-run. */
  dryRun: boolean;
}

/**
 * Sets `spec.unschedulable` of one node to `cordon`. Sends nothing when the node already has
 * that value (absent counts as false) or in dry run. Throws KubeApiError when GET or PATCH fail.
 */
export async function setNodeCordon(api: CordonApi, name: string, cordon: boolean, options: { dryRun?: boolean } = {}): Promise<CordonResult> {
  const node = await api.getNode(name);
  const current = node.spec?.unschedulable === true;
  const dryRun = options.dryRun === true;
  if (current === cordon) return { node: name, outcome: cordon ? 'already cordoned' : 'already uncordoned', dryRun };
  if (!dryRun) await api.setUnschedulable(name, cordon);
  return { node: name, outcome: cordon ? 'cordoned' : 'uncordoned', dryRun };
}

/** kubectl's line for a cordon result: "node/n1 cordoned", "node/n1 already uncordoned (dry run)". */
export function formatCordonResult(result: CordonResult): string {
  return `node/${result.node} ${result.outcome}${result.dryRun ? ' (dry run)' : ''}`;
}
