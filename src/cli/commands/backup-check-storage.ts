/**
 * `kubekeeper backup check-storage`: checks a repository before the first backup is due:
 * endpoint and TLS, credentials, bucket, addressing, clock skew, versioning, object lock,
 * lifecycle rules, probe objects (put/get/list/delete, multipart, read-back equality),
 * throughput, and whether the AWS SDK's default checksum mode would corrupt objects on this
 * server. Leaves nothing behind. Exit 3 when a check fails.
 */
import { ExitCode, UsageError } from '../../errors.js';
import { DEFAULT_PROBE_BYTES, checkStorage, parseRepository } from '../../storage/index.js';
import { repoFlags, s3Overrides } from '../backup-flags.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { STORAGE_CHECK_FORMATS, type StorageCheckFormat, renderStorageCheck } from '../output/storage-check.js';
import { cliWarnings } from '../output/warnings.js';

const MIN_PROBE_MIB = 1;
const MAX_PROBE_MIB = 1024;

export default defineCommand({
  name: 'backup check-storage',
  summary: 'Check a repository (local or S3) before backing up to it; leaves nothing behind',
  flags: {
    ...repoFlags,
    'probe-size-mib': {
      type: 'number', valueName: 'MIB',
      description: `Size of the throughput probe in MiB (default ${Math.round(DEFAULT_PROBE_BYTES / 1024 / 1024)}: a multipart upload on S3)`,
    },
    'write-out': writeOutFlag(STORAGE_CHECK_FORMATS, 'table'),
  },
  details: [
    'Runs with the same client settings as backup save (--s3-* flags, URL parameters, AWS variables).',
    'Exit status: 0 usable (warnings allowed), 3 a check failed.',
    'Example: kubekeeper backup check-storage --repo s3://etcd-backups/prod --s3-endpoint https://minio:9000 --s3-ca-file ca.pem',
  ].join('\n'),
  async run({ flags, io, signal }) {
    const mib = flags['probe-size-mib'];
    if (mib !== undefined && (mib < MIN_PROBE_MIB || mib > MAX_PROBE_MIB)) {
      throw new UsageError(`Invalid --probe-size-mib ${mib}: must be between ${MIN_PROBE_MIB} and ${MAX_PROBE_MIB}`, 'Pass --probe-size-mib 16');
    }
    const location = parseRepository(flags.repo, s3Overrides(flags));
    const report = await checkStorage(location, {
      env: io.env, logger: cliWarnings(io), signal, probeBytes: mib === undefined ? undefined : Math.round(mib * 1024 * 1024) + 1,
    });
    io.stdout.write(renderStorageCheck(report, flags['write-out'] as StorageCheckFormat));
    return report.ok ? ExitCode.ok : ExitCode.checkFailed;
  },
});
