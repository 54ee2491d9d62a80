/**
 * `kubekeeper snapshot get <file> <resource> [<namespace>/]<name>`: one object decoded from
 * a snapshot, as YAML or JSON, offline.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { getObject, K8S_SCHEMA_VERSION } from '../../inspect/index.js';
import { openBolt } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { objectDocument, renderDocument } from '../output/inspect.js';
import { namingSnapshot } from '../snapshot-open.js';

export default defineCommand({
  name: 'snapshot get',
  summary: 'Show one Kubernetes object from a snapshot, decoded (offline)',
  args: '<file> <resource> [<namespace>/]<name>',
  minArgs: 3,
  maxArgs: 3,
  flags: {
    namespace: { type: 'string', short: 'n', valueName: 'NS', description: 'Namespace (instead of <namespace>/<name>)' },
    'write-out': writeOutFlag(['yaml', 'json'], 'yaml'),
    'show-managed-fields': { type: 'boolean', description: 'Keep metadata.managedFields in the output (as kubectl --show-managed-fields)' },
  },
  details: [
    'Prints the object as `kubectl get -o json` (or -o yaml) would have at the snapshot\'s revision:',
    'built-in kinds stored as protobuf are decoded by field name from a schema table generated from',
    `k8s.io/api ${K8S_SCHEMA_VERSION} (scripts/gen-k8s-schema.mjs); kinds or fields the table lacks keep`,
    'their protobuf field numbers (field2 = spec in most kinds). JSON objects (custom resources) are',
    'shown as stored. resourceVersion is the key\'s mod revision. Values encrypted at rest are',
    'reported with their provider and key name. Custom resources: <plural>.<group>. The "kubekeeper"',
    'key says where and how the object was stored.',
  ].join('\n'),
  async run({ args, flags, io }) {
    const [path, resource, name] = args as [string, string, string];
    const file = await openSnapshotFile(path);
    try {
      const found = getObject(namingSnapshot(path, () => openBolt(file.ra)), resource, name, flags.namespace);
      const doc = objectDocument(found.decoded, found.modRevision, found.key, { showManagedFields: flags['show-managed-fields'] === true });
      io.stdout.write(renderDocument(doc, flags['write-out'] as 'yaml' | 'json'));
    } finally {
      await file.close();
    }
  },
});
