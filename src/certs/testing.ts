/**
 * Test doubles for certs' roles. The static pod runtime fake plays a kubelet that reacts at
 * once: a pod "runs" exactly while its manifest is in the manifests directory, and each
 * appearance after an absence is a new container ID.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StaticPodName } from './static-pod-names.js';
import type { StaticPodRuntime } from './static-pod-restart.js';

export interface FakeStaticPodRuntime extends StaticPodRuntime {
  /** What was observed, in order, e.g. "etcd running etcd-1", "etcd stopped". */
  observations: string[];
}

/** The fake for `manifestsDir`; read `observations` to assert the restart sequence. */
export function createManifestWatchingRuntime(manifestsDir: string): FakeStaticPodRuntime {
  const generation = new Map<StaticPodName, number>();
  const present = new Map<StaticPodName, boolean>();
  const observations: string[] = [];
  return {
    observations,
    async runningContainerIds(pod) {
      const now = existsSync(path.join(manifestsDir, `${pod}.yaml`));
      if (now && present.get(pod) !== true) generation.set(pod, (generation.get(pod) ?? 0) + 1);
      present.set(pod, now);
      const ids = now ? [`${pod}-${generation.get(pod)}`] : [];
      const line = now ? `${pod} running ${ids[0]}` : `${pod} stopped`;
      if (observations.at(-1) !== line) observations.push(line);
      return ids;
    },
  };
}
