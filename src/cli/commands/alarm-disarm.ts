/**
 * `kubekeeper alarm disarm`: deactivates every active alarm, one by one as etcdctl does, and
 * prints the alarms it deactivated in etcdctl 3.7's formats. A NOSPACE alarm comes back at the
 * next write if the db is still over its quota: defragment first (`kubekeeper defrag`).
 */
import { connectMaintenance, type Alarm } from '../../etcd/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { ALARM_FORMATS, renderAlarms, type AlarmFormat } from '../output/alarm.js';

export default defineCommand({
  name: 'alarm disarm',
  summary: 'Disarm all active etcd alarms (like etcdctl alarm disarm)',
  maxArgs: 0,
  flags: {
    ...etcdFlags,
    'write-out': writeOutFlag(ALARM_FORMATS, 'simple'),
  },
  async run({ flags, io, signal }) {
    const client = await connectMaintenance(etcdOptionsFromFlags(flags), signal);
    try {
      const disarmed: Alarm[] = [];
      for (const alarm of (await client.alarmList()).alarms) disarmed.push(...(await client.alarmDisarm(alarm)));
      // etcdctl merges the DEACTIVATE responses into one without a header.
      io.stdout.write(renderAlarms({ header: undefined, alarms: disarmed }, flags['write-out'] as AlarmFormat));
    } finally {
      client.close();
    }
  },
});
