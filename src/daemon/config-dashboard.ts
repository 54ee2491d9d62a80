/**
 * The config's `dashboard` section: the page the daemon serves on its own listener, behind a
 * bearer token, and the fleet (other clusters' repositories shown on it). Pure: reading only.
 *
 *   dashboard:
 *     listen: 127.0.0.1:9478          # loopback by default; elsewhere tlsCert/tlsKey are required
 *     tokenFile: /etc/kubekeeper/dashboard-token   # 0600
 *     name: prod-eu                   # this cluster's name on the page (default: the repository)
 *     pkiDir: /etc/kubernetes/pki     # certificates section (the daemon's --pki-dir also works)
 *     certWarn: 30d
 *     etcdQuotaBytes: 8589934592      # etcd's --quota-backend-bytes (default 2 GiB)
 *     fleet:
 *       - { name: prod-us, url: s3://etcd-backups/prod-us, trustedSigners: [kksign1...], s3: { endpoint: https://minio:9000 } }
 */
import { isSeq } from 'yaml';
import { parseRepository } from '../storage/index.js';
import { type ConfigPath, ConfigReader } from './config-yaml.js';
import type { DashboardFleetEntry, DashboardSettings } from './dashboard-settings.js';

export const DEFAULT_DASHBOARD_LISTEN = '127.0.0.1:9478';
const KEYS = ['listen', 'tokenFile', 'tlsCert', 'tlsKey', 'name', 'pkiDir', 'certWarn', 'etcdQuotaBytes', 'fleet'];
const FLEET_KEYS = ['name', 'url', 'trustedSigners', 's3'];
const S3_KEYS = ['endpoint', 'region', 'pathStyle', 'caFile'];

function readFleetEntry(r: ConfigReader, at: ConfigPath): DashboardFleetEntry {
  r.keys(at, FLEET_KEYS);
  const name = r.string([...at, 'name']);
  const url = r.string([...at, 'url']);
  if (!name) throw r.error([...at, 'name'], 'is required', 'the cluster\'s name on the page');
  if (!url) throw r.error([...at, 'url'], 'is required', 'a directory, file:///DIR or s3://BUCKET/FOLDER');
  try {
    parseRepository(url);
  } catch (err) {
    throw r.error([...at, 'url'], (err as Error).message, 'a directory, file:///DIR or s3://BUCKET/FOLDER');
  }
  const trustedSigners = r.list([...at, 'trustedSigners']).map((x) => (x.toLowerCase().startsWith('kksign1') ? x : r.resolve(x)));
  const s = (k: string): ConfigPath => [...at, 's3', k];
  const s3 = r.keys([...at, 's3'], S3_KEYS).length > 0
    ? { endpoint: r.string(s('endpoint')), region: r.string(s('region')), pathStyle: r.bool(s('pathStyle')), caBundleFile: r.path(s('caFile')) }
    : undefined;
  return { name, url, trustedSigners, ...(s3 ? { s3 } : {}) };
}

/** The dashboard section, or undefined when the config has none (no dashboard is served). */
export function readDashboardSection(r: ConfigReader): DashboardSettings | undefined {
  if (r.keys(['dashboard'], KEYS).length === 0) return undefined;
  const d = (k: string): ConfigPath => ['dashboard', k];
  const tokenFile = r.path(d('tokenFile'));
  if (!tokenFile) throw r.error(d('tokenFile'), 'is required: the dashboard is always behind a bearer token', 'a file holding the token, mode 0600');
  const tlsCert = r.path(d('tlsCert'));
  const tlsKey = r.path(d('tlsKey'));
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw r.error(d(tlsCert ? 'tlsKey' : 'tlsCert'), 'tlsCert and tlsKey must be given together');
  const fleetNode = r.node(d('fleet'));
  if (fleetNode !== undefined && !isSeq(fleetNode) && r.has(d('fleet'))) throw r.error(d('fleet'), 'must be a list of { name, url } mappings');
  const fleet = isSeq(fleetNode) ? fleetNode.items.map((_, i) => readFleetEntry(r, [...d('fleet'), i])) : [];
  const names = new Set<string>();
  for (const [i, f] of fleet.entries()) {
    if (names.has(f.name)) throw r.error([...d('fleet'), i, 'name'], `${JSON.stringify(f.name)} is listed twice`);
    names.add(f.name);
  }
  const settings: DashboardSettings = { listen: r.string(d('listen')) ?? DEFAULT_DASHBOARD_LISTEN, tokenFile, fleet };
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(settings.listen)) throw r.error(d('listen'), `${JSON.stringify(settings.listen)} is not host:port`, 'host:port, e.g. 127.0.0.1:9478');
  const name = r.string(d('name'));
  const pkiDir = r.path(d('pkiDir'));
  const certWarnMs = r.duration(d('certWarn'), 1000);
  const etcdQuotaBytes = r.int(d('etcdQuotaBytes'), 1);
  return {
    ...settings, ...(tlsCert && tlsKey ? { tlsCert, tlsKey } : {}), ...(name ? { name } : {}), ...(pkiDir ? { pkiDir } : {}),
    ...(certWarnMs ? { certWarnMs } : {}), ...(etcdQuotaBytes ? { etcdQuotaBytes } : {}),
  };
}
