import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { servedPageHtml, staticReportHtml } from './assets.js';
import { DASHBOARD_DATA_FORMAT, type DashboardData } from './dashboard-data.js';
import { unreadableClusterView } from './cluster-view.js';

const hostile = '</script><script>alert(1)</script><!--';
const data: DashboardData = {
  format: DASHBOARD_DATA_FORMAT, generatedAt: '2026-12-06T12:00:00.000Z', source: 'report',
  clusters: [unreadableClusterView(`x${hostile}`, '/r', true, `reason ${hostile} \u2028`)],
};

test('static report inlines the data so that no value can end its script element or add markup', () => {
  const html = staticReportHtml(data, { js: 'console.log("app")', css: 'body{}' });
  assert.equal(html.split('</script>').length - 1, 2, 'the data block and the app script close once each');
  assert.ok(!html.includes('<script>alert'), 'the hostile value stays inside the JSON string');
  const json = /<script type="application\/json" id="kk-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
  assert.deepEqual(JSON.parse(json), data, 'the escaped JSON reads back as the same data');
  assert.ok(!/<title>[^<]*<script/.test(html));
});

test('static report CSP allows exactly the inlined script and style, by hash', () => {
  const js = 'console.log("app")';
  const css = 'body{color:#000}';
  const html = staticReportHtml(data, { js, css });
  const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  const csp = /content="(default-src[^"]+)"/.exec(html)?.[1];
  assert.equal(csp, `default-src 'none'; script-src ${hash(js)}; style-src ${hash(css)}; img-src data:; base-uri 'none'; form-action 'none'`);
  assert.ok(html.includes(`<script>${js}</script>`) && html.includes(`<style>${css}</style>`));
  assert.doesNotMatch(servedPageHtml(), /<script>|<style>|style=/, 'the served page has nothing inline');
});
