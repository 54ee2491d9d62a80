/**
 * Reads what the dashboard shows: each repository's listing and run records (this cluster's
 * and the fleet's), and for this host the certificates (PKI dir) and the etcd member's status.
 * Every source is read independently: an unreadable one makes its own section unavailable
 * with the reason, never the whole page. Network reads are time-bounded by the caller's
 * options (etcd dial and command timeouts) and `signal`.
 */
import path from 'node:path';
import type { BackupRepository } from '../backup/index.js';
import type { SignerPublicKey } from '../crypto/index.js';
import { type EtcdConnectOptions, getEndpointStatus } from '../etcd/index.js';
import { messageOf } from '../errors.js';
import { readClusterView } from '../maintenance/index.js';
import type { RetentionPolicy } from '../schedule/index.js';
import { type ClusterInputs, buildClusterView, unreadableClusterView } from './cluster-view.js';
import {
  type CertificatesView, type ClusterView, DASHBOARD_DATA_FORMAT, type DashboardData, type DeltaStreamView, type EtcdLive, type EtcdView, type ScheduleView, type Section,
} from './dashboard-data.js';
import { type DeltaManifestCache, readDeltaInputs } from './delta-read.js';
import { type RunRecordCache, readRunRecords } from './run-record.js';

/** etcd's default backend quota (--quota-backend-bytes unset). */
export const DEFAULT_ETCD_QUOTA_BYTES = 2 * 1024 ** 3;
/** kubeadm's certificate warning window (certs check-expiration flags under 30 days). */
export const DEFAULT_CERT_WARN_MS = 30 * 86_400_000;

/** Opens one repository for reading, with the signers its records and manifests are checked against. */
export type RepositoryOpener = () => Promise<{ repo: BackupRepository; signers: readonly SignerPublicKey[]; close(): Promise<void> }>;

export interface FleetMember {
  name: string;
  open: RepositoryOpener;
  /** Run records and delta segment manifests read before (a long-lived reader keeps one of each per repository). */
  recordCache?: RunRecordCache;
  deltaCache?: DeltaManifestCache;
}

export interface SelfCluster extends FleetMember {
  retention?: RetentionPolicy;
  /** Certificates section; absent: "not configured". */
  pkiDir?: string;
  certWarnWithinMs?: number;
  /** etcd section; absent: "not configured". */
  etcd?: EtcdConnectOptions;
  etcdQuotaBytes?: number;
  /** What only the daemon knows; absent in a report. */
  schedule?: () => ScheduleView;
  /** The daemon's delta streamer now (unavailable without a deltas section); absent in a report. */
  deltaStream?: () => Section<DeltaStreamView>;
  /** The config turns continuous deltas on. */
  deltasConfigured?: boolean;
}

export interface CollectOptions {
  self: SelfCluster;
  fleet?: readonly FleetMember[];
  source: DashboardData['source'];
  now?: Date;
  signal?: AbortSignal;
}

const unavailable = (reason: string) => ({ state: 'unavailable', reason }) as const;

/** kubeadm keeps its kubeconfigs (with their embedded client certificates) beside the pki dir. */
function kubeconfigDirFor(pkiDir: string): string | undefined {
  return path.basename(path.resolve(pkiDir)) === 'pki' ? path.dirname(path.resolve(pkiDir)) : undefined;
}

async function readCertificates(pkiDir: string | undefined, warnWithinMs: number, now: Date): Promise<Section<CertificatesView>> {
  if (!pkiDir) return unavailable('Not configured: give --pki-dir (daemon or report) or dashboard.pkiDir in the config to show certificates');
  try {
    // Loaded on first use, like the daemon's certificate gauges: the X.509 library is large.
    const { buildExpirationReport, readPki } = await import('../certs/index.js');
    const kubeconfigDir = kubeconfigDirFor(pkiDir);
    const report = buildExpirationReport(await readPki({ pkiDir, ...(kubeconfigDir ? { kubeconfigDir } : {}) }), { now, warnWithinMs });
    const row = (kind: 'ca' | 'leaf') => (r: (typeof report.certificates)[number]) => ({
      name: r.name, kind, path: r.path, missing: r.missing,
      ...(r.notBefore ? { notBefore: r.notBefore.toISOString() } : {}), ...(r.notAfter ? { notAfter: r.notAfter.toISOString() } : {}),
    });
    return { state: 'ok', value: { pkiDir: report.pkiDir, layout: report.layout, warnWithinMs, rows: [...report.authorities.map(row('ca')), ...report.certificates.map(row('leaf'))] } };
  } catch (err) {
    return unavailable(`Cannot read the certificates in "${pkiDir}": ${messageOf(err)}`);
  }
}

type MembersSection = EtcdView['members'];

