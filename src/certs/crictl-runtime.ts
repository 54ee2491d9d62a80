/**
 * StaticPodRuntime backed by `crictl` (the CRI client kubeadm nodes have): running containers
 * are found by the labels the kubelet puts on every container it creates.
 * Not exercised against a real kubelet in this repository's tests (none is available there).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { childEnv } from '../child-env.js';
import { AppError, messageOf } from '../errors.js';
import type { StaticPodRuntime } from './static-pod-restart.js';

const run = promisify(execFile);
const CRICTL_TIMEOUT_MS = 30_000;
/** crictl's own settings; nothing else of kubekeeper's environment (its secrets included) reaches it. */
export const CRICTL_ENV_ALLOW: readonly string[] = ['CONTAINER_RUNTIME_ENDPOINT', 'IMAGE_SERVICE_ENDPOINT', 'CRI_CONFIG_FILE'];

/** A StaticPodRuntime that asks `crictl` (path or name on PATH) for running kube-system containers. */
export function createCrictlRuntime(crictl = 'crictl', env: NodeJS.ProcessEnv = process.env): StaticPodRuntime {
  return {
    async runningContainerIds(pod, signal) {
      const args = ['ps', '--quiet', '--state', 'Running',
        '--label', `io.kubernetes.container.name=${pod}`, '--label', 'io.kubernetes.pod.namespace=kube-system'];
      try {
        const { stdout } = await run(crictl, args, { timeout: CRICTL_TIMEOUT_MS, signal, env: childEnv(env, CRICTL_ENV_ALLOW) });
        return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
      } catch (err) {
        throw new AppError('crictl-failed', `Cannot list containers with "${crictl} ${args.join(' ')}": ${messageOf(err)}`, {
          cause: err, hint: 'Install crictl and point /etc/crictl.yaml at the runtime socket, or restart the static pods by hand (see the printed steps)',
        });
      }
    },
  };
}
