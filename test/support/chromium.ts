/**
 * Headless Debian Chromium for the dashboard tests, driven by playwright-core (no browser
 * download: the `chromium` package, /usr/bin/chromium or KK_CHROMIUM). Locally a missing
 * browser yields a skip reason; in CI (CI=true) it throws, like a missing peer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The browser binary, or a skip reason. */
export function findChromium(): { path: string } | { skip: string } {
  const candidates = [process.env.KK_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((x): x is string => Boolean(x));
  const found = candidates.find((p) => existsSync(p));
  if (found) return { path: found };
  const reason = `no Chromium at ${candidates.join(', ')} (apt-get install chromium, or scripts/setup.sh)`;
  if (process.env.CI === 'true') throw new Error(reason);
  return { skip: reason };
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** axe-core's browser script, injected into a page to check accessibility (WCAG 2 A/AA). */
export function axeSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}
