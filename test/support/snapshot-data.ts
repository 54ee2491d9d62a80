/**
 * Helpers for snapshot tests against real etcd: load many keys fast (one etcdctl txn per
 * batch, value bytes as given), run the kubekeeper CLI in-process, and find pages of a
 * snapshot (branch, leaf, overflow) so tests can corrupt a chosen one.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { reportError, runCli } from '../../src/cli/main.js';
import { openBoltFile } from '../../src/snapshot/bolt-reader.js';
import { bucketRefs, leafNodes } from '../../src/snapshot/bolt-walk.js';
import { PageSet } from '../../src/snapshot/bolt-page.js';
import { randomAccessFromBytes } from '../../src/snapshot/index.js';
import type { EtcdProcess } from './etcd.js';

/** Puts all entries in one transaction (the server needs --max-txn-ops >= entries). */
export async function etcdctlTxnPut(member: Pick<EtcdProcess, 'clientFlags'>, entries: readonly [string, string][], extraArgs: string[] = []): Promise<void> {
  // etcdctl txn syntax: compares, blank line, success ops, blank line, failure ops.
  const script = `\n${entries.map(([k, v]) => `put ${k} ${JSON.stringify(v)}`).join('\n')}\n\n\n`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('etcdctl', [...member.clientFlags, ...extraArgs, 'txn', '--interactive=false'], { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out.startsWith('SUCCESS') ? resolve() : reject(new Error(`etcdctl txn failed (${code}): ${out.slice(0, 2000)}`))));
    child.stdin.end(script);
  });
}

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubekeeper <args>` in this process (main.ts's dispatch and error mapping), capturing output. */
export async function kubekeeperInProcess(args: readonly string[]): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk: Buffer, _enc, cb) { append(chunk.toString()); cb(); } });
  const io = { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), stdoutIsTTY: false, stderrIsTTY: false, env: {} };
  let code: number;
  try {
    code = await runCli(args, io, new AbortController().signal);
  } catch (err) {
    code = reportError(err, io);
  }
  return { code, stdout, stderr };
}

export interface SnapshotPages {
  pageSize: number;
  pgid: number;
  /** Root page of the `key` bucket (0 when inline) and whether it is a branch. */
  keyRoot: number;
  keyRootIsBranch: boolean;
  /** Leaf pages of the `key` bucket, in key order. */
  keyLeaves: number[];
  /** Key leaves that span overflow pages. */
  overflowLeaves: number[];
}

/** Where the `key` bucket lives in a bbolt image (read with kubekeeper's reader). */
export function describeKeyBucket(bytes: Uint8Array): SnapshotPages {
  const file = openBoltFile(randomAccessFromBytes(bytes));
  const pages = new PageSet(file.pgid);
  let keyValue: Uint8Array | undefined;
  for (const leaf of leafNodes(file, file.root, {}, pages)) {
    for (const ref of bucketRefs(leaf, true)) if (Buffer.from(ref.name).toString() === 'key') keyValue = ref.value;
  }
  if (!keyValue) throw new Error('no key bucket');
  const keyRoot = Number(Buffer.from(keyValue).readBigUInt64LE(0));
  const result: SnapshotPages = { pageSize: file.pageSize, pgid: file.pgid, keyRoot, keyRootIsBranch: false, keyLeaves: [], overflowLeaves: [] };
  if (keyRoot === 0) return result;
  result.keyRootIsBranch = Buffer.from(bytes).readUInt16LE(keyRoot * file.pageSize + 8) === 0x01;
  for (const leaf of leafNodes(file, keyRoot, {}, new PageSet(file.pgid))) {
    result.keyLeaves.push(leaf.pageId);
    if (leaf.bytes.length > file.pageSize) result.overflowLeaves.push(leaf.pageId);
  }
  return result;
}
