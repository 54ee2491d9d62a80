/** `kubekeeper member replace <member> --new-name N --new-peer-urls URL`: the resumable member-replacement runbook. */
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../k8s/index.js';
import { issueMemberCertificates, openMemberSession, replaceMember } from '../../members/index.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { printMemberEvents } from '../output/member-runbook.js';

/** A member name or ID as part of a file name (names are free text to etcd). */
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

export default defineCommand({
  name: 'member replace',
  summary: 'Replace a failed etcd member: remove it, add the new one as a learner, wait for it, promote it (resumable)',
  args: '<member>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...etcdFlags,
    'new-name': { type: 'string', valueName: 'NAME', description: 'Name of the new member (its --name; kubeadm: the node name) (required)' },
    'new-peer-urls': { type: 'list', valueName: 'URLS', description: 'Peer URLs of the new member, e.g. https://10.0.0.7:2380 (required)' },
    'new-client-urls': { type: 'list', valueName: 'URLS', description: 'Client URLs of the new member, shown in its flags' },
    'new-data-dir': { type: 'string', valueName: 'DIR', description: 'Data dir of the new member, shown in its flags (default: etcd\'s)' },
    'backup-dir': { type: 'string', valueName: 'DIR', description: 'Where the snapshot taken before the removal goes (required)' },
    'flags-file': { type: 'string', valueName: 'FILE', description: 'The new member\'s environment file (ETCD_NAME=...); default <state-dir>/member-<new-name>.env' },
    'wait-timeout': { type: 'duration', default: 30 * 60_000, description: 'How long to wait for the new member to start, catch up and be promotable' },
    'state-dir': { type: 'string', valueName: 'DIR', description: 'Where progress is recorded (default: ~/.kubekeeper/state)' },
    'etcd-ca-dir': { type: 'string', valueName: 'DIR', description: 'Issue the new member\'s server and peer certificates from the etcd CA in DIR (ca.crt, ca.key; kubeadm: /etc/kubernetes/pki/etcd)' },
    'cert-dir': { type: 'string', valueName: 'DIR', description: 'Where the issued certificates go (default <state-dir>/member-<new-name>-pki)' },
    'kubeadm-manifest': { type: 'string', valueName: 'FILE', description: 'On the new node: kubeadm etcd static pod manifest to give the join flags (e.g. /etc/kubernetes/manifests/etcd.yaml)' },
    rke: { type: 'boolean', description: 'RKE (etcd in Docker): print the steps and RKE\'s own way; change nothing' },
    'dry-run': { type: 'boolean', description: 'Check quorum and print the steps; change nothing' },
  },
  details: [
    '<member> is the name or hex ID of the failed member ("kubekeeper member list"). A removal that',
    'would leave the cluster without quorum is refused. Steps: check quorum, save a snapshot to',
    '--backup-dir, remove the member, add the new one as a learner, write its flags (and print how to',
    'start it on its node), wait until it has started and caught up with the leader, promote it,',
    'verify that every member votes and serves. Progress is written to a state file after every',
    'step: rerun the same command to resume.',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const newName = flags['new-name'];
    if (!newName) throw new UsageError('--new-name is required: the name of the new member');
    if (flags['new-peer-urls'].length === 0) throw new UsageError('--new-peer-urls is required: the peer URL(s) of the new member');
    if (!flags['backup-dir']) throw new UsageError('--backup-dir is required: a snapshot is saved there before the membership changes');
    const stateDir = flags['state-dir'] ?? path.join(io.env.HOME ?? os.homedir(), '.kubekeeper', 'state');
    const caDir = flags['etcd-ca-dir'];
    const session = openMemberSession({ etcd: etcdOptionsFromFlags(flags), clock: systemClock, signal, emit: printMemberEvents(io), waitTimeoutMs: flags['wait-timeout'] });
    try {
      await replaceMember(session, {
        member: args[0] as string,
        joining: {
          name: newName, peerURLs: flags['new-peer-urls'],
          ...(flags['new-client-urls'].length > 0 ? { clientURLs: flags['new-client-urls'] } : {}),
          ...(flags['new-data-dir'] ? { dataDir: flags['new-data-dir'] } : {}),
        },
        backupDir: flags['backup-dir'],
        ...(caDir ? {
          issueCertificates: () => issueMemberCertificates({
            caDir, outDir: flags['cert-dir'] ?? path.join(stateDir, `member-${fileSafe(newName)}-pki`), name: newName, urls: [...flags['new-peer-urls'], ...flags['new-client-urls']], clock: systemClock,
          }),
        } : {}),
        flagsFile: flags['flags-file'] ?? path.join(stateDir, `member-${fileSafe(newName)}.env`),
        ...(flags['kubeadm-manifest'] ? { kubeadmManifest: flags['kubeadm-manifest'] } : {}),
        stateFile: path.join(stateDir, `member-replace-${fileSafe(args[0] as string)}.json`),
        dryRun: flags['dry-run'],
        rke: flags.rke,
      });
    } finally {
      session.close();
    }
    return 0;
  },
});
