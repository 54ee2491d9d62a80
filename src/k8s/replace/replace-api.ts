/** What node replacement needs beyond drain. */
import type { DrainApi } from '../drain/drain-api.js';
import type { Taint } from '../types.js';

export interface ReplaceApi extends DrainApi {
  /** JSON merge patch of metadata.labels (added/overwritten keys) and/or spec.taints (the full list). */
  patchNodeMetadata(name: string, change: { labels?: Record<string, string>; taints?: Taint[] }): Promise<void>;
  /** DELETE /api/v1/nodes/{name} with a UID precondition (a re-registered node is not deleted). */
  deleteNode(name: string, uid: string | undefined): Promise<void>;
}
