/**
 * `kubekeeper version` (also `--version`): kubekeeper's version, the Node.js version running
 * it, the git commit it was built from and how it is packaged (single executable, bundle or
 * dist/), so that a bug report says exactly what ran.
 */
import { buildInfo } from '../../build-info.js';
import { defineCommand, writeOutFlag } from '../command.js';

export default defineCommand({
  name: 'version',
  summary: 'Print the kubekeeper version, the Node.js version and the build commit',
  minArgs: 0,
  maxArgs: 0,
  flags: {
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  async run({ flags, io }) {
    const info = await buildInfo();
    const result = { version: info.version, node: process.version, commit: info.commit, build: info.kind, platform: `${process.platform}-${process.arch}` };
    if (flags['write-out'] === 'json') {
      io.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    io.stdout.write(`kubekeeper ${result.version}\nnode: ${result.node}\ncommit: ${result.commit}\nbuild: ${result.build} (${result.platform})\n`);
  },
});
