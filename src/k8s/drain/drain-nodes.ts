/**
 * Draining several nodes as kubectl does: every node is cordoned first (so evicted pods do not
 * land on a node that is next in line), then nodes are drained one after another; a failed node
 * does not stop the others and is listed at the end.
 */
import { messageOf } from '../../errors.js';
import type { DrainApi } from './drain-api.js';
import type { DrainOptions } from './drain-options.js';
import type { DrainNodeResult, DrainRunOptions } from './drain-node.js';
import { cordonForDrain, drainNode } from './drain-node.js';

export interface DrainNodesResult {
  results: DrainNodeResult[];
  /** Nodes that could not even be looked up or listed, with the reason. */
  errors: Array<{ node: string; message: string }>;
  /** Nodes not drained, in order (kubectl's "There are pending nodes to be drained"). */
  pendingNodes: string[];
}

export async function drainNodes(api: DrainApi, nodes: readonly string[], options: DrainOptions, run: DrainRunOptions): Promise<DrainNodesResult> {
  const onEvent = run.onEvent ?? (() => undefined);
  const errors: DrainNodesResult['errors'] = [];
  const cordoned: string[] = [];
  for (const node of nodes) {
    try {
      await cordonForDrain(api, node, run.dryRun === true, onEvent);
      cordoned.push(node);
    } catch (err) {
      errors.push({ node, message: messageOf(err) });
    }
  }
  const results: DrainNodeResult[] = [];
  for (const node of cordoned) {
    try {
      results.push(await drainNode(api, node, options, { ...run, cordon: false }));
    } catch (err) {
      if ((err as { code?: string }).code === 'aborted') throw err;
      errors.push({ node, message: messageOf(err) });
    }
  }
  const failed = new Set([...errors.map((e) => e.node), ...results.filter((r) => !r.drained).map((r) => r.node)]);
  return { results, errors, pendingNodes: nodes.filter((n) => failed.has(n)) };
}
