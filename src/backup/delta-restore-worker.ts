/**
 * Worker-thread entry of `collectDeltaRestoreOnWorker` (delta-worker.ts): opens the
 * repository and the identities itself (key objects do not cross threads), reads and checks
 * the planned segments with collectDeltaRestore, and posts the collected entries back with
 * their buffers transferred, or the error as its fields.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackupIdentities } from './backup-keys.js';
import { collectDeltaRestore } from './delta-restore.js';
import { type DeltaWorkerData, packError } from './delta-worker-codec.js';
import { openBackupRepository } from './repository-open.js';

const data = workerData as DeltaWorkerData;
// No top-level await, as drill-count-worker: a bundle may run this file as CommonJS source.
void (async () => {
  try {
    const repo = await openBackupRepository(data.location, { s3: data.s3, env: data.env });
    try {
      const identities = await loadBackupIdentities(data.keys);
      const collector = await collectDeltaRestore(repo, data.plan, { identities, snapshotRevision: data.snapshotRevision });
      const { packed, transfer } = collector.pack();
      parentPort?.postMessage({ ok: true, packed }, transfer);
    } finally {
      await repo.backend.close();
    }
  } catch (err) {
    parentPort?.postMessage({ ok: false, error: packError(err) });
  }
})();
