// etcd membership runbooks: replace a failed member, recover from quorum loss. Other folders
// import members only through this file.
export { REPLACE_RUNBOOK, replaceMember, type ReplaceData, type ReplaceMemberOptions } from './replace-member.js';
export { openMemberSession, MEMBER_POLL_INTERVAL_MS, type ClosableMemberSession, type OpenSessionOptions } from './open-session.js';
export type { MemberEvent, MemberSession } from './member-session.js';
export { joinFlags, parseEnvFile, renderCommandLine, renderEnvFile, type JoiningMember } from './member-flags.js';
export { checkRemovalKeepsQuorum, quorumOf, QuorumError } from './quorum.js';
export { CATCH_UP_MAX_LAG_ENTRIES } from './member-steps.js';
export { RECOVER_RUNBOOK, recoverCluster, type RecoverClusterOptions, type RecoverData, type RecoverSource } from './recover-cluster.js';
export { QUORUM_LOSS_CONFIRM_MS } from './recover-local.js';
export { hostsOf, issueMemberCertificates, type MemberCertOptions } from './member-certs.js';
