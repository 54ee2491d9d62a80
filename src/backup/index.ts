export { openSnapshotFile, SnapshotFileError, type SnapshotFile } from './snapshot-file.js';
export { restoreSnapshot, type RestorePhase, type RestoredFile, type SnapshotRestoreContext, type SnapshotRestoreOptions, type SnapshotRestoreReport } from './snapshot-restore.js';
