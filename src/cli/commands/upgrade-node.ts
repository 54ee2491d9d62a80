/** `kubekeeper upgrade node <node> --to 1.x.y --exec "<command>"`: one node's guarded, resumable upgrade. */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openSnapshotFile, saveSnapshot } from '../../backup/index.js';
import { connectEtcd } from '../../etcd/index.js';
import { AppError, UsageError } from '../../errors.js';
import { checkClusterHealth, runShellCommand, systemClock, upgradeNode } from '../../k8s/index.js';
import { verifySnapshot } from '../../snapshot/index.js';
import { defineCommand } from '../command.js';
import type { EtcdConnectOptions } from '../../etcd/index.js';
import { etcdCheckFlags, etcdHealthSource, etcdOptionsFromCheckFlags } from '../etcd-check-flags.js';
import { drainFlags, drainOptionsFromFlags, kubeClientFromFlags, kubeFlags } from '../kube-flags.js';
import { runbookEventLine } from '../output/upgrade.js';

/** Saves a snapshot into `dir` and re-reads it from disk to verify it before anything is touched. */
async function takeVerifiedBackup(etcd: EtcdConnectOptions | undefined, dir: string | undefined, node: string, signal?: AbortSignal): Promise<string> {
  if (!etcd || !dir) throw new UsageError(`Node "${node}" is a control-plane node: an etcd backup comes first`, 'Pass --backup-dir DIR and --etcd-endpoints (with --etcd-cacert/--etcd-cert/--etcd-key for TLS), then rerun to resume');
  // Snapshots hold every Secret of the cluster: the directory is private.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `pre-upgrade-${node}-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}.db`);
  const client = await connectEtcd(etcd, signal);
  let saved;
  try {
    saved = await saveSnapshot({ client, path: file, signal });
  } finally {
    client.close();
  }
  const reread = await openSnapshotFile(file);
  try {
    const report = verifySnapshot(reread.ra, { requireTrailer: true });
    if (!report.ok) throw new AppError('backup-unverified', `The snapshot "${file}" does not verify`, { hint: `Run "kubekeeper snapshot verify ${file}" for details; the node was not touched` });
  } finally {
    await reread.close();
  }
  return `${file} (revision ${saved.revision}, sha256 ${saved.sha256.slice(0, 12)}…, verified)`;
}

export default defineCommand({
  name: 'upgrade node',
  summary: 'Upgrade one node with guards: backup, cordon, drain, your command, wait for the kubelet, health, uncordon',
  args: '<node>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...kubeFlags,
    to: { type: 'string', valueName: 'VERSION', description: 'Kubernetes version the node\'s kubelet must report afterwards (required)' },
    exec: { type: 'string', valueName: 'COMMAND', description: 'Shell command that upgrades the node (required); gets KUBEKEEPER_NODE and KUBEKEEPER_TARGET_VERSION, and of kubekeeper\'s environment only PATH, HOME, locale, TZ, KUBECONFIG, SSH_AUTH_SOCK, USER, LOGNAME, SHELL, TERM' },
    'backup-dir': { type: 'string', valueName: 'DIR', description: 'Where the pre-upgrade etcd snapshot goes (control-plane nodes)' },
    'ready-timeout': { type: 'duration', default: 10 * 60_000, description: 'How long to wait for the node to come back Ready with the new kubelet' },
    'state-dir': { type: 'string', valueName: 'DIR', description: 'Where progress is recorded (default: ~/.kubekeeper/state)' },
    ...etcdCheckFlags,
    ...drainFlags,
  },
  details: [
    'kubekeeper never installs anything: --exec does (e.g. ssh to the node, kubeadm upgrade, the',
    'kubelet package). Steps: etcd snapshot saved and re-verified (control-plane nodes), cordon,',
    'drain (PodDisruptionBudgets honoured), the command, wait until the node is Ready with kubelet',
    '--to, cluster health, uncordon. Progress is written atomically after every step; rerun the',
    'same command to resume where it stopped (the interrupted step runs again).',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const node = args[0] as string;
    if (!flags.to) throw new UsageError('--to is required: the Kubernetes version the node must run afterwards');
    if (!flags.exec) throw new UsageError('--exec is required: the command that upgrades the node');
    const drain = drainOptionsFromFlags(flags);
    const client = await kubeClientFromFlags(flags, io);
    const etcdOptions = etcdOptionsFromCheckFlags(flags);
    const stateDir = flags['state-dir'] ?? path.join(io.env.HOME ?? os.homedir(), '.kubekeeper', 'state');
    const print = (e: Parameters<typeof runbookEventLine>[0]) => {
      const line = runbookEventLine(e);
      if (line) io[line.stream].write(`${line.text}\n`);
    };
    await upgradeNode({
      api: client,
      takeBackup: (sig) => takeVerifiedBackup(etcdOptions, flags['backup-dir'], node, sig),
      runCommand: (command, env, sig) => runShellCommand(command, { env: io.env, set: env, stdout: io.stdout, stderr: io.stderr, signal: sig }),
      checkHealth: async (sig) => {
        const etcd = etcdOptions ? etcdHealthSource(etcdOptions, sig) : undefined;
        try {
          return await checkClusterHealth(client, { etcd: etcd?.source, signal: sig });
        } finally {
          etcd?.close();
        }
      },
    }, {
      node,
      target: flags.to,
      command: flags.exec,
      drain,
      readyTimeoutMs: flags['ready-timeout'],
      stateFile: path.join(stateDir, `upgrade-${node}-${flags.to.replace(/^v/, '')}.json`),
      clock: systemClock,
      signal,
      onEvent: print,
    });
    return 0;
  },
});
