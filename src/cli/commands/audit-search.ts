/** `kubekeeper audit search`: who did what, from kube-apiserver audit logs (plain, rotated, gzipped). */
import { followAuditLog, listAuditLogFiles, pickLiveFile, searchAuditLogs, timestampMicros, type AuditFilter, type AuditSearch } from '../../audit/index.js';
import { ExitCode, UsageError } from '../../errors.js';
import { defineCommand, writeOutFlag, type CliIo } from '../command.js';
import { parseDurationMs } from '../flags.js';
import { renderSearchLine, renderSearchSummary, renderSearchTable } from '../output/audit-search.js';

/** Table rows held before printing; bounds memory when a search matches millions of events. */
const TABLE_BATCH_ROWS = 1000;

/** --since/--until: an RFC 3339 time, a date, or a duration back from now ("2h"). */
function parseTimeFlag(name: string, text: string | undefined, nowMs: number): number | undefined {
  if (text === undefined) return undefined;
  const ago = parseDurationMs(text);
  if (ago !== undefined) return (nowMs - ago) * 1000;
  const exact = timestampMicros(text);
  if (exact !== undefined) return exact;
  const date = /^\d{4}-\d\d-\d\d$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (!Number.isNaN(date)) return date * 1000;
  throw new UsageError(`Invalid value for --${name}: "${text}"`, 'Use a time such as 2024-05-01T10:00:00Z, a date (2024-05-01, UTC) or a duration back from now (2h, 30m)');
}

/** True once stdout's reader went away (`| head`): then the search stops quietly. */
function watchStdout(io: CliIo): () => boolean {
  let closed = false;
  io.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return () => closed;
}

async function print(search: AuditSearch, json: boolean, follow: boolean, io: CliIo, closed: () => boolean): Promise<void> {
  let batch: Parameters<typeof renderSearchTable>[0][number][] = [];
  for await (const { event } of search.matches) {
    if (closed()) return;
    if (json) io.stdout.write(`${JSON.stringify(event)}\n`);
    else if (follow) io.stdout.write(renderSearchLine(event));
    else if (batch.push(event) >= TABLE_BATCH_ROWS) {
      io.stdout.write(renderSearchTable(batch));
      batch = [];
    }
  }
  if (batch.length > 0) io.stdout.write(renderSearchTable(batch));
}

export default defineCommand({
  name: 'audit search',
  summary: 'Find audit events: who deleted pod X, what did user Y change',
  args: '<files or dirs...>',
  minArgs: 1,
  maxArgs: Infinity,
  flags: {
    verb: { type: 'list', valueName: 'VERB', description: 'get, list, watch, create, update, patch, delete, deletecollection' },
    resource: { type: 'list', valueName: 'RESOURCE', description: 'pods, pods/log, pods/*, */scale, deployments.apps (as in policy rules: "pods" is not "pods/log")' },
    name: { type: 'list', valueName: 'NAME', description: 'Object name' },
    namespace: { type: 'list', short: 'n', valueName: 'NS', description: 'Object namespace' },
    user: { type: 'list', valueName: 'USER', description: 'User name, authenticated or impersonated' },
    stage: { type: 'list', valueName: 'STAGE', description: 'RequestReceived, ResponseStarted, ResponseComplete, Panic' },
    since: { type: 'string', valueName: 'TIME', description: 'Events at or after: RFC 3339 time, date, or duration ago (2h)' },
    until: { type: 'string', valueName: 'TIME', description: 'Events at or before (same forms as --since)' },
    follow: { type: 'boolean', short: 'f', description: 'Keep reading the live log for new events (Ctrl-C to stop)' },
    'write-out': writeOutFlag(['table', 'json'], 'table'),
  },
  details: [
    'Reads JSON-lines audit logs (--audit-log-format=json): files, or directories with the live',
    'log and its rotated and gzipped backups, from one or several API servers, merged in time order',
    '(by stageTimestamp). A flag given several times (or comma-separated) matches any of its',
    'values; different flags must all match. Malformed lines are counted and reported on stderr,',
    'never fatal. -w json prints the matching events, one JSON object per line.',
    'With --follow, the newest uncompressed file is followed through rotations.',
    'Exit code: 0 searched (matches or not), 1 a file could not be read completely.',
    'Example: kubekeeper audit search /var/log/kubernetes/audit --verb delete --resource pods --name web-0',
  ].join('\n'),
  async run({ args, flags, io, signal }) {
    const now = Date.now();
    const filter: AuditFilter = {
      verbs: flags.verb, resources: flags.resource, names: flags.name, namespaces: flags.namespace, users: flags.user, stages: flags.stage,
      sinceMicros: parseTimeFlag('since', flags.since, now), untilMicros: parseTimeFlag('until', flags.until, now),
    };
    const json = flags['write-out'] === 'json';
    const live = flags.follow ? pickLiveFile(await listAuditLogFiles(args)) : undefined;
    if (flags.follow && !live) throw new UsageError('Nothing to follow: no uncompressed audit log among the given paths', 'Pass the live log, e.g. /var/log/kubernetes/audit/audit.log');
    const closed = watchStdout(io);
    const started = performance.now();
    const history = await searchAuditLogs(args, filter, { signal, exclude: (f) => f.path === live?.path });
    await print(history, json, false, io, closed);
    const searches = [history];
    if (live && !closed()) {
      const followed = followAuditLog(live.path, filter, { signal });
      searches.push(followed);
      await print(followed, json, true, io, closed);
    }
    const stats = { files: searches.flatMap((s) => s.stats.files) };
    const summary = renderSearchSummary(stats, performance.now() - started);
    io.stderr.write(summary.text);
    if (summary.legacy) io.stderr.write('Hint: some lines are in the legacy format; kubekeeper reads --audit-log-format=json logs\n');
    return stats.files.some((f) => f.error) ? ExitCode.failure : ExitCode.ok;
  },
});
