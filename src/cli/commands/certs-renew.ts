/** `kubekeeper certs renew <name>...|all`: re-sign certificates with the node's CA, as kubeadm does, crash-safely. */
import path from 'node:path';
import {
  createCrictlRuntime, DEFAULT_LEAF_VALIDITY_MS, DEFAULT_RESTART_TIMEOUT_MS, defaultBackupRoot, renewCertificates, restartStaticPods, type StaticPodName,
} from '../../certs/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { certsRenewJson, renderCertsRenewText, type RenewRenderContext } from '../output/certs-renew.js';

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
    write: writeOutFlag(['text', 'json'], 'text'),
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
    const manifestsDir = flags['manifests-dir'] ?? path.join(kubeconfigDir, 'manifests');
    const backupRoot = flags['backup-dir'] ?? defaultBackupRoot(kubeconfigDir);
    const outcome = await renewCertificates({
      names: args, pkiDir: flags['pki-dir'], kubeconfigDir, manifestsDir, backupRoot, now: new Date(),
      validityMs: flags.validity, dryRun: flags['dry-run'], signal,
    });
    const context: RenewRenderContext = { manifestsDir, parkDir: path.join(backupRoot, 'parked-manifests') };
    if (flags['restart-static-pods'] && !outcome.dryRun && outcome.result && outcome.plan.staticPods.length > 0) {
      const restarted: StaticPodName[] = [];
      await restartStaticPods(outcome.plan.staticPods, {
        manifestsDir, parkDir: context.parkDir, runtime: createCrictlRuntime(), timeoutMs: flags['restart-timeout'], signal,
        onProgress: (pod, step) => {
          if (flags.write === 'text') io.stderr.write(`${pod}: ${step}\n`);
          if (step === 'running') restarted.push(pod);
        },
      });
      context.restarted = restarted;
    }
    io.stdout.write(flags.write === 'json' ? `${JSON.stringify(certsRenewJson(outcome, context), null, 2)}\n` : renderCertsRenewText(outcome, context));
  },
});
