/**
 * Flags of the commands that store their result as a run record in the repository (`drill`,
 * `backup verify`): the key that signs it and the opt-out. A record that cannot be stored
 * (read-only credentials) is a warning: the check itself still ran and its exit code stands.
 * The dashboard domain is loaded only when a record is written (a command's start-up stays small).
 */
import type { RestoreDrillResult, VerifyBackupResult } from '../backup/index.js';
import { loadSigningKey } from '../crypto/index.js';
import type { RunRecord } from '../dashboard/index.js';
import { messageOf } from '../errors.js';
import type { Backend } from '../storage/index.js';
import type { CliIo, FlagDef } from './command.js';

export const recordFlags = {
  'no-record': { type: 'boolean', description: 'Do not store the result in the repository as a run record (the dashboard\'s drill and verify history)' },
  'record-signing-key': {
    type: 'string', env: ['KUBEKEEPER_SIGNING_KEY'], valueName: 'FILE',
    description: 'Sign the run record with this key (made by "kubekeeper keygen --signing -o FILE"); readers trusting it count the record',
  },
} as const satisfies Record<string, FlagDef>;

type RecordFlagValues = { 'no-record': boolean; 'record-signing-key'?: string };
type Dashboard = typeof import('../dashboard/index.js');

/** Stores the record `make` builds unless --no-record; a failure is printed as a warning. */
async function storeRecord(flags: RecordFlagValues, io: Pick<CliIo, 'stderr'>, backend: Backend, make: (d: Dashboard) => RunRecord): Promise<void> {
  if (flags['no-record']) return;
  try {
    const dashboard = await import('../dashboard/index.js');
    const key = flags['record-signing-key'] ? await loadSigningKey(flags['record-signing-key']) : undefined;
    await dashboard.writeRunRecord(backend, make(dashboard), key);
  } catch (err) {
    io.stderr.write(`Warning: the result was not stored in the repository as a run record: ${messageOf(err)} (pass --no-record to skip it)\n`);
  }
}

export function storeDrillRecord(flags: RecordFlagValues, io: Pick<CliIo, 'stderr'>, backend: Backend, result: RestoreDrillResult): Promise<void> {
  return storeRecord(flags, io, backend, (d) => d.drillRunRecord(result));
}

export function storeVerifyRecord(flags: RecordFlagValues, io: Pick<CliIo, 'stderr'>, backend: Backend, result: VerifyBackupResult, startedAt: Date): Promise<void> {
  return storeRecord(flags, io, backend, (d) => d.verifyRunRecord(result, startedAt));
}
