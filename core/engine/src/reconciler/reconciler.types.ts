/**
 * Types of the reconciler: its options, progress events, the clock it schedules with, crash injection, and the
 * results of `recover()` and `drift()`.
 * @packageDocumentation
 */
import type { ChangeSet, ConfigObject, DeviceConfig, DeviceDriver, DevicePortKind, Logger, StorePort } from '@netloom/ports';
import type { VpcOfObject } from '../pipeline/pipeline.types';

/** Time and timers, injectable so tests never sleep for real. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock (timers are unref'd: a pending retry never keeps the process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Exponential backoff of a device that did not converge: `min(maxMs, baseMs · 2^(failures-1))`. */
export interface RetryOptions {
  /** Delay after the first failure (default 1000). */
  readonly baseMs: number;
  /** Upper bound of the delay (default 300000). */
  readonly maxMs: number;
}

/** Default backoff: 1 s doubling up to 5 min. */
export const DEFAULT_RETRY: RetryOptions = { baseMs: 1000, maxMs: 300_000 };

/**
 * Thrown by a {@link ReconcilerOptions.faultHook} to simulate a crash of the controller process at a point. The
 * reconciler never handles it as a device error: from that moment it makes no further device call or store write
 * in that pass, never closes its sessions (a dead process closes nothing gracefully), releases its in-process locks
 * (they die with the process) and rejects `reconcile()` with this error. Whatever a hook throws is treated this
 * way; this class is the conventional thing to throw.
 */
export class SimulatedCrash extends Error {
  readonly point: string;
  constructor(point: string) {
    super(`simulated crash at ${point}`);
    this.name = 'SimulatedCrash';
    this.point = point;
  }
}

/**
 * The points a {@link ReconcilerOptions.faultHook} is called at, in pass order (`<d>` = device name):
 *
 * - `journal-begin`: the pass's intent record is written, nothing applied yet.
 * - `apply-returned:<d>`: the device applied (holds an unconfirmed transaction), the journal does not know the
 *   transaction id yet.
 * - `applied:<d>`: the journal holds the device's transaction id.
 * - `verified:<d>`: the read-back verify of the device passed.
 * - `verified-all`: every device of the pass is applied and verified (or failed / compensated); no confirm yet.
 * - `confirmed:<d>`: the device confirmed and the journal says so.
 * - `before-end`: every confirm is done; the pass record is not closed yet.
 */
export type FaultPoint = string;

/** A progress event of one device, for the CLI. */
export type ProgressEvent =
  | { readonly device: string; readonly phase: 'connecting' }
  | { readonly device: string; readonly phase: 'planned'; readonly changes: number; readonly vpcs: readonly string[] }
  | { readonly device: string; readonly phase: 'applying'; readonly changes: number }
  | { readonly device: string; readonly phase: 'verified' }
  | { readonly device: string; readonly phase: 'confirmed' }
  | { readonly device: string; readonly phase: 'rolled-back'; readonly reason: 'failed' | 'compensated' }
  | { readonly device: string; readonly phase: 'skipped'; readonly reason: string }
  | { readonly device: string; readonly phase: 'failed'; readonly code: string; readonly message: string };

/** Options of {@link Reconciler}. */
export interface ReconcilerOptions {
  /** Device name → driver (the port is `driver.port`). */
  readonly drivers: ReadonlyMap<string, DeviceDriver<DeviceConfig>>;
  /** Where pass records, the journal and the last applied configs live. */
  readonly store: StorePort;
  /** The VPC of an object on a device (from the projection). */
  readonly vpcOfObject: VpcOfObject;
  readonly logger: Logger;
  /** Confirmed-commit window handed to every apply (default 120 s). */
  readonly confirmWithinSec?: number;
  /** Backoff of devices that did not converge (default {@link DEFAULT_RETRY}). */
  readonly retry?: Partial<RetryOptions>;
  /** Default {@link systemClock}. */
  readonly clock?: Clock;
  /**
   * The in-process per-device locks (single writer per device). Default: one table shared by every reconciler of the
   * process, so two reconcilers over the same devices never write to one device at once.
   */
  readonly locks?: DeviceLockTable;
  /**
   * The leader's fencing token (from `claimLeadership` after winning the election). Every journal write checks it and
   * a device is written only after its `applying` record is committed, so once another controller has claimed
   * leadership, this one writes to no device (LockedError "fenced"). Absent: a single controller, no fencing.
   */
  readonly fence?: Fence;
  /** Crash injection for tests: called at each {@link FaultPoint}; whatever it throws is a crash. */
  readonly faultHook?: (point: FaultPoint) => void | Promise<void>;
}

