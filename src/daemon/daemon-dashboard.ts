/**
 * The dashboard as the config describes it: this cluster (the configured repository,
 * retention, PKI dir, etcd) and the fleet's repositories, and the daemon's listener for it.
 * `report --html` reads the same sources without the daemon's schedule.
 */
import { type CollectOptions, type DashboardServer, type FleetMember, type SelfCluster, collectDashboardData, loadDashboardAssets, readDashboardToken, startDashboardServer } from '../dashboard/index.js';
import type { DashboardData, DeltaStreamView, Section } from '../dashboard/index.js';
import type { Logger } from '../logger.js';
import type { Clock } from './clock.js';
import type { KubekeeperConfig } from './config.js';
import { configuredSigners, openConfiguredRepository } from './config-repository.js';
import type { DashboardFleetEntry } from './dashboard-settings.js';
import type { DaemonState } from './daemon-state.js';
import { type DeltaRunner, deltaLag } from './daemon-deltas.js';

export interface DashboardSourceOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The daemon's --pki-dir (dashboard.pkiDir wins). */
  pkiDir?: string;
  /** The daemon's state, for next runs; absent in a report. */
  state?: DaemonState;
  /** The daemon's delta streamer (once started); absent in a report. */
  deltaRunner?: () => DeltaRunner | undefined;
  clock?: Clock;
}

/** What the daemon's delta streamer says now, as the page shows it (the same lag as its metrics). */
function deltaStreamSection(config: KubekeeperConfig, runner: DeltaRunner | undefined, now: Date): Section<DeltaStreamView> {
  if (!config.deltas?.enabled) return { state: 'unavailable', reason: 'Continuous deltas are not configured in this daemon (no deltas section in the config)' };
  if (!runner) return { state: 'unavailable', reason: 'The delta streamer has not started yet' };
  const { status } = runner;
  const lag = deltaLag(status, now);
  const failingSince = runner.failingSince ?? status.failingSince;
  return {
    state: 'ok',
    value: {
      leader: status.leader, storedRevision: status.storedRevision, etcdRevision: status.etcdRevision, lagSeconds: lag.seconds, lagRevisions: lag.revisions,
      segmentsWritten: status.segmentsWritten, gaps: status.gaps, restarts: status.restarts, ...(failingSince !== undefined ? { failingSince: new Date(failingSince).toISOString() } : {}),
    },
  };
}

function opener(config: KubekeeperConfig, env: NodeJS.ProcessEnv, logger: Logger): FleetMember['open'] {
  return async () => {
    const signers = await configuredSigners(config);
    const { repo, close } = await openConfiguredRepository(config, env, logger);
    return { repo, signers, close };
  };
}

/** A fleet member's repository as a read-only config: its URL, S3 settings and signers; no signing key. */
function fleetConfig(config: KubekeeperConfig, f: DashboardFleetEntry): KubekeeperConfig {
  return { ...config, repository: { url: f.url, ...(f.s3 ? { s3: f.s3 } : {}), trustedSigners: f.trustedSigners }, backup: { ...config.backup, signingKeyFile: undefined } };
}

/** Where the page's data comes from, for `config`. */
export function dashboardSources(config: KubekeeperConfig, options: DashboardSourceOptions): Pick<CollectOptions, 'self' | 'fleet'> {
  const d = config.dashboard;
  const { state, deltaRunner } = options;
  const clock = options.clock;
  const pkiDir = d?.pkiDir ?? options.pkiDir;
  const self: SelfCluster = {
    name: d?.name ?? config.repository.url,
    open: opener(config, options.env, options.logger),
    recordCache: new Map(),
    deltaCache: new Map(),
    deltasConfigured: config.deltas?.enabled ?? false,
    ...(deltaRunner ? { deltaStream: () => deltaStreamSection(config, deltaRunner(), clock?.now() ?? new Date()) } : {}),
    retention: config.retention,
    etcd: config.etcd,
    ...(pkiDir ? { pkiDir } : {}),
    ...(d?.certWarnMs ? { certWarnWithinMs: d.certWarnMs } : {}),
    ...(d?.etcdQuotaBytes ? { etcdQuotaBytes: d.etcdQuotaBytes } : {}),
    ...(state ? { schedule: () => ({ ...(state.nextBackupAt ? { nextBackupAt: state.nextBackupAt.toISOString() } : {}), ...(state.nextDrillAt ? { nextDrillAt: state.nextDrillAt.toISOString() } : {}) }) } : {}),
  };
  const fleet = (d?.fleet ?? []).map((f) => ({ name: f.name, open: opener(fleetConfig(config, f), options.env, options.logger), recordCache: new Map(), deltaCache: new Map() }));
  return { self, fleet };
}

/** Reads the page's data now (for `report --html`). */
export function collectConfiguredDashboard(config: KubekeeperConfig, options: DashboardSourceOptions & { now?: Date; signal?: AbortSignal; source: DashboardData['source'] }): Promise<DashboardData> {
  return collectDashboardData({ ...dashboardSources(config, options), source: options.source, now: options.now, signal: options.signal });
}

/**
 * Starts the daemon's dashboard listener: refuses to start when the token file is missing,
 * short or readable by group or others, or when bound off loopback without TLS.
 */
export async function startConfiguredDashboard(config: KubekeeperConfig, options: DashboardSourceOptions & { clock: Clock; state: DaemonState }): Promise<DashboardServer | undefined> {
  const d = config.dashboard;
  if (!d) return undefined;
  const token = await readDashboardToken(d.tokenFile);
  const assets = await loadDashboardAssets();
  const sources = dashboardSources(config, options);
  return startDashboardServer({
    listen: d.listen, token, assets, ...(d.tlsCert && d.tlsKey ? { tls: { certFile: d.tlsCert, keyFile: d.tlsKey } } : {}),
    data: () => collectDashboardData({ ...sources, source: 'daemon', now: options.clock.now(), signal: AbortSignal.timeout(60_000) }),
  });
}
