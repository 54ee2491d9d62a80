/**
 * Peer URL lists as etcd parses them for restore (Go `types.NewURLs` / `types.NewURLsMap`,
 * spec §5.2). The canonical string of each URL feeds the member-ID hash, so it must be the
 * exact text Go's `url.String()` gives: scheme lower-cased, everything else as typed.
 * Pure: no DNS. Go compares advertised and cluster URLs after resolving host names when they
 * differ textually; kubekeeper never opens a connection during a restore, so they must match
 * as text (the usual case: both flags are generated from the same host names).
 */
import { AppError, ExitCode } from '../errors.js';

/** A restore flag value etcd would reject; the message is etcd's, the exit code is "usage". */
export class RestoreConfigError extends AppError {
  constructor(message: string, hint: string) {
    super('restore-config', message, { hint, exitCode: ExitCode.usage });
  }
}

const URL_HINT = 'Peer URLs look like http://10.0.0.1:2380 or https://etcd-1.example:2380 (scheme, host and port, no path)';

/** RFC 3986 scheme, then the rest; Go requires a letter first. */
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

/** Returns Go's `url.String()` of one peer URL, or throws RestoreConfigError with etcd's message. */
export function canonicalPeerUrl(input: string): string {
  const text = input.trim();
  const scheme = SCHEME_RE.exec(text);
  if (!scheme) throw new RestoreConfigError(`URL scheme must be http, https, unix, or unixs: ${text}`, URL_HINT);
  const name = (scheme[1] as string).toLowerCase();
  const rest = scheme[2] as string;
  if (!['http', 'https', 'unix', 'unixs'].includes(name)) {
    throw new RestoreConfigError(`URL scheme must be http, https, unix, or unixs: ${text}`, URL_HINT);
  }
  // unix sockets are paths: etcd checks neither host:port nor path for them.
  if (name === 'unix' || name === 'unixs') return `${name}:${rest}`;
  if (!rest.startsWith('//')) throw new RestoreConfigError(`URL address does not have the form "host:port": ${text}`, URL_HINT);
  const afterSlashes = rest.slice(2);
  const authorityEnd = afterSlashes.search(/[/?#]/);
  const authority = authorityEnd < 0 ? afterSlashes : afterSlashes.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : afterSlashes.slice(authorityEnd);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (!isHostPort(host)) throw new RestoreConfigError(`URL address does not have the form "host:port": ${text}`, URL_HINT);
  const path = /^[^?#]*/.exec(tail)?.[0] ?? '';
  if (path !== '') throw new RestoreConfigError(`URL must not contain a path: ${text}`, URL_HINT);
  return `${name}://${authority}${tail}`;
}

/**
 * Go's `net.SplitHostPort` succeeding, plus `url.Parse`'s numeric-port rule: "h:port" with one
 * colon, or "[v6]:port". An empty host or port is accepted, as Go does.
 */
function isHostPort(host: string): boolean {
  let port: string;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0 || host[close + 1] !== ':') return false;
    port = host.slice(close + 2);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon < 0 || host.indexOf(':') !== colon) return false;
    port = host.slice(colon + 1);
  }
  return /^[0-9]*$/.test(port);
}

/** Parses a list like `types.NewURLs`: canonical strings, sorted bytewise. */
export function parsePeerUrls(list: readonly string[]): string[] {
  if (list.length === 0) throw new RestoreConfigError('no valid URLs given', URL_HINT);
  return list.map(canonicalPeerUrl).sort(compareBytewise);
}

/**
 * Parses `--initial-cluster` like Go's `types.NewURLsMap`: comma-separated `name=url` items,
 * empty items skipped, a name repeated accumulates URLs, an item without "=" has URL "".
 */
export function parseInitialCluster(text: string): Map<string, string[]> {
  const raw = new Map<string, string[]>();
  for (const item of text.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    const url = eq < 0 ? '' : item.slice(eq + 1);
    raw.set(name, [...(raw.get(name) ?? []), url]);
  }
  const parsed = new Map<string, string[]>();
  for (const [name, urls] of raw) parsed.set(name, parsePeerUrls(urls));
  return parsed;
}

/** Go's `URLsMap.String()`: `name=url` pairs sorted as strings, joined by ",". */
export function formatInitialCluster(cluster: ReadonlyMap<string, readonly string[]>): string {
  const pairs: string[] = [];
  for (const [name, urls] of cluster) for (const url of urls) pairs.push(`${name}=${url}`);
  return pairs.sort(compareBytewise).join(',');
}

/** Bytewise order of the UTF-8 encodings, as Go's sort.Strings (UTF-16 order differs above U+FFFF). */
export function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
