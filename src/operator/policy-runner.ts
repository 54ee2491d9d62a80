/**
 * One EtcdBackupPolicy while this replica leads: its backup schedule (the daemon's scheduler,
 * slots from policy-schedule.ts), retention after each backup (runBackupOnce), the EtcdBackup
 * inventory, status conditions, Events and counters, and its drill schedule when it has one.
 * Before each slot the policy is read again: once it is deleted (or replaced by another of the
 * same name) no further backup starts. With spec.continuousDeltas the delta streamer runs
 * beside the schedules (policy-deltas.ts); a full backup it asks for goes through the same
 * serial job as the slots. Resolves when `signal` fires or the policy is gone.
 */
import { AppError, messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  type BackupRunResult, type Clock, type KubekeeperConfig, type RunBackupOptions, createSerialQueue, openConfiguredRepository, runBackupOnce, runConfiguredDrill, runSchedule,
} from '../daemon/index.js';
import type { RestoreDrillResult } from '../backup/index.js';
import type { Schedule } from '../schedule/index.js';
import { abortableSleep } from '../storage/index.js';
import { CONDITION, type ConditionInput, conditionMessage, setCondition } from './conditions.js';
import { syncInventory } from './inventory.js';
import { runPolicyDeltas, type StartDeltas } from './policy-deltas.js';
import type { OperatorApi } from './operator-api.js';
import { countersOf, type OperatorState } from './operator-state.js';
import { policyConfig } from './policy-config.js';
import { firstPolicySlot, parsePolicySchedule, slotBackupName, slotOfBackupName } from './policy-schedule.js';
import { CONTROLLER_NAME, type EtcdBackupPolicy, type EtcdBackupPolicyStatus, POLICY_TYPE } from './resources.js';

export interface PolicyRunContext {
  api: OperatorApi;
  logger: Logger;
  clock: Clock;
  state: OperatorState;
  /** This replica's identity (reportingInstance of its Events). */
  identity: string;
  /** Seams for tests; default the daemon's backup run and drill. */
  runBackup?: (config: KubekeeperConfig, options: RunBackupOptions) => Promise<BackupRunResult>;
  runDrill?: typeof runConfiguredDrill;
  startDeltas?: StartDeltas;
}

const codeOf = (err: unknown) => (err instanceof AppError ? err.code : 'internal');
/** Credentials come from the policy's Secrets only, never from the operator's environment. */
const NO_ENV: NodeJS.ProcessEnv = {};
/** Before trying again to read the Secrets the delta streamer needs. */
const DELTA_CONFIG_RETRY_MS = 10_000;
/** A drill starts etcd: it gets the PATH to find it, nothing else. */
const DRILL_ENV: NodeJS.ProcessEnv = process.env.PATH ? { PATH: process.env.PATH } : {};

/** Runs the policy until `signal` fires or the policy is deleted. */
export async function runPolicy(policy: EtcdBackupPolicy, ctx: PolicyRunContext, signal: AbortSignal): Promise<void> {
  const run = new PolicyRun(policy, ctx, signal);
  await run.run();
}

class PolicyRun {
  private readonly key: string;
  private readonly ns: string;
  private readonly prefix: string;
  private status: EtcdBackupPolicyStatus;
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;
  private readonly serial = createSerialQueue();
  private slot: Date | undefined;
  /** The newest good backup's etcd revision, as the last inventory listed it. */
  private newestRevision: number | undefined;

  constructor(private readonly policy: EtcdBackupPolicy, private readonly ctx: PolicyRunContext, outer: AbortSignal) {
    this.ns = policy.metadata.namespace ?? 'default';
    this.key = `${this.ns}/${policy.metadata.name}`;
    this.prefix = policy.spec.namePrefix ?? policy.metadata.name;
    this.status = { ...(policy.status ?? {}), observedGeneration: policy.metadata.generation };
    this.signal = AbortSignal.any([outer, this.stop.signal]);
  }

