/**
 * The reconcile journal: one intent record per pass in the store (`reconcile/pass/<id>`), written before any device
 * write and updated per device, plus the last confirmed config of each device (`reconcile/applied/<device>`, for
 * three-way drift). Every write is one atomic `store.commit` with a journal record (`reconcile.begin`,
 * `reconcile.device`, `reconcile.end`, `reconcile.recover`) and a compare-and-set on the pass record, so two writers
 * of one pass record are detected, never merged.
 *
 * A finished pass deletes its record (the journal keeps the history), so `reconcile/pass/` lists exactly the passes
 * a crash left unfinished.
 * @packageDocumentation
 */
import { LockedError, StoreError, type CommitResult, type DeviceConfig, type DevicePortKind, type JsonValue, type StoreCheck, type StorePort, type StorePut } from '@netloom/ports';
import type { Fence, JournaledDevice } from './reconciler.types';

/** Prefix of the pass records. */
export const PASS_PREFIX = 'reconcile/pass/';
/** Prefix of the last confirmed config per device. */
export const APPLIED_PREFIX = 'reconcile/applied/';

/** A pass record as stored. */
export interface PassRecord {
  readonly id: string;
  readonly startedAt: string;
  readonly devices: Record<string, JournaledDevice>;
}

/** The last confirmed owned config of a device, as stored under {@link APPLIED_PREFIX}. */
export interface LastApplied {
  readonly port: DevicePortKind;
  readonly passId: string;
  /** ISO 8601 time of the confirm. */
  readonly at: string;
  readonly config: DeviceConfig;
}

const json = (v: unknown): JsonValue => v as JsonValue;

/** The store key of a pass record. */
export const passKey = (id: string): string => `${PASS_PREFIX}${id}`;
/** The store key of a device's last applied config. */
export const appliedKey = (device: string): string => `${APPLIED_PREFIX}${device}`;

/** The store key whose revision is the leader's fencing token (see {@link claimLeadership}). */
export const FENCE_KEY = 'leader/fence';

/**
 * Claims leadership in the store after winning the election (the Kubernetes Lease): writes who leads and the lease's
 * epoch (its transitions count) to {@link FENCE_KEY}, and returns the fence to hand to the reconciler. Refuses to go
 * back to an older epoch (a late claim of a leader that lost the lease since).
 * @throws LockedError when a newer epoch is already recorded; StoreError
 */
export async function claimLeadership(store: StorePort, opts: { readonly holder: string; readonly epoch: number }): Promise<Fence> {
  for (let attempt = 1; attempt <= 16; attempt++) {
    const cur = await store.get({ key: FENCE_KEY });
    const v = cur?.value as { epoch?: unknown; holder?: unknown } | undefined;
    const recorded = typeof v?.epoch === 'number' ? v.epoch : -1;
    if (recorded > opts.epoch) {
      throw new LockedError(`leadership epoch ${opts.epoch} of ${opts.holder} is stale: ${String(v?.holder)} leads with epoch ${recorded}`, {
        details: { holder: opts.holder, epoch: opts.epoch, leader: v?.holder ?? null, leaderEpoch: recorded },
      });
    }
    const r = await store.commit({
      checks: [{ key: FENCE_KEY, revision: cur?.revision ?? 0 }],
      puts: [{ key: FENCE_KEY, value: { holder: opts.holder, epoch: opts.epoch, at: new Date().toISOString() } }],
      journal: { type: 'leader.claim', data: { holder: opts.holder, epoch: opts.epoch } },
    });
    if (r.ok) return { key: FENCE_KEY, revision: r.revisions[FENCE_KEY] ?? 0 };
  }
  throw new StoreError(`could not record the leadership of ${opts.holder}: too much contention on ${FENCE_KEY}`);
}

