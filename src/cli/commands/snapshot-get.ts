/**
 * `kubekeeper snapshot get <file> <resource> [<namespace>/]<name>`: one object decoded from
 * a snapshot, as YAML or JSON, offline.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { getObject } from '../../inspect/index.js';
import { openBolt } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { objectDocument, renderDocument } from '../output/inspect.js';

export default defineCommand({
  name: 'snapshot get',
  summary: 'Show one Kubernetes object from a snapshot, decoded (offline)',
  args: '<file> <resource> [<namespace>/]<name>',
  minArgs: 3,
  maxArgs: 3,
  flags: {
    namespace: { type: 'string', short: 'n', valueName: 'NS', description: 'Namespace (instead of <namespace>/<name>)' },
    'write-out': writeOutFlag(['yaml', 'json'], 'yaml'),
  },
  details: [
    'Protobuf objects show apiVersion, kind and metadata by name; ConfigMap and Secret bodies by',
    'name too; other bodies as their protobuf fields by number (field2 = spec, field3 = status in',
    'most kinds). JSON objects (custom resources) are shown as stored. Values encrypted at rest',
    'are reported with their provider and key name. Custom resources: <plural>.<group>.',
  ].join('\n'),
  async run({ args, flags, io }) {
    const [path, resource, name] = args as [string, string, string];
    const file = await openSnapshotFile(path);
    try {
      const found = getObject(openBolt(file.ra), resource, name, flags.namespace);
      io.stdout.write(renderDocument(objectDocument(found.decoded, found.modRevision, found.key), flags['write-out'] as 'yaml' | 'json'));
    } finally {
      await file.close();
    }
  },
});
