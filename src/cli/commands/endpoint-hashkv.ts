/**
 * `kubekeeper endpoint hashkv`: Maintenance.HashKV of each endpoint, in etcdctl 3.7's formats.
 * With `--check`: every member hashed at one revision they all have, compared; a diverged
 * member, differing compaction, an unreachable member or an active alarm is a finding (exit 3).
 */
import { openMaintenanceClient } from '../../etcd/index.js';
import { AppError, ExitCode, messageOf, UsageError } from '../../errors.js';
import { checkHashKV, resolveEndpoints } from '../../maintenance/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { clusterFlag } from '../maintenance-flags.js';
import { HASHKV_FORMATS, renderHashKV, renderHashKVCheck, type EndpointHashKV, type HashKVFormat } from '../output/endpoint-hashkv.js';

export default defineCommand({
  name: 'endpoint hashkv',
  summary: 'Print the KV history hash of each endpoint; --check compares all members at one revision (like etcdctl endpoint hashkv)',
  maxArgs: 0,
  flags: {
    ...etcdFlags,
    ...clusterFlag,
    rev: { type: 'number', integer: true, min: 0, default: 0, valueName: 'REVISION', description: 'Maximum revision to hash (default: latest revision)' },
    check: { type: 'boolean', description: 'Hash every endpoint at one common revision and compare; exit 3 on a diverged member, differing compaction or an alarm' },
    'write-out': writeOutFlag(HASHKV_FORMATS, 'simple'),
  },
  async run({ flags, io, signal }) {
    const options = etcdOptionsFromFlags(flags);
    const format = flags['write-out'] as HashKVFormat;
    if (flags.check) {
      if (flags.rev !== 0) throw new UsageError('--check picks the revision itself', 'Leave out --rev with --check');
      const check = await checkHashKV(options, { cluster: flags.cluster, signal });
      io.stdout.write(renderHashKVCheck(check, format === 'json' ? 'json' : 'table'));
      return check.findings.length === 0 ? ExitCode.ok : ExitCode.checkFailed;
    }
    const hashes: EndpointHashKV[] = [];
    let failure: unknown;
    for (const endpoint of await resolveEndpoints(options, flags.cluster, signal)) {
      try {
        const client = await openMaintenanceClient({ ...options, endpoints: [endpoint] }, endpoint, signal);
        try {
          hashes.push({ endpoint, hash: await client.hashKV(BigInt(flags.rev)) });
        } finally {
          client.close();
        }
      } catch (err) {
        if (err instanceof AppError && err.code === 'aborted') throw err;
        failure = err;
        io.stderr.write(`Failed to get the hash of endpoint ${endpoint} (${messageOf(err).replace(/^Cannot [^:]+: /, '')})\n`);
      }
    }
    io.stdout.write(renderHashKV(hashes, format));
    if (failure !== undefined) throw failure instanceof AppError ? failure : new AppError('etcd-rpc', messageOf(failure));
  },
});
