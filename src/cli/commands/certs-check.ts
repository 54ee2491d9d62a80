/** `kubekeeper certs check`: expiry and health of a node's certificates (kubeadm or RKE), offline. */
import { buildExpirationReport, needsAttention, readPki } from '../../certs/index.js';
import { AppError, ExitCode } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { certsCheckJson, renderCertsCheckText } from '../output/certs-check.js';

export default defineCommand({
  name: 'certs check',
  summary: 'Show when every certificate expires, and problems kubeadm does not show',
  flags: {
    'pki-dir': { type: 'string', valueName: 'DIR', description: 'Certificate directory (default: /etc/kubernetes/pki, else RKE\'s /etc/kubernetes/ssl)' },
    'kubeconfig-dir': { type: 'string', valueName: 'DIR', default: '/etc/kubernetes', description: 'Directory of admin.conf, controller-manager.conf, ... (kubeadm)' },
    'manifests-dir': { type: 'string', valueName: 'DIR', description: 'Static pod manifests, read for the node address (default: <kubeconfig-dir>/manifests)' },
    'node-address': { type: 'list', valueName: 'ADDR', description: 'Address(es) the serving certificates must list as SANs (default: from the manifests)' },
    'warn-within': { type: 'duration', default: 30 * 86_400_000, valueName: 'DURATION', description: 'Exit 3 when a certificate expires within this time' },
    'write-out': writeOutFlag(['table', 'json'], 'table'),
  },
  details: [
    'Reads files only: works while the API server is down. Certificates come from the PKI dir and',
    'from the kubeconfigs (admin.conf, super-admin.conf, controller-manager.conf, scheduler.conf,',
    'kubelet.conf). Besides expiry it reports a leaf that outlives its CA, a certificate its CA did',
    'not sign, a key that does not match, and a serving certificate without the node\'s address.',
    'Exit code: 0 all good; 3 something expires within --warn-within (or has expired), an error',
    'was found (wrong key, wrong CA, unreadable file) or no certificate was found at all; 1 the',
    'check itself failed.',
  ].join('\n'),
  async run({ flags, io }) {
    const inventory = await readPki({
      pkiDir: flags['pki-dir'], kubeconfigDir: flags['kubeconfig-dir'], manifestsDir: flags['manifests-dir'], nodeAddresses: flags['node-address'],
    });
    const report = buildExpirationReport(inventory, { now: new Date(), warnWithinMs: flags['warn-within'] });
    if ([...report.certificates, ...report.authorities].every((row) => row.missing)) {
      // A mistyped --pki-dir must not pass in cron as "nothing expires".
      const where = [...new Set([report.pkiDir, report.kubeconfigDir])].filter((d) => d !== undefined).map((d) => `"${d}"`).join(' or ');
      throw new AppError('certs-none-found', `No certificate found in ${where}`, {
        hint: 'Check --pki-dir (kubeadm: /etc/kubernetes/pki, RKE: /etc/kubernetes/ssl) and --kubeconfig-dir',
        exitCode: ExitCode.checkFailed,
      });
    }
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(certsCheckJson(report), null, 2)}\n` : renderCertsCheckText(report));
    return needsAttention(report) ? ExitCode.checkFailed : ExitCode.ok;
  },
});
