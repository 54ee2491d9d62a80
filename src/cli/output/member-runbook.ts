/** Progress of the member runbooks (`member replace`, `member recover`): runbook lines, hand-work instructions, the --dry-run plan. */
import type { MemberEvent } from '../../members/index.js';
import type { CliIo } from '../command.js';
import { runbookEventLine } from './upgrade.js';

/** The text printed for one event (one or more lines, each ending in a newline). */
export function memberEventText(e: MemberEvent): string {
  if (e.type === 'instructions') return `    ${e.title}:\n${e.lines.map((l) => `      ${l}\n`).join('')}`;
  if (e.type === 'plan') return `Steps (--dry-run: nothing was changed):\n${e.steps.map((s, i) => `${String(i + 1).padStart(3)}. ${s}\n`).join('')}`;
  const line = runbookEventLine(e);
  return line ? `${line.text}\n` : '';
}

/** An emit() that prints every event to stdout. */
export function printMemberEvents(io: Pick<CliIo, 'stdout'>): (e: MemberEvent) => void {
  return (e) => {
    const text = memberEventText(e);
    if (text) io.stdout.write(text);
  };
}
