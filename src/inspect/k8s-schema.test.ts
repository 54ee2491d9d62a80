import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runProcess } from '../../test/support/cli.js';
import { repoRoot } from '../../test/support/paths.js';
import { K8S_SCHEMA_VERSION } from './k8s-schema.generated.js';

const modCache = process.env.GOMODCACHE || path.join(process.env.HOME ?? '/root', 'go', 'pkg', 'mod');
const source = path.join(modCache, 'k8s.io', `api@${K8S_SCHEMA_VERSION}`);
const missing = existsSync(source) ? undefined : `${source} is not in the Go module cache (scripts/peers.sh downloads it)`;

test('the committed schema table is what scripts/gen-k8s-schema.mjs makes from the module cache', { skip: missing }, async () => {
  const r = await runProcess(process.execPath, [path.join(repoRoot, 'scripts', 'gen-k8s-schema.mjs'), '--check', '--modcache', modCache]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /is up to date/);
});
