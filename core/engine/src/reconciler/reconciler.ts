/**
 * The reconciler: turns {@link DesiredConfigs} into device state, per device one session and one transaction per
 * pass, two-phase across devices, with per-VPC blast radius, a journal for crash-restart, and backoff.
 *
 * ## A pass
 *
 * 1. **Lock** every device of the pass in the in-process lock table (sorted order; single writer per device).
 * 2. **Prepare**, all devices in parallel: connect, observe, decode the desired config with the port vocabulary's
 *    codec, **mask** it (objects of excluded VPCs are taken from the observation, so they are neither created,
 *    changed nor deleted), plan. Excluded VPCs: `desired.failedVpcs`, plus, for this pass, every VPC a device that
 *    could not be prepared *touches* (its desired and, if read, observed objects: we cannot know which of them
 *    would have changed). Devices whose plan carries a newly excluded VPC are planned again without it (no device
 *    call: the observation is reused), so an unreachable device holds back its VPCs everywhere, not everything.
 * 3. An empty plan ⇒ `unchanged`: no apply call, no store write. `dryRun` stops here (`planned` / `unchanged`).
 * 4. **Journal** the intent (`reconcile/pass/<id>`: every non-empty change set, `reconcile.begin`) before any write.
 * 5. **Apply + verify**, in parallel: journal `applying`, apply with `confirmWithinSec`, journal the transaction id,
 *    observe again and check every planned key (created/updated ⇒ equals the planned object; deleted ⇒ absent).
 *    A failure (apply error, verify mismatch) rolls that device back (`failed`; `LockedError` ⇒ `skipped`).
 * 6. **Compensate**: a VPC fails in this pass when a device transaction carrying it failed, was skipped or was
 *    compensated. Every applied, unconfirmed device whose change set carries a failed VPC is rolled back
 *    (`compensated`) — its whole transaction, so the *other* VPCs it carried fail too; this repeats to a fixed
 *    point. A device transaction carrying VPCs a and b that fails makes a and b failed for this pass. Changes of
 *    shared objects (VPC undefined) carry no VPC: they never spread a failure.
 * 7. **Confirm** the rest, in parallel, only after every device is verified (two-phase). Each confirm is journaled
 *    with the device's verified config as its last applied config. A confirm that fails leaves that device
 *    `failed` (the device has reverted); devices already confirmed stay — the next pass converges (level-triggered).
 * 8. **End**: delete the pass record (`reconcile.end`), close the sessions, release the locks, update backoff.
 *
 * Errors are caught per device; sessions are always closed; one device never blocks another. The only error that
 * escapes `reconcile` is a crash injected through `faultHook` (and a store failure writing the intent record, which
 * is reported per device instead).
 * @packageDocumentation
 */
import {
  CommitError,
  ErrorCode,
  InputError,
  NotFoundError,
  configEquals,
  decodeOrThrow,
  fabricVocabulary,
  firewallVocabulary,
  isNetloomError,
  loadBalancerVocabulary,
  vswitchVocabulary,
  type Change,
  type ChangeSet,
  type ConfigObject,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type DeviceSession,
  type DeviceVocabulary,
  type JsonValue,
  type Logger,
  type StorePort,
  type Transaction,
} from '@netloom/ports';
import type { DesiredConfigs, DeviceDesired, DeviceReport, ReconcileReport, VpcOfObject } from '../pipeline/pipeline.types';
import { processDeviceLocks } from './device-locks';
import { PassJournal, appliedKey, passKey, readLastApplied, unfinishedPasses, type LastApplied, type PassRecord } from './journal';
import {
  DEFAULT_RETRY,
  systemClock,
  type Clock,
  type DeviceDrift,
  type DeviceLockTable,
  type DriftEntry,
  type Fence,
  type DriftReport,
  type JournaledDevice,
  type ProgressEvent,
  type ReconcileOptions,
  type ReconcilerOptions,
  type RecoveredDevice,
  type RecoverReport,
  type RetryOptions,
} from './reconciler.types';

type AnyVocabulary = DeviceVocabulary<DevicePortKind, DeviceConfig, unknown>;

const VOCABULARIES: Readonly<Record<DevicePortKind, AnyVocabulary>> = {
  fabric: fabricVocabulary as unknown as AnyVocabulary,
  vswitch: vswitchVocabulary as unknown as AnyVocabulary,
  firewall: firewallVocabulary as unknown as AnyVocabulary,
  loadBalancer: loadBalancerVocabulary as unknown as AnyVocabulary,
};

/** The vocabulary of a device port. */
export function vocabularyOf(port: DevicePortKind): AnyVocabulary {
  return VOCABULARIES[port];
}

