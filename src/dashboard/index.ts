/** The dashboard domain: what the page shows (read from repositories, certificates and etcd), run records, the page and its server. */
export {
  DASHBOARD_DATA_FORMAT, type BackupRow, type ClusterView, type DashboardData, type DeltaStreamView, type DrillRow, type Section,
} from './dashboard-data.js';
export { MAX_DELTA_ROWS, readDeltaInputs, type DeltaInputs, type DeltaManifestCache, type DeltaSegmentRead } from './delta-read.js';
export { MAX_RUN_RECORD_BYTES, RUN_RECORD_FORMAT, encodeRunRecord, parseRunRecord, readRunRecords, writeRunRecord, type RunKind, type RunRecord, type RunRecordCache, type StoredRunRecord } from './run-record.js';
export { backupFailureRecord, drillErrorRecord, drillRunRecord, verifyRunRecord } from './record-of.js';
export { buildClusterView, describePolicy, unreadableClusterView, type ClusterInputs } from './cluster-view.js';
export {
  DEFAULT_CERT_WARN_MS, DEFAULT_ETCD_QUOTA_BYTES, collectDashboardData, type CollectOptions, type FleetMember, type RepositoryOpener, type SelfCluster,
} from './collect.js';
export { DashboardAssetsMissingError, SERVED_CSP, loadDashboardAssets, servedPageHtml, staticReportHtml, type DashboardAssets } from './assets.js';
export { DashboardTokenError, MIN_TOKEN_LENGTH, readDashboardToken } from './token.js';
export { DashboardListenError, isLoopbackHost, parseDashboardListen, startDashboardServer, type DashboardServer, type DashboardServerOptions } from './server.js';
