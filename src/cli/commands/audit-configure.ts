/** `kubekeeper audit configure`: turns on audit logging in a kubeadm manifest or an RKE cluster.yml. */
import { AUDIT_PROFILES, configureAudit, KUBEADM_AUDIT_DEFAULTS, RKE_AUDIT_DEFAULTS, type AuditProfile, type ConfigTarget } from '../../audit/index.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { renderConfigureText } from '../output/audit-configure.js';

export default defineCommand({
  name: 'audit configure',
  summary: 'Enable API server audit logging in a kubeadm manifest or an RKE cluster.yml',
  renamedFlags: { write: 'apply' },
  flags: {
    kubeadm: { type: 'string', valueName: 'MANIFEST', description: 'kube-apiserver static pod manifest, e.g. /etc/kubernetes/manifests/kube-apiserver.yaml' },
    rke: { type: 'string', valueName: 'CLUSTER_YML', description: 'RKE cluster.yml' },
    apply: { type: 'boolean', description: 'Apply the changes (the original is kept as a hidden backup beside it); default is a dry run' },
    profile: { type: 'string', choices: AUDIT_PROFILES, valueName: 'PROFILE', description: 'Install this policy profile, replacing an existing policy (default: keep a valid one, else recommended)' },
    'policy-file': { type: 'string', valueName: 'FILE', description: `kubeadm: policy file on the host (default ${KUBEADM_AUDIT_DEFAULTS.policyFile})` },
    'log-path': { type: 'string', valueName: 'FILE', description: `Audit log (default kubeadm ${KUBEADM_AUDIT_DEFAULTS.logPath}, RKE ${RKE_AUDIT_DEFAULTS.logPath})` },
    'max-age': { type: 'number', default: 30, min: 0, integer: true, valueName: 'DAYS', description: 'Days to keep rotated logs (0 = no limit)' },
    'max-backup': { type: 'number', default: 10, min: 0, integer: true, valueName: 'N', description: 'Rotated logs to keep (0 = all)' },
    'max-size': { type: 'number', default: 100, min: 0, integer: true, valueName: 'MB', description: 'Rotate at this size (0 = 100 MB)' },
  },
  details: [
    'kubeadm: adds the --audit-* flags to kube-apiserver (policy file, log path, max age, backups,',
    'size, json format) and hostPath volumes and mounts for the policy and the log directory; with',
    '--apply, installs the policy file first (when missing) so the restarted API server finds it.',
    'RKE: sets services.kube-api.audit_log with enabled: true and every configuration field, since',
    'RKE passes a missing field as a zero value (an empty log path logs nothing); apply with "rke up".',
    'Comments and layout are kept; files are written atomically; anything that is not a',
    'kube-apiserver manifest or an RKE cluster.yml is refused. Without --apply, prints the diff.',
  ].join('\n'),
  async run({ flags, io }) {
    if ((flags.kubeadm === undefined) === (flags.rke === undefined)) throw new UsageError('Pass exactly one of --kubeadm <manifest> or --rke <cluster.yml>');
    if (flags.rke !== undefined && flags['policy-file'] !== undefined) {
      throw new UsageError('--policy-file applies to kubeadm only: RKE writes the policy to /etc/kubernetes/audit-policy.yaml itself');
    }
    const target: ConfigTarget = flags.kubeadm !== undefined ? { kind: 'kubeadm', manifest: flags.kubeadm } : { kind: 'rke', clusterYml: flags.rke as string };
    const defaults = target.kind === 'kubeadm' ? KUBEADM_AUDIT_DEFAULTS : RKE_AUDIT_DEFAULTS;
    const profile = flags.profile as AuditProfile | undefined;
    const result = await configureAudit({
      target,
      profile,
      write: flags.apply,
      settings: {
        ...defaults,
        policyFile: flags['policy-file'] ?? defaults.policyFile,
        logPath: flags['log-path'] ?? defaults.logPath,
        maxAgeDays: flags['max-age'],
        maxBackups: flags['max-backup'],
        maxSizeMb: flags['max-size'],
      },
    });
    io.stdout.write(renderConfigureText(result, target.kind, profile));
  },
});
