/**
 * `kubekeeper config check`: validates a config file (kubekeeper YAML or RKE cluster.yml)
 * and prints the effective config with defaults applied and secrets redacted. A bad file
 * fails with file:line:column, the field and what is allowed (exit 2). Secrets referenced
 * from env vars or files are fetched, so a missing one is caught here, not at 3 a.m.
 */
import { loadConfigWithWarnings } from '../../daemon/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { configFlags } from '../config-flags.js';
import { effectiveConfig, renderEffectiveConfigYaml } from '../output/config-effective.js';

export default defineCommand({
  name: 'config check',
  summary: 'Validate a config file and print the effective config (secrets redacted)',
  flags: { ...configFlags, 'write-out': writeOutFlag(['yaml', 'json'], 'yaml') },
  details: [
    'The effective config uses the config file\'s own keys, so it can be pasted back as a config;',
    'secrets are never shown (a comment names those that are set). Warnings (plain-text secrets,',
    'no off-node copy...) go to stderr and do not fail the check.',
    'Example: kubekeeper config check --config /etc/rancher/cluster.yml -w json',
  ].join('\n'),
  async run({ flags, io }) {
    const { config, warnings } = await loadConfigWithWarnings(flags.config, io.env);
    for (const warning of warnings) io.stderr.write(`Warning: ${warning}\n`);
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(effectiveConfig(config).config, null, 2)}\n` : renderEffectiveConfigYaml(config));
  },
});
