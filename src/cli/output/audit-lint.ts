/** Renders `audit lint` findings like a compiler: file:line:column: severity: message [code]. */
import type { LintFinding } from '../../audit/index.js';

export function renderLintText(file: string, findings: readonly LintFinding[], ruleCount: number | undefined): string {
  if (findings.length === 0) return `${file}: no problems found${ruleCount === undefined ? '' : ` (${ruleCount} rule${ruleCount === 1 ? '' : 's'})`}\n`;
  const lines = findings.map((f) => `${file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${lines.join('\n')}\n${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`;
}

/** The JSON shape scripts read: stable field names, the path as a dotted string. */
export function lintJson(file: string, findings: readonly LintFinding[]): object {
  return {
    file,
    findings: findings.map((f) => ({ line: f.line, column: f.column, severity: f.severity, code: f.code, path: f.path.join('.'), message: f.message })),
  };
}
