/** The config's `dashboard` section as read (config-dashboard.ts reads it; types only). */

/** One other cluster's repository on the fleet view: manifests and run records only, no keys. */
export interface DashboardFleetEntry {
  name: string;
  url: string;
  trustedSigners: string[];
  s3?: { endpoint?: string; region?: string; pathStyle?: boolean; caBundleFile?: string };
}

export interface DashboardSettings {
  listen: string;
  tokenFile: string;
  tlsCert?: string;
  tlsKey?: string;
  name?: string;
  pkiDir?: string;
  certWarnMs?: number;
  etcdQuotaBytes?: number;
  fleet: DashboardFleetEntry[];
}
