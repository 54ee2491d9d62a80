/** `kubekeeper audit policy`: prints a kube-apiserver audit policy for --audit-policy-file. */
import { AUDIT_PROFILES, buildPolicy, renderPolicyYaml, type AuditProfile } from '../../audit/index.js';
import { defineCommand, writeOutFlag } from '../command.js';

export default defineCommand({
  name: 'audit policy',
  summary: 'Print a sound audit.k8s.io/v1 policy for kube-apiserver',
  flags: {
    profile: { type: 'string', choices: AUDIT_PROFILES, default: 'recommended', valueName: 'PROFILE', description: `How much to log: ${AUDIT_PROFILES.join(', ')}` },
    'write-out': writeOutFlag(['yaml', 'json'], 'yaml'),
  },
  details: [
    'Every profile logs Secrets, ConfigMaps, service account tokens and TokenReviews at Metadata',
    'only (never their bodies), drops health checks and the RequestReceived stage, and ends with a',
    'catch-all rule.',
    '  minimal      who changed what (Metadata), who read credentials; no other reads',
    '  recommended  changes at RequestResponse, reads at Metadata; no event, heartbeat or',
    '               leader-election noise; managedFields omitted',
    '  strict       like recommended, keeping event writes, heartbeats and managedFields',
    'Install it with "kubekeeper audit configure", check edits with "kubekeeper audit lint".',
  ].join('\n'),
  async run({ flags, io }) {
    const profile = flags.profile as AuditProfile;
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(buildPolicy(profile), null, 2)}\n` : renderPolicyYaml(profile));
  },
});
