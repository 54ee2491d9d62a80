/** The audit domain: API server audit policies, their configuration, and audit log search. */
export * from './policy.js';
export { evaluatePolicy, ruleMatches, pathMatches, resourcePatternMatches, type PolicyDecision } from './policy-match.js';
export { validatePolicy, type PolicyPath, type PolicyProblem } from './policy-validate.js';
export { parsePolicyDocument, type PolicyDocument, type SourcePosition } from './policy-document.js';
export { lintPolicy, CREDENTIAL_RESOURCES, type LintFinding, type LintResult, type LintSeverity } from './policy-lint.js';
export { AUDIT_PROFILES, buildPolicy, renderPolicyYaml, type AuditProfile } from './policy-profiles.js';
export {
  parseAuditLine, checkEvent, eventTimeKey, timestampMicros, isLegacyAuditLine,
  type AuditEvent, type AuditObjectRef, type AuditUserInfo, type MalformedReason, type ParsedLine,
} from './event.js';
export { compileFilter, jsonNeedle, parseResourceSelector, type AuditFilter, type CompiledFilter } from './search-filter.js';
export { scanAuditLines, emptyScanStats, MAX_LINE_BYTES, type ScanMatch, type ScanStats, type MalformedSample } from './line-scanner.js';
export { mergeByTime, type TimedSource } from './merge.js';
export { listAuditLogFiles, readLogChunks, firstEventMicros, pickLiveFile, type AuditLogFile } from './log-files.js';
export { searchAuditLogs, totalStats, type AuditSearch, type SearchMatch, type SearchOptions, type SearchStats, type FileSearchStats } from './search.js';
export { followAuditLog, followLogChunks, FOLLOW_POLL_MS, type FollowOptions } from './follow.js';
export {
  auditFlags, validateAuditLogSettings, describeAuditLogSettings, KUBEADM_AUDIT_DEFAULTS, RKE_AUDIT_DEFAULTS, RKE_AUDIT_LOG_DIR, RKE_POLICY_FILE,
  type AuditLogSettings,
} from './apiserver-flags.js';
export { planKubeadmAudit, type ConfigChange, type ConfigPlan } from './kubeadm-manifest.js';
export { planRkeAudit, type RkePlanOptions } from './rke-cluster.js';
export { rkeEffectiveAuditLog, RKE_CONFIGURATION_FLAGS, type RkeAuditLogState } from './rke-audit-log.js';
export { configureAudit, type ConfigTarget, type ConfigureOptions, type ConfigureResult, type PolicyFileAction } from './configure.js';
export { diffLines, unifiedDiff, type DiffOp } from './line-diff.js';
export { openEditableYaml, type EditableYaml } from './yaml-edit.js';
