export { openSnapshotFile, SnapshotFileError, type SnapshotFile } from './snapshot-file.js';
export { restoreSnapshot, type RestorePhase, type RestoredFile, type SnapshotRestoreContext, type SnapshotRestoreOptions, type SnapshotRestoreReport } from './snapshot-restore.js';
export { BackupNotFoundError, BackupRepository, FUTURE_SKEW_MS, type BackupEntry, type BackupListing, type BackupStatus, type OrphanObject, type UnfinishedUploadEntry } from './repository.js';
export {
  BACKUP_NAME_PATTERN, MANIFEST_FORMAT, ManifestError, isValidBackupName, type BackupObject, type BundleFile, type ClusterInfo, type EncryptionInfo, type Manifest, type ObjectRole,
} from './manifest.js';
export { parseManifest } from './manifest-parse.js';
export { snapshotSourceFromEtcd, type SnapshotSource, type SnapshotSourceInfo } from './backup-source.js';
export { defaultBackupName, saveBackup, type SaveBackupOptions, type SaveBackupResult, type SavePhase, type SaveProgress } from './backup-save.js';
export { verifyBackup, type BackupCheck, type VerifyBackupOptions, type VerifyBackupResult } from './backup-verify.js';
export { downloadBackup, resolveBackupToLocalFile, withBackupSnapshot, type DownloadBackupOptions, type DownloadBackupResult } from './backup-download.js';
export { deleteBackup, type DeleteBackupOptions, type DeleteBackupResult } from './backup-delete.js';
export { DEFAULT_ORPHAN_GRACE_MS, pruneBackups, type OrphanDecision, type PruneOptions, type PruneResult, type UploadDecision } from './backup-prune.js';
export { showBackup } from './backup-show.js';
export { ObjectMismatchError } from './backup-object.js';
export { loadBackupIdentities, loadBackupRecipients, type BackupKeySources } from './backup-keys.js';
export { openBackupRepository, type OpenRepositoryOptions } from './repository-open.js';
export { saveSnapshot, type SaveSnapshotOptions, type SaveSnapshotResult } from './snapshot-save.js';
export { checkWritableTarget, FileExistsError, fileWriteError, writeFileAtomic, type WriteFileAtomicOptions } from './atomic-file.js';
export { runRestoreDrill, type DrillCheck, type DrillStep, type RestoreDrillOptions, type RestoreDrillResult } from './drill.js';
export {
  checkManifestSignature, describeSignature, encodeSignedJson, encodeSignedManifest, untrustedReason, UntrustedManifestError,
  type ManifestTrust, type SignatureInfo, type SignatureStatus,
} from './manifest-signature.js';
export { DEFAULT_FLUSH_BYTES, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_WATCH_POLL_MS, DELTA_ELECTION_JOB, defaultWatchPollMs, streamDeltas, type DeltaStreamOptions, type DeltaStreamStatus } from './delta-stream.js';
export { DeltaChainError, listDeltas, readDeltaManifest, type DeltaListing, type DeltaRange } from './delta-store.js';
export { loadDeltaRestore, planDeltaRestore, revisionAtTime, type DeltaRestorePlan, type DeltaTarget, type LoadDeltaOptions } from './delta-restore.js';
export { type KeyBucketEntry, type LeaseBucketEntry, revisionKey } from './delta-entries.js';
export type { DeltaManifest } from './delta-manifest.js';
export { deltaCoverage, type DeltaCoverage } from './delta-coverage.js';
export { DEFAULT_DELTA_ORPHAN_GRACE_MS, type DeltaDecision } from './delta-retention.js';
export { mergeDeltaSegments, type MergeDeltasOptions, type MergeResult } from './delta-merge.js';
export { buildDeltaRestore, snapshotLeaseIds, startDeltaRestore, type DeltaRestoreInput } from './delta-restore-input.js';
export type { DeltaWorkerSource } from './delta-worker-codec.js';
