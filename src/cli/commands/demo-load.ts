/**
 * `kubekeeper demo load`: writes the sample Kubernetes cluster state (protobuf objects as the
 * API server stores them) into a throwaway etcd, for the demo and for trying the snapshot
 * commands. It refuses any endpoint that is not on loopback and, since kubeadm's own etcd
 * listens on 127.0.0.1 too, unless --force also a target that uses client certificates or holds
 * any key demo load did not write (inspect/demo-guard.ts): fake objects never reach a real
 * cluster's etcd by mistake.
 */
import { connectEtcd, parseEndpoint } from '../../etcd/index.js';
import { AppError, UsageError } from '../../errors.js';
import { foreignContent, sampleApp, sampleBase, type SampleEntry } from '../../inspect/index.js';
import { defineCommand } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export default defineCommand({
  name: 'demo load',
  summary: 'Write a sample Kubernetes cluster state into a throwaway etcd on 127.0.0.1',
  flags: {
    app: { type: 'list', valueName: 'NAME=IMAGE', description: 'An application (Deployment, ReplicaSet, Pods, Service, ConfigMap); repeatable' },
    base: { type: 'boolean', description: 'Also write namespaces, a Secret, an Event, a custom resource and an encrypted Secret' },
    replicas: { type: 'number', default: 2, min: 0, integer: true, description: 'Pods per application' },
    force: { type: 'boolean', description: 'Write even when the etcd uses client certificates or holds keys demo load did not write' },
    ...etcdFlags,
  },
  async run({ flags, io, signal }) {
    const options = etcdOptionsFromFlags(flags);
    for (const endpoint of options.endpoints) {
      const { host } = parseEndpoint(endpoint, options);
      if (!isLoopback(host)) throw new UsageError(`Refusing to write demo data to "${endpoint}": not a loopback address`, 'Start a throwaway etcd on 127.0.0.1 for the demo');
    }
    const entries: SampleEntry[] = flags.base ? sampleBase() : [];
    for (const spec of flags.app) {
      const eq = spec.indexOf('=');
      if (eq <= 0) throw new UsageError(`Invalid --app "${spec}"`, 'Use --app NAME=IMAGE, e.g. --app nginx=nginx:1.25');
      entries.push(...sampleApp({ name: spec.slice(0, eq), image: spec.slice(eq + 1), replicas: flags.replicas }));
    }
    if (entries.length === 0) throw new UsageError('Nothing to write', 'Pass --base and/or --app NAME=IMAGE');
    const refuse = (why: string) => new AppError('demo-target-not-throwaway', `Refusing to write demo data to "${options.endpoints.join(',')}": ${why}`, {
      hint: 'Start a throwaway etcd on 127.0.0.1 for the demo (scripts/demo.sh shows how), or pass --force if this etcd really is one',
    });
    // A client certificate is what a kubeadm etcd demands; a demo etcd has no need for one.
    if (!flags.force && options.certFile) throw refuse('it is reached with a client certificate (--cert), as a real cluster\'s etcd is');
    const client = await connectEtcd(options, signal);
    try {
      const why = flags.force ? undefined : await foreignContent(client, signal);
      if (why !== undefined) throw refuse(why);
      for (const e of entries) await client.put(e.key, e.value);
    } finally {
      client.close();
    }
    io.stdout.write(`Wrote ${entries.length} objects to ${client.endpoint}\n`);
  },
});
