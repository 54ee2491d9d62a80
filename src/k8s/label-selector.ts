/**
 * Label selectors in the text form kubectl accepts (`app=web,tier!=db,env in (a,b),!legacy`),
 * parsed and checked as the API server does, so a bad --pod-selector fails before any request.
 */

export type SelectorOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** Thrown for a selector the API server would reject; `message` says what is wrong. */
export class InvalidSelectorError extends Error {}

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): string {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (!NAME.test(name)) throw new InvalidSelectorError(`invalid label key "${key}"`);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) throw new InvalidSelectorError(`invalid label key prefix "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (value !== '' && !NAME.test(value)) throw new InvalidSelectorError(`invalid label value "${value}"`);
  return value;
}

/** Splits on commas that are not inside a parenthesised value set. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function parseTerm(term: string): LabelRequirement {
  if (term === '') throw new InvalidSelectorError('found empty requirement');
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = (set[3] as string).split(',').map((v) => checkValue(v.trim()));
    return { key: checkKey(set[1] as string), operator: set[2] as 'in' | 'notin', values };
  }
  if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim()), operator: '!', values: [] };
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(term);
  if (cmp) {
    const op = cmp[2] as string;
    const key = checkKey(cmp[1] as string);
    const value = (cmp[3] as string).trim();
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(value)) throw new InvalidSelectorError(`for "${op}" the value must be an integer, got "${value}"`);
      return { key, operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    return { key, operator: op === '!=' ? '!=' : '=', values: [checkValue(value)] };
  }
  if (/^\S+$/.test(term)) return { key: checkKey(term), operator: 'exists', values: [] };
  throw new InvalidSelectorError(`unable to parse requirement "${term}"`);
}

/** Parses a selector; the empty string selects everything. Throws InvalidSelectorError. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  if (text.trim() === '') return [];
  return splitTerms(text).map(parseTerm);
}

/** True when every requirement holds for `labels`. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> = {}): boolean {
  return requirements.every(({ key, operator, values }) => {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case '=':
      case 'in':
        return has && values.includes(value as string);
      case '!=':
      case 'notin':
        return !has || !values.includes(value as string);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt':
        if (!has || !/^-?\d+$/.test(value as string)) return false;
        return operator === 'gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
  });
}
