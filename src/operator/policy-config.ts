/**
 * An EtcdBackupPolicy as the daemon's configuration (KubekeeperConfig), so the operator runs
 * backups, retention and drills with the same code as `backup run` and the daemon. Secrets
 * the policy references are read through the API (never the environment): S3 keys go into
 * the config's repository.s3 (they win over any AWS_* variables), etcd client certificates
 * and the drill identity into a private 0700 temp dir (files 0600) that `close()` removes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultCompression } from '../crypto/index.js';
import { CONFIG_DEFAULTS, type KubekeeperConfig, parseDurationMs } from '../daemon/index.js';
import { AppError } from '../errors.js';
import type { EtcdBackupPolicy } from './resources.js';

/** Reads the data of a Secret in the policy's namespace (the operator's role). */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, Buffer>>;

/** A policy whose spec cannot be used (a Secret key missing, a duration the schema let through). */
export class PolicySpecError extends AppError {
  constructor(readonly policy: string, problem: string, hint: string) {
    super('policy-invalid', `EtcdBackupPolicy "${policy}" cannot be used: ${problem}`, { hint });
  }
}

export interface PolicyConfig {
  config: KubekeeperConfig;
  close(): Promise<void>;
}

function duration(policy: string, field: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) throw new PolicySpecError(policy, `${field} "${text}" is not a duration`, `Set ${field} to a duration such as 90s, 15m, 6h or 30d`);
  return ms;
}

function secretKey(policy: string, secret: string, data: Record<string, Buffer>, key: string): Buffer {
  const value = data[key];
  if (!value || value.length === 0) throw new PolicySpecError(policy, `Secret "${secret}" has no key "${key}"`, `kubectl create secret generic ${secret} --from-file=${key}=... in the policy's namespace`);
  return value;
}

/** Builds the config for one policy; the caller must call close() when the run is over. */
export async function policyConfig(policy: EtcdBackupPolicy, readSecret: SecretReader): Promise<PolicyConfig> {
  const { spec } = policy;
  const ns = policy.metadata.namespace ?? 'default';
  const id = `${ns}/${policy.metadata.name}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'kubekeeper-policy-'));
  const put = async (name: string, data: Buffer) => {
    const file = path.join(tmp, name);
    await writeFile(file, data, { mode: 0o600 });
    return file;
  };
  try {
    const etcd: KubekeeperConfig['etcd'] = {
      endpoints: spec.etcd.endpoints,
      caFile: spec.etcd.caFile, certFile: spec.etcd.certFile, keyFile: spec.etcd.keyFile,
      dialTimeoutMs: duration(id, 'spec.etcd.dialTimeout', spec.etcd.dialTimeout, CONFIG_DEFAULTS.dialTimeoutMs),
      commandTimeoutMs: duration(id, 'spec.etcd.commandTimeout', spec.etcd.commandTimeout, CONFIG_DEFAULTS.commandTimeoutMs),
    };
    if (spec.etcd.tlsSecretRef) {
      const name = spec.etcd.tlsSecretRef.name;
      const data = await readSecret(ns, name);
      etcd.caFile = await put('etcd-ca.crt', secretKey(id, name, data, 'ca.crt'));
      etcd.certFile = await put('etcd-client.crt', secretKey(id, name, data, 'tls.crt'));
      etcd.keyFile = await put('etcd-client.key', secretKey(id, name, data, 'tls.key'));
    }
    const repository: KubekeeperConfig['repository'] = { url: spec.repository.url, ...(spec.repository.trustedSigners?.length ? { trustedSigners: spec.repository.trustedSigners } : {}) };
    if (spec.repository.url.startsWith('s3://')) {
      const s3 = spec.repository.s3 ?? {};
      repository.s3 = { endpoint: s3.endpoint, region: s3.region, pathStyle: s3.pathStyle, caBundlePem: s3.caBundle };
      const ref = spec.repository.credentialsSecretRef;
      if (ref) {
        const data = await readSecret(ns, ref.name);
        repository.s3.accessKeyId = secretKey(id, ref.name, data, 'accessKeyId').toString('utf8').trim();
        repository.s3.secretAccessKey = secretKey(id, ref.name, data, 'secretAccessKey').toString('utf8').trim();
      }
    }
    let signingKeyFile: string | undefined;
    if (spec.signing) {
      const ref = spec.signing.keySecretRef;
      signingKeyFile = await put('signing.key', secretKey(id, ref.name, await readSecret(ns, ref.name), ref.key ?? 'signing.key'));
    }
    const identityFiles: string[] = [];
    if (spec.drill) {
      const ref = spec.drill.identitySecretRef;
      identityFiles.push(await put('drill-identity.txt', secretKey(id, ref.name, await readSecret(ns, ref.name), ref.key ?? 'identity')));
    }
    const r = spec.retention ?? {};
    const config: KubekeeperConfig = {
      source: { path: `EtcdBackupPolicy ${id}`, format: 'kubekeeper' },
      etcd,
      repository,
      backup: {
        namePrefix: spec.namePrefix ?? policy.metadata.name,
        compression: spec.compression ?? defaultCompression(),
        recipients: spec.encryption.recipients,
        include: [],
        ...(signingKeyFile ? { signingKeyFile } : {}),
        timeoutMs: duration(id, 'spec.timeout', spec.timeout, CONFIG_DEFAULTS.backupTimeoutMs),
      },
      // The Lease elects the one operator that runs schedules: no etcd election on top.
      schedule: { jitterMs: 0, election: 'off' },
      retention: {
        keepLast: r.keepLast, keepWithinMs: r.keepWithin === undefined ? undefined : duration(id, 'spec.retention.keepWithin', r.keepWithin, 0),
        keepHourly: r.keepHourly, keepDaily: r.keepDaily, keepWeekly: r.keepWeekly, keepMonthly: r.keepMonthly, keepYearly: r.keepYearly,
      },
      drill: {
        enabled: spec.drill !== undefined, identityFiles, expectKeys: spec.drill?.expectKeys ?? [],
        etcdBinary: spec.drill?.etcdBinary ?? CONFIG_DEFAULTS.etcdBinary,
        timeoutMs: duration(id, 'spec.drill.timeout', spec.drill?.timeout, CONFIG_DEFAULTS.drillTimeoutMs),
      },
      metrics: { staleAfterMs: CONFIG_DEFAULTS.staleAfterMs },
      lockFile: path.join(tmp, 'backup.lock'),
    };
    return { config, close: () => rm(tmp, { recursive: true, force: true }) };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
