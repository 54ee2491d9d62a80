/**
 * A progress bar for long byte transfers, drawn on stderr only when it is a TTY; silent
 * otherwise so that logs and pipes stay clean. Redraws at most every 100 ms.
 */
import type { Writable } from 'node:stream';
import { rawTerminal } from './terminal.js';

export interface ProgressBar {
  /** Reports the bytes done so far; `totalBytes` when known. */
  update(doneBytes: number, totalBytes?: number): void;
  /**
   * Ends the bar: redraws it with the last update (so a finished transfer shows 100%, even when
   * the throttle skipped its last update) and moves to a new line.
   */
  done(): void;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 30;

export function formatIecBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function createProgressBar(stream: Writable, isTTY: boolean, label: string, now: () => number = Date.now): ProgressBar {
  if (!isTTY) return { update: () => undefined, done: () => undefined };
  // The bar's own redraw sequences go to the raw terminal; everything else is stripped of them.
  const out = rawTerminal(stream);
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  let last: { doneBytes: number; totalBytes?: number } | undefined;
  const draw = (doneBytes: number, totalBytes: number | undefined, t: number) => {
    const seconds = Math.max((t - started) / 1000, 0.001);
    const rate = `${formatIecBytes(doneBytes / seconds)}/s`;
    let bar = '';
    if (totalBytes && totalBytes > 0) {
      const fraction = Math.min(doneBytes / totalBytes, 1);
      const filled = Math.floor(fraction * BAR_WIDTH);
      // Rounded down: 100% only once every byte is done.
      bar = ` [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}%`;
    }
    out.write(`\r\x1b[K${label}${bar} ${formatIecBytes(doneBytes)} ${rate}`);
    drawn = true;
  };
  return {
    update(doneBytes, totalBytes) {
      last = { doneBytes, totalBytes };
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      draw(doneBytes, totalBytes, t);
    },
    done() {
      if (!drawn || !last) return;
      draw(last.doneBytes, last.totalBytes, now());
      out.write('\n');
      drawn = false;
    },
  };
}
