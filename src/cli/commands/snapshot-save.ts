/**
 * `kubekeeper snapshot save <file>`: a drop-in for `etcdctl snapshot save` (same flags and
 * ETCDCTL_* variables) that also verifies the sha256 trailer while streaming, never leaves a
 * partial file, refuses to overwrite without --force, and says which member it used.
 */
import { checkWritableTarget, saveSnapshot } from '../../backup/index.js';
import { connectEtcd } from '../../etcd/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { createProgressBar } from '../output/progress.js';
import { renderSnapshotSave, SAVE_FORMATS, type SaveFormat } from '../output/snapshot-save.js';

export default defineCommand({
  name: 'snapshot save',
  summary: 'Save a snapshot of a live etcd member to a file (like etcdctl snapshot save)',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...etcdFlags,
    force: { type: 'boolean', description: 'Replace the file if it exists' },
    'write-out': writeOutFlag(SAVE_FORMATS, 'text'),
  },
  details: [
    'With several --endpoints, the first that answers and knows a leader is used, and named.',
    'The file is written as <file>.part (mode 0600), its sha256 trailer checked, fsynced and',
    'renamed; on any failure nothing is left behind.',
    'Example: kubekeeper snapshot save /var/backups/etcd.db --endpoints=https://127.0.0.1:2379 \\',
    '  --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const file = args[0] as string;
    const options = etcdOptionsFromFlags(flags);
    // Fail on an existing file or unwritable directory before touching the cluster.
    await checkWritableTarget(file, { overwrite: flags.force, action: 'save the snapshot' });
    const client = await connectEtcd(options, signal);
    const format = flags['write-out'] as SaveFormat;
    if (options.endpoints.length > 1 && format === 'text') io.stderr.write(`Using endpoint ${client.endpoint} (first healthy of ${options.endpoints.length})\n`);
    const bar = createProgressBar(io.stderr, io.stderrIsTTY, 'Saving snapshot');
    // Without a TTY there is no bar: no progress callback, one pass-through layer less.
    const onProgress = io.stderrIsTTY ? (bytes: number, total?: number) => bar.update(bytes, total) : undefined;
    let result;
    try {
      result = await saveSnapshot({
        client, path: file, force: flags.force, signal, onProgress,
        onLeftover: (l) => io.stderr.write(`kubekeeper: ${l.action === 'removed' ? 'removed' : 'found'} "${l.path}": ${l.reason}\n`),
      });
    } finally {
      bar.done();
      client.close();
    }
    io.stdout.write(renderSnapshotSave(result, format));
  },
});
