/**
 * The backup lock under real contention: several kubekeeper processes race for one lock file
 * (and for a stale lock left by a killed run); their critical sections must never overlap.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp.js';

const lockModule = fileURLToPath(new URL('../../src/daemon/lock.js', import.meta.url));

/** One contender: takes the lock `rounds` times, logging enter/exit lines around a short hold. */
const contender = `
import { appendFileSync } from 'node:fs';
const { acquireLock } = await import(process.env.KK_LOCK_MODULE);
const [file, log, rounds] = process.argv.slice(1);
for (let i = 0; i < Number(rounds); i++) {
  const lock = await acquireLock(file, { waitMs: 300000, pollMs: 1 });
  appendFileSync(log, 'enter ' + process.pid + '\\n');
  await new Promise((r) => setImmediate(r));
  appendFileSync(log, 'exit ' + process.pid + '\\n');
  await lock.release();
}
`;

function runContender(file: string, log: string, rounds: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', contender, file, log, String(rounds)], {
      env: { ...process.env, KK_LOCK_MODULE: lockModule }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

/** Checks the log alternates enter/exit of the same PID: no two holders at once. */
function assertNoOverlap(lines: string[]): void {
  for (let i = 0; i < lines.length; i += 2) {
    const [enter, exit] = [lines[i], lines[i + 1]];
    assert.match(enter ?? '', /^enter /, `line ${i + 1} should be an enter: ${lines.slice(Math.max(0, i - 2), i + 3).join(' | ')}`);
    assert.equal(exit, enter?.replace('enter', 'exit'), `two runs held the lock at once around line ${i + 1}: ${lines.slice(Math.max(0, i - 2), i + 3).join(' | ')}`);
  }
}

test('backup lock is never held by two of 6 contender processes at once, starting from a stale lock', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'backup.lock');
  const log = path.join(dir, 'holders.log');
  // A lock left by a killed run: its PID is gone.
  const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => dead.on('exit', r));
  await writeFile(file, `${JSON.stringify({ pid: dead.pid, hostname: os.hostname(), acquiredAt: '2024-01-01T00:00:00.000Z', token: 'dead' })}\n`);
  await writeFile(log, '');
  const rounds = 60;
  const codes = await Promise.all(Array.from({ length: 6 }, () => runContender(file, log, rounds)));
  assert.deepEqual(codes, Array(6).fill(0));
  const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  assert.equal(lines.length, 6 * rounds * 2);
  assertNoOverlap(lines);
});