/** Options of {@link Reconciler.reconcile}. */
export interface ReconcileOptions {
  /** Plan only: return the change sets, write nothing (no device write, no store write). */
  readonly dryRun?: boolean;
  /** Aborts the pass: devices not applied yet are skipped; applied ones are rolled back before confirm. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** The per-device in-process lock table. */
export interface DeviceLockTable {
  /** Waits for every named lock (taken in sorted order: no deadlock), returns the release function. */
  acquireAll(names: readonly string[]): Promise<() => void>;
}

/** What `recover()` did with one device of an unfinished pass. */
export interface RecoveredDevice {
  readonly device: string;
  /** The device's last state in the pass record. */
  readonly journaled: string;
  /**
   * `none`: nothing of the pass reached the device, or it was confirmed / rolled back already; `rolled-back`: its
   * unconfirmed transaction was rolled back; `refused`: the device refused the rollback — it confirmed the
   * transaction (the crash came between confirm and its journal record: the device is at the pass's desired
   * config) or no longer knows it (its confirm timer reverted it, or it restarted); either way nothing is left to
   * undo and the next pass converges; `unresolved`: the device may hold an unconfirmed transaction netloom never learned the id of (crash between
   * apply and its journal record) — its confirm timer or the end of the dead session reverts it. Until then (at
   * most `confirmWithinSec` after recover) passes report the device `skipped` (its observation may include the
   * unconfirmed change, or apply meets `LockedError`), retried with backoff; `error`: recovery failed (see
   * `error`), the next pass retries.
   */
  readonly action: 'none' | 'rolled-back' | 'refused' | 'unresolved' | 'error';
  readonly error?: { readonly code: string; readonly message: string };
}

/** One unfinished pass resolved by `recover()`. */
export interface RecoveredPass {
  readonly passId: string;
  readonly startedAt: string;
  readonly devices: readonly RecoveredDevice[];
}

/** The result of `recover()`. */
export interface RecoverReport {
  readonly passes: readonly RecoveredPass[];
}

/** One keyed object where desired, last applied and actual do not all agree. */
export interface DriftEntry {
  readonly kind: string;
  readonly key: string;
  /** The object's VPC (undefined: shared by all VPCs). */
  readonly vpc?: string;
  readonly desired?: ConfigObject;
  readonly lastApplied?: ConfigObject;
  readonly actual?: ConfigObject;
  /** Actual differs from last applied: someone changed the device behind netloom's back. */
  readonly outOfBand: boolean;
  /** Desired differs from last applied: netloom has not applied the current intent yet. */
  readonly pending: boolean;
  /** Desired differs from actual: the next pass would change this object. */
  readonly wouldChange: boolean;
}

/** Drift of one device. */
export interface DeviceDrift {
  readonly device: string;
  readonly port: DevicePortKind;
  /** False when no last applied config is known (then `outOfBand` is always false). */
  readonly hasLastApplied: boolean;
  readonly entries: readonly DriftEntry[];
  /** Set when the device could not be read. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** The result of `drift()`. */
export interface DriftReport {
  readonly devices: readonly DeviceDrift[];
  /** ISO 8601. */
  readonly at: string;
}

/** A change set as the journal keeps it, with the VPCs it carries. */
export interface JournaledDevice {
  readonly port: DevicePortKind;
  /**
   * `planned` → `applying` → `applied` (transaction id known) → `verified` → `confirmed`; or `failed` /
   * `rolled-back` / `compensated`.
   */
  state: 'planned' | 'applying' | 'applied' | 'verified' | 'confirmed' | 'failed' | 'rolled-back' | 'compensated';
  readonly vpcs: readonly string[];
  readonly changeSet: ChangeSet;
  transaction?: { readonly id: string; readonly confirmBy?: string };
}

/**
 * A fencing token: the revision of `leader/fence` (FENCE_KEY) when this controller became the leader. Every journal write of a
 * pass checks it, and a device is written only after its `applying` record is committed, so a deposed leader (whose
 * successor has claimed the fence since) cannot write to any device.
 */
export interface Fence {
  readonly key: string;
  readonly revision: number;
}