/** Every member's detail through the maintenance domain (the `endpoint status --detail` view). */
async function readEtcdMembers(options: EtcdConnectOptions | undefined, quotaBytes: number, signal?: AbortSignal): Promise<MembersSection> {
  if (!options || options.endpoints.length === 0) return unavailable('Not configured: no etcd endpoint given');
  try {
    const view = await readClusterView(options, { cluster: true, quotaBytes, ...(signal ? { signal } : {}) });
    const rows = view.all.map((d) => ({
      name: d.name, endpoint: d.endpoint, version: d.version, isLeader: d.isLeader, isLearner: d.isLearner, dbSizeBytes: d.dbSizeBytes, dbSizeInUseBytes: d.dbSizeInUseBytes,
      freeBytes: d.freeBytes, fragmentationPercent: d.fragmentationPercent, quotaBytes: d.quotaBytes, quotaSource: d.quotaSource, quotaPercent: d.quotaPercent, alarms: [...d.alarms],
    }));
    return { state: 'ok', value: { rows, unreachable: view.unreachable.map((u) => ({ endpoint: u.endpoint, error: u.error.message })) } };
  } catch (err) {
    return unavailable(`Cannot read the etcd members' status: ${messageOf(err)}`);
  }
}

async function readEtcdLive(options: EtcdConnectOptions | undefined, quotaBytes: number, now: Date, signal?: AbortSignal): Promise<Section<EtcdLive>> {
  if (!options || options.endpoints.length === 0) return unavailable('Not configured: no etcd endpoint given (the daemon and report --config read etcd.endpoints; report --etcd-status the etcd flags)');
  const endpoint = options.endpoints[0] as string;
  try {
    const s = await getEndpointStatus(options, endpoint, signal);
    return {
      state: 'ok',
      value: {
        endpoint, version: s.version, dbSizeBytes: s.dbSize, dbSizeInUseBytes: s.dbSizeInUse, quotaBytes,
        revision: Number(s.header.revision), alarms: s.errors, at: now.toISOString(),
      },
    };
  } catch (err) {
    return unavailable(`etcd at ${endpoint} did not answer: ${messageOf(err)}`);
  }
}

/** The quota the member reports (etcd 3.6+) rather than the assumed one. */
function withMemberQuota(live: Section<EtcdLive>, members: MembersSection): Section<EtcdLive> {
  if (live.state !== 'ok' || members.state !== 'ok') return live;
  const own = members.value.rows.find((r) => r.endpoint === live.value.endpoint);
  return own ? { state: 'ok', value: { ...live.value, quotaBytes: own.quotaBytes } } : live;
}

async function readCluster(member: FleetMember, self: SelfCluster | undefined, now: Date, signal?: AbortSignal): Promise<ClusterView> {
  let opened: Awaited<ReturnType<RepositoryOpener>>;
  try {
    opened = await member.open();
  } catch (err) {
    return unreadableClusterView(member.name, '(not opened)', self !== undefined, messageOf(err));
  }
  const { repo, signers, close } = opened;
  try {
    const [listing, records] = await Promise.all([repo.listBackups(signal, now), readRunRecords(repo.backend, signers, signal, member.recordCache)]);
    const deltas = await readDeltaInputs(repo, listing.backups, signal, member.deltaCache);
    const inputs: ClusterInputs = { name: member.name, repository: repo.location, self: self !== undefined, now, listing, records, signersRequired: signers.length > 0, deltas };
    if (self) {
      const quotaBytes = self.etcdQuotaBytes ?? DEFAULT_ETCD_QUOTA_BYTES;
      const [certificates, etcdLive, etcdMembers] = await Promise.all([
        readCertificates(self.pkiDir, self.certWarnWithinMs ?? DEFAULT_CERT_WARN_MS, now),
        readEtcdLive(self.etcd, quotaBytes, now, signal),
        readEtcdMembers(self.etcd, quotaBytes, signal),
      ]);
      Object.assign(inputs, {
        retention: self.retention ?? {}, certificates, etcdLive: withMemberQuota(etcdLive, etcdMembers), etcdMembers, deltasConfigured: self.deltasConfigured ?? false,
        schedule: self.schedule ? { state: 'ok', value: self.schedule() } : unavailable('A static report: next runs are known only to the running daemon'),
        deltaStream: self.deltaStream?.() ?? unavailable('A static report: the streamer\'s live lag is known only to the running daemon'),
      });
    }
    return buildClusterView(inputs);
  } catch (err) {
    return unreadableClusterView(member.name, repo.location, self !== undefined, messageOf(err));
  } finally {
    await close();
  }
}

/** Everything the page shows, read now. */
export async function collectDashboardData(options: CollectOptions): Promise<DashboardData> {
  const now = options.now ?? new Date();
  const clusters = await Promise.all([
    readCluster(options.self, options.self, now, options.signal),
    ...(options.fleet ?? []).map((m) => readCluster(m, undefined, now, options.signal)),
  ]);
  return { format: DASHBOARD_DATA_FORMAT, generatedAt: now.toISOString(), source: options.source, clusters };
}
