import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMAND_LOADERS } from './command-registry.js';

// dist/src/cli/commands holds the compiled command files; the registry must name each one.
const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));

test('the command registry names every file of cli/commands and no other', () => {
  const files = readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.deepEqual(Object.keys(COMMAND_LOADERS).sort(), files, 'src/cli/command-registry.ts is out of date: run node scripts/gen-command-registry.mjs');
});

test('each registry entry loads the command named after its file', async () => {
  for (const [file, load] of Object.entries(COMMAND_LOADERS)) {
    const command = (await load()).default;
    assert.equal(command.name.replaceAll(' ', '-'), file, `${file}.ts default-exports "${command.name}"`);
    assert.equal(typeof command.run, 'function');
  }
});
