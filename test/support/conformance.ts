/**
 * Records what the conformance suites proved against each real peer, for docs/compatibility.md
 * (written by scripts/compatibility.mjs from the last run's records).
 *
 * Every conformance check runs through `check`: it runs the body as a subtest and appends one
 * JSON line {suite, peer, version, capability, result, detail} to
 * `$KK_CONFORMANCE_OUT/<suite>.jsonl` (default dist/conformance/). A failing body is recorded as
 * "fail" and still fails the test; a missing peer is recorded as "skipped" with its reason.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { repoRoot } from './paths.js';

export interface ConformanceCase {
  /** The suite (one per peer family): "etcd", "kubernetes", "s3". */
  suite: string;
  /** The peer, e.g. "etcd", "kube-apiserver", "versitygw". */
  peer: string;
  version: string;
  /** What was proved, in a few words: "snapshot status = etcdutl (table)". */
  capability: string;
}

export type ConformanceResult = 'pass' | 'fail' | 'skipped';

export function conformanceOutDir(): string {
  return process.env.KK_CONFORMANCE_OUT || path.join(repoRoot, 'dist', 'conformance');
}

export function recordResult(c: ConformanceCase, result: ConformanceResult, detail?: string): void {
  const dir = conformanceOutDir();
  mkdirSync(dir, { recursive: true });
  const line = JSON.stringify({ ...c, result, ...(detail ? { detail: detail.slice(0, 300) } : {}), at: new Date().toISOString() });
  appendFileSync(path.join(dir, `${c.suite}.jsonl`), `${line}\n`);
}

/**
 * Runs one conformance check as a subtest of `t` and records its result. Pass `missing` (the
 * reason a peer is absent, from test/support/peers.ts) to record and skip instead of running.
 */
export async function check(
  t: TestContext,
  c: ConformanceCase,
  body: (t: TestContext) => Promise<void>,
  missing?: string,
): Promise<void> {
  await t.test(`${c.peer} ${c.version}: ${c.capability}`, async (st) => {
    if (missing !== undefined) {
      recordResult(c, 'skipped', missing);
      st.skip(missing);
      return;
    }
    try {
      await body(st);
    } catch (err) {
      recordResult(c, 'fail', err instanceof Error ? err.message.split('\n')[0] : String(err));
      throw err;
    }
    recordResult(c, 'pass');
  });
}