  async run(): Promise<void> {
    const { spec } = this.policy;
    let schedule: Schedule;
    let drillSchedule: Schedule | undefined;
    try {
      schedule = parsePolicySchedule(spec.schedule);
      drillSchedule = spec.drill ? parsePolicySchedule(spec.drill.schedule) : undefined;
    } catch (err) {
      await this.setConditions([{ type: CONDITION.ready, status: 'False', reason: 'InvalidSchedule', message: conditionMessage(messageOf(err)) }]);
      await this.event('Warning', 'InvalidSchedule', 'Validate', messageOf(err));
      return;
    }
    const conditions: ConditionInput[] = [];
    const hadDeltas = this.status.conditions?.some((c) => c.type === CONDITION.continuousDeltas) ?? false;
    if (spec.suspend && (spec.continuousDeltas || hadDeltas)) conditions.push({ type: CONDITION.continuousDeltas, status: 'False', reason: 'Suspended', message: 'spec.suspend is true: no deltas are streamed' });
    else if (spec.continuousDeltas) conditions.push({ type: CONDITION.continuousDeltas, status: 'Unknown', reason: 'Starting', message: 'The delta streamer is starting' });
    else if (hadDeltas) conditions.push({ type: CONDITION.continuousDeltas, status: 'False', reason: 'Disabled', message: 'spec.continuousDeltas is off: no deltas are streamed' });
    if (spec.suspend) {
      await this.setConditions([...conditions, { type: CONDITION.ready, status: 'False', reason: 'Suspended', message: 'spec.suspend is true: no backups are scheduled' }]);
      return;
    }
    const lastSlot = await this.refreshInventory();
    const first = firstPolicySlot(schedule, this.ctx.clock.now(), lastSlot);
    await this.setConditions([...conditions, { type: CONDITION.ready, status: 'True', reason: 'Scheduled', message: `Backups scheduled "${spec.schedule}" by ${this.ctx.identity}` }]);
    this.ctx.logger.log('info', 'policy.start', { policy: this.key, schedule: spec.schedule, first: first.toISOString(), repository: spec.repository.url });
    const loops = [runSchedule({
      name: `backup ${this.key}`, schedule, jitterMs: 0, firstPlanned: first,
      run: () => this.serial(() => this.backupSlot()),
      retry: { initialMs: 1000, maxMs: 60_000 },
      onNext: (at) => {
        this.slot = at;
        countersOf(this.ctx.state, this.key).nextAt = at;
        this.status.nextBackupTime = at.toISOString();
      },
    }, { clock: this.ctx.clock, signal: this.signal, random: () => 0 })];
    if (drillSchedule) {
      loops.push(runSchedule({
        name: `drill ${this.key}`, schedule: drillSchedule, jitterMs: 0, firstPlanned: firstPolicySlot(drillSchedule, this.ctx.clock.now()),
        run: () => this.serial(() => this.drill()),
      }, { clock: this.ctx.clock, signal: this.signal, random: () => 0 }));
    }
    if (spec.continuousDeltas) loops.push(this.deltas());
    await Promise.all(loops);
    this.ctx.logger.log('info', 'policy.stop', { policy: this.key });
  }

  /** True while the policy this run was started for still exists (same UID, not being deleted). */
  private async stillExists(): Promise<boolean> {
    const current = await this.ctx.api.get<EtcdBackupPolicy>(POLICY_TYPE, this.ns, this.policy.metadata.name);
    return current !== undefined && current.metadata.uid === this.policy.metadata.uid && !current.metadata.deletionTimestamp;
  }

  /** One slot; false (retry within the slot) when the backup failed. */
  private async backupSlot(): Promise<boolean> {
    const slot = this.slot;
    if (this.signal.aborted || !slot) return true;
    try {
      if (!(await this.stillExists())) {
        this.ctx.logger.log('info', 'policy.gone', { policy: this.key });
        this.stop.abort();
        return true;
      }
    } catch (err) {
      this.ctx.logger.log('warn', 'policy.read.failed', { policy: this.key, error: messageOf(err) });
      return false;
    }
    return this.backupNamed(slotBackupName(this.prefix, slot));
  }

