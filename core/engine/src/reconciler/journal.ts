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
import { StoreError, type DeviceConfig, type DevicePortKind, type JsonValue, type StorePort, type StorePut } from '@netloom/ports';
import type { JournaledDevice } from './reconciler.types';

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

/** Writes one pass record; updates are serialised in call order. */
export class PassJournal {
  readonly #store: StorePort;
  readonly #record: PassRecord;
  readonly #halted: () => unknown;
  #revision = 0;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: StorePort, record: PassRecord, halted: () => unknown) {
    this.#store = store;
    this.#record = record;
    this.#halted = halted;
  }

  /**
   * Writes the intent record of a new pass (`reconcile.begin`). `halted` returns a crash (truthy) once the pass
   * must make no further write.
   * @throws StoreError
   */
  static async begin(store: StorePort, record: PassRecord, halted: () => unknown): Promise<PassJournal> {
    const j = new PassJournal(store, record, halted);
    const key = passKey(record.id);
    const devices = Object.fromEntries(Object.entries(record.devices).map(([d, r]) => [d, { changes: r.changeSet.changes.length, vpcs: [...r.vpcs] }]));
    const result = await store.commit({
      checks: [{ key, revision: 0 }],
      puts: [{ key, value: json(record) }],
      journal: { type: 'reconcile.begin', data: json({ pass: record.id, devices }) },
    });
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
        checks: [{ key, revision: this.#revision }],
        puts: [{ key, value: json(this.#record) }, ...extraPuts],
        journal: {
          type: 'reconcile.device',
          data: json({ pass: this.id, device, state: entry.state, ...(entry.transaction === undefined ? {} : { transaction: entry.transaction.id }) }),
        },
      });
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
