/** `kubekeeper certs renew <name>...|all`: re-sign certificates with the node's CA, as kubeadm does, crash-safely. */
import path from 'node:path';
import { createCrictlRuntime, DEFAULT_LEAF_VALIDITY_MS, DEFAULT_RESTART_TIMEOUT_MS, renewCertificates } from '../../certs/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { certsRenewJson, renderCertsRenewText } from '../output/certs-renew.js';

export default defineCommand({
  name: 'certs renew',
  summary: 'Renew certificates with the existing CA (new keys, same subjects and SANs)',
  args: '<name>...|all',
  minArgs: 1,
  maxArgs: Infinity,
  flags: {
    'pki-dir': { type: 'string', valueName: 'DIR', description: 'Certificate directory (default: /etc/kubernetes/pki)' },
    'kubeconfig-dir': { type: 'string', valueName: 'DIR', default: '/etc/kubernetes', description: 'Directory of admin.conf, controller-manager.conf, ...' },
    'manifests-dir': { type: 'string', valueName: 'DIR', description: 'Static pod manifests (default: <kubeconfig-dir>/manifests)' },
    'backup-dir': { type: 'string', valueName: 'DIR', description: 'Where the timestamped backup folder goes (default: <kubeconfig-dir>/tmp)' },
    validity: { type: 'duration', default: DEFAULT_LEAF_VALIDITY_MS, valueName: 'DURATION', description: 'Validity of the renewed certificates (kubeadm: 8760h); never past the CA\'s' },
    'dry-run': { type: 'boolean', description: 'Print what would be renewed; write nothing' },
    'restart-static-pods': { type: 'boolean', description: 'Restart the affected static pods afterwards, waiting for each to come back (needs crictl)' },
    'restart-timeout': { type: 'duration', default: DEFAULT_RESTART_TIMEOUT_MS, valueName: 'DURATION', description: 'How long to wait for a static pod to stop, then to run again' },
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'Like "kubeadm certs renew": the current certificate is the source of truth (subject, SANs, usages',
    'are kept), a new key is generated, the on-disk CA signs. Files are replaced atomically with their',
    'modes; kubeconfigs keep everything but the client certificate and key. Originals go to a timestamped',
    'backup folder with a journal: if the renewal is interrupted, the next run completes or rolls it back.',
    'Names: admin.conf apiserver apiserver-etcd-client apiserver-kubelet-client controller-manager.conf',
    'etcd-healthcheck-client etcd-peer etcd-server front-proxy-client scheduler.conf super-admin.conf.',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const kubeconfigDir = flags['kubeconfig-dir'];
    const progress = (pod: string, step: string) => {
      if (flags['write-out'] === 'text') io.stderr.write(`${pod}: ${step}\n`);
    };
    const outcome = await renewCertificates({
      names: args, pkiDir: flags['pki-dir'], kubeconfigDir, manifestsDir: flags['manifests-dir'] ?? path.join(kubeconfigDir, 'manifests'),
      backupRoot: flags['backup-dir'], now: new Date(), validityMs: flags.validity, dryRun: flags['dry-run'], signal,
      restart: flags['restart-static-pods'] ? { runtime: createCrictlRuntime(), timeoutMs: flags['restart-timeout'], onProgress: progress } : undefined,
    });
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(certsRenewJson(outcome), null, 2)}\n` : renderCertsRenewText(outcome));
  },
});
