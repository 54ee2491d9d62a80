/** Help text for one command and for the command list. */
import type { Command, FlagDef } from '../command.js';

/** 31536000000 -> "365d", 90000 -> "1m30s": durations in help read as they are typed. */
export function formatDurationMs(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

function flagLine(name: string, def: FlagDef): string {
  const short = def.short ? `-${def.short}, ` : '    ';
  const value = def.type === 'boolean' ? '' : ` ${def.valueName ?? def.type.toUpperCase()}`;
  const extras: string[] = [];
  if (def.default !== undefined && def.default !== false && !(Array.isArray(def.default) && def.default.length === 0)) {
    extras.push(`default ${Array.isArray(def.default) ? def.default.join(',') : def.type === 'duration' ? formatDurationMs(Number(def.default)) : String(def.default)}`);
  }
  if (def.env?.length) extras.push(`env ${def.env.join(', ')}`);
  const left = `  ${short}--${name}${value}`;
  return `${left.padEnd(40)} ${def.description}${extras.length ? ` (${extras.join('; ')})` : ''}`;
}

export function renderHelp(command: Command): string {
  const lines = [`Usage: kubekeeper ${command.name}${command.args ? ` ${command.args}` : ''} [flags]`, '', command.summary, ''];
  const flags = Object.entries(command.flags);
  if (flags.length > 0) lines.push('Flags:', ...flags.map(([name, def]) => flagLine(name, def)), '');
  if (command.details) lines.push(command.details.trimEnd(), '');
  return `${lines.join('\n')}\n`;
}

export function renderCommandList(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 10);
  return [
    'kubekeeper: Kubernetes cluster maintenance and disaster recovery',
    '',
    'Usage: kubekeeper <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "kubekeeper help <command>" or "kubekeeper <command> --help" for its flags.',
    '',
  ].join('\n');
}

/** What a group word alone prints: its commands (`kubekeeper snapshot`). */
export function renderGroupHelp(group: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 10);
  return [
    `Usage: kubekeeper ${group} <command> [flags]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run "kubekeeper ${group} <command> --help" for its flags.`,
    '',
  ].join('\n');
}
