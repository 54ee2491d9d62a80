/**
 * `kubekeeper snapshot ls <file>`: the Kubernetes objects a snapshot holds, read offline
 * from the file at the latest live revision of every key.
 */
import { openSnapshotFile } from '../../backup/index.js';
import { countObjects, listObjects } from '../../inspect/index.js';
import { openBolt } from '../../snapshot/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { renderCountTable, renderObjectTable, toJson, writeJsonArray } from '../output/inspect.js';
import { namingSnapshot } from '../snapshot-open.js';

export default defineCommand({
  name: 'snapshot ls',
  summary: 'List the Kubernetes objects inside a snapshot (offline)',
  args: '<file>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    resource: { type: 'string', valueName: 'RESOURCE', description: 'Only this resource (deployments, deploy, pods, crontabs, ...)' },
    namespace: { type: 'string', short: 'n', valueName: 'NS', description: 'Only this namespace' },
    summary: { type: 'boolean', description: 'Counts per resource instead of the objects' },
    'write-out': writeOutFlag(['table', 'json'], 'table'),
  },
  details: 'Objects deleted before the snapshot and older revisions are not listed. REVISION is the\nobject\'s resourceVersion (its etcd mod revision). Encrypted values are listed with their provider.',
  async run({ args, flags, io }) {
    const file = await openSnapshotFile(args[0] as string);
    try {
      const db = namingSnapshot(args[0] as string, () => openBolt(file.ra));
      const filter = { resource: flags.resource, namespace: flags.namespace };
      if (flags.summary) {
        const counts = countObjects(db, filter);
        io.stdout.write(flags['write-out'] === 'json' ? toJson(counts) : renderCountTable(counts));
      } else {
        const objects = listObjects(db, filter);
        if (flags['write-out'] === 'json') await writeJsonArray(io.stdout, objects);
        else io.stdout.write(renderObjectTable(objects, new Date()));
      }
    } finally {
      await file.close();
    }
  },
});
