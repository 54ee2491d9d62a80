/**
 * A progress bar for long byte transfers, drawn on stderr only when it is a TTY; silent
 * otherwise so that logs and pipes stay clean. Redraws at most every 100 ms.
 */
import type { Writable } from 'node:stream';

export interface ProgressBar {
  /** Reports the bytes done so far; `totalBytes` when known. */
  update(doneBytes: number, totalBytes?: number): void;
  /** Clears the bar line. */
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
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(doneBytes, totalBytes) {
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      const seconds = Math.max((t - started) / 1000, 0.001);
      const rate = `${formatIecBytes(doneBytes / seconds)}/s`;
      let bar = '';
      if (totalBytes && totalBytes > 0) {
        const fraction = Math.min(doneBytes / totalBytes, 1);
        const filled = Math.round(fraction * BAR_WIDTH);
        bar = ` [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0)}%`;
      }
      stream.write(`\r\x1b[K${label}${bar} ${formatIecBytes(doneBytes)} ${rate}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
