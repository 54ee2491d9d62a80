/**
 * Kubernetes and etcd version strings: "v1.29.3", "1.29.3", "v1.26.8-rancher1", "v1.29.3+k3s1",
 * image tags ("registry.k8s.io/kube-apiserver:v1.29.3", "registry.k8s.io/etcd:3.5.12-0").
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Anything after the patch ("-rc.1", "-0", "+rke2r1"), kept for display. */
  suffix: string;
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(.*)$/;

/** Parses a version; undefined when `text` is not one. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), suffix: m[4] ?? '' };
}

/** The version in a container image reference's tag, ignoring a digest. */
export function versionFromImage(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const withoutDigest = image.split('@')[0] as string;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  return parseVersion(tag) ? tag : undefined;
}

/** "v1.29.3" (Kubernetes style, always with v and without suffix). */
export function formatKubeVersion(v: Version): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

/** "v1.29" */
export function formatMinor(v: Version): string {
  return `v${v.major}.${v.minor}`;
}

/** Negative when a < b, by major, minor, patch (suffixes ignored). */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Minor versions from b to a (1.29 vs 1.28 = 1); majors count as 1000 minors. */
export function minorDistance(a: Version, b: Version): number {
  return (a.major - b.major) * 1000 + (a.minor - b.minor);
}

/** The oldest and newest of a list of versions. */
export function versionRange(versions: readonly Version[]): { oldest: Version; newest: Version } | undefined {
  if (versions.length === 0) return undefined;
  const sorted = [...versions].sort(compareVersions);
  return { oldest: sorted[0] as Version, newest: sorted[sorted.length - 1] as Version };
}
