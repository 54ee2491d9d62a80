/**
 * Parsing kube-apiserver's /livez and /readyz answers (spec §4.5). The HTTP status decides
 * (200 healthy, anything else not); the body, with ?verbose, names every check:
 * `[+]etcd ok`, `[+]ping excluded: ok`, `[-]etcd failed: reason withheld`, a `warn:` line for
 * unknown exclusions, and a last line `readyz check passed|failed`.
 */

export interface HealthCheck {
  name: string;
  ok: boolean;
  excluded: boolean;
  /** Text after the name: "ok", "failed: reason withheld". */
  detail: string;
}

export interface HealthEndpointResult {
  endpoint: 'livez' | 'readyz';
  statusCode: number;
  healthy: boolean;
  checks: HealthCheck[];
  /** Names of failed checks, in the server's order. */
  failed: string[];
  warnings: string[];
  /** The body when it is not a check list (e.g. "internal server error: ..."), trimmed. */
  message: string;
}

const CHECK_LINE = /^\[([+-])\](\S+) (.*)$/;

/** Parses one health endpoint reply. Pure. */
export function parseHealthReply(endpoint: 'livez' | 'readyz', statusCode: number, body: string): HealthEndpointResult {
  const checks: HealthCheck[] = [];
  const warnings: string[] = [];
  const other: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const m = CHECK_LINE.exec(line);
    if (m) {
      const detail = m[3] as string;
      checks.push({ name: m[2] as string, ok: m[1] === '+', excluded: detail.startsWith('excluded'), detail });
    } else if (line.startsWith('warn:')) warnings.push(line.slice(5).trim());
    else if (!/^(livez|readyz|healthz) check (passed|failed)$/.test(line)) other.push(line);
  }
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  return { endpoint, statusCode, healthy: statusCode === 200, checks, failed, warnings, message: other.join('\n') };
}
