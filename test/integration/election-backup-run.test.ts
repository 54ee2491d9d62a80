/**
 * `backup run` on two "nodes" of one cluster (two configs with their own lock files, one etcd,
 * one repository) with `schedule.election: on`: while one run holds the election key the other
 * skips the slot with reason not-leader and exits 0; a winner killed with SIGKILL blocks the
 * slot only until its lease TTL ends. Run A is held inside its slot by its host lock (taken
 * here), so the overlap is certain, not timed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { acquireLock } from '../../src/daemon/index.js';
import { type CliResult, runKubekeeper } from '../support/cli.js';
import { type EtcdProcess, etcdctlOk, startEtcd } from '../support/etcd.js';

let etcd: EtcdProcess;
let dir: string;
let recipient: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kk-election-run-'));
  etcd = await startEtcd();
  const keyFile = path.join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  await etcdctlOk(etcd, ['put', '/registry/configmaps/default/c', 'v']);
});
after(async () => {
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Event { event: string; [field: string]: unknown }
const eventsOf = (out: string): Event[] => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);

async function writeConfig(node: string, repo: string): Promise<string> {
  const file = path.join(dir, `${node}-${repo}.yaml`);
  await writeFile(file, [
    'etcd:', `  endpoints: [${etcd.clientUrl}]`,
    'repository:', `  url: ${path.join(dir, repo)}`,
    'backup:', `  namePrefix: ${node}`, '  compression: gzip', `  recipients: [${recipient}]`, '  timeout: 2m',
    'schedule:', '  election: "on"', '  electionTtl: 3s',
    `lockFile: ${path.join(dir, `${node}.lock`)}`,
  ].join('\n'));
  return file;
}

/** Starts `backup run` and resolves once it has won the election (it then waits for its host lock). */
function startWinner(config: string): { child: Promise<ChildProcess>; won: Promise<Event>; done: Promise<CliResult> } {
  let spawned!: (c: ChildProcess) => void;
  const child = new Promise<ChildProcess>((resolve) => (spawned = resolve));
  let wonResolve!: (e: Event) => void;
  const won = new Promise<Event>((resolve) => (wonResolve = resolve));
  const done = runKubekeeper(['backup', 'run', '--config', config, '--wait', '60s'], {
    timeoutMs: 120_000,
    onSpawn: (c) => {
      spawned(c);
      let buffer = '';
      c.stdout?.on('data', (d: Buffer | string) => {
        buffer += d.toString();
        const e = eventsOf(buffer.slice(0, buffer.lastIndexOf('\n') + 1)).find((x) => x.event === 'election.won');
        if (e) wonResolve(e);
      });
    },
  });
  void done.then((r) => wonResolve({ event: 'exited-before-winning', stdout: r.stdout, stderr: r.stderr }));
  return { child, won, done };
}

test('two backup runs in one slot: exactly one runs, the other skips with reason not-leader', async () => {
  const lock = await acquireLock(path.join(dir, 'nodeA.lock'));
  const a = startWinner(await writeConfig('nodeA', 'repo1'));
  let released = false;
  try {
    const won = await a.won;
    assert.equal(won.event, 'election.won', JSON.stringify(won));
    const b = await runKubekeeper(['backup', 'run', '--config', await writeConfig('nodeB', 'repo1')]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stderr, '');
    const skipped = eventsOf(b.stdout).find((e) => e.event === 'backup.skipped');
    assert.equal(skipped?.reason, 'not-leader');
    assert.equal(skipped?.holder, won.identity);
    assert.deepEqual(eventsOf(b.stdout).map((e) => e.event), ['backup.run.start', 'backup.skipped'], 'the loser went on after losing');
    await lock.release();
    released = true;
    const ra = await a.done;
    assert.equal(ra.code, 0, ra.stderr);
    assert.ok(eventsOf(ra.stdout).some((e) => e.event === 'backup.run.done'));
    const names = await readdir(path.join(dir, 'repo1'), { recursive: true });
    assert.ok(names.some((n) => n.includes('nodeA')), names.join(', '));
    assert.ok(!names.some((n) => n.includes('nodeB')), names.join(', '));
    assert.equal(await etcdctlOk(etcd, ['get', '--prefix', '--keys-only', '/kubekeeper.io/']), '', 'the winner did not resign');
  } finally {
    if (!released) await lock.release();
  }
});

test('a winner killed with SIGKILL holds the slot until its lease TTL ends, then the other node runs', async () => {
  const lock = await acquireLock(path.join(dir, 'nodeA.lock'));
  try {
    const a = startWinner(await writeConfig('nodeA', 'repo2'));
    const won = await a.won;
    assert.equal(won.event, 'election.won', JSON.stringify(won));
    (await a.child).kill('SIGKILL');
    await a.done;
    const configB = await writeConfig('nodeB', 'repo2');
    const first = await runKubekeeper(['backup', 'run', '--config', configB]);
    assert.equal(eventsOf(first.stdout).find((e) => e.event === 'backup.skipped')?.holder, won.identity);
    // The dead winner's lease (3 s) expires: a later run wins. Bounded, not timed.
    let last = first;
    for (let i = 0; i < 30 && !eventsOf(last.stdout).some((e) => e.event === 'backup.run.done'); i++) {
      await sleep(300);
      last = await runKubekeeper(['backup', 'run', '--config', configB]);
    }
    assert.equal(last.code, 0, last.stderr);
    assert.ok(eventsOf(last.stdout).some((e) => e.event === 'backup.run.done'), last.stdout);
  } finally {
    await lock.release();
  }
});