/** Writes one pass record; updates are serialised in call order. */
export class PassJournal {
  readonly #store: StorePort;
  readonly #record: PassRecord;
  readonly #halted: () => unknown;
  readonly #fence: Fence | undefined;
  #revision = 0;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: StorePort, record: PassRecord, halted: () => unknown, fence: Fence | undefined) {
    this.#store = store;
    this.#record = record;
    this.#halted = halted;
    this.#fence = fence;
  }

  /** The fence check to add to a commit (none without a fence). */
  #fenceChecks(): StoreCheck[] {
    return this.#fence === undefined ? [] : [{ key: this.#fence.key, revision: this.#fence.revision }];
  }

  /** LockedError when the commit failed on the fence: another controller leads now. */
  #fenced(result: CommitResult): LockedError | undefined {
    if (result.ok || this.#fence === undefined) return undefined;
    const key = this.#fence.key;
    return result.failed.some((f) => f.key === key)
      ? new LockedError(`fenced: another controller has become the leader since this one's leadership (${key} revision ${this.#fence.revision}); no device is written`, {
          details: { fence: key, revision: this.#fence.revision, failed: result.failed },
        })
      : undefined;
  }

  /**
   * Writes the intent record of a new pass (`reconcile.begin`). `halted` returns a crash (truthy) once the pass
   * must make no further write.
   * @throws StoreError
   */
  static async begin(store: StorePort, record: PassRecord, halted: () => unknown, fence?: Fence): Promise<PassJournal> {
    const j = new PassJournal(store, record, halted, fence);
    const key = passKey(record.id);
    const devices = Object.fromEntries(Object.entries(record.devices).map(([d, r]) => [d, { changes: r.changeSet.changes.length, vpcs: [...r.vpcs] }]));
    const result = await store.commit({
      checks: [{ key, revision: 0 }, ...j.#fenceChecks()],
      puts: [{ key, value: json(record) }],
      journal: { type: 'reconcile.begin', data: json({ pass: record.id, devices }) },
    });
    const fenced = j.#fenced(result);
    if (fenced !== undefined) throw fenced;
    if (!result.ok) throw new StoreError(`reconcile pass record ${key} already exists`, { details: { key } });
    j.#revision = result.revisions[key] ?? 0;
    return j;
  }

  get id(): string {
    return this.#record.id;
  }

  /** Updates one device's entry (`reconcile.device`), with extra puts in the same commit. @throws StoreError */
  update(device: string, patch: Partial<Pick<JournaledDevice, 'state' | 'transaction'>>, extraPuts: readonly StorePut[] = []): Promise<void> {
    return this.#enqueue(async () => {
      const entry = this.#record.devices[device];
      if (entry === undefined) throw new StoreError(`reconcile pass ${this.id} has no device ${device}`);
      if (patch.state !== undefined) entry.state = patch.state;
      if (patch.transaction !== undefined) entry.transaction = patch.transaction;
      const key = passKey(this.id);
      const result = await this.#store.commit({
        checks: [{ key, revision: this.#revision }, ...this.#fenceChecks()],
        puts: [{ key, value: json(this.#record) }, ...extraPuts],
        journal: {
          type: 'reconcile.device',
          data: json({ pass: this.id, device, state: entry.state, ...(entry.transaction === undefined ? {} : { transaction: entry.transaction.id }) }),
        },
      });
      const fenced = this.#fenced(result);
      if (fenced !== undefined) throw fenced;
      if (!result.ok) throw new StoreError(`reconcile pass record ${key} was changed by another writer`, { details: { key, failed: result.failed } });
      this.#revision = result.revisions[key] ?? 0;
    });
  }

  /** Closes the pass (`reconcile.end`): deletes the record. @throws StoreError */
  end(summary: JsonValue): Promise<void> {
    return this.#enqueue(async () => {
      const key = passKey(this.id);
      const result = await this.#store.commit({
        checks: [{ key, revision: this.#revision }],
        deletes: [key],
        journal: { type: 'reconcile.end', data: { pass: this.id, summary } },
      });
      if (!result.ok) throw new StoreError(`reconcile pass record ${key} was changed by another writer`, { details: { key, failed: result.failed } });
    });
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => {
      const crash = this.#halted();
      if (crash) throw crash;
      return step();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Reads the unfinished pass records, oldest first. */
export async function unfinishedPasses(store: StorePort): Promise<{ record: PassRecord; revision: number }[]> {
  const entries = await store.list({ prefix: PASS_PREFIX });
  return entries
    .map((e) => ({ record: e.value as unknown as PassRecord, revision: e.revision }))
    .sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
}

/** Reads a device's last applied config, if any. */
export async function readLastApplied(store: StorePort, device: string): Promise<LastApplied | undefined> {
  const entry = await store.get({ key: appliedKey(device) });
  return entry === undefined ? undefined : (entry.value as unknown as LastApplied);
}
