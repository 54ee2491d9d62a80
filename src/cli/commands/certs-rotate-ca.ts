/** `kubekeeper certs rotate-ca --dry-run`: the ordered plan of a CA rotation (executing it is not implemented). */
import { planCaRotation, readPki } from '../../certs/index.js';
import { UsageError } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { renderRotateCaText, rotateCaJson } from '../output/certs-rotate-ca.js';

export default defineCommand({
  name: 'certs rotate-ca',
  summary: 'Print the ordered plan of a CA rotation (dry run only)',
  flags: {
    'dry-run': { type: 'boolean', description: 'Required: print the plan; kubekeeper does not execute CA rotations' },
    ca: { type: 'string', default: 'ca', choices: ['ca', 'etcd-ca', 'front-proxy-ca'], valueName: 'NAME', description: 'kubeadm CA to rotate (RKE: always kube-ca)' },
    'pki-dir': { type: 'string', valueName: 'DIR', description: 'Certificate directory (default: /etc/kubernetes/pki, else RKE\'s /etc/kubernetes/ssl)' },
    'kubeconfig-dir': { type: 'string', valueName: 'DIR', default: '/etc/kubernetes', description: 'Directory of admin.conf, controller-manager.conf, ... (kubeadm)' },
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'kubeadm: create the new CA, make every component trust old and new, switch signing and re-issue,',
    'roll the components, verify, then drop the old CA (the upstream "Manual Rotation of CA',
    'Certificates" procedure, filled in with this node\'s files). RKE: "rke cert rotate --rotate-ca".',
  ].join('\n'),
  async run({ flags, io }) {
    if (!flags['dry-run']) {
      throw new UsageError('"kubekeeper certs rotate-ca" only prints a plan', 'Add --dry-run; carry out the steps by hand');
    }
    const inventory = await readPki({ pkiDir: flags['pki-dir'], kubeconfigDir: flags['kubeconfig-dir'] });
    const plan = planCaRotation(inventory, flags.ca);
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(rotateCaJson(plan), null, 2)}\n` : renderRotateCaText(plan));
  },
});
