/**
 * The dashboard in headless Debian Chromium against real data: a real etcd, real signed
 * backups in a local repository, a passing and a failing restore drill and a verify (stored
 * as signed run records by the CLI), a kubeadm PKI, and a second cluster's repository in the
 * fleet. The daemon serves the page (in-process, from a config file); `report --html` writes
 * the static copy. Checks: the token is required; the page loads with no console error and
 * requests nothing but the daemon; the values shown equal the repository's and the drill
 * history; the fleet lists every repository; keyboard navigation and axe-core (WCAG 2 A/AA);
 * the static report works from file:// under its own CSP; the screenshot script writes a PNG.
 * cluster-a's repository also holds delta segments written by the real `backup stream`: the
 * timeline shows them as kind delta, and the restorable range per full backup and the recovery
 * point equal what `kubekeeper backup list -w json` says; the etcd members' detail equals etcdctl's.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type BackupListing, type DeltaCoverage, type DeltaRange, listDeltas, openBackupRepository } from '../../src/backup/index.js';
import { loadTrustedSigners } from '../../src/crypto/index.js';
import { RESERVED_PREFIX } from '../../src/snapshot/index.js';
import { loadConfig, runDaemon } from '../../src/daemon/index.js';
import { type DashboardData, SERVED_CSP } from '../../src/dashboard/index.js';
import { silentLogger } from '../../src/logger.js';
import { axeSource, findChromium, launchChromium } from '../support/chromium.js';
import { runKubekeeper, runProcess } from '../support/cli.js';
import { type EtcdProcess, endpointStatus, etcdctlOk, freePort, startEtcd } from '../support/etcd.js';
import { sample, until } from '../support/poll.js';
import { generateKubeadmPki } from '../support/kubeadm-pki.js';
import { repoRoot } from '../support/paths.js';

const chromiumFound = findChromium();
const skip = 'skip' in chromiumFound ? chromiumFound.skip : false;
const TOKEN = 'kk-dashboard-test-token-0123456789';

let dir: string;
let etcd: EtcdProcess;
let browser: Browser;
let configFile: string;
let url: string;
let stopDaemon: AbortController;
let daemonDone: Promise<unknown>;
let listingA: BackupListing;
let segmentsA: DeltaRange[];
let signer: string;
const repoA = () => path.join(dir, 'repo-a');
const repoB = () => path.join(dir, 'repo-b');

async function cli(args: string[], expectCode = 0): Promise<string> {
  const r = await runKubekeeper(args, { timeoutMs: 120_000 });
  assert.equal(r.code, expectCode, `kubekeeper ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-dashboard-'));
  const keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  const signingKey = path.join(dir, 'signing.key');
  signer = /Signer public key: (kksign1\S+)/.exec(await cli(['keygen', '--signing', '-o', signingKey]))?.[1] as string;
  etcd = await startEtcd();
  await etcdctlOk(etcd, ['put', '/registry/namespaces/default', 'ns']);
  for (const name of ['a-1', 'a-2', 'a-3']) {
    await etcdctlOk(etcd, ['put', `/registry/configmaps/default/${name}`, 'x'.repeat(2000)]);
    await cli(['backup', 'save', ...etcd.clientFlags, '--repo', repoA(), '--name', name, '-r', recipient, '--signing-key', signingKey]);
  }
  await cli(['backup', 'save', ...etcd.clientFlags, '--repo', repoB(), '--name', 'b-1', '-r', recipient]);
  // Delta segments after a-3, written by the real streamer (signed like the backups), stopped once it stored etcd's revision.
  let child: import('node:child_process').ChildProcess | undefined;
  const streamed = runKubekeeper(['backup', 'stream', ...etcd.clientFlags, '--repo', repoA(), '-r', recipient, '--signing-key', signingKey, '--flush-interval', '300ms', '--election-ttl', '3s'], {
    timeoutMs: 120_000, onSpawn: (c) => (child = c),
  });
  try {
    const repo = await openBackupRepository(repoA(), { trust: { signers: await loadTrustedSigners(signer) } });
    const storedUpTo = async () => (await listDeltas(repo)).segments.reduce((m, x) => Math.max(m, x.lastRevision), 0);
    for (const round of [1, 2]) {
      for (let i = 0; i < 8; i++) await etcdctlOk(etcd, ['put', `/registry/configmaps/default/d-${round}-${i}`, `v${i}`]);
      const rev = (await endpointStatus(etcd)).revision;
      await until(`deltas stored up to revision ${rev}`, async () => ((await storedUpTo()) >= rev ? true : undefined));
    }
    await repo.backend.close();
  } finally {
    child?.kill('SIGTERM');
    const r = await streamed;
    assert.ok(r.code === 0 || r.signal === 'SIGTERM', `backup stream: ${r.code} ${r.signal}\n${r.stderr}`);
  }
  // Its election key goes with its lease (revoked on stop, or expired): after that etcd's revision stays put for the page's comparisons.
  await until('the streamer\'s election key gone', async () => ((await etcdctlOk(etcd, ['get', RESERVED_PREFIX, '--prefix', '--keys-only'])).trim() === '' ? true : undefined), 30_000);
  const drill = ['drill', '--repo', repoA(), '-i', keyFile, '--trusted-signer', signer, '--record-signing-key', signingKey, '--work-dir', dir];
  await cli([...drill, '--expect-key', '/registry/namespaces/default']);
  await cli([...drill, '--expect-key', '/registry/missing/key'], 3);
  await cli(['backup', 'verify', 'latest', '--repo', repoA(), '-i', keyFile, '--trusted-signer', signer, '--record-signing-key', signingKey]);
  const pki = await generateKubeadmPki(path.join(dir, 'pki-root'));
  const tokenFile = path.join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  configFile = path.join(dir, 'config.yaml');
  await writeFile(configFile, [
    `etcd: { endpoints: [${etcd.clientUrl}] }`,
    `repository: { url: ${repoA()}, trustedSigners: [${signer}] }`,
    `backup: { recipients: [${recipient}], signingKeyFile: ${signingKey}, compression: gzip }`,
    'schedule: { interval: 12h }',
    'retention: { keepLast: 2 }',
    'metrics: { listen: "127.0.0.1:0" }',
    `lockFile: ${path.join(dir, 'lock')}`,
    'dashboard:',
    '  listen: "127.0.0.1:0"',
    `  tokenFile: ${tokenFile}`,
    '  name: cluster-a',
    `  pkiDir: ${pki.pkiDir}`,
    `  fleet: [{ name: cluster-b, url: ${repoB()} }]`,
    '',
  ].join('\n'), { mode: 0o600 });
  const repo = await openBackupRepository(repoA(), { trust: { signers: await loadTrustedSigners(signer) } });
  listingA = await repo.listBackups();
  segmentsA = (await listDeltas(repo)).segments;
  await repo.backend.close();
  stopDaemon = new AbortController();
  const config = await loadConfig(configFile, process.env);
  url = await new Promise<string>((resolve, reject) => {
    daemonDone = runDaemon(config, { signal: stopDaemon.signal, logger: silentLogger, onDashboard: resolve });
    daemonDone.catch(reject);
  });
  browser = await launchChromium((chromiumFound as { path: string }).path);
});

after(async () => {
  stopDaemon?.abort();
  await daemonDone?.catch(() => undefined);
  await browser?.close();
  await etcd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens `target` and waits for the page to render its data; collects errors and every request. */
