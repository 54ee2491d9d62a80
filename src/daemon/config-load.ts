/**
 * Reads a config file: kubekeeper's YAML or an RKE cluster.yml (recognised by its top-level
 * `nodes:`/`services:`), then fetches the secrets it refers to from env vars or files. The
 * file I/O edge of the config; parsing is pure (config-kubekeeper.ts, config-rke.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, ConfigNotFoundError, type KubekeeperConfig, defaultLockFile } from './config.js';
import type { ConfigDraft, SecretSlot } from './config-draft.js';
import { parseKubekeeperConfig } from './config-kubekeeper.js';
import { isRkeClusterYml, parseRkeClusterYml } from './config-rke.js';
import { ConfigReader } from './config-yaml.js';

/** Config files are small; anything larger is the wrong file (a snapshot, a log). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** Secret files hold one value. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

export interface LoadedConfig {
  config: KubekeeperConfig;
  /** Things that work but deserve attention (plain-text secrets, no off-node copy...). */
  warnings: string[];
}

async function readConfigText(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new ConfigError({ file }, undefined, 'is not a regular file');
    if (info.size > MAX_CONFIG_FILE_BYTES) throw new ConfigError({ file }, undefined, `is ${info.size} bytes, more than a config file can be (${MAX_CONFIG_FILE_BYTES})`);
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigNotFoundError(file);
    throw new ConfigError({ file }, undefined, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function resolveSecret(slot: SecretSlot, env: NodeJS.ProcessEnv): Promise<string> {
  const { ref } = slot;
  if ('value' in ref) return ref.value;
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) {
      throw new ConfigError(slot.position, slot.field, `the environment variable ${ref.env} is not set or empty`, undefined,
        `Set ${ref.env} in kubekeeper's environment (systemd: Environment= or EnvironmentFile=; CronJob: env from a Secret), or use { file: PATH }`);
    }
    return value;
  }
  try {
    const info = await stat(ref.file);
    if (info.size > MAX_SECRET_FILE_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    // One value per file; a trailing newline (echo, kubectl Secret mounts) is not part of it.
    const value = (await readFile(ref.file, 'utf8')).split(/\r?\n/)[0]?.trim() ?? '';
    if (value === '') throw Object.assign(new Error('empty'), { code: 'empty' });
    return value;
  } catch (err) {
    throw new ConfigError(slot.position, slot.field, `cannot read the secret file "${ref.file}": ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Parses config text (either format) without touching secrets. Pure apart from `env`. */
export function parseConfigText(file: string, text: string, env: NodeJS.ProcessEnv): ConfigDraft {
  const lock = defaultLockFile(env, process.getuid?.(), os.tmpdir());
  const reader = new ConfigReader(file, text);
  return isRkeClusterYml(reader) ? parseRkeClusterYml(reader, env, lock) : parseKubekeeperConfig(reader, lock);
}

/** Loads, validates and resolves a config; warnings for `config check` to print. */
export async function loadConfigWithWarnings(file: string, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  const draft = parseConfigText(absolute, await readConfigText(absolute), env);
  for (const slot of draft.secrets) slot.apply(draft.config, await resolveSecret(slot, env));
  return { config: draft.config, warnings: draft.warnings };
}

/**
 * Loads the config at `file` (kubekeeper YAML or RKE cluster.yml). Throws ConfigError
 * naming file:line:column, the field and what is allowed.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv): Promise<KubekeeperConfig> {
  return (await loadConfigWithWarnings(file, env)).config;
}
