/**
 * `endpoint status --detail` and `defrag` output: the per-member view (in-use size,
 * fragmentation, quota use, alarms), the defrag plan with a decision and a reason per member,
 * and what a defrag run did. Tables for people, `-w json` for scripts (sizes in bytes).
 */
import type { DefragPlan, DefragResult, DefragStep, MemberDetail } from '../../maintenance/index.js';
import { formatIecBytes as formatSizeIEC } from './progress.js';
import { renderTable } from './table.js';
import { formatGoDuration } from './go-format.js';

export const DETAIL_FORMATS = ['table', 'json'] as const;
export type DetailFormat = (typeof DETAIL_FORMATS)[number];

/** A MemberDetail as JSON (IDs as hex, sizes in bytes). */
export function memberDetailJson(m: MemberDetail): Record<string, unknown> {
  return {
    endpoint: m.endpoint, id: m.memberId.toString(16), name: m.name, version: m.version, isLeader: m.isLeader, isLearner: m.isLearner,
    dbSizeBytes: m.dbSizeBytes, dbSizeInUseBytes: m.dbSizeInUseBytes, freeBytes: m.freeBytes, fragmentationPercent: m.fragmentationPercent,
    quotaBytes: m.quotaBytes, quotaSource: m.quotaSource, quotaPercent: m.quotaPercent, alarms: m.alarms, errors: m.errors,
  };
}

function detailRow(m: MemberDetail): string[] {
  const role = m.isLeader ? 'leader' : m.isLearner ? 'learner' : 'follower';
  const quota = `${formatSizeIEC(m.quotaBytes)}${m.quotaSource === 'assumed' ? '*' : ''}`;
  return [m.endpoint, m.name, m.memberId.toString(16), role, formatSizeIEC(m.dbSizeBytes), formatSizeIEC(m.dbSizeInUseBytes), `${m.fragmentationPercent}%`, quota, `${m.quotaPercent}%`, m.alarms.join(',') || '-'];
}

const DETAIL_HEADERS = ['endpoint', 'name', 'ID', 'role', 'db size', 'in use', 'fragmented', 'quota', 'quota used', 'alarms'];
const ASSUMED_NOTE = '* quota not reported by the member (etcd < 3.6): --quota-bytes assumed\n';

/** `endpoint status --detail`: one row per member (sizes in IEC units; `*` marks an assumed quota). */
export function renderMemberDetails(members: readonly MemberDetail[], format: DetailFormat): string {
  if (format === 'json') return `${JSON.stringify(members.map(memberDetailJson), null, 2)}\n`;
  const note = members.some((m) => m.quotaSource === 'assumed') ? ASSUMED_NOTE : '';
  return renderTable(DETAIL_HEADERS, members.map(detailRow), { align: 'left', border: 'box' }) + note;
}

function stepText(step: DefragStep): string {
  if (step.kind === 'move-leader') return `move the leadership from ${step.from.name || step.from.endpoint} (${step.from.memberId.toString(16)}) to ${step.to.name || step.to.endpoint} (${step.to.memberId.toString(16)}): ${step.reason}`;
  return `defragment ${step.member.name || step.member.memberId.toString(16)} at ${step.member.endpoint}${step.member.isLeader ? ' (leader)' : ''}: ${step.reason}`;
}

/** The `--dry-run` plan: the per-member decisions, then the numbered steps. */
export function renderDefragPlan(plan: DefragPlan, format: DetailFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({
      members: plan.decisions.map((d) => ({ ...memberDetailJson(d.member), defrag: d.defrag, reason: d.reason })),
      steps: plan.steps.map((s) => (s.kind === 'move-leader'
        ? { kind: s.kind, from: s.from.memberId.toString(16), to: s.to.memberId.toString(16), reason: s.reason }
        : { kind: s.kind, endpoint: s.member.endpoint, id: s.member.memberId.toString(16), reason: s.reason })),
    }, null, 2)}\n`;
  }
  const rows = plan.decisions.map((d) => [...detailRow(d.member).slice(0, 9), d.defrag ? 'defrag' : 'skip', d.reason]);
  const table = renderTable([...DETAIL_HEADERS.slice(0, 9), 'decision', 'reason'], rows, { align: 'left', border: 'box' });
  const steps = plan.steps.length === 0 ? 'Nothing to do: no member needs a defrag.\n' : `Plan (one member at a time, a health gate after each):\n${plan.steps.map((s, i) => `  ${i + 1}. ${stepText(s)}\n`).join('')}`;
  return table + (plan.decisions.some((d) => d.member.quotaSource === 'assumed') ? ASSUMED_NOTE : '') + steps;
}

/** What a defrag run did: etcdctl's "Finished defragmenting" line per member, leadership moves, skips, alarms. */
export function renderDefragResult(plan: DefragPlan, result: DefragResult, format: DetailFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({
      skipped: plan.decisions.filter((d) => !d.defrag).map((d) => ({ endpoint: d.member.endpoint, id: d.member.memberId.toString(16), reason: d.reason })),
      steps: result.steps.map((s) => ({
        kind: s.kind, endpoint: s.endpoint, id: s.memberId.toString(16), name: s.name, tookMs: s.tookMs,
        ...(s.toMemberId !== undefined ? { to: s.toMemberId.toString(16) } : {}), ...(s.before ? { before: s.before, after: s.after } : {}),
      })),
      disarmed: result.disarmed.map((a) => ({ memberId: a.memberId.toString(16), alarm: a.alarm })),
      kept: result.kept.map((k) => ({ memberId: k.alarm.memberId.toString(16), alarm: k.alarm.alarm, reason: k.reason })),
    }, null, 2)}\n`;
  }
  return [
    ...plan.decisions.filter((d) => !d.defrag).map((d) => `Skipped etcd member[${d.member.endpoint}]: ${d.reason}\n`),
    ...result.steps.map((s) => (s.kind === 'move-leader'
      ? `Leadership transferred from ${s.memberId.toString(16)} to ${s.toMemberId?.toString(16)}\n`
      : `Finished defragmenting etcd member[${s.endpoint}]. took ${formatGoDuration(s.tookMs)} (db size ${formatSizeIEC(s.before?.dbSizeBytes ?? 0)} -> ${formatSizeIEC(s.after?.dbSizeBytes ?? 0)})\n`)),
    ...result.disarmed.map((a) => `Disarmed alarm ${a.alarm} of member ${a.memberId.toString(16)}\n`),
    ...result.kept.map((k) => `Kept alarm ${k.alarm.alarm} of member ${k.alarm.memberId.toString(16)}: ${k.reason}\n`),
  ].join('');
}
