/**
 * The page's built assets (dist/dashboard/app.js and app.css, made by
 * scripts/build-dashboard.mjs from src/dashboard/web) and the HTML that carries them: a shell
 * that loads them from the daemon, or one self-contained file with the data and the assets
 * inlined and a Content-Security-Policy allowing exactly those inlined hashes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { DashboardData } from './dashboard-data.js';

export interface DashboardAssets {
  js: string;
  css: string;
}

/** From dist/src/dashboard/ to dist/dashboard/ (in the bundle import.meta.url is undefined: the assets come from KUBEKEEPER_ASSETS). */
const ASSET_DIR: URL | undefined = import.meta.url ? new URL('../../dashboard/', import.meta.url) : undefined;

/** The built assets are missing: the TypeScript build ran without the asset build. */
export class DashboardAssetsMissingError extends AppError {
  constructor(dir: string, cause: unknown) {
    super('dashboard-assets-missing', `Cannot read the dashboard's assets in "${dir}"`, {
      hint: 'Build them with "npm run build" (its last step, scripts/build-dashboard.mjs, bundles src/dashboard/web into dist/dashboard)', cause,
    });
  }
}

/** Set by scripts/build-bundle.mjs (esbuild `define`): the assets inside the bundle and the single executable, base64. */
declare const KUBEKEEPER_ASSETS: Record<string, string> | undefined;

/** The built assets: from the bundle when it carries them, else from dist/dashboard/. */
export async function loadDashboardAssets(dir: URL | undefined = ASSET_DIR): Promise<DashboardAssets> {
  const bundled = typeof KUBEKEEPER_ASSETS === 'object' ? KUBEKEEPER_ASSETS : undefined;
  const js = bundled?.['dashboard/app.js'];
  const css = bundled?.['dashboard/app.css'];
  if (js !== undefined && css !== undefined) return { js: Buffer.from(js, 'base64').toString('utf8'), css: Buffer.from(css, 'base64').toString('utf8') };
  if (!dir) throw new DashboardAssetsMissingError('(this bundle)', new Error('built without the dashboard assets'));
  try {
    const [js, css] = await Promise.all([readFile(new URL('app.js', dir), 'utf8'), readFile(new URL('app.css', dir), 'utf8')]);
    return { js, css };
  } catch (err) {
    throw new DashboardAssetsMissingError(fileURLToPath(dir), err);
  }
}

/** The CSP the daemon sends with every answer: its own origin only, no inline script or style. */
export const SERVED_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The empty icon spares the browser a /favicon.ico request.
const HEAD = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,">';

/** The served page: data comes from /api/data. */
export function servedPageHtml(): string {
  return `<!doctype html>\n<html lang="en"><head>${HEAD}<title>kubekeeper dashboard</title><link rel="stylesheet" href="app.css"></head>`
    + '<body><main id="app" aria-busy="true"><p>Loading the dashboard…</p></main><script src="app.js"></script></body></html>\n';
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** JSON that cannot end its <script> element or open a comment inside it. */
function inlineJson(data: DashboardData): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * One self-contained file: opened from disk it makes no request at all (default-src 'none');
 * the only script and style allowed are the inlined ones, by hash.
 */
export function staticReportHtml(data: DashboardData, assets: DashboardAssets): string {
  // A "</script" inside the bundle would end the element early; esbuild escapes it in strings.
  const js = assets.js.replace(/<\/script/gi, '<\\/script');
  const css = assets.css.replace(/<\/style/gi, '<\\/style');
  const csp = `default-src 'none'; script-src ${sha256(js)}; style-src ${sha256(css)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = `kubekeeper report: ${data.clusters[0]?.name ?? 'cluster'} ${data.generatedAt.slice(0, 16)}Z`.replace(/[<>&"]/g, '');
  return `<!doctype html>\n<html lang="en"><head>${HEAD}<meta http-equiv="Content-Security-Policy" content="${csp}"><title>${title}</title><style>${css}</style></head>`
    + `<body><main id="app" aria-busy="true"><p>Loading the report…</p></main><script type="application/json" id="kk-data">${inlineJson(data)}</script><script>${js}</script></body></html>\n`;
}
