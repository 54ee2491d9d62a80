export { openSnapshotFile, SnapshotFileError, type SnapshotFile } from './snapshot-file.js';