async function open(target: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, bypassCSP = false) {
  const context = await browser.newContext({ extraHTTPHeaders: headers, bypassCSP, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(target);
  await page.waitForSelector('main[aria-busy="false"]', { timeout: 30_000 });
  return { page, errors, requests, close: () => context.close() };
}

const cells = (page: Page, selector: string) => page.$$eval(selector, (rows) => rows.map((r) => [...r.children].map((c) => (c as unknown as { innerText: string }).innerText.trim())));

/** The page's byte formatting (src/dashboard/web/dom.ts), to compare what is shown with the repository. */
function bytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < 4) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${['B', 'KiB', 'MiB', 'GiB', 'TiB'][i]}`;
}

describe('dashboard', { skip }, () => {
  test('dashboard answers 401 without the token, with a wrong one, and serves with the token or the login cookie', async () => {
    for (const p of ['', 'api/data', 'app.js', 'app.css', 'nope']) {
      const r = await fetch(url + p);
      assert.equal(r.status, 401, p);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="kubekeeper"');
      assert.doesNotMatch(await r.text(), /a-1|cluster-a/, 'nothing of the data leaks to a 401');
      assert.equal((await fetch(url + p, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    }
    const ok = await fetch(`${url}api/data`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-security-policy'), SERVED_CSP);
    assert.equal((await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 405, 'read-only');
    const bad = await fetch(`${url}login`, { method: 'POST', body: new URLSearchParams({ token: 'guess-guess-guess-guess' }), redirect: 'manual' });
    assert.equal(bad.status, 401);
    const login = await fetch(`${url}login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    assert.equal(login.status, 303);
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^kk_dashboard=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(!cookie.includes(TOKEN), 'the cookie is derived from the token, not the token');
    assert.equal((await fetch(`${url}api/data`, { headers: { cookie: cookie.split(';')[0] as string } })).status, 200);
  });

  test('dashboard logs a browser in with the token form, then serves the page on the session cookie alone', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const first = await page.goto(url);
      assert.equal(first?.status(), 401);
      await page.getByLabel('Token').fill(TOKEN);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForSelector('main[aria-busy="false"]', { timeout: 30_000 });
      assert.equal(await page.textContent('h1'), 'kubekeeper: cluster-a');
      assert.deepEqual(errors, []);
      const [cookie] = await context.cookies();
      assert.deepEqual([cookie?.name, cookie?.httpOnly, cookie?.sameSite], ['kk_dashboard', true, 'Strict']);
    } finally {
      await context.close();
    }
  });

  test('dashboard shows the repository\'s backups, the drill history and the fleet, with no console error and no request elsewhere', async () => {
    const { page, errors, requests, close } = await open(url);
    try {
      assert.deepEqual(errors, []);
      const origin = new URL(url).origin;
      assert.deepEqual(requests.filter((r) => !r.startsWith(origin)), [], 'only the daemon is asked');
      assert.equal(await page.textContent('h1'), 'kubekeeper: cluster-a');
      // Backups: every good backup of the repository, newest first, with its stored and snapshot sizes.
      const good = listingA.backups.filter((b) => b.status === 'ok');
      assert.equal(good.length, 3);
      const all = await cells(page, '#backups-table tbody tr');
      const shown = all.filter((r) => r[2] === 'full');
      assert.deepEqual(shown.map((r) => r[0]), good.map((b) => b.name));
      for (const [i, b] of good.entries()) {
        const m = b.manifest!;
        const row = shown[i]!;
        assert.equal(row[1], `${m.createdAt.slice(0, 19).replace('T', ' ')} UTC`);
        assert.equal(row[2], 'full');
        assert.equal(row[3], bytes(m.objects.reduce((s, o) => s + o.sizeBytes, 0)));
        assert.equal(row[4], bytes(m.objects.find((o) => o.role === 'snapshot')!.contentSizeBytes));
        assert.equal(row[6], 'ok');
        assert.match(row[7] ?? '', /^signed \(key /);
      }
      // Drills: the failed one first, with its step and reason on click; the passing one after it.
      const drills = await cells(page, '#drills-table tbody tr');
      assert.equal(drills.length, 2);
      assert.deepEqual(drills.map((d) => d[1]), ['a-3', 'a-3']);
      assert.match(drills[0]?.[2] ?? '', /^failed at expected-keys/);
      assert.equal(drills[1]?.[2], 'passed');
      const reason = page.locator('#drills-table tbody tr').first().locator('details p.reason');
      assert.equal(await reason.isVisible(), false);
      await page.locator('#drills-table tbody tr').first().locator('summary').click();
      assert.match(await reason.innerText(), /\/registry\/missing\/key/);
      assert.match(await page.locator('#drills-table tbody tr').first().locator('td[title]').getAttribute('title') ?? '', /\/registry\/missing\/key/, 'the reason on hover too');
      assert.equal((await cells(page, '#verifies-table tbody tr'))[0]?.[2], 'passed');
      // Fleet: one row per repository in the config, this cluster first.
      const fleet = await cells(page, '#fleet-table tbody tr');
      assert.deepEqual(fleet.map((r) => [r[0], r[1]]), [['cluster-a', repoA()], ['cluster-b', repoB()]]);
      assert.match(fleet[0]?.[3] ?? '', /^failed /, 'the last drill of cluster-a failed');
      assert.equal(fleet[1]?.[3], 'none');
      // Retention (keep last 2): the oldest goes, with its reason.
      const retention = await cells(page, '#retention-table tbody tr');
      assert.deepEqual(retention.map((r) => [r[0], r[2]]), [['a-3', 'keep'], ['a-2', 'keep'], ['a-1', 'remove']]);
      // Certificates from the PKI dir: CAs and leaves, each with its expiry.
      const certs = await cells(page, '#certs-table tbody tr');
      assert.ok(certs.some((r) => r[0] === 'ca' && r[1] === 'CA') && certs.some((r) => r[0] === 'apiserver' && r[1] === 'leaf'), JSON.stringify(certs));
      assert.ok(certs.some((r) => r[0] === 'admin.conf'), `the kubeconfig-embedded certificates beside the pki dir: ${JSON.stringify(certs)}`);
      assert.equal(await page.locator('#certificates figure .uplot').count(), 1, 'the certificates\' time axis is drawn');
      // etcd: the live member's revision, as etcdctl reports it.
      const status = await endpointStatus(etcd);
      assert.match(await page.innerText('#etcd-live'), new RegExp(`revision\\s+${status.revision}\\b`));
      // Delta segments: every one the streamer stored, as kind delta, with its revisions, ok and signed.
      const deltaRows = all.filter((r) => r[2] === 'delta');
      assert.ok(segmentsA.length >= 2, `the streamer stored several segments: ${segmentsA.length}`);
      assert.deepEqual(deltaRows.map((r) => r[0]).sort(), segmentsA.map((x) => x.name).sort());
      for (const r of deltaRows) {
        const seg = segmentsA.find((x) => x.name === r[0])!;
        // A segment of one revision (a flush that caught a single write) shows that revision alone.
        const range = seg.firstRevision === seg.lastRevision ? String(seg.firstRevision) : `${seg.firstRevision}–${seg.lastRevision}`;
        assert.deepEqual([r[6], r[8]], ['ok', range]);
        assert.equal(r[7], 'signed by a trusted key');
      }
      // Recovery point and restorable ranges: what `backup list -w json` says of the same repository.
      const listed = JSON.parse(await cli(['backup', 'list', '--repo', repoA(), '--trusted-signer', signer, '-w', 'json'])) as { pointInTime: DeltaCoverage };
      const pit = listed.pointInTime;
      assert.equal(pit.segments, segmentsA.length);
      const ranges = await cells(page, '#ranges-table tbody tr');
      assert.deepEqual(ranges.map((r) => [r[0], Number(r[2]), Number(r[3])]), pit.backups.map((b) => [b.name, b.fromRevision, b.toRevision]));
      const newest = pit.backups[0]!;
      assert.ok(newest.toRevision > newest.fromRevision, `a-3 restores past its own revision: ${JSON.stringify(pit.backups)}`);
      assert.equal(ranges[0]?.[4], `${pit.recoveryPoint!.receivedAt!.slice(0, 19).replace('T', ' ')} UTC`);
      const liveRevision = (await endpointStatus(etcd)).revision;
      assert.match(await page.innerText('#recovery-lag'), new RegExp(`^Recovery point: revision ${pit.recoveryPoint!.revision}, .* ago \\(.*\\), ${liveRevision - pit.recoveryPoint!.revision} revision\\(s\\) behind the live etcd$`));
      assert.match(await page.innerText('#recovery-deltas'), new RegExp(`^Delta segments: ${pit.segments}; newest stored revision ${pit.recoveryPoint!.revision} \\(received ${pit.recoveryPoint!.receivedAt!.slice(0, 19).replace('T', ' ')} UTC\\)$`));
      assert.match(await page.innerText('#recovery'), /Delta streamer: Continuous deltas are not configured in this daemon/);
      assert.doesNotMatch(await page.innerText('#recovery'), /No delta backups/);
      // etcd members: the detail etcdctl reports (db size, in use) for the one member, with its fragmentation.
      const [es] = JSON.parse(await etcdctlOk(etcd, ['endpoint', 'status', '-w', 'json'])) as { Status: { dbSize: number; dbSizeInUse: number } }[];
      const members = await cells(page, '#etcd-members-table tbody tr');
      const free = es!.Status.dbSize - es!.Status.dbSizeInUse;
      assert.deepEqual(members.map((r) => [r[1], r[3], r[4], r[5], r[7]]), [[
        etcd.clientUrl, bytes(es!.Status.dbSize), bytes(es!.Status.dbSizeInUse), `${(Math.round((free / es!.Status.dbSize) * 100 * 10) / 10).toFixed(1)}% (${bytes(free)})`, 'none',
      ]]);
      // The data document agrees with the repository too.
      const data = await (await fetch(`${url}api/data`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as DashboardData;
      assert.deepEqual(data.clusters[0]?.backups.filter((b) => b.kind === 'full').map((b) => [b.name, b.snapshotBytes]), good.map((b) => [b.name, b.manifest!.snapshot.sizeBytes]));
      assert.deepEqual(data.clusters[0]?.recoveryPoint.ranges.map((r) => [r.full, r.fromRevision, r.toRevision]), pit.backups.map((b) => [b.name, b.fromRevision, b.toRevision]));
      assert.equal(data.clusters[0]?.summary.lastGoodBackupAt, good[0]?.manifest?.createdAt);
      // Choosing cluster-b shows its backups.
      await page.getByRole('button', { name: 'Show cluster cluster-b' }).click();
      assert.equal(await page.textContent('h1'), 'kubekeeper: cluster-b');
      assert.deepEqual((await cells(page, '#backups-table tbody tr')).map((r) => r[0]), ['b-1']);
      assert.match(await page.innerText('#recovery'), /No delta backups in this repository: continuous deltas are not configured/);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('dashboard is usable by keyboard and passes axe-core\'s WCAG 2 A/AA checks', async () => {
    const { page, close } = await open(url, { authorization: `Bearer ${TOKEN}` }, true);
    try {
      const focused: string[] = [];
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press('Tab');
        focused.push(await page.evaluate<string>(`(() => {
          const el = document.activeElement;
          return el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') ?? el.textContent.trim());
        })()`));
      }
      assert.equal(focused[0], 'a:Fleet', focused.join(', '));
      const button = focused.indexOf('button:Show cluster cluster-b');
      assert.ok(button > 0, focused.join(', '));
      assert.ok(focused.some((f) => f.startsWith('summary:')), `a failure's reason opens from the keyboard: ${focused.join(', ')}`);
      // Enter on the focused cluster button switches the view, and focus stays on it.
      await page.focus('button[aria-label="Show cluster cluster-b"]');
      await page.keyboard.press('Enter');
      assert.equal(await page.textContent('h1'), 'kubekeeper: cluster-b');
      assert.equal(await page.evaluate<string>('document.activeElement.getAttribute("aria-label")'), 'Show cluster cluster-b');
      await page.click('button[aria-label="Show cluster cluster-a"]');
      await page.addScriptTag({ content: axeSource() });
      const violations = await page.evaluate<string[]>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
        .then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`);
      assert.deepEqual(violations, []);
    } finally {
      await close();
    }
  });

  test('report --html writes one file that shows the same data from file:// under its own CSP and requests nothing', async () => {
    const file = path.join(dir, 'report.html');
    const out = await cli(['report', '--html', file, '--config', configFile]);
    assert.match(out, new RegExp(`Report written to .*report\\.html \\(\\d+ bytes\\): 2 cluster\\(s\\), 3 backup\\(s\\) and 2 drill\\(s\\) of cluster-a; ${segmentsA.length} delta segment\\(s\\)`));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const html = await readFile(file, 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    assert.doesNotMatch(csp, /unsafe/);
    const fileUrl = pathToFileURL(file).href;
    const { page, errors, requests, close } = await open(fileUrl, {});
    try {
      assert.deepEqual(errors, [], 'no CSP violation, no script error');
      assert.deepEqual(requests, [fileUrl]);
      assert.deepEqual((await cells(page, '#backups-table tbody tr')).filter((r) => r[2] === 'full').map((r) => r[0]), ['a-3', 'a-2', 'a-1']);
      assert.equal((await cells(page, '#ranges-table tbody tr'))[0]?.[0], 'a-3');
      assert.equal((await cells(page, '#drills-table tbody tr')).length, 2);
      assert.match(await page.innerText('#schedule'), /A static report/);
    } finally {
      await close();
    }
    const png = path.join(dir, 'shot.png');
    const shot = await runProcess(process.execPath, [path.join(repoRoot, 'scripts/screenshot.mjs'), file, png], { timeoutMs: 120_000 });
    assert.equal(shot.code, 0, shot.stderr);
    const bytesPng = await readFile(png);
    assert.deepEqual([...bytesPng.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(bytesPng.length > 20_000, `a real page, not a blank one (${bytesPng.length} bytes)`);
  });

  test('daemon stores a failed scheduled backup as a run record, and the report shows it failed with its reason', async () => {
    // cluster-b's repository, backed up from an etcd that is not there (a closed port).
    const dead = `http://127.0.0.1:${await freePort()}`;
    const base = await loadConfig(configFile, process.env);
    const config = {
      ...base, etcd: { ...base.etcd, endpoints: [dead], dialTimeoutMs: 500 }, repository: { url: repoB() }, dashboard: undefined,
      backup: { ...base.backup, signingKeyFile: undefined }, schedule: { intervalMs: 1000, jitterMs: 0, election: 'off' as const },
      metrics: { ...base.metrics, listen: undefined }, lockFile: path.join(dir, 'lock-b'),
    };
    const stop = new AbortController();
    const done = runDaemon(config, { signal: stop.signal, logger: silentLogger, backupRetry: { initialMs: 600_000, maxMs: 600_000 } });
    try {
      await until('a backup run record in cluster-b\'s repository', async () => (await readdir(path.join(repoB(), 'manifest'))).find((n) => n.startsWith('run-backup-')));
    } finally {
      stop.abort();
      await done;
    }
    const file = path.join(dir, 'report-b.html');
    await cli(['report', '--html', file, '--repo', repoB(), '--name', 'cluster-b']);
    const { page, errors, close } = await open(pathToFileURL(file).href, {});
    try {
      assert.deepEqual(errors, []);
      const rows = await cells(page, '#backups-table tbody tr');
      assert.deepEqual(rows.map((r) => [r[2], r[6]]), [['full', 'failed'], ['full', 'ok']]);
      const title = await page.locator('#backups-table tbody tr').first().locator('td[title]').getAttribute('title') ?? '';
      assert.match(title, /^etcd-/, `the error code and message: ${title}`);
      assert.match(title, new RegExp(dead.replace(/[.:/]/g, '.')), 'the message names the endpoint');
    } finally {
      await close();
    }
  });

  test('daemon with a deltas section shows its streamer\'s lag as its metrics say, and the ranges backup list gives', async () => {
    const repoC = path.join(dir, 'repo-c');
    const base = await loadConfig(configFile, process.env);
    const config = {
      ...base, repository: { ...base.repository, url: repoC }, lockFile: path.join(dir, 'lock-c'),
      dashboard: { ...base.dashboard!, name: 'cluster-c', fleet: [] },
      deltas: { enabled: true, flushIntervalMs: 300, flushBytes: 1024 * 1024, maxLagMs: 60_000, electionTtlMs: 3000 },
    };
    const stop = new AbortController();
    let metricsPort = 0;
    let dashboardUrl = '';
    const done = runDaemon(config, { signal: stop.signal, logger: silentLogger, onListening: (a) => (metricsPort = a.port), onDashboard: (u) => (dashboardUrl = u) });
    try {
      const metrics = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      // The repository is empty: the streamer leads first, then takes the daemon's own full
      // backup and starts from it (its recovery point becomes that backup's revision). Writes
      // made before that backup would be in it, not in a segment: wait for the start.
      await until('the daemon streaming from its full backup', async () => {
        if (!metricsPort || !dashboardUrl) return undefined;
        const t = await metrics();
        return sample(t, 'kubekeeper_delta_leader') === 1 && (sample(t, 'kubekeeper_delta_recovery_point_revision') ?? 0) > 0 ? true : undefined;
      });
      for (let i = 0; i < 5; i++) await etcdctlOk(etcd, ['put', `/registry/configmaps/default/c-${i}`, `v${i}`]);
      const rev = (await endpointStatus(etcd)).revision;
      const text = await until(`recovery point at ${rev}`, async () => {
        const t = await metrics();
        return (sample(t, 'kubekeeper_delta_recovery_point_revision') ?? 0) >= rev && sample(t, 'kubekeeper_delta_recovery_point_lag_revisions') === 0 ? t : undefined;
      });
      const stored = sample(text, 'kubekeeper_delta_recovery_point_revision') as number;
      const { page, errors, close } = await open(dashboardUrl);
      try {
        assert.deepEqual(errors, []);
        assert.equal(await page.textContent('h1'), 'kubekeeper: cluster-c');
        assert.match(await page.innerText('#stream-lag'), new RegExp(`^Delta streamer: lag 0 ms, 0 revision\\(s\\) behind etcd's ${stored}; stored up to revision ${stored}; \\d+ segment\\(s\\) written, 0 gap\\(s\\), 0 restart\\(s\\)$`));
        const listed = JSON.parse(await cli(['backup', 'list', '--repo', repoC, '--trusted-signer', signer, '-w', 'json'])) as { pointInTime: DeltaCoverage };
        const ranges = await cells(page, '#ranges-table tbody tr');
        assert.deepEqual(ranges.map((r) => [r[0], Number(r[2]), Number(r[3])]), listed.pointInTime.backups.map((b) => [b.name, b.fromRevision, b.toRevision]));
        assert.equal(listed.pointInTime.recoveryPoint?.revision, stored);
        assert.ok((await cells(page, '#backups-table tbody tr')).some((r) => r[2] === 'delta'));
        assert.equal((await cells(page, '#fleet-table tbody tr'))[0]?.[4], '0 ms', 'the fleet row shows the streaming daemon\'s lag');
      } finally {
        await close();
      }
    } finally {
      stop.abort();
      await done;
    }
  });

  test('daemon refuses to start when the dashboard token file is readable by group or others', async () => {
    const tokenFile = path.join(dir, 'token-open');
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    await chmod(tokenFile, 0o640);
    const text = (await readFile(configFile, 'utf8')).replace(/tokenFile: .*/, `tokenFile: ${tokenFile}`);
    const other = path.join(dir, 'config-open.yaml');
    await writeFile(other, text, { mode: 0o600 });
    const config = await loadConfig(other, process.env);
    await assert.rejects(runDaemon(config, { signal: new AbortController().signal, logger: silentLogger }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'dashboard-token-invalid');
      assert.match(err.message, /mode is 0640, readable by group or others/);
      return true;
    });
  });
});
