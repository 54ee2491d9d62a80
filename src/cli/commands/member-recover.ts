/**
 * `kubekeeper member recover`: bring back an etcd cluster that lost quorum, from the newest
 * verified backup (--from-backup latest), a surviving member's db (--from-db) or a snapshot
 * file, as a one-member cluster on this node, then the other members one at a time (resumable).
 */
import { chmod, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { downloadBackup, loadBackupIdentities } from '../../backup/index.js';
import { AppError, fileErrorText, UsageError } from '../../errors.js';
import { systemClock } from '../../k8s/index.js';
import { openMemberSession, recoverCluster, type JoiningMember, type RecoverSource } from '../../members/index.js';
import { defineCommand, type CliIo, type FlagValues } from '../command.js';
import { fromBackupFlags, identitySources, openRepositoryFromFlags } from '../backup-flags.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { printMemberEvents } from '../output/member-runbook.js';

/** A member name or ID as part of a file name (names are free text to etcd). */
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** "m2=https://10.0.0.2:2380" entries; a name given twice gets both peer URLs. */
function parseAdds(entries: readonly string[]): JoiningMember[] {
  const byName = new Map<string, JoiningMember>();
  for (const entry of entries) {
    const m = /^([^=\s]+)=(\S+:\/\/\S+)$/.exec(entry);
    if (!m) throw new UsageError(`Invalid --add "${entry}": expected NAME=PEER_URL, e.g. cp2=https://10.0.0.2:2380`);
    const member = byName.get(m[1] as string) ?? { name: m[1] as string, peerURLs: [] };
    member.peerURLs.push(m[2] as string);
    byName.set(member.name, member);
  }
  return [...byName.values()];
}

const flagDefs = {
  ...etcdFlags,
  name: { type: 'string', valueName: 'NAME', description: 'This node\'s member name (required)' },
  'initial-advertise-peer-urls': { type: 'list', valueName: 'URLS', description: 'This node\'s peer URLs (required)' },
  'advertise-client-urls': { type: 'list', valueName: 'URLS', description: 'Where this node\'s etcd serves clients once restored (required; reached with the TLS flags)' },
  'data-dir': { type: 'string', valueName: 'DIR', description: 'This node\'s data dir; an old one there is moved aside (required)' },
  add: { type: 'list', valueName: 'NAME=PEER_URL', description: 'Another member to add back, in order (repeatable)' },
  'from-db': { type: 'string', valueName: 'FILE', description: 'Restore a surviving member\'s member/snap/db (no sha256 trailer) instead of a snapshot' },
  'kubeadm-manifest': { type: 'string', valueName: 'FILE', description: 'kubeadm etcd static pod manifest to point at the restored dir (checks that kube-apiserver.yaml is out of its folder)' },
  force: { type: 'boolean', description: 'Recover even though an old endpoint still reports a leader' },
  'wait-timeout': { type: 'duration', default: 30 * 60_000, description: 'How long to wait for each member to start, catch up and be promotable' },
  'state-dir': { type: 'string', valueName: 'DIR', description: 'Where progress, the fetched snapshot and the members\' env files go (default: ~/.kubekeeper/state)' },
  rke: { type: 'boolean', description: 'RKE (etcd in Docker): print the steps and RKE\'s own way; change nothing' },
  'dry-run': { type: 'boolean', description: 'Print the steps; change nothing' },
  ...fromBackupFlags,
} as const;

function sourceFromFlags(args: string[], flags: FlagValues<typeof flagDefs>, io: CliIo, signal: AbortSignal): RecoverSource {
  const given = [args.length > 0, flags['from-db'] !== undefined, flags['from-backup'] !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('Give exactly one of: a snapshot file, --from-db FILE, --from-backup NAME|latest');
  const fromDb = flags['from-db'];
  if (fromDb) {
    return {
      describe: `member db ${fromDb}`,
      // Copied first: the db may sit in the data dir that the next step moves aside.
      async fetch(dir) {
        const copy = path.join(dir, 'recover-member.db');
        try {
          await copyFile(fromDb, copy);
          await chmod(copy, 0o600);
        } catch (err) {
          throw new AppError('member-recover-db', `Cannot copy the member db "${fromDb}": ${fileErrorText(err)}`, { hint: 'Point --from-db at a stopped member\'s <data-dir>/member/snap/db' });
        }
        return { path: copy, skipHashCheck: true, detail: `${fromDb} copied to ${copy} (a member db: no sha256 trailer to check)` };
      },
    };
  }
  const ref = flags['from-backup'];
  if (!ref) return { describe: `snapshot ${args[0] as string}`, fetch: async () => ({ path: args[0] as string, skipHashCheck: false, detail: args[0] as string }) };
  return {
    describe: `backup "${ref}" from ${flags.repo}`,
    async fetch(dir) {
      const identities = await loadBackupIdentities(identitySources(flags, io.env));
      const repo = await openRepositoryFromFlags(flags, io.env);
      try {
        const got = await downloadBackup(repo, ref, { identities, output: path.join(dir, 'recover-snapshot.db'), overwrite: true, signal });
        return { path: got.path, skipHashCheck: false, detail: `backup "${got.manifest.name}" of ${got.manifest.createdAt}, checked, in ${got.path}` };
      } finally {
        await repo.backend.close();
      }
    },
  };
}

export default defineCommand({
  name: 'member recover',
  summary: 'Recover an etcd cluster that lost quorum: restore on this node, then add the others back one at a time (resumable)',
  args: '[<snapshot-file>]',
  minArgs: 0,
  maxArgs: 1,
  flags: flagDefs,
  details: [
    'Stop every API server first. --endpoints are the old members (checked: none may still report',
    'a leader). Steps: fetch the snapshot (--from-backup latest: the newest backup, fully checked),',
    'move this node\'s old data dir aside, restore it as a new one-member cluster with the',
    'Kubernetes-safe revision bump, wait for it to serve, then per --add member: add it as a',
    'learner, print and write its flags (start it on its node after moving its old data dir',
    'aside), wait for it, promote it. Rerun the same command to resume.',
    'Example: kubekeeper member recover --from-backup latest --repo /var/backups/kubekeeper -i key.txt \\',
    '  --name cp1 --initial-advertise-peer-urls https://10.0.0.1:2380 --advertise-client-urls https://10.0.0.1:2379 \\',
    '  --data-dir /var/lib/etcd --add cp2=https://10.0.0.2:2380 --add cp3=https://10.0.0.3:2380 --endpoints ...',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const name = flags.name;
    const dataDir = flags['data-dir'];
    if (!name || !dataDir || flags['initial-advertise-peer-urls'].length === 0 || flags['advertise-client-urls'].length === 0) {
      throw new UsageError('--name, --data-dir, --initial-advertise-peer-urls and --advertise-client-urls are required: this node\'s new member');
    }
    const source = sourceFromFlags(args, flags, io, signal);
    const stateDir = flags['state-dir'] ?? path.join(io.env.HOME ?? os.homedir(), '.kubekeeper', 'state');
    const etcd = etcdOptionsFromFlags(flags);
    const session = openMemberSession({ etcd, clock: systemClock, signal, emit: printMemberEvents(io), waitTimeoutMs: flags['wait-timeout'] });
    try {
      await recoverCluster(session, {
        local: { name, peerURLs: flags['initial-advertise-peer-urls'], clientURLs: flags['advertise-client-urls'], dataDir: path.resolve(dataDir) },
        others: parseAdds(flags.add),
        source,
        oldEndpoints: etcd.endpoints,
        force: flags.force,
        ...(flags['kubeadm-manifest'] ? { kubeadmManifest: flags['kubeadm-manifest'] } : {}),
        workDir: path.join(stateDir, `member-recover-${fileSafe(name)}`),
        stateFile: path.join(stateDir, `member-recover-${fileSafe(name)}.json`),
        dryRun: flags['dry-run'],
        rke: flags.rke,
      });
    } finally {
      session.close();
    }
    return 0;
  },
});
