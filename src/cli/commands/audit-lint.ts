/** `kubekeeper audit lint <policy.yaml>`: finds audit policy mistakes, with line numbers. */
import { readFile } from 'node:fs/promises';
import { lintPolicy } from '../../audit/index.js';
import { AppError, ExitCode, fileErrorText } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { lintJson, renderLintText } from '../output/audit-lint.js';

/** Policies are small; anything bigger is not a policy. */
const MAX_POLICY_BYTES = 4 * 1024 * 1024;

async function readPolicyText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStdin() : await readFile(file);
  } catch (err) {
    throw new AppError('audit-policy-unreadable', `Cannot read audit policy "${file}": ${fileErrorText(err)}`, { hint: 'Pass the policy file that kube-apiserver\'s --audit-policy-file names', cause: err });
  }
  if (bytes.length > MAX_POLICY_BYTES) throw new AppError('audit-policy-too-big', `Cannot lint "${file}": ${bytes.length} bytes is not an audit policy`);
  return bytes.toString('utf8');
}

async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export default defineCommand({
  name: 'audit lint',
  summary: 'Check an audit policy for mistakes (shadowed rules, leaked Secrets, typos)',
  args: '<policy.yaml>',
  minArgs: 1,
  flags: { 'write-out': writeOutFlag(['text', 'json'], 'text') },
  details: [
    'Reports, with line numbers: what stops kube-apiserver from loading the policy (bad levels,',
    'stages, groups, URLs, no rules); unknown fields (ignored by the API server, usually typos);',
    'rules that can never apply because an earlier rule matches all their requests (the first',
    'match wins); Secrets, service account tokens and TokenReviews logged with bodies; a resource',
    'like "pods" listed as if it covered "pods/log" or "pods/exec"; no catch-all rule at the end.',
    'Use "-" to read the policy from stdin. Exit code: 0 clean, 3 findings, 1 unreadable file.',
  ].join('\n'),
  async run({ args, flags, io }) {
    const file = args[0] as string;
    const { findings, policy } = lintPolicy(await readPolicyText(file));
    io.stdout.write(flags['write-out'] === 'json' ? `${JSON.stringify(lintJson(file, findings), null, 2)}\n` : renderLintText(file, findings, policy?.rules.length));
    return findings.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
});
