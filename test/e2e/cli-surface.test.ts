/** Issue 18 items 7, 8 and 9: one name per flag, a group word alone lists its commands, hints that fit the command. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runKubekeeper } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const WRITE_OUT_COMMANDS = [
  ['health'], ['certs', 'check'], ['certs', 'renew'], ['certs', 'rotate-ca'], ['audit', 'lint'], ['audit', 'policy'], ['audit', 'search'],
  ['review'], ['node', 'drain'], ['upgrade', 'plan'],
];

for (const words of WRITE_OUT_COMMANDS) {
  test(`${words.join(' ')} calls its output flag -w/--write-out`, async () => {
    const help = await runKubekeeper([...words, '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /-w, --write-out FORMAT/);
    assert.doesNotMatch(help.stdout, /--write /);
    const old = await runKubekeeper([...words, '--write', 'json']);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /Unknown flag "--write"\nHint: Use -w\/--write-out/);
  });
}

test('audit configure applies with --apply and names it when --write is given', async () => {
  const help = await runKubekeeper(['audit', 'configure', '--help']);
  assert.match(help.stdout, /--apply +Apply the changes/);
  const old = await runKubekeeper(['audit', 'configure', '--kubeadm', '/nonexistent.yaml', '--write']);
  assert.equal(old.code, 2);
  assert.match(old.stderr, /^Error: Flag --write was renamed --apply\nHint: Use --apply\n$/);
});

for (const group of ['snapshot', 'backup', 'certs', 'node', 'audit', 'upgrade', 'generate', 'endpoint', 'member', 'config']) {
  test(`kubekeeper ${group} alone lists its commands`, async () => {
    const r = await runKubekeeper([group]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: kubekeeper ${group} <command> \\[flags\\]\\n\\nCommands:\\n`));
    const listed = r.stdout.split('\n').filter((l) => l.startsWith(`  ${group} `));
    assert.ok(listed.length >= 1, r.stdout);
    for (const line of listed) {
      const words = line.trim().split(/\s{2,}/)[0]?.split(' ') ?? [];
      const help = await runKubekeeper([...words, '--help']);
      assert.equal(help.code, 0, `${words.join(' ')}: ${help.stderr}`);
    }
    const viaHelp = await runKubekeeper(['help', group]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.stdout, r.stdout);
    const dashHelp = await runKubekeeper([group, '--help']);
    assert.equal(dashHelp.code, 0);
    assert.equal(dashHelp.stdout, r.stdout);
  });
}

// The shipped forms (KK_BIN: the single executable, the bundle) load no deprecated Node builtin:
// `operator` pulled in node:punycode through @kubernetes/client-node's node-fetch and printed a
// DEP0040 warning on every run. (dist/ resolves third-party requires as Node does, unbundled.)
test('every command\'s --help prints nothing on stderr from the shipped binary', { skip: process.env.KK_BIN ? false : 'needs KK_BIN (the release checks set it)' }, async () => {
  const all = await runKubekeeper(['help']);
  assert.equal(all.code, 0, all.stderr);
  // "Commands:" lines: two spaces, the command words, two or more spaces, the summary.
  const commands = all.stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l)).map((l) => l.trim().split(/\s{2,}/)[0] ?? '');
  assert.ok(commands.length > 40 && commands.includes('operator'), all.stdout);
  for (const command of commands) {
    const help = await runKubekeeper([...command.split(' '), '--help']);
    assert.equal(help.code, 0, `${command}: ${help.stderr}`);
    assert.equal(help.stderr, '', `${command} --help wrote to stderr`);
  }
});

test('a mistyped subcommand names the group\'s commands', async () => {
  const r = await runKubekeeper(['snapshot', 'sav']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error: Unknown command "snapshot sav"\nHint: "snapshot" has these commands: snapshot diff, .*snapshot save/);
});

for (const verb of ['cordon', 'uncordon', 'drain']) {
  test(`node ${verb} without a node shows a node ${verb} example`, async (t) => {
    const kubeconfig = path.join(await tempDir(t), 'kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const r = await runKubekeeper(['node', verb, '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^Hint: Example: kubekeeper node ${verb} worker-1, or kubekeeper node ${verb} --selector `, 'm'));
  });
}

test('backup run names the config key, not a flag it does not have, when etcd is unreachable', async (t) => {
  const dir = await tempDir(t);
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, [
    'etcd: {endpoints: [127.0.0.1:1], dial-timeout: 200ms}',
    `repository: {url: ${dir}/repo}`,
    'backup: {compression: gzip, recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]}',
    `lockFile: ${dir}/lock/backup.lock`,
  ].join('\n'));
  const r = await runKubekeeper(['backup', 'run', '--config', config]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^Hint: Check etcd\\.endpoints .*\\(in the config "${config.replace(/[.]/g, '\\.')}"\\)$`, 'm'));
  assert.doesNotMatch(r.stderr, /--endpoints/);
});
