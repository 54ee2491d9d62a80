#!/usr/bin/env node
/* global console, process */
// Screenshots a dashboard page in headless Debian Chromium (playwright-core, no browser
// download): a static report written by `kubekeeper report --html`, or the daemon's URL
// with KK_DASHBOARD_TOKEN set. Waits until the page has rendered its data.
// Usage: node scripts/screenshot.mjs REPORT.html|URL OUT.png [width]
//   scripts/screenshot.sh regenerates docs/dashboard.png (the README's) from the demo's report.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [input, out, widthArg] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: node scripts/screenshot.mjs REPORT.html|URL OUT.png [width]');
  process.exit(2);
}
const executablePath = [process.env.KK_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!executablePath) {
  console.error('screenshot: no Chromium (apt-get install chromium, or scripts/setup.sh)');
  process.exit(1);
}
const url = /^https?:\/\//.test(input) ? input : pathToFileURL(path.resolve(input)).href;
const browser = await chromium.launch({
  executablePath, timeout: 60_000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const token = process.env.KK_DASHBOARD_TOKEN;
  const context = await browser.newContext({
    viewport: { width: Number(widthArg ?? 1280), height: 900 }, deviceScaleFactor: 1,
    ...(token ? { extraHTTPHeaders: { authorization: `Bearer ${token}` } } : {}),
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('main[aria-busy="false"]', { timeout: 30_000 });
  if (errors.length) throw new Error(`the page logged errors: ${errors.join('; ')}`);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot: ${out}`);
} finally {
  await browser.close();
}
