/**
 * Codecs for the Maintenance service: Status and Alarm (GET). Pure; field numbers from etcd's
 * rpc.proto. The Status request is an empty message; Snapshot responses are parsed as a
 * stream by snapshot-frames.ts.
 */
import { ProtoWriter, readFields, WireType } from '../protobuf/index.js';
import { decodeHeader, EMPTY_HEADER, int64Number, is, text } from './response-header.js';
import type { Alarm, AlarmType, DowngradeInfo, EndpointStatus, ResponseHeader } from './types.js';

export const EMPTY_MESSAGE: Uint8Array = new Uint8Array(0);

/** DowngradeInfo {enabled=1, targetVersion=2}. */
function decodeDowngradeInfo(buf: Uint8Array): DowngradeInfo {
  const info: DowngradeInfo = { enabled: false, targetVersion: '' };
  for (const f of readFields(buf)) {
    if (is(f, 1, WireType.varint)) info.enabled = f.varint !== 0n;
    else if (is(f, 2, WireType.bytes)) info.targetVersion = text(f);
  }
  return info;
}

/**
 * StatusResponse {header=1, version=2, dbSize=3, leader=4, raftIndex=5, raftTerm=6,
 * raftAppliedIndex=7, errors=8 repeated, dbSizeInUse=9, isLearner=10, storageVersion=11 (3.6),
 * dbSizeQuota=12 (3.6), downgradeInfo=13 (3.6; its presence matters: etcdctl's JSON prints
 * "downgradeInfo":{} for an empty one and nothing for an absent one)}.
 */
export function decodeStatusResponse(buf: Uint8Array, endpoint: string): EndpointStatus {
  let header: ResponseHeader = EMPTY_HEADER;
  const s = {
    version: '', dbSize: 0, dbSizeInUse: 0, leader: 0n, raftTerm: 0n, raftIndex: 0n, raftAppliedIndex: 0n, isLearner: false, errors: [] as string[],
    storageVersion: '', dbSizeQuota: 0,
  };
  let downgradeInfo: DowngradeInfo | undefined;
  for (const f of readFields(buf)) {
    if (f.wireType === WireType.bytes) {
      if (f.field === 1) header = decodeHeader(f.bytes);
      else if (f.field === 2) s.version = text(f);
      else if (f.field === 8) s.errors.push(text(f));
      else if (f.field === 11) s.storageVersion = text(f);
      else if (f.field === 13) downgradeInfo = decodeDowngradeInfo(f.bytes);
      continue;
    }
    if (f.wireType !== WireType.varint) continue;
    switch (f.field) {
      case 3: s.dbSize = int64Number(f); break;
      case 4: s.leader = f.varint; break;
      case 5: s.raftIndex = f.varint; break;
      case 6: s.raftTerm = f.varint; break;
      case 7: s.raftAppliedIndex = f.varint; break;
      case 9: s.dbSizeInUse = int64Number(f); break;
      case 10: s.isLearner = f.varint !== 0n; break;
      case 12: s.dbSizeQuota = int64Number(f); break;
    }
  }
  return { endpoint, header, memberId: header.memberId, clusterId: header.clusterId, ...s, ...(downgradeInfo ? { downgradeInfo } : {}) };
}

/** AlarmRequest {action=1 (GET=0), memberID=2 (0 = all members), alarm=3 (NONE=0)}: all zero. */
export function encodeAlarmGetRequest(): Uint8Array {
  return new ProtoWriter().finish();
}

const ALARM_TYPES: Record<string, AlarmType> = { 0: 'NONE', 1: 'NOSPACE', 2: 'CORRUPT' };

/** AlarmResponse {header=1, alarms=2 repeated AlarmMember {memberID=1, alarm=2}}. */
export function decodeAlarmResponse(buf: Uint8Array): Alarm[] {
  const alarms: Alarm[] = [];
  for (const f of readFields(buf)) {
    if (!is(f, 2, WireType.bytes)) continue;
    const alarm: Alarm = { memberId: 0n, alarm: 'NONE' };
    for (const g of readFields(f.bytes)) {
      if (is(g, 1, WireType.varint)) alarm.memberId = g.varint;
      else if (is(g, 2, WireType.varint)) alarm.alarm = ALARM_TYPES[g.varint.toString()] ?? 'UNKNOWN';
    }
    alarms.push(alarm);
  }
  return alarms;
}
