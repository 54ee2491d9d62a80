/**
 * Finds the audit events that match a filter in a stream of JSON-lines bytes without parsing
 * every line: it searches each chunk for the filter's anchor bytes and only decodes and parses
 * the lines that contain them (plus the other needles). Every other line gets a structural
 * check ("{...}") so that truncated or foreign lines are still counted as malformed. Lines are
 * split here, on raw bytes, across chunk boundaries of any size. Pure.
 */
import { parseAuditLine, type AuditEvent, type MalformedReason } from './event.js';
import type { CompiledFilter } from './search-filter.js';

/** Longest line accepted; longer ones (a runaway body) are counted as malformed and skipped. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** How many malformed lines are remembered with their line number, for the report. */
export const MALFORMED_SAMPLES = 5;

const NEWLINE = 0x0a;
const CR = 0x0d;

export interface MalformedSample {
  line: number;
  reason: MalformedReason;
}

/** Counters a scan updates as it goes; read them after (or during) the scan. */
export interface ScanStats {
  bytes: number;
  lines: number;
  /** Lines that were parsed because their bytes could match. */
  parsed: number;
  matched: number;
  malformed: number;
  malformedSamples: MalformedSample[];
}

export function emptyScanStats(): ScanStats {
  return { bytes: 0, lines: 0, parsed: 0, matched: 0, malformed: 0, malformedSamples: [] };
}

export interface ScanMatch {
  event: AuditEvent;
  /** Event time in microseconds since the epoch (see eventTimeKey). */
  timeKey: number;
  /** 1-based line number in the stream. */
  line: number;
}

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CR;
}

/** Cheap check for lines never parsed: a JSON object starts with "{" and ends with "}". */
function looksLikeObject(buf: Buffer, start: number, end: number): boolean {
  while (start < end && isBlank(buf[start])) start++;
  while (end > start && isBlank(buf[end - 1])) end--;
  return end > start && buf[start] === 0x7b && buf[end - 1] === 0x7d;
}

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isBlank(buf[i])) return false;
  return true;
}

class Scanner {
  private lineNo = 0;

  constructor(
    private readonly filter: CompiledFilter,
    readonly stats: ScanStats,
  ) {}

  malformed(reason: MalformedReason, line = this.lineNo): void {
    this.stats.malformed++;
    if (this.stats.malformedSamples.length < MALFORMED_SAMPLES) this.stats.malformedSamples.push({ line, reason });
  }

  private hasNeedles(line: Buffer): boolean {
    return this.filter.needleGroups.every((group) => group.some((needle) => line.indexOf(needle) >= 0));
  }

  /** Handles one candidate line [start, end) of `buf`. */
  private candidate(buf: Buffer, start: number, end: number, out: ScanMatch[]): void {
    if (!this.hasNeedles(buf.subarray(start, end))) {
      if (!looksLikeObject(buf, start, end)) this.malformed('not-json');
      return;
    }
    this.stats.parsed++;
    const parsed = parseAuditLine(buf.toString('utf8', start, end));
    if (!parsed.ok) return this.malformed(parsed.reason);
    if (!this.filter.matches(parsed.event, parsed.timeKey)) return;
    this.stats.matched++;
    out.push({ event: parsed.event, timeKey: parsed.timeKey, line: this.lineNo });
  }

  /** Scans the complete lines in [from, to) of `buf`; buf[to - 1] is a newline. */
  region(buf: Buffer, from: number, to: number, out: ScanMatch[]): void {
    const anchor = this.filter.anchor;
    let hit = anchor ? buf.indexOf(anchor, from) : -1;
    for (let pos = from; pos < to; ) {
      const nl = buf.indexOf(NEWLINE, pos);
      const next = nl < 0 || nl >= to ? to : nl + 1;
      const end = next - 1;
      this.lineNo++;
      this.stats.lines++;
      if (anchor && hit >= 0 && hit < pos) hit = buf.indexOf(anchor, pos);
      if (!anchor || (hit >= 0 && hit < end)) {
        if (!isBlankLine(buf, pos, end)) this.candidate(buf, pos, end, out);
      } else if (end > pos && !looksLikeObject(buf, pos, end) && !isBlankLine(buf, pos, end)) {
        this.malformed('not-json');
      }
      pos = next;
    }
  }

  /** A line without a trailing newline: the end of the stream, or one assembled from pieces. */
  line(line: Buffer, out: ScanMatch[]): void {
    const terminated = Buffer.concat([line, Buffer.of(NEWLINE)]);
    this.region(terminated, 0, terminated.length, out);
  }

  /** Counts a line dropped for its length. */
  tooLong(): void {
    this.lineNo++;
    this.stats.lines++;
    this.malformed('too-long');
  }
}

/**
 * Yields matching events in stream order. `stats` is updated while scanning. Chunks may be
 * of any size; a line longer than `maxLineBytes` is skipped and counted as malformed.
 */
export async function* scanAuditLines(
  chunks: AsyncIterable<Uint8Array>,
  filter: CompiledFilter,
  stats: ScanStats = emptyScanStats(),
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<ScanMatch> {
  const scanner = new Scanner(filter, stats);
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let skipping = false;
  const keep = (piece: Buffer) => {
    if (skipping) return;
    carry.push(piece);
    carryBytes += piece.length;
    if (carryBytes <= maxLineBytes) return;
    // Too long to be an event anyone wants to read: drop it and skip to its end.
    skipping = true;
    carry = [];
    carryBytes = 0;
    scanner.tooLong();
  };
  const out: ScanMatch[] = [];
  for await (const piece of chunks) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    stats.bytes += chunk.length;
    let start = 0;
    if (skipping || carryBytes > 0) {
      // Finish the line that began in an earlier chunk before scanning this one.
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        keep(chunk);
        continue;
      }
      if (!skipping) scanner.line(Buffer.concat([...carry, chunk.subarray(0, nl)]), out);
      carry = [];
      carryBytes = 0;
      skipping = false;
      start = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NEWLINE);
    if (lastNl >= start) scanner.region(chunk, start, lastNl + 1, out);
    const restStart = Math.max(start, lastNl + 1);
    if (restStart < chunk.length) keep(chunk.subarray(restStart));
    for (const match of out) yield match;
    out.length = 0;
  }
  if (carryBytes > 0) scanner.line(Buffer.concat(carry), out);
  yield* out;
}
