/**
 * The environment handed to a child process (the drill etcd, crictl, the operator's
 * `upgrade node --exec` command): an allowlist, never the whole environment. kubekeeper runs
 * with secrets in its own environment (KUBEKEEPER_PASSPHRASE, AWS_SECRET_ACCESS_KEY,
 * ETCDCTL_PASSWORD, ...), and a child has no business reading them: they would show in its
 * /proc/<pid>/environ, in its crash dumps and in whatever it spawns in turn.
 */

/** Variables every child gets when the parent has them: where programs are, locale, time zone, home. */
export const BASE_CHILD_ENV: readonly string[] = ['PATH', 'LANG', 'LANGUAGE', 'TZ', 'HOME'];

/**
 * The allowlisted part of `env`: BASE_CHILD_ENV, every LC_* locale variable, and the variables
 * named in `allow` (what that child needs, by name); then `set` on top (values kubekeeper itself
 * gives the child). Nothing else passes, whatever its name.
 */
export function childEnv(
  env: NodeJS.ProcessEnv = process.env, allow: readonly string[] = [], set: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const names = new Set([...BASE_CHILD_ENV, ...allow]);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (names.has(name) || /^LC_[A-Z_]+$/.test(name)) out[name] = value;
  }
  return { ...out, ...set };
}
