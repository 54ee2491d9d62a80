/** `kubekeeper alarm list`: the cluster's active alarms (NOSPACE, CORRUPT), in etcdctl 3.7's formats. */
import { connectMaintenance } from '../../etcd/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { ALARM_FORMATS, renderAlarms, type AlarmFormat } from '../output/alarm.js';

export default defineCommand({
  name: 'alarm list',
  summary: 'List the active etcd alarms (like etcdctl alarm list)',
  maxArgs: 0,
  flags: {
    ...etcdFlags,
    'write-out': writeOutFlag(ALARM_FORMATS, 'simple'),
  },
  async run({ flags, io, signal }) {
    const client = await connectMaintenance(etcdOptionsFromFlags(flags), signal);
    try {
      io.stdout.write(renderAlarms(await client.alarmList(), flags['write-out'] as AlarmFormat));
    } finally {
      client.close();
    }
  },
});
