/**
 * Golden-file tests of the retention planner: each test/fixtures/retention/<case>.input.json
 * (now, policy, backups or a regular series) must plan exactly <case>.expected.txt.
 * Set UPDATE_GOLDEN=1 to rewrite the expected files after a reviewed change.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/support/paths.js';
import { type RetentionCandidate, type RetentionPlan, type RetentionPolicy, formatDuration, isoWeek, planRetention } from './retention.js';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'retention');

interface GoldenInput {
  now: string;
  policy: RetentionPolicy;
  backups?: { name: string; createdAt: string; verified: boolean }[];
  series?: { start: string; stepHours: number; count: number; prefix: string };
}

function candidates(input: GoldenInput): RetentionCandidate[] {
  const list = (input.backups ?? []).map((b) => ({ ...b, createdAt: new Date(b.createdAt) }));
  if (input.series) {
    const { start, stepHours, count, prefix } = input.series;
    for (let i = 0; i < count; i++) {
      const createdAt = new Date(Date.parse(start) + i * stepHours * 3_600_000);
      list.push({ name: `${prefix}${createdAt.toISOString().replace(/[-:]|\.\d+/g, '')}`, createdAt, verified: true });
    }
  }
  return list;
}

/** One line per decision, newest first: easy to review in a diff. */
function render(plan: RetentionPlan): string {
  const lines = plan.decisions.map((d) => `${d.action.padEnd(6)} ${d.createdAt.toISOString()} ${d.name}: ${d.reasons.join('; ')}`);
  return `${lines.join('\n')}\nkeep ${plan.keep.length}, remove ${plan.remove.length}\n`;
}

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.input.json')).sort()) {
  const name = file.slice(0, -'.input.json'.length);
  test(`planRetention matches the golden plan when the case is ${name}`, () => {
    const input = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as GoldenInput;
    const actual = render(planRetention(candidates(input), input.policy, new Date(input.now)));
    const expectedFile = path.join(FIXTURES, `${name}.expected.txt`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, actual);
    assert.equal(actual, readFileSync(expectedFile, 'utf8'));
  });
}

test('planRetention never removes the newest verified backup when every rule says remove', () => {
  const now = new Date('2024-01-10T00:00:00Z');
  const backups = [0, 1, 2].map((i) => ({ name: `b${i}`, createdAt: new Date(now.getTime() - i * 3_600_000), verified: i === 2 }));
  const plan = planRetention(backups, { keepLast: 0, keepDaily: 0 }, now);
  assert.deepEqual(plan.keep.map((d) => d.name), ['b2']);
  assert.deepEqual(plan.remove.map((d) => d.name), ['b0', 'b1']);
});

test('planRetention gives every decision at least one reason', () => {
  const now = new Date('2024-01-10T00:00:00Z');
  const backups = Array.from({ length: 50 }, (_, i) => ({ name: `b${i}`, createdAt: new Date(now.getTime() - i * 7_200_000), verified: true }));
  for (const d of planRetention(backups, { keepDaily: 2, keepLast: 3 }, now).decisions) assert.ok(d.reasons.length > 0, d.name);
});

test('planRetention rejects a negative or fractional count in the policy', () => {
  assert.throws(() => planRetention([], { keepLast: -1 }, new Date()), /keepLast must be a non-negative integer/);
  assert.throws(() => planRetention([], { keepDaily: 1.5 }, new Date()), /keepDaily/);
});

test('isoWeek puts the days around new year into the right ISO year', () => {
  assert.equal(isoWeek(new Date('2021-01-03T12:00:00Z')), '2020-W53');
  assert.equal(isoWeek(new Date('2021-01-04T00:00:00Z')), '2021-W01');
  assert.equal(isoWeek(new Date('2024-12-30T00:00:00Z')), '2025-W01');
  assert.equal(isoWeek(new Date('2024-12-29T23:59:59Z')), '2024-W52');
});

test('formatDuration shows the two largest units', () => {
  assert.equal(formatDuration(30 * 86_400_000), '30d');
  assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 5000), '3d4h');
  assert.equal(formatDuration(0), '0s');
});