  /** One backup of this name; false when it failed (reported in status and an Event). */
  private async backupNamed(name: string): Promise<boolean> {
    const counters = countersOf(this.ctx.state, this.key);
    let pc;
    try {
      pc = await policyConfig(this.policy, (ns, secret) => this.ctx.api.getSecretData(ns, secret));
      const result = await (this.ctx.runBackup ?? runBackupOnce)(pc.config, { signal: this.signal, logger: this.ctx.logger, env: NO_ENV, name, now: () => this.ctx.clock.now() });
      counters.successes++;
      counters.lastSuccessAt = this.ctx.clock.now();
      counters.lastBytes = result.bytes;
      this.status.lastBackup = result.backupName;
      this.status.lastBackupTime = this.ctx.clock.now().toISOString();
      this.status.lastSuccessfulBackupTime = this.status.lastBackupTime;
      await this.refreshInventory();
      await this.setConditions([{ type: CONDITION.lastBackup, status: 'True', reason: 'BackupSucceeded', message: `Backup "${result.backupName}" stored (${result.bytes} bytes); ${result.pruned.length} pruned, ${result.kept} kept` }]);
      await this.event('Normal', 'BackupSucceeded', 'Backup', `Backup "${result.backupName}" stored in ${this.policy.spec.repository.url} (${result.bytes} bytes, ${result.durationMs} ms)`);
      if (result.pruned.length) await this.event('Normal', 'BackupsPruned', 'Prune', `Retention removed ${result.pruned.join(', ')}`);
      return true;
    } catch (err) {
      if (this.signal.aborted) return true;
      if (codeOf(err) === 'backup-exists') {
        // Another replica stored this slot (it led before us): the slot is done, nothing to repeat.
        counters.slotsAlreadyStored++;
        this.ctx.logger.log('warn', 'backup.slot.stored', { policy: this.key, backup: name });
        return true;
      }
      counters.failures++;
      this.status.lastBackupTime = this.ctx.clock.now().toISOString();
      this.ctx.logger.log('error', 'policy.backup.failed', { policy: this.key, backup: name, code: codeOf(err), error: messageOf(err) });
      await this.setConditions([{ type: CONDITION.lastBackup, status: 'False', reason: 'BackupFailed', message: conditionMessage(messageOf(err)) }]);
      await this.event('Warning', 'BackupFailed', 'Backup', messageOf(err));
      return false;
    } finally {
      await pc?.close();
    }
  }

  /** The streamer, until the run stops; the policy's Secrets stay in their temp dir meanwhile. */
  private async deltas(): Promise<void> {
    while (!this.signal.aborted) {
      let pc;
      try {
        pc = await policyConfig(this.policy, (ns, secret) => this.ctx.api.getSecretData(ns, secret));
      } catch (err) {
        await this.setConditions([{ type: CONDITION.continuousDeltas, status: 'False', reason: 'StreamFailed', message: conditionMessage(messageOf(err)) }]);
        await abortableSleep(DELTA_CONFIG_RETRY_MS, this.signal).catch(() => undefined);
        continue;
      }
      try {
        if (this.signal.aborted) break;
        await runPolicyDeltas({
          config: pc.config, key: this.key, state: this.ctx.state, signal: this.signal, logger: this.ctx.logger, now: () => this.ctx.clock.now(), start: this.ctx.startDeltas,
          takeFullBackup: () => this.fullBackupNow(), report: (c) => this.setConditions([c]),
        });
      } finally {
        await pc.close();
      }
    }
  }

  /** A full backup the streamer asked for (none yet, or after a compaction gap); its revision. */
  private async fullBackupNow(): Promise<number> {
    const name = slotBackupName(this.prefix, this.ctx.clock.now());
    this.ctx.logger.log('info', 'policy.deltas.full', { policy: this.key, backup: name });
    const ok = await this.serial(() => this.backupNamed(name));
    if (!ok || this.newestRevision === undefined) {
      throw new AppError('delta-full-backup-failed', `The full backup "${name}" the delta streamer of EtcdBackupPolicy "${this.key}" needs failed`, { hint: `kubectl describe etcdbackuppolicy -n ${this.ns} ${this.policy.metadata.name} (see its BackupFailed Event)` });
    }
    return this.newestRevision;
  }

