/**
 * Worker-thread entry of `countLiveKeysOnWorker`: counts the live keys of one snapshot file
 * and posts the counts back. Its own file (not eval'd source) because it needs the bbolt
 * reader; it sits beside drill-expect.js in every build layout.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { countLiveKeys } from './drill-expect.js';
import { AppError } from '../errors.js';

const { snapshotPath } = workerData as { snapshotPath: string };
// No top-level await: the bundle runs this file as CommonJS source (see countLiveKeysOnWorker).
void (async () => {
  try {
    const counts = await countLiveKeys(snapshotPath);
    parentPort?.postMessage({ ok: true, total: counts.total, groups: [...counts.groups] });
  } catch (err) {
    // An AppError crosses as its fields: structured clone keeps no class.
    const e = err as Error;
    parentPort?.postMessage({ ok: false, message: e.message, code: err instanceof AppError ? err.code : undefined, hint: err instanceof AppError ? err.hint : undefined });
  }
})();
