/**
 * `kubekeeper backup save`: snapshot a live etcd member straight into the backup
 * repository in one streaming pass (sha256 trailer check, compression, age encryption,
 * upload), re-read what was stored, then write the manifest. With --include, the files a
 * restored cluster needs (PKI, encryption config) travel in the same backup.
 */
import { loadBackupRecipients, saveBackup, snapshotSourceFromEtcd } from '../../backup/index.js';
import { COMPRESSIONS, type Compression } from '../../crypto/index.js';
import { connectEtcd } from '../../etcd/index.js';
import { cliWarnings } from '../output/warnings.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { openRepositoryFromFlags, recipientFlags, recipientSources, repoFlags } from '../backup-flags.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { RESULT_FORMATS, type ResultFormat, renderSave } from '../output/backup-save.js';
import { createProgressBar } from '../output/progress.js';

export default defineCommand({
  name: 'backup save',
  summary: 'Back up etcd into a repository: streamed, compressed, encrypted, verified',
  flags: {
    ...etcdFlags,
    ...repoFlags,
    ...recipientFlags,
    name: { type: 'string', valueName: 'NAME', description: 'Backup name (default etcd-<UTC time>)' },
    include: { type: 'list', valueName: 'PATH', description: 'Files or directories for the DR bundle, e.g. /etc/kubernetes/pki (repeatable)' },
    compression: { type: 'string', choices: COMPRESSIONS, valueName: 'ALGO', description: 'zstd, gzip or none (default zstd where Node has it, else gzip)' },
    'compression-level': { type: 'number', valueName: 'N', description: 'Codec level (gzip 1-9, zstd 1-22)' },
    'no-reread': { type: 'boolean', description: 'Skip re-reading the stored objects before the manifest (faster, less safe)' },
    'write-out': writeOutFlag(RESULT_FORMATS, 'text'),
  },
  details: [
    'Example (kubeadm control plane, MinIO):',
    '  kubekeeper backup save --endpoints https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt \\',
    '    --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key \\',
    '    --repo s3://etcd-backups/prod --s3-endpoint https://minio.internal:9000 --recipient age1... \\',
    '    --include /etc/kubernetes/pki --include /etc/kubernetes/encryption-config.yaml',
    'Nothing is listed as a backup until its data is stored and re-read; a failed or interrupted',
    'save removes what it stored.',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const recipients = await loadBackupRecipients(recipientSources(flags, io.env));
    const repo = await openRepositoryFromFlags(flags, io.env, cliWarnings(io));
    const progress = createProgressBar(io.stderr, io.stderrIsTTY, 'Backing up');
    try {
      const client = await connectEtcd(etcdOptionsFromFlags(flags), signal);
      try {
        const result = await saveBackup(repo, snapshotSourceFromEtcd(client), {
          name: flags.name, compression: flags.compression as Compression | undefined, compressionLevel: flags['compression-level'],
          recipients, allowUnencrypted: flags['insecure-no-encryption'], include: flags.include, reread: !flags['no-reread'],
          signal, onProgress: (p) => progress.update(p.doneBytes, p.totalBytes),
        });
        progress.done();
        io.stdout.write(renderSave(result, repo.location, flags['write-out'] as ResultFormat));
      } finally {
        client.close();
      }
    } finally {
      progress.done();
      await repo.backend.close();
    }
  },
});
