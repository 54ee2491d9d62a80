/**
 * `config check`'s effective config in the config file's own key names (etcd.cacert,
 * backup.timeout: 30m, ...), so it can be pasted back as a config. Secrets are never printed:
 * they are left out and named in a comment, with where they came from left to the operator.
 */
import { stringify } from 'yaml';
import type { KubekeeperConfig } from '../../daemon/index.js';
import { formatDurationMs } from './help.js';

export interface EffectiveConfig {
  /** The config as input, defaults applied, without secrets. */
  config: Record<string, unknown>;
  /** Dotted names of the secrets that are set but not shown. */
  hidden: string[];
}

const duration = (ms: number | undefined) => (ms === undefined ? undefined : formatDurationMs(ms));
const nonEmpty = <T>(list: readonly T[]) => (list.length > 0 ? [...list] : undefined);

/** Drops undefined values so the YAML and JSON hold only what is set. */
function compact(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? compact(v as Record<string, unknown>) : v;
  }
  return out;
}

/** The dashboard section as written (fleet entries compacted one by one: compact() leaves lists alone). */
function dashboardSection(d: KubekeeperConfig['dashboard']): Record<string, unknown> | undefined {
  if (!d) return undefined;
  return {
    listen: d.listen, tokenFile: d.tokenFile, tlsCert: d.tlsCert, tlsKey: d.tlsKey, name: d.name, pkiDir: d.pkiDir,
    certWarn: duration(d.certWarnMs), etcdQuotaBytes: d.etcdQuotaBytes,
    fleet: nonEmpty(d.fleet.map((f) => compact({
      name: f.name, url: f.url, trustedSigners: nonEmpty(f.trustedSigners),
      s3: f.s3 ? { endpoint: f.s3.endpoint, region: f.s3.region, pathStyle: f.s3.pathStyle, caFile: f.s3.caBundleFile } : undefined,
    }))),
  };
}

export function effectiveConfig(config: KubekeeperConfig): EffectiveConfig {
  const hidden: string[] = [];
  const { etcd, repository, backup, schedule, retention, drill, metrics } = config;
  if (etcd.password !== undefined) hidden.push('etcd.password');
  const s3 = repository.s3;
  if (s3?.accessKeyId !== undefined) hidden.push('repository.s3.accessKeyId', 'repository.s3.secretAccessKey');
  if (s3?.caBundlePem !== undefined) hidden.push('repository.s3.caFile (the custom_ca PEM of cluster.yml: write it to a file)');
  const doc = {
    etcd: {
      endpoints: [...etcd.endpoints],
      cacert: etcd.caFile, cert: etcd.certFile, key: etcd.keyFile, user: etcd.user,
      'dial-timeout': duration(etcd.dialTimeoutMs), 'command-timeout': duration(etcd.commandTimeoutMs),
      'insecure-skip-tls-verify': etcd.insecureSkipVerify || undefined,
      'insecure-transport': etcd.useTls === true ? false : undefined,
    },
    repository: {
      url: repository.url,
      s3: s3 ? { endpoint: s3.endpoint, region: s3.region, pathStyle: s3.pathStyle, caFile: s3.caBundleFile } : undefined,
      trustedSigners: nonEmpty(repository.trustedSigners ?? []),
    },
    backup: {
      namePrefix: backup.namePrefix, compression: backup.compression, recipients: nonEmpty(backup.recipients),
      passphraseFile: backup.passphraseFile, signingKeyFile: backup.signingKeyFile, include: nonEmpty(backup.include), timeout: duration(backup.timeoutMs),
    },
    schedule: { interval: duration(schedule.intervalMs), cron: schedule.cron, jitter: duration(schedule.jitterMs), election: schedule.election, electionTtl: duration(schedule.electionTtlMs) },
    retention: {
      keepLast: retention.keepLast || undefined, keepWithin: duration(retention.keepWithinMs), keepHourly: retention.keepHourly || undefined,
      keepDaily: retention.keepDaily || undefined, keepWeekly: retention.keepWeekly || undefined, keepMonthly: retention.keepMonthly || undefined,
      keepYearly: retention.keepYearly || undefined,
    },
    drill: {
      enabled: drill.enabled, interval: duration(drill.intervalMs), cron: drill.cron, identityFiles: nonEmpty(drill.identityFiles),
      passphraseFile: drill.passphraseFile, expectKeys: nonEmpty(drill.expectKeys), etcdBinary: drill.etcdBinary, timeout: duration(drill.timeoutMs),
    },
    metrics: { listen: metrics.listen, staleAfter: duration(metrics.staleAfterMs) },
    lockFile: config.lockFile,
    dashboard: dashboardSection(config.dashboard),
    deltas: config.deltas ? {
      enabled: config.deltas.enabled, flushInterval: duration(config.deltas.flushIntervalMs), watchPoll: duration(config.deltas.watchPollMs), flushSizeMiB: config.deltas.flushBytes / (1024 * 1024),
      maxLag: duration(config.deltas.maxLagMs), electionTtl: duration(config.deltas.electionTtlMs),
      merge: config.deltas.merge === false ? false : undefined, mergePeriod: duration(config.deltas.mergePeriodMs), mergeInterval: duration(config.deltas.mergeIntervalMs),
      mergeIdentityFiles: config.deltas.mergeIdentityFiles, orphanGrace: duration(config.deltas.orphanGraceMs),
    } : undefined,
  };
  return { config: compact(doc), hidden };
}

/** The YAML form, with the source and the hidden secrets as comments. */
export function renderEffectiveConfigYaml(config: KubekeeperConfig): string {
  const { config: doc, hidden } = effectiveConfig(config);
  const head = [`# Effective config from ${config.source.path} (${config.source.format} format), defaults applied`];
  if (hidden.length > 0) head.push(`# Set but not shown (secrets): ${hidden.join(', ')}`);
  return `${head.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`;
}