/** Default confirmed-commit window (seconds). */
export const DEFAULT_CONFIRM_WITHIN_SEC = 120;

/** The delay before retry number `failures` (1-based): `min(maxMs, baseMs · 2^(failures-1))`. */
export function backoffDelayMs(failures: number, retry: RetryOptions): number {
  if (failures <= 0) return 0;
  return Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(failures - 1, 52));
}

interface ErrorSummary {
  readonly code: string;
  readonly message: string;
}

function summarize(e: unknown): ErrorSummary {
  if (isNetloomError(e)) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

const isLocked = (e: unknown): boolean => isNetloomError(e) && e.code === ErrorCode.DEVICE_LOCKED;

/** Work on one device in one pass. */
interface Work {
  readonly name: string;
  readonly desired: DeviceDesired;
  readonly port: DevicePortKind;
  readonly driver: DeviceDriver<DeviceConfig> | undefined;
  session?: DeviceSession<DeviceConfig>;
  decoded?: DeviceConfig;
  observed?: DeviceConfig;
  changeSet?: ChangeSet;
  /** VPCs the (final) change set carries. */
  vpcs: string[];
  /** VPCs the device's desired / observed objects belong to (what a failure before planning holds back). */
  touches: Set<string>;
  /** VPCs the first plan carried but a replan held back (another device failed them). */
  heldBack: string[];
  /** The device could not be prepared (or replanned): every VPC it touches fails for this pass. */
  spreads?: boolean;
  tx?: Transaction;
  verified?: DeviceConfig;
  outcome?: DeviceReport['outcome'];
  error?: ErrorSummary;
}

/** One pass's shared state. */
interface Pass {
  readonly id: string;
  readonly opts: ReconcileOptions;
  journal?: PassJournal;
  /** Set once a fault hook crashed the pass: no device call or store write after it. */
  crashed?: unknown;
}

/** Per-device retry state. */
interface RetryState {
  failures: number;
  nextRetryAt: number;
}

/** See the module documentation. */
export class Reconciler {
  readonly #drivers: ReadonlyMap<string, DeviceDriver<DeviceConfig>>;
  readonly #store: StorePort;
  readonly #vpcOfObject: VpcOfObject;
  readonly #logger: Logger;
  readonly #confirmWithinSec: number;
  readonly #retry: RetryOptions;
  readonly #clock: Clock;
  readonly #locks: DeviceLockTable;
  readonly #faultHook: ReconcilerOptions['faultHook'];
  readonly #retryState = new Map<string, RetryState>();
  /** Devices `recover()` found holding a transaction netloom cannot name, with the time their confirm window ends. */
  readonly #unresolved = new Map<string, { readonly pass: string; readonly until: number }>();
  #passSeq = 0;
  #fence: Fence | undefined;

  constructor(opts: ReconcilerOptions) {
    this.#drivers = opts.drivers;
    this.#store = opts.store;
    this.#vpcOfObject = opts.vpcOfObject;
    this.#logger = opts.logger.child({ component: 'reconciler' });
    const sec = opts.confirmWithinSec ?? DEFAULT_CONFIRM_WITHIN_SEC;
    if (!(Number.isFinite(sec) && sec > 0)) throw new InputError(`reconciler.confirmWithinSec must be a positive number of seconds, got ${String(sec)}`);
    this.#confirmWithinSec = sec;
    this.#retry = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
    if (!(this.#retry.baseMs > 0 && this.#retry.maxMs >= this.#retry.baseMs)) {
      throw new InputError(`reconciler.retry: need 0 < baseMs <= maxMs, got baseMs ${this.#retry.baseMs}, maxMs ${this.#retry.maxMs}`);
    }
    this.#clock = opts.clock ?? systemClock;
    this.#locks = opts.locks ?? processDeviceLocks;
    this.#faultHook = opts.faultHook;
    this.#fence = opts.fence;
  }

  /**
   * Sets the fencing token for the next passes (after winning an election: `claimLeadership`), or removes it. A pass
   * under a fence that another controller has claimed since writes to no device.
   */
  setFence(fence: Fence | undefined): void {
    this.#fence = fence;
  }

  /** The retry state of a device: consecutive failures and when to try again (epoch ms), if it has failed. */
  retryState(device: string): { readonly failures: number; readonly nextRetryAt: number } | undefined {
    const s = this.#retryState.get(device);
    return s === undefined ? undefined : { ...s };
  }

  /** The earliest retry time (epoch ms) of any device that has not converged, if any. */
  nextRetryAt(): number | undefined {
    let min: number | undefined;
    for (const s of this.#retryState.values()) if (min === undefined || s.nextRetryAt < min) min = s.nextRetryAt;
    return min;
  }

  // --- reconcile -------------------------------------------------------------------------------------------------

  /** One pass (see the module documentation). Never throws for a device problem; rejects only on a simulated crash. */
  async reconcile(desired: DesiredConfigs, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
    const startedAt = new Date(this.#clock.now()).toISOString();
    const dryRun = opts.dryRun === true;
    const pass: Pass = { id: this.#newPassId(), opts };
    const names = [...desired.devices.keys()].sort();
    const release = await this.#locks.acquireAll(names);
    const works = names.map((name) => this.#work(name, desired.devices.get(name)!));
    const baseExcluded = new Set(desired.failedVpcs);
    const passFailed = new Set<string>();
    try {
      await this.#settle(pass, works.map((w) => this.#prepare(pass, w, baseExcluded)));
      await this.#holdBack(pass, works, baseExcluded, passFailed);
      if (dryRun) {
        for (const w of works) if (w.outcome === undefined) w.outcome = w.changeSet!.changes.length === 0 ? 'unchanged' : 'planned';
      } else {
        await this.#write(pass, works, passFailed);
      }
    } finally {
      if (pass.crashed === undefined) await Promise.all(works.map((w) => this.#close(w)));
      release();
    }
    if (!dryRun) this.#updateRetry(works);
    const report: ReconcileReport = {
      devices: works.map((w) => this.#report(w, dryRun)),
      problems: [],
      startedAt,
      finishedAt: new Date(this.#clock.now()).toISOString(),
      ...(dryRun ? { dryRun: true } : { passId: pass.id }),
      failedVpcs: [...passFailed].filter((v) => !baseExcluded.has(v)).sort(),
    };
    this.#logger.info(
      { pass: pass.id, dryRun, outcomes: Object.fromEntries(works.map((w) => [w.name, w.outcome])), failedVpcs: report.failedVpcs },
      dryRun ? 'planned' : 'reconciled',
    );
    return report;
  }

  #newPassId(): string {
    const stamp = new Date(this.#clock.now()).toISOString().replace(/[^0-9]/g, '');
    const rand = Math.floor(Math.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
    return `${stamp}-${rand}-${++this.#passSeq}`;
  }

  #work(name: string, desired: DeviceDesired): Work {
    const driver = this.#drivers.get(name);
    return { name, desired, port: driver?.port ?? desired.port, driver, vpcs: [], touches: new Set(), heldBack: [] };
  }

  /** Connect, observe, decode, mask, plan. Never throws but for a crash. */
  async #prepare(pass: Pass, w: Work, excluded: ReadonlySet<string>): Promise<void> {
    try {
      this.#touch(w, w.desired.config);
      if (w.driver === undefined) throw new NotFoundError(`device ${w.name}: no driver (is it in the inventory?)`, { details: { device: w.name } });
      if (w.driver.port !== w.desired.port) {
        throw new InputError(`device ${w.name}: the desired config is for the ${w.desired.port} port, the driver is a ${w.driver.port} driver`);
      }
      if (pass.opts.signal?.aborted === true) {
        this.#skip(pass, w, 'the pass was aborted before this device was reached');
        return;
      }
      this.#alive(pass);
      this.#emit(pass, { device: w.name, phase: 'connecting' });
      w.session = await w.driver.connect(pass.opts.signal === undefined ? {} : { signal: pass.opts.signal });
      this.#alive(pass);
      w.observed = (await w.session.observe()).config;
      this.#touch(w, w.observed);
      const vocabulary = vocabularyOf(w.port);
      w.decoded = decodeOrThrow(vocabulary.configCodec, w.desired.config, `desired ${w.port} config of ${w.name}`);
      await this.#plan(w, excluded);
      this.#emit(pass, { device: w.name, phase: 'planned', changes: w.changeSet!.changes.length, vpcs: w.vpcs });
    } catch (e) {
      w.spreads = true;
      this.#failed(pass, w, e);
    }
  }

  /** Plans against the kept observation, excluded VPCs masked. */
  async #plan(w: Work, excluded: ReadonlySet<string>): Promise<void> {
    const target = this.#mask(w.port, w.decoded!, w.observed!, excluded);
    w.changeSet = await w.session!.plan({ desired: target, observed: w.observed! });
    w.vpcs = this.#vpcsOfChanges(w.port, w.changeSet.changes, w.observed!, target);
  }

  /**
   * Desired objects of VPCs not excluded, plus observed objects of excluded VPCs (kept exactly as observed). An
   * observed object of an excluded VPC wins over a desired object with the same key.
   */
  #mask(port: DevicePortKind, desired: DeviceConfig, observed: DeviceConfig, excluded: ReadonlySet<string>): DeviceConfig {
    if (excluded.size === 0) return desired;
    const out: Record<string, Record<string, ConfigObject>> = {};
    for (const kind of vocabularyOf(port).order) {
      const map: Record<string, ConfigObject> = {};
      for (const [key, obj] of Object.entries(desired[kind] ?? {})) if (!this.#isExcluded(port, kind, obj, desired, excluded)) map[key] = obj;
      for (const [key, obj] of Object.entries(observed[kind] ?? {})) if (this.#isExcluded(port, kind, obj, observed, excluded)) map[key] = obj;
      out[kind] = map;
    }
    return out;
  }

  /** The VPC of `obj`, part of `config` (objects without a name of their own resolve through their references). */
  #vpcOf(port: DevicePortKind, kind: string, obj: ConfigObject, config: DeviceConfig | undefined): string | undefined {
    return this.#vpcOfObject(port, kind, obj as ConfigObject & Record<string, unknown>, config);
  }

  #isExcluded(port: DevicePortKind, kind: string, obj: ConfigObject, config: DeviceConfig, excluded: ReadonlySet<string>): boolean {
    const vpc = this.#vpcOf(port, kind, obj, config);
    return vpc !== undefined && excluded.has(vpc);
  }

  /** VPCs of the changes: `before` objects resolved in `observed`, `after` objects in `target`. */
  #vpcsOfChanges(port: DevicePortKind, changes: readonly Change[], observed: DeviceConfig, target: DeviceConfig): string[] {
    const vpcs = new Set<string>();
    for (const c of changes) {
      for (const [obj, config] of [
        [c.before, observed],
        [c.after, target],
      ] as const) {
        if (obj === undefined) continue;
        const v = this.#vpcOf(port, c.kind, obj, config);
        if (v !== undefined) vpcs.add(v);
      }
    }
    return [...vpcs].sort();
  }

  #touch(w: Work, config: DeviceConfig | undefined): void {
    if (config === null || typeof config !== 'object') return;
    for (const [kind, objects] of Object.entries(config)) {
      if (objects === null || typeof objects !== 'object') continue;
      for (const obj of Object.values(objects)) {
        if (obj === null || typeof obj !== 'object') continue;
        try {
          const v = this.#vpcOf(w.port, kind, obj, config);
          if (v !== undefined) w.touches.add(v);
        } catch {
          // an undecodable object: its VPC is unknown
        }
      }
    }
  }

  /**
   * After prepare: every VPC a device that could not be prepared touches fails for this pass; devices whose plan
   * carries one are planned again without it, to a fixed point (a replan that fails spreads its own VPCs).
   */
  async #holdBack(pass: Pass, works: Work[], baseExcluded: ReadonlySet<string>, passFailed: Set<string>): Promise<void> {
    for (;;) {
      for (const w of works) if (w.spreads === true) for (const v of w.touches) if (!baseExcluded.has(v)) passFailed.add(v);
      const replan = works.filter((w) => w.outcome === undefined && w.vpcs.some((v) => passFailed.has(v)));
      if (replan.length === 0) return;
      const excluded = new Set([...baseExcluded, ...passFailed]);
      await this.#settle(
        pass,
        replan.map(async (w) => {
          const before = w.vpcs;
          try {
            await this.#plan(w, excluded);
            w.heldBack = [...new Set([...w.heldBack, ...before.filter((v) => !w.vpcs.includes(v))])].sort();
            if (w.changeSet!.changes.length === 0) {
              this.#skip(pass, w, `held back: its changes belong to VPCs that failed in this pass (${w.heldBack.join(', ')})`);
            }
          } catch (e) {
            w.spreads = true;
            this.#failed(pass, w, e);
          }
        }),
      );
    }
  }

  /** Steps 4–8: journal, apply + verify, compensate, confirm, end. */
  async #write(pass: Pass, works: Work[], passFailed: Set<string>): Promise<void> {
    const now = this.#clock.now();
    for (const w of works) {
      if (w.outcome !== undefined || w.changeSet!.changes.length > 0) continue;
      const unresolved = this.#unresolved.get(w.name);
      if (unresolved !== undefined && now < unresolved.until) {
        // Its observation may include the unconfirmed change of the crashed pass: "unchanged" would be a lie.
        this.#skip(
          pass,
          w,
          `may still hold an unconfirmed transaction of the crashed pass ${unresolved.pass} (its id never reached the journal); it reverts when the device ends the dead session or its confirm timer fires (by ${new Date(unresolved.until).toISOString()})`,
        );
        continue;
      }
      this.#unresolved.delete(w.name);
      w.outcome = 'unchanged';
    }
    const toApply = works.filter((w) => w.outcome === undefined);
    if (toApply.length === 0) return;
    const record: PassRecord = {
      id: pass.id,
      startedAt: new Date(this.#clock.now()).toISOString(),
      devices: Object.fromEntries(toApply.map((w) => [w.name, { port: w.port, state: 'planned', vpcs: w.vpcs, changeSet: w.changeSet! } satisfies JournaledDevice])),
    };
    try {
      this.#alive(pass);
      pass.journal = await PassJournal.begin(this.#store, record, () => pass.crashed, this.#fence);
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      // Nothing was written anywhere: report every device, write nothing to devices without an intent record.
      for (const w of toApply) this.#failed(pass, w, e);
      return;
    }
    await this.#point(pass, 'journal-begin');

    await this.#settle(pass, toApply.map((w) => this.#applyAndVerify(pass, w)));

    // Compensation to a fixed point.
    for (;;) {
      for (const w of toApply) if (w.outcome !== undefined) for (const v of w.vpcs) passFailed.add(v);
      const victims = toApply.filter((w) => w.outcome === undefined && w.vpcs.some((v) => passFailed.has(v)));
      if (victims.length === 0) break;
      await this.#settle(pass, victims.map((w) => this.#compensate(pass, w, passFailed)));
    }
    await this.#point(pass, 'verified-all');

    if (pass.opts.signal?.aborted === true) {
      const left = toApply.filter((w) => w.outcome === undefined);
      await this.#settle(pass, left.map((w) => this.#compensate(pass, w, passFailed, 'the pass was aborted before confirm')));
      for (const w of left) for (const v of w.vpcs) passFailed.add(v);
    }

    await this.#settle(pass, toApply.filter((w) => w.outcome === undefined).map((w) => this.#confirm(pass, w)));
    await this.#point(pass, 'before-end');
    try {
      await pass.journal.end(Object.fromEntries(toApply.map((w) => [w.name, w.outcome ?? 'unknown'])) as JsonValue);
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      // The devices are in their final state; the record stays and the next recover() finds nothing to undo.
      this.#logger.warn({ pass: pass.id, error: summarize(e) }, 'could not close the reconcile pass record');
    }
  }

  async #applyAndVerify(pass: Pass, w: Work): Promise<void> {
    const journal = pass.journal!;
    const session = w.session!;
    const changeSet = w.changeSet!;
    try {
      if (pass.opts.signal?.aborted === true) {
        this.#skip(pass, w, 'the pass was aborted before this device was applied');
        await journal.update(w.name, { state: 'failed' });
        return;
      }
      await journal.update(w.name, { state: 'applying' });
      this.#alive(pass);
      this.#emit(pass, { device: w.name, phase: 'applying', changes: changeSet.changes.length });
      w.tx = await session.apply({ changeSet, confirmWithinSec: this.#confirmWithinSec });
      this.#unresolved.delete(w.name); // the device took a transaction: nothing of a crashed pass holds it
      await this.#point(pass, `apply-returned:${w.name}`);
      await journal.update(w.name, {
        state: 'applied',
        transaction: { id: w.tx.id, ...(w.tx.confirmBy === undefined ? {} : { confirmBy: w.tx.confirmBy }) },
      });
      await this.#point(pass, `applied:${w.name}`);
      this.#alive(pass);
      const after = (await session.observe()).config;
      const mismatches = verifyChanges(after, changeSet.changes);
      if (mismatches.length > 0) {
        throw new CommitError(
          `${w.name}: read-back verify failed after apply: ${mismatches.slice(0, 5).join('; ')}${mismatches.length > 5 ? `; and ${mismatches.length - 5} more` : ''}; the transaction is rolled back`,
          { details: { device: w.name, mismatches } },
        );
      }
      w.verified = after;
      await journal.update(w.name, { state: 'verified' });
      this.#emit(pass, { device: w.name, phase: 'verified' });
      await this.#point(pass, `verified:${w.name}`);
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      await this.#rollback(pass, w, 'failed');
      this.#failed(pass, w, e);
      await this.#journalQuietly(pass, w, w.outcome === 'skipped' ? 'failed' : 'rolled-back');
    }
  }

  async #compensate(pass: Pass, w: Work, passFailed: ReadonlySet<string>, reason?: string): Promise<void> {
    const why = reason ?? `another device carrying VPC ${w.vpcs.filter((v) => passFailed.has(v)).join(', ')} failed`;
    try {
      this.#alive(pass);
      await w.session!.rollback({ transaction: w.tx! });
      w.outcome = 'compensated';
      w.error = { code: 'COMPENSATED', message: `${w.name}: rolled back: ${why}` };
      this.#emit(pass, { device: w.name, phase: 'rolled-back', reason: 'compensated' });
      await this.#journalQuietly(pass, w, 'compensated');
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      // The rollback itself failed: closing the session (or the confirm timer) reverts the transaction.
      this.#failed(pass, w, e);
      await this.#journalQuietly(pass, w, 'failed');
    }
  }

  async #confirm(pass: Pass, w: Work): Promise<void> {
    try {
      this.#alive(pass);
      await w.session!.confirm({ transaction: w.tx! });
      w.outcome = 'applied';
      const last: LastApplied = { port: w.port, passId: pass.id, at: new Date(this.#clock.now()).toISOString(), config: w.verified! };
      this.#emit(pass, { device: w.name, phase: 'confirmed' });
      try {
        await pass.journal!.update(w.name, { state: 'confirmed' }, [{ key: appliedKey(w.name), value: last as unknown as JsonValue }]);
      } catch (e) {
        if (pass.crashed !== undefined) throw pass.crashed;
        this.#logger.warn({ device: w.name, error: summarize(e) }, 'confirmed, but the journal record failed');
      }
      await this.#point(pass, `confirmed:${w.name}`);
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      this.#failed(pass, w, e);
      await this.#journalQuietly(pass, w, 'failed');
    }
  }

  async #rollback(pass: Pass, w: Work, reason: 'failed' | 'compensated'): Promise<void> {
    if (w.tx === undefined || w.tx.state !== 'applied') return;
    try {
      this.#alive(pass);
      await w.session!.rollback({ transaction: w.tx });
      this.#emit(pass, { device: w.name, phase: 'rolled-back', reason });
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      this.#logger.warn({ device: w.name, error: summarize(e) }, 'rollback failed; closing the session reverts the transaction');
    }
  }

  async #journalQuietly(pass: Pass, w: Work, state: JournaledDevice['state']): Promise<void> {
    if (pass.journal === undefined) return;
    try {
      await pass.journal.update(w.name, { state });
    } catch (e) {
      if (pass.crashed !== undefined) throw pass.crashed;
      this.#logger.warn({ device: w.name, error: summarize(e) }, 'could not journal the device state');
    }
  }

  async #close(w: Work): Promise<void> {
    const s = w.session;
    w.session = undefined;
    if (s === undefined) return;
    try {
      await s.close();
    } catch (e) {
      this.#logger.warn({ device: w.name, error: summarize(e) }, 'closing the session failed');
    }
  }

  #failed(pass: Pass, w: Work, e: unknown): void {
    if (pass.crashed !== undefined) throw pass.crashed;
    w.error = summarize(e);
    if (isLocked(e)) {
      w.outcome = 'skipped';
      this.#emit(pass, { device: w.name, phase: 'skipped', reason: w.error.message });
    } else {
      w.outcome = 'failed';
      this.#emit(pass, { device: w.name, phase: 'failed', code: w.error.code, message: w.error.message });
    }
    this.#logger.warn({ device: w.name, error: w.error }, `device ${w.outcome}`);
  }

  #skip(pass: Pass, w: Work, reason: string): void {
    w.outcome = 'skipped';
    w.error = { code: 'SKIPPED', message: `${w.name}: ${reason}` };
    this.#emit(pass, { device: w.name, phase: 'skipped', reason });
  }

  #emit(pass: Pass, event: ProgressEvent): void {
    try {
      pass.opts.onProgress?.(event);
    } catch (e) {
      this.#logger.warn({ error: summarize(e) }, 'onProgress listener threw');
    }
  }

  async #point(pass: Pass, point: string): Promise<void> {
    if (this.#faultHook === undefined) return;
    this.#alive(pass);
    try {
      await this.#faultHook(point);
    } catch (e) {
      pass.crashed ??= e;
      throw pass.crashed;
    }
  }

  #alive(pass: Pass): void {
    if (pass.crashed !== undefined) throw pass.crashed;
  }

  /** Waits for every task; rethrows a crash once all have settled (a crashed pass leaves nothing running). */
  async #settle(pass: Pass, tasks: Promise<void>[]): Promise<void> {
    const results = await Promise.allSettled(tasks);
    if (pass.crashed !== undefined) throw pass.crashed;
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  #updateRetry(works: readonly Work[]): void {
    const now = this.#clock.now();
    for (const w of works) {
      if (w.outcome === 'applied' || w.outcome === 'unchanged') {
        if (w.heldBack.length === 0) this.#retryState.delete(w.name);
        else this.#bump(w.name, now);
      } else if (w.outcome === 'failed' || w.outcome === 'compensated' || w.outcome === 'skipped') {
        this.#bump(w.name, now);
      }
    }
  }

  #bump(name: string, now: number): void {
    const failures = (this.#retryState.get(name)?.failures ?? 0) + 1;
    this.#retryState.set(name, { failures, nextRetryAt: now + backoffDelayMs(failures, this.#retry) });
  }

  #report(w: Work, dryRun: boolean): DeviceReport {
    const retry = dryRun ? undefined : this.#retryState.get(w.name);
    const vpcs = w.changeSet === undefined ? [...w.touches].sort() : [...new Set([...w.vpcs, ...w.heldBack])].sort();
    return {
      device: w.name,
      port: w.port,
      outcome: w.outcome ?? 'failed',
      ...(w.changeSet === undefined ? {} : { changeSet: w.changeSet }),
      ...(w.error === undefined ? {} : { error: w.error }),
      vpcs,
      ...(retry === undefined ? {} : { nextRetryAt: new Date(retry.nextRetryAt).toISOString(), failures: retry.failures }),
    };
  }

  // --- recover ---------------------------------------------------------------------------------------------------

  /**
   * Resolves the passes a crash left unfinished (pass records still in the store), oldest first. Per device of such
   * a pass, by its last journaled state:
   *
   * - `planned`, `confirmed`, `failed`, `rolled-back`, `compensated`: nothing to do (`none`).
   * - `applied`, `verified` (transaction id known): a new session rolls the transaction back by id (`rolled-back`);
   *   if the device refuses, it either confirmed it (the crash came between confirm and its journal record) or
   *   already reverted it (confirm timer) — `refused`, nothing left to undo.
   * - `applying` (transaction id unknown): the device is observed; if none of the planned changes is visible,
   *   nothing landed (`none`); otherwise it holds a transaction netloom cannot name (`unresolved`): the device's
   *   confirm timer or the end of the dead session reverts it, and passes meet it as `LockedError` until then.
   *
   * Then the record is deleted (`reconcile.recover`). The next `reconcile` converges from whatever the devices hold:
   * the pipeline is level-triggered, so recovery only has to undo what nobody confirmed, never redo anything.
   */
  async recover(): Promise<RecoverReport> {
    const passes = await unfinishedPasses(this.#store);
    const out: RecoverReport['passes'][number][] = [];
    for (const { record, revision } of passes) {
      const names = Object.keys(record.devices).sort();
      const release = await this.#locks.acquireAll(names);
      let devices: RecoveredDevice[];
      try {
        devices = await Promise.all(names.map((name) => this.#recoverDevice(name, record.devices[name]!)));
      } finally {
        release();
      }
      const key = passKey(record.id);
      const result = await this.#store.commit({
        checks: [{ key, revision }],
        deletes: [key],
        journal: { type: 'reconcile.recover', data: { pass: record.id, devices: devices.map((d) => ({ device: d.device, journaled: d.journaled, action: d.action })) } },
      });
      if (!result.ok) this.#logger.warn({ pass: record.id }, 'the unfinished pass record changed while recovering; left for the next recover()');
      for (const d of devices) {
        if (d.action === 'unresolved') this.#unresolved.set(d.device, { pass: record.id, until: this.#clock.now() + this.#confirmWithinSec * 1000 });
      }
      this.#logger.info({ pass: record.id, devices }, 'recovered an unfinished reconcile pass');
      out.push({ passId: record.id, startedAt: record.startedAt, devices });
    }
    return { passes: out };
  }

  async #recoverDevice(name: string, entry: JournaledDevice): Promise<RecoveredDevice> {
    const journaled = entry.state;
    if (journaled !== 'applying' && journaled !== 'applied' && journaled !== 'verified') return { device: name, journaled, action: 'none' };
    const driver = this.#drivers.get(name);
    if (driver === undefined) return { device: name, journaled, action: 'error', error: { code: ErrorCode.NOT_FOUND, message: `device ${name}: no driver` } };
    let session: DeviceSession<DeviceConfig> | undefined;
    try {
      session = await driver.connect();
      if (journaled === 'applying') {
        const observed = (await session.observe()).config;
        const landed = entry.changeSet.changes.some((c) => verifyChanges(observed, [c]).length === 0);
        return { device: name, journaled, action: landed ? 'unresolved' : 'none' };
      }
      const transaction: Transaction = { id: entry.transaction!.id, device: name, changeSet: entry.changeSet, state: 'applied' };
      try {
        await session.rollback({ transaction });
        return { device: name, journaled, action: 'rolled-back' };
      } catch (e) {
        if (isNetloomError(e) && e.code === ErrorCode.DEVICE_COMMIT) return { device: name, journaled, action: 'refused', error: summarize(e) };
        throw e;
      }
    } catch (e) {
      return { device: name, journaled, action: 'error', error: summarize(e) };
    } finally {
      if (session !== undefined) await session.close().catch(() => undefined);
    }
  }

  // --- drift -----------------------------------------------------------------------------------------------------

  /**
   * Three-way drift per device of `desired`: the keys where desired, last applied and actual do not all agree.
   * `lastApplied` overrides what the store holds (`reconcile/applied/<device>`, written at each confirm). Read-only:
   * observes each device in its own session, writes nothing.
   */
  async drift(desired: DesiredConfigs, lastApplied?: ReadonlyMap<string, DeviceConfig>): Promise<DriftReport> {
    const names = [...desired.devices.keys()].sort();
    const devices = await Promise.all(names.map((name) => this.#driftOf(name, desired.devices.get(name)!, lastApplied?.get(name))));
    return { devices, at: new Date(this.#clock.now()).toISOString() };
  }

  async #driftOf(name: string, desired: DeviceDesired, given: DeviceConfig | undefined): Promise<DeviceDrift> {
    const driver = this.#drivers.get(name);
    const port = driver?.port ?? desired.port;
    let session: DeviceSession<DeviceConfig> | undefined;
    try {
      if (driver === undefined) throw new NotFoundError(`device ${name}: no driver (is it in the inventory?)`);
      const vocabulary = vocabularyOf(port);
      const want = decodeOrThrow(vocabulary.configCodec, desired.config, `desired ${port} config of ${name}`);
      const last = given ?? (await readLastApplied(this.#store, name))?.config;
      session = await driver.connect();
      const actual = (await session.observe()).config;
      return { device: name, port, hasLastApplied: last !== undefined, entries: this.#driftEntries(port, vocabulary, want, last, actual) };
    } catch (e) {
      return { device: name, port, hasLastApplied: false, entries: [], error: summarize(e) };
    } finally {
      if (session !== undefined) await session.close().catch(() => undefined);
    }
  }

  #driftEntries(port: DevicePortKind, vocabulary: AnyVocabulary, want: DeviceConfig, last: DeviceConfig | undefined, actual: DeviceConfig): DriftEntry[] {
    const entries: DriftEntry[] = [];
    const same = (a: ConfigObject | undefined, b: ConfigObject | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && configEquals(a, b));
    for (const kind of vocabulary.order) {
      const keys = new Set([...Object.keys(want[kind] ?? {}), ...Object.keys(actual[kind] ?? {}), ...Object.keys(last?.[kind] ?? {})]);
      for (const key of [...keys].sort()) {
        const d = want[kind]?.[key];
        const a = actual[kind]?.[key];
        const l = last?.[kind]?.[key];
        const outOfBand = last !== undefined && !same(l, a);
        const pending = last !== undefined && !same(d, l);
        const wouldChange = !same(d, a);
        if (!outOfBand && !pending && !wouldChange) continue;
        const vpc = d !== undefined ? this.#vpcOf(port, kind, d, want) : a !== undefined ? this.#vpcOf(port, kind, a, actual) : this.#vpcOf(port, kind, l!, last);
        entries.push({
          kind,
          key,
          ...(vpc === undefined ? {} : { vpc }),
          ...(d === undefined ? {} : { desired: d }),
          ...(l === undefined ? {} : { lastApplied: l }),
          ...(a === undefined ? {} : { actual: a }),
          outOfBand,
          pending,
          wouldChange,
        });
      }
    }
    return entries;
  }
}

/** The planned keys whose observed object does not match the change (created/updated ⇒ equal; deleted ⇒ absent). */
export function verifyChanges(observed: DeviceConfig, changes: readonly Change[]): string[] {
  const bad: string[] = [];
  for (const c of changes) {
    const got = observed[c.kind]?.[c.key];
    const where = `${c.kind} ${JSON.stringify(c.key)}`;
    if (c.op === 'delete') {
      if (got !== undefined) bad.push(`${where} should be deleted but is still there`);
    } else if (got === undefined) bad.push(`${where} should be ${c.op === 'create' ? 'created' : 'updated'} but is missing`);
    else if (!configEquals(got, c.after)) bad.push(`${where} differs from what was applied`);
  }
  return bad;
}

