/**
 * The result of reading a config file before its secrets are fetched: the settings, the
 * secret references still to resolve (env var or file, with where each was written), and
 * warnings for the operator. Pure.
 */
import type { ConfigPosition, KubekeeperConfig } from './config.js';
import type { SecretRef } from './config-yaml.js';

export interface SecretSlot {
  /** Dotted field, e.g. "repository.s3.secretAccessKey". */
  field: string;
  position: ConfigPosition;
  ref: SecretRef;
  apply(config: KubekeeperConfig, value: string): void;
}

export interface ConfigDraft {
  config: KubekeeperConfig;
  secrets: SecretSlot[];
  warnings: string[];
}

/** Warning text for a secret written in plain text into the config file. */
export function plainSecretWarning(field: string, position: ConfigPosition, instead: string): string {
  return `${position.file}:${position.line ?? 1}: ${field} is written in plain text; ${instead} so the file can be shared`;
}
