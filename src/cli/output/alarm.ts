/**
 * `alarm list` / `alarm disarm` output in etcdctl 3.7's formats: simple (each AlarmMember as
 * protobuf-go's text format prints it in the etcdctl 3.7.4 build: "memberID:N  alarm:NOSPACE"),
 * json (the AlarmResponse's Go JSON: header left out when absent, the alarm as its enum number)
 * and fields.
 */
import type { Alarm, AlarmList, AlarmType } from '../../etcd/index.js';
import { headerFields, headerJson } from './endpoint-status.js';
import { goJsonObject, omitZero } from './go-format.js';

export const ALARM_FORMATS = ['simple', 'json', 'fields'] as const;
export type AlarmFormat = (typeof ALARM_FORMATS)[number];

const ALARM_NUMBERS: Record<AlarmType, number> = { NONE: 0, NOSPACE: 1, CORRUPT: 2, UNKNOWN: 0 };
const EMPTY = { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };

function alarmJson(a: Alarm): string {
  return goJsonObject([['memberID', omitZero(a.memberId)], ['alarm', omitZero(ALARM_NUMBERS[a.alarm])]]);
}

/** An AlarmResponse as etcdctl 3.7 prints it in `format`. */
export function renderAlarms(list: AlarmList, format: AlarmFormat): string {
  if (format === 'json') {
    return `${goJsonObject([
      ['header', list.header && headerJson(list.header)],
      ['alarms', list.alarms.length === 0 ? undefined : `[${list.alarms.map(alarmJson).join(',')}]`],
    ])}\n`;
  }
  if (format === 'fields') {
    return headerFields(list.header ?? EMPTY) + list.alarms.map((a) => `"MemberID" : ${a.memberId}\n"AlarmType" : ${a.alarm}\n\n`).join('');
  }
  return list.alarms.map((a) => `memberID:${a.memberId}  alarm:${a.alarm}\n`).join('');
}
