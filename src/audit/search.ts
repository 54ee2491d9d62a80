/**
 * `audit search`: finds the events that match a filter in audit log files (plain, rotated,
 * gzipped, from one or several API servers) and yields them in time order. Streams: memory
 * stays flat whatever the size of the logs; one bad line or one damaged file never stops the
 * search, it is counted and reported.
 */
import { AbortedError } from '../errors.js';
import { emptyScanStats, scanAuditLines, type ScanMatch, type ScanStats } from './line-scanner.js';
import { firstEventMicros, listAuditLogFiles, readLogChunks, type AuditLogFile } from './log-files.js';
import { mergeByTime } from './merge.js';
import { compileFilter, type AuditFilter, type CompiledFilter } from './search-filter.js';

export interface SearchMatch extends ScanMatch {
  file: string;
}

export interface FileSearchStats extends ScanStats {
  path: string;
  /** Why reading stopped early (a damaged gzip stream, an I/O error). */
  error?: string;
  /** Not read: its first event is after --until. */
  skipped?: boolean;
}

export interface SearchStats {
  files: FileSearchStats[];
}

export interface AuditSearch {
  /** The matching events, oldest first. Iterate once. */
  matches: AsyncIterable<SearchMatch>;
  /** Filled in while `matches` is consumed. */
  stats: SearchStats;
}

export interface SearchOptions {
  signal?: AbortSignal;
  /** Files not to search (the live file that --follow reads itself). */
  exclude?: (file: AuditLogFile) => boolean;
}

/** Sums per-file counters. */
export function totalStats(stats: SearchStats): ScanStats & { files: number; fileErrors: number } {
  const total = { ...emptyScanStats(), files: stats.files.filter((f) => !f.skipped).length, fileErrors: 0 };
  for (const f of stats.files) {
    total.bytes += f.bytes;
    total.lines += f.lines;
    total.parsed += f.parsed;
    total.matched += f.matched;
    total.malformed += f.malformed;
    if (f.error) total.fileErrors++;
  }
  return total;
}

/** Scans one stream of chunks; an error ends this file only, never the search. */
export async function* scanSource(
  chunks: AsyncIterable<Uint8Array>,
  label: string,
  filter: CompiledFilter,
  stats: FileSearchStats,
  signal: AbortSignal | undefined,
): AsyncGenerator<SearchMatch> {
  try {
    for await (const match of scanAuditLines(chunks, filter, stats)) yield { ...match, file: label };
  } catch (err) {
    if (signal?.aborted) throw new AbortedError('Audit log search');
    stats.error = (err as Error).message;
  }
}

/** Starts a search; files are listed and their first timestamps read before this resolves. */
export async function searchAuditLogs(paths: readonly string[], filter: AuditFilter, options: SearchOptions = {}): Promise<AuditSearch> {
  const { signal } = options;
  const compiled = compileFilter(filter);
  const files = (await listAuditLogFiles(paths)).filter((f) => !options.exclude?.(f));
  const stats: SearchStats = { files: [] };
  const sources = [];
  for (const file of files) {
    if (signal?.aborted) throw new AbortedError('Audit log search');
    const fileStats: FileSearchStats = { ...emptyScanStats(), path: file.path };
    stats.files.push(fileStats);
    const firstKey = await firstEventMicros(file);
    // Events are written in time order: a file that starts after --until holds nothing wanted.
    if (filter.untilMicros !== undefined && firstKey > filter.untilMicros) {
      fileStats.skipped = true;
      continue;
    }
    sources.push({ firstKey, open: () => scanSource(readLogChunks(file, signal), file.path, compiled, fileStats, signal) });
  }
  return { matches: mergeByTime(sources, (m) => m.timeKey), stats };
}
