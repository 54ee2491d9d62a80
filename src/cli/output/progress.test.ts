import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createProgressBar } from './progress.js';
import { stripControl, TerminalSafeStream } from './terminal.js';

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({ decodeStrings: false, write: (chunk: string, _e, cb) => ((out += chunk), cb()) });
  return { stream, text: () => out };
}

test('progress bar ends at 100% when the throttle skipped the last update', () => {
  const out = sink();
  let t = 1_000_000;
  const bar = createProgressBar(out.stream, true, 'Saving', () => t);
  bar.update(10, 1000);
  t += 5;
  bar.update(1000, 1000); // within the redraw interval: not drawn now
  bar.done();
  bar.done();
  const frames = out.text().split('\r\x1b[K').filter((f) => f.length > 0);
  assert.match(frames.at(-1) ?? '', /^Saving \[#{30}\] 100% 1000 B .*\n$/);
  assert.equal(out.text().split('\n').length, 2, 'done() twice ends the line once');
});

test('progress bar shows 99%, not 100%, one byte before the end', () => {
  const out = sink();
  const bar = createProgressBar(out.stream, true, 'Saving', () => 1_000_000);
  bar.update(999, 1000);
  assert.match(out.text(), / 99% /);
});

test('progress bar draws its escapes under a TerminalSafeStream, which strips them from other text', async () => {
  const raw = sink();
  const safe = new TerminalSafeStream(raw.stream);
  createProgressBar(safe, true, 'Saving', () => 1_000_000).update(1, 2);
  safe.write('name\u001b[2J\r\n');
  await new Promise<void>((resolve) => safe.end(resolve));
  assert.ok(raw.text().startsWith('\r\x1b[KSaving ['), JSON.stringify(raw.text()));
  assert.ok(raw.text().endsWith('name[2J\n'), JSON.stringify(raw.text()));
});

test('stripControl keeps tabs and newlines and drops C0, C1, DEL and bidi overrides', () => {
  assert.equal(stripControl('a\tb\nc\u0000\u0007\u001b\u007f\u0085\u202e\u2066d'), 'a\tb\ncd');
});
