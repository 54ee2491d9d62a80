/**
 * What `audit search` looks for, compiled twice: into byte strings that every matching line
 * must contain (so most lines are rejected without JSON.parse), and into the exact test on the
 * parsed event. The byte test may let a line through that the exact test rejects, never the
 * reverse. Pure.
 */
import type { AuditEvent } from './event.js';
import { resourcePatternMatches } from './policy-match.js';

/** Conditions are ANDed across fields and ORed within one field's list. */
export interface AuditFilter {
  verbs?: readonly string[];
  /** "pods", "pods/log", "pods/*", "*\/scale", or with a group: "deployments.apps". */
  resources?: readonly string[];
  names?: readonly string[];
  namespaces?: readonly string[];
  /** Matches the authenticated user or the impersonated one. */
  users?: readonly string[];
  stages?: readonly string[];
  /** Inclusive bounds on the event time (stageTimestamp), in microseconds since the epoch. */
  sinceMicros?: number;
  untilMicros?: number;
}

export interface CompiledFilter {
  /** Bytes every matching line contains; scanned for first because it is the most selective. */
  anchor: Buffer | undefined;
  /** Further byte conditions: a matching line contains at least one needle of each group. */
  needleGroups: readonly (readonly Buffer[])[];
  /** The exact test, on a parsed event and its time. */
  matches(event: AuditEvent, timeKey: number): boolean;
}

// Characters every JSON encoder writes as themselves. Go escapes < > & (HTML safety), others
// escape non-ASCII or quotes; a needle made of anything else could miss an escaped match.
const SAFE_CHAR = /^[\x20-\x7e]$/;
const UNSAFE = new Set(['"', '\\', '<', '>', '&', "'"]);
const MIN_PARTIAL_NEEDLE = 4;

/**
 * Bytes present in any JSON encoding of the string `value`: the quoted value when no encoder
 * would escape it, else its longest safely-encoded run, else nothing.
 */
export function jsonNeedle(value: string): Buffer | undefined {
  if (value === '') return undefined;
  const safe = (c: string) => SAFE_CHAR.test(c) && !UNSAFE.has(c);
  if ([...value].every(safe)) return Buffer.from(`"${value}"`);
  let best = '';
  let run = '';
  for (const c of value) {
    run = safe(c) ? run + c : '';
    if (run.length > best.length) best = run;
  }
  return best.length >= MIN_PARTIAL_NEEDLE ? Buffer.from(best) : undefined;
}

interface ResourceSelector {
  pattern: string;
  resource: string;
  group: string | undefined;
}

/** "deployments.apps/scale" -> resource pattern "deployments/scale" in group "apps". */
export function parseResourceSelector(text: string): ResourceSelector {
  const slash = text.indexOf('/');
  const base = slash < 0 ? text : text.slice(0, slash);
  const sub = slash < 0 ? '' : text.slice(slash);
  const dot = base.indexOf('.');
  const resource = dot < 0 ? base : base.slice(0, dot);
  return { pattern: resource + sub, resource, group: dot < 0 ? undefined : base.slice(dot + 1) };
}

function resourceMatches(selectors: readonly ResourceSelector[], ref: AuditEvent['objectRef']): boolean {
  if (!ref?.resource) return false;
  return selectors.some(
    (s) => (s.group === undefined || s.group === (ref.apiGroup ?? '')) && resourcePatternMatches(s.pattern, ref.resource as string, ref.subresource || undefined),
  );
}

function oneOf(list: readonly string[] | undefined, value: string | undefined): boolean {
  return !list?.length || (value !== undefined && list.includes(value));
}

/** The needles of one field, or undefined when some value has none (then bytes cannot rule a line out). */
function needlesOf(values: readonly string[] | undefined, toNeedleText: (v: string) => string | undefined = (v) => v): Buffer[] | undefined {
  if (!values?.length) return undefined;
  const needles: Buffer[] = [];
  for (const value of values) {
    const text = toNeedleText(value);
    const needle = text === undefined ? undefined : jsonNeedle(text);
    if (!needle) return undefined;
    needles.push(needle);
  }
  return needles;
}

/** Compiles `filter` for the line scanner. */
export function compileFilter(filter: AuditFilter): CompiledFilter {
  const selectors = (filter.resources ?? []).map(parseResourceSelector);
  const resourceNeedleText = (v: string) => {
    const s = parseResourceSelector(v);
    if (s.resource !== '*') return s.resource;
    // "*/scale": the subresource is the only literal.
    const sub = s.pattern.split('/')[1];
    return sub && sub !== '*' ? sub : undefined;
  };
  // Most selective first: one object name is rarer than a user, a user rarer than a verb.
  const groups = [
    needlesOf(filter.names),
    needlesOf(filter.users),
    needlesOf(filter.namespaces),
    needlesOf(filter.resources, resourceNeedleText),
    needlesOf(filter.verbs),
    needlesOf(filter.stages),
  ].filter((g): g is Buffer[] => g !== undefined);
  const anchorIndex = groups.findIndex((g) => g.length === 1);
  const anchor = anchorIndex < 0 ? undefined : groups[anchorIndex]?.[0];
  const needleGroups = groups.filter((_, i) => i !== anchorIndex);
  return {
    anchor,
    needleGroups,
    matches(event, timeKey) {
      if (filter.sinceMicros !== undefined && timeKey < filter.sinceMicros) return false;
      if (filter.untilMicros !== undefined && timeKey > filter.untilMicros) return false;
      if (!oneOf(filter.verbs, event.verb) || !oneOf(filter.stages, event.stage)) return false;
      if (!oneOf(filter.names, event.objectRef?.name) || !oneOf(filter.namespaces, event.objectRef?.namespace)) return false;
      if (filter.users?.length && !filter.users.some((u) => u === event.user?.username || u === event.impersonatedUser?.username)) return false;
      return !selectors.length || resourceMatches(selectors, event.objectRef);
    },
  };
}
