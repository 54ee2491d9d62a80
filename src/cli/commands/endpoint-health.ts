/**
 * `kubekeeper endpoint health`: etcdctl's health check (a linearizable read of "health",
 * then the alarm list) on every endpoint at once, printed in --endpoints order. Exits 3 when
 * any endpoint is unhealthy.
 */
import { checkEndpointHealth } from '../../etcd/index.js';
import { AppError, ExitCode } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { HEALTH_FORMATS, renderEndpointHealth, type HealthFormat } from '../output/endpoint-health.js';

export default defineCommand({
  name: 'endpoint health',
  summary: 'Check that each etcd endpoint can serve a linearizable read (like etcdctl)',
  flags: {
    ...etcdFlags,
    'write-out': writeOutFlag(HEALTH_FORMATS, 'simple'),
  },
  details: 'An endpoint is healthy when a linearizable read of the key "health" succeeds (or is denied by auth) and no alarm is active.',
  async run({ flags, io, signal }) {
    const options = etcdOptionsFromFlags(flags);
    const results = await Promise.all(options.endpoints.map((endpoint) => checkEndpointHealth(options, endpoint, signal)));
    const out = renderEndpointHealth(results, flags['write-out'] as HealthFormat);
    io.stdout.write(out.stdout);
    io.stderr.write(out.stderr);
    const unhealthy = results.filter((r) => r.error !== undefined);
    if (unhealthy.length > 0) {
      throw new AppError('unhealthy', `unhealthy cluster: ${unhealthy.length} of ${results.length} endpoints unhealthy`, {
        hint: 'Run "kubekeeper endpoint status" and check the etcd logs of the unhealthy members',
        exitCode: ExitCode.checkFailed,
      });
    }
  },
});