  private async drill(): Promise<void> {
    if (this.signal.aborted) return;
    const counters = countersOf(this.ctx.state, this.key);
    let pc;
    let result: RestoreDrillResult | undefined;
    let failure: string | undefined;
    try {
      pc = await policyConfig(this.policy, (ns, secret) => this.ctx.api.getSecretData(ns, secret));
      result = await (this.ctx.runDrill ?? runConfiguredDrill)(pc.config, { signal: this.signal, logger: this.ctx.logger, env: DRILL_ENV });
      if (!result.ok) failure = `Drill of "${result.backupName ?? 'latest'}" failed at ${result.failedStep ?? 'a step'}: ${result.reason ?? ''}`;
    } catch (err) {
      failure = messageOf(err);
    } finally {
      await pc?.close();
    }
    if (this.signal.aborted) return;
    if (failure === undefined) counters.drillSuccesses++;
    else counters.drillFailures++;
    const ok = failure === undefined;
    const message = ok ? `Drill restored "${result?.backupName ?? ''}" into a throwaway etcd and checked it` : (failure as string);
    await this.setConditions([{ type: CONDITION.lastDrill, status: ok ? 'True' : 'False', reason: ok ? 'DrillSucceeded' : 'DrillFailed', message: conditionMessage(message) }]);
    await this.event(ok ? 'Normal' : 'Warning', ok ? 'DrillSucceeded' : 'DrillFailed', 'Drill', message);
  }

  /** Lists the policy's backups, syncs the EtcdBackup objects; returns the newest slot stored. */
  private async refreshInventory(): Promise<Date | undefined> {
    try {
      const pc = await policyConfig(this.policy, (ns, secret) => this.ctx.api.getSecretData(ns, secret));
      try {
        const { repo, close } = await openConfiguredRepository(pc.config, NO_ENV, this.ctx.logger);
        try {
          const listing = await repo.listBackups(this.signal, this.ctx.clock.now());
          const mine = listing.backups.filter((b) => b.name.startsWith(`${this.prefix}-`));
          const change = await syncInventory(this.ctx.api, this.policy, mine);
          if (change.created.length || change.deleted.length) this.ctx.logger.log('info', 'inventory.synced', { policy: this.key, created: change.created.length, deleted: change.deleted.length });
          this.status.backupCount = mine.filter((b) => b.status === 'ok').length;
          const revisions = mine.filter((b) => b.status === 'ok').map((b) => b.manifest?.cluster.revision ?? 0);
          this.newestRevision = revisions.length ? Math.max(...revisions) : undefined;
          countersOf(this.ctx.state, this.key).backups = this.status.backupCount;
          const slots = mine.map((b) => slotOfBackupName(this.prefix, b.name)).filter((d): d is Date => d !== undefined);
          return slots.length ? new Date(Math.max(...slots.map((d) => d.getTime()))) : undefined;
        } finally {
          await close();
        }
      } finally {
        await pc.close();
      }
    } catch (err) {
      this.ctx.logger.log('warn', 'inventory.failed', { policy: this.key, code: codeOf(err), error: messageOf(err) });
      return undefined;
    }
  }

  private async setConditions(inputs: readonly ConditionInput[]): Promise<void> {
    const now = this.ctx.clock.now();
    let conditions = this.status.conditions;
    for (const c of inputs) conditions = setCondition(conditions, { ...c, observedGeneration: this.policy.metadata.generation }, now);
    this.status = { ...this.status, conditions };
    try {
      await this.ctx.api.patchStatus(POLICY_TYPE, this.ns, this.policy.metadata.name, this.status);
    } catch (err) {
      this.ctx.logger.log('warn', 'policy.status.failed', { policy: this.key, error: messageOf(err) });
    }
  }

  private async event(type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void> {
    const m = this.policy.metadata;
    try {
      await this.ctx.api.createEvent({
        regarding: { apiVersion: POLICY_TYPE.group + '/' + POLICY_TYPE.version, kind: POLICY_TYPE.kind, name: m.name, namespace: this.ns, uid: m.uid },
        type, reason, action, note, reportingController: CONTROLLER_NAME, reportingInstance: this.ctx.identity.slice(0, 128), eventTimeMs: this.ctx.clock.now().getTime(),
      });
    } catch (err) {
      this.ctx.logger.log('warn', 'event.failed', { policy: this.key, reason, error: messageOf(err) });
    }
  }
}
