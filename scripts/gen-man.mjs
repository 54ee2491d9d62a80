#!/usr/bin/env node
/* global process, console */
// Writes kubekeeper(1), a man page made of the built CLI's own help: `kubekeeper help` and
// `kubekeeper <command> --help` of every command (names from the bundle's commands.json), so
// the page says exactly what the binary accepts.
// Usage: node scripts/gen-man.mjs BINARY COMMANDS_JSON VERSION > kubekeeper.1
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [binary, commandsJson, version] = process.argv.slice(2);
if (!binary || !commandsJson || !version) {
  console.error('usage: node scripts/gen-man.mjs BINARY COMMANDS_JSON VERSION');
  process.exit(2);
}
const help = (args) => execFileSync(binary, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
// Verbatim text: escape backslashes, and keep lines starting with . or ' from being requests.
const verbatim = (text) => text.trimEnd().split('\n').map((l) => l.replace(/\\/g, '\\e')).map((l) => (/^[.']/.test(l) ? `\\&${l}` : l)).join('\n');
const commands = JSON.parse(readFileSync(commandsJson, 'utf8'));
const out = [
  `.TH KUBEKEEPER 1 "" "kubekeeper ${version}" "User Commands"`,
  '.SH NAME',
  'kubekeeper \\- Kubernetes cluster maintenance and disaster recovery',
  '.SH SYNOPSIS',
  '.B kubekeeper',
  '.I command',
  '[\\fIflags\\fR]',
  '.SH DESCRIPTION',
  'etcd snapshots and restore (no etcd binary needed), encrypted backups to local directories or S3,',
  'restore drills, certificates, audit logging, drains and upgrades.',
  'Flags and environment variables follow etcdctl\'s.',
  'Scheduled backups: edit /etc/kubekeeper/config.yaml (from config.yaml.example), check it with',
  '.B kubekeeper config check,',
  'then run',
  '.B systemctl enable \\-\\-now kubekeeper\\-backup.timer.',
  '.PP',
  '.nf',
  verbatim(help(['help'])),
  '.fi',
  '.SH COMMANDS',
];
for (const { name } of commands) {
  out.push(`.SS ${name}`, '.nf', verbatim(help([...name.split(' '), '--help'])), '.fi');
}
out.push('.SH FILES', '.TP', '/etc/kubekeeper/config.yaml', 'The config of', '.B backup run, daemon, drill', 'and the systemd units.');
out.push('.TP', '/lib/systemd/system/kubekeeper\\-backup.service, kubekeeper\\-backup.timer', 'Hardened backup service and its timer (installed disabled).');
out.push('.SH SEE ALSO', '.BR etcdctl (1),', '.BR systemctl (1)', '');
process.stdout.write(out.join('\n'));
