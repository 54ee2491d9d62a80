/** The effective config as shown to people: secrets replaced, so it can go into a ticket. */
import type { KubekeeperConfig } from './config.js';

export const REDACTED = '<redacted>';

const hide = (value: string | undefined) => (value === undefined ? undefined : REDACTED);

/**
 * A copy of `config` safe to print or log: etcd password, S3 keys and the S3 CA PEM are
 * replaced (the PEM is not secret but is long; its presence is what matters). Durations stay
 * in milliseconds, as in the config object.
 */
export function redactConfig(config: KubekeeperConfig): unknown {
  const { s3 } = config.repository;
  return {
    ...config,
    etcd: { ...config.etcd, password: hide(config.etcd.password) },
    repository: {
      ...config.repository,
      ...(s3 ? { s3: { ...s3, accessKeyId: hide(s3.accessKeyId), secretAccessKey: hide(s3.secretAccessKey), caBundlePem: s3.caBundlePem === undefined ? undefined : '<PEM>' } } : {}),
    },
  };
}
