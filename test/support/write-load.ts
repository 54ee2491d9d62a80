/**
 * A continuous client write load on a cluster, shaped like Kubernetes' API servers on etcd
 * (clientv3 with every endpoint): several writers, each writing one small key after another;
 * each write has a 5 s budget, tries one member with a 1 s attempt timeout and, when that
 * member stalls (a defrag locks its backend) or drops the proposal (a leadership transfer is
 * under way), tries the next member, as clientv3's balancer would. A write that has not
 * succeeded when its budget runs out fails. Every retried attempt is counted and its reason
 * kept: the report shows what the clients went through, nothing is hidden.
 */
import { openEtcdClient, type EtcdClient } from '../../src/etcd/index.js';

export interface WriteLoadReport {
  writes: number;
  /** Writes that did not succeed within their budget, with the last error. */
  failures: string[];
  /** Attempts that failed and were retried on another member, and a sample of why. */
  retries: number;
  retryReasons: string[];
  /** The slowest successful write, start to success, in ms. */
  worstMs: number;
}

export interface WriteLoad {
  /** Stops the writers after their current write and reports. */
  stop(): Promise<WriteLoadReport>;
}

export interface WriteLoadOptions {
  /** Budget of one write; default 5000 ms. */
  timeoutMs?: number;
  /** Timeout of one attempt on one member; default 1000 ms. */
  attemptTimeoutMs?: number;
  writers?: number;
  prefix?: string;
  /**
   * false: each writer stays on one member (writer i on member i), one attempt per write with
   * the whole budget; shows how long a client that cannot fail over is stalled. Default true.
   */
  failover?: boolean;
}

export async function startWriteLoad(endpoints: readonly string[], options: WriteLoadOptions = {}): Promise<WriteLoad> {
  const budgetMs = options.timeoutMs ?? 5000;
  const failover = options.failover ?? true;
  const attemptMs = failover ? (options.attemptTimeoutMs ?? 1000) : budgetMs;
  const clients: EtcdClient[] = await Promise.all(endpoints.map((e) => openEtcdClient({ endpoints: [e], dialTimeoutMs: attemptMs, commandTimeoutMs: attemptMs }, e)));
  const report: WriteLoadReport = { writes: 0, failures: [], retries: 0, retryReasons: [], worstMs: 0 };
  let running = true;

  async function write(key: string, value: string, first: number): Promise<void> {
    const started = performance.now();
    let lastError = '';
    for (let attempt = 0; performance.now() - started < budgetMs; attempt++) {
      const client = clients[(failover ? first + attempt : first) % clients.length] as EtcdClient;
      try {
        await client.put(key, value);
        const took = performance.now() - started;
        if (took > budgetMs) report.failures.push(`${key}: succeeded only after ${took.toFixed(0)} ms`);
        report.writes++;
        report.worstMs = Math.max(report.worstMs, took);
        return;
      } catch (err) {
        lastError = `${client.endpoint}: ${err instanceof Error ? err.message : String(err)}`;
        report.retries++;
        if (report.retryReasons.length < 20) report.retryReasons.push(lastError);
      }
    }
    report.failures.push(`${key}: no success within ${budgetMs} ms (${lastError})`);
  }

  const writers = Array.from({ length: options.writers ?? clients.length }, async (_, w) => {
    for (let i = 0; running; i++) await write(`${options.prefix ?? '/load/'}w${w}/${i % 100}`, `value-${i}`, failover ? w + i : w);
  });
  return {
    async stop() {
      running = false;
      await Promise.all(writers);
      for (const c of clients) c.close();
      return report;
    },
  };
}
