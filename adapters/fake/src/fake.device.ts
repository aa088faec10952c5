/**
 * An in-memory device: a committed and a running configuration of owned objects, foreign objects netloom must never
 * see or touch, one pending (unconfirmed) transaction at most (the single-writer lock), a call log and a write
 * counter. Devices live in a module-level registry keyed by inventory name, so every driver for one name shares one
 * device.
 * @packageDocumentation
 */
import {
  InputError,
  applyChanges,
  decodeOrThrow,
  type Change,
  type ConfigObject,
  type DeviceConfig,
  type DeviceFacts,
  type DevicePortKind,
  type DeviceVocabulary,
  type InputProblem,
  type Transaction,
  type TransactionState,
} from '@netloom/ports';

/** One device call as logged. */
export interface FakeCall {
  /** 1-based, per device. */
  readonly seq: number;
  readonly op: 'connect' | 'facts' | 'observe' | 'apply' | 'confirm' | 'rollback' | 'close';
  /** The session (0 for connect). */
  readonly session: number;
  /** True if the call failed by injection (failOnCall). */
  readonly failed?: boolean;
}

/** A pending transaction: the lock holder. */
interface Pending {
  readonly tx: Transaction;
  readonly session: number;
  timer?: NodeJS.Timeout;
}

type Vocabulary<C extends DeviceConfig> = DeviceVocabulary<DevicePortKind, C, unknown>;

/** Options of a new device. */
export interface FakeDeviceOptions<C extends DeviceConfig> {
  readonly name: string;
  readonly vocabulary: Vocabulary<C>;
  readonly facts?: Partial<DeviceFacts>;
  /** A partial config of owned objects (validated). */
  readonly owned?: Readonly<Record<string, unknown>>;
  /** Foreign objects by kind and key. */
  readonly foreign?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

const copy = <T>(v: T): T => structuredClone(v);

/** An in-memory device of one port. */
export class FakeDevice<C extends DeviceConfig = DeviceConfig> {
  readonly name: string;
  readonly port: DevicePortKind;
  readonly vocabulary: Vocabulary<C>;
  readonly facts: DeviceFacts;
  #committed: C;
  #running: C;
  #foreign: Record<string, Record<string, ConfigObject>>;
  #pending: Pending | undefined;
  readonly #txStates = new Map<string, { state: TransactionState; reason?: string }>();
  readonly #calls: FakeCall[] = [];
  #writes = 0;
  #txSeq = 0;
  #sessionSeq = 0;

  constructor(opts: FakeDeviceOptions<C>) {
    this.name = opts.name;
    this.vocabulary = opts.vocabulary;
    this.port = opts.vocabulary.port;
    this.facts = { vendor: 'netloom', model: `fake-${this.port}`, osVersion: '0.1.0', serial: `FAKE-${opts.name}`, hostname: opts.name, ...opts.facts };
    const owned = { ...this.vocabulary.empty(), ...(opts.owned ?? {}) };
    this.#committed = decodeOrThrow(this.vocabulary.configCodec, owned, `options.seed.owned of fake device ${opts.name}`);
    this.#running = this.#committed;
    this.#foreign = {};
    const problems: InputProblem[] = [];
    for (const [kind, objects] of Object.entries(opts.foreign ?? {})) {
      if (!this.vocabulary.order.includes(kind as never)) {
        problems.push({ path: `options.seed.foreign.${kind}`, reason: `not a ${this.port} kind (${this.vocabulary.order.join(', ')})` });
        continue;
      }
      for (const [key, obj] of Object.entries(objects)) {
        if (obj['key'] !== key) problems.push({ path: `options.seed.foreign.${kind}[${JSON.stringify(key)}].key`, reason: `must be ${JSON.stringify(key)}` });
        else if (this.#ownedMap(kind)[key] !== undefined) problems.push({ path: `options.seed.foreign.${kind}[${JSON.stringify(key)}]`, reason: 'is also an owned object' });
        else (this.#foreign[kind] ??= {})[key] = copy(obj) as unknown as ConfigObject;
      }
    }
    if (problems.length > 0) throw InputError.fromProblems(`options.seed of fake device ${opts.name}`, problems);
  }

  // --- what tests look at -----------------------------------------------------------------------------------------

  /** The owned objects as they are now (including an unconfirmed transaction): what `observe` returns. A copy. */
  owned(): C {
    return copy(this.#running);
  }

  /** The owned objects as last committed (what a rollback restores). A copy. */
  committed(): C {
    return copy(this.#committed);
  }

  /** The foreign objects (never observed, never touched by netloom). A copy. */
  foreign(): Record<string, Record<string, ConfigObject>> {
    return copy(this.#foreign);
  }

  /** Object writes made by apply since creation (or the last `resetCounters`). */
  get writes(): number {
    return this.#writes;
  }

  /** Every device call, in order (since creation or the last `resetCounters`). */
  get calls(): readonly FakeCall[] {
    return [...this.#calls];
  }

  /** How many calls of one operation (or of any) were made. */
  callCount(op?: FakeCall['op']): number {
    return op === undefined ? this.#calls.length : this.#calls.filter((c) => c.op === op).length;
  }

  /** Clears the call log and the write counter. */
  resetCounters(): void {
    this.#calls.length = 0;
    this.#writes = 0;
  }

  /** True while an applied transaction waits for confirm or rollback (the single-writer lock is held). */
  get locked(): boolean {
    return this.#pending !== undefined;
  }

  /** The unconfirmed transaction holding the lock, if any. */
  get pendingTransaction(): Transaction | undefined {
    return this.#pending?.tx;
  }

  /** The state of a transaction this device has seen. */
  transactionState(id: string): TransactionState | undefined {
    return this.#txStates.get(id)?.state;
  }

  // --- out-of-band changes (drift, foreign objects) -----------------------------------------------------------------

  /**
   * Changes an owned object behind netloom's back (committed and running), as an operator at the CLI would: `object`
   * undefined deletes. Not counted as a write. The resulting config must stay valid.
   * @throws InputError
   */
  setOwned(kind: string, key: string, object: ConfigObject | undefined): void {
    const next = copy(this.#running) as Record<string, Record<string, ConfigObject>>;
    const map = (next[kind] ??= {});
    if (object === undefined) delete map[key];
    else map[key] = copy(object);
    this.#running = decodeOrThrow(this.vocabulary.configCodec, next, `out-of-band change on ${this.name}`);
    this.#committed = this.#running;
  }

  /** Adds, replaces or (with `object` undefined) removes a foreign object. */
  setForeign(kind: string, key: string, object: ConfigObject | undefined): void {
    if (object === undefined) {
      delete this.#foreign[kind]?.[key];
      return;
    }
    if (object.key !== key) throw new InputError(`foreign ${kind} ${JSON.stringify(key)}: its key is ${JSON.stringify(object.key)}`);
    (this.#foreign[kind] ??= {})[key] = copy(object);
  }

  // --- used by sessions --------------------------------------------------------------------------------------------

  /** @internal */
  nextSession(): number {
    return ++this.#sessionSeq;
  }

  /** @internal */
  nextTransactionId(): string {
    return `${this.name}#${++this.#txSeq}`;
  }

  /** @internal */
  logCall(op: FakeCall['op'], session: number, failed = false): void {
    this.#calls.push({ seq: this.#calls.length + 1, op, session, ...(failed ? { failed } : {}) });
  }

  /** @internal */
  get pending(): Pending | undefined {
    return this.#pending;
  }

  /** @internal */
  isForeign(kind: string, key: string): boolean {
    return this.#foreign[kind]?.[key] !== undefined;
  }

  /** @internal Writes one change to the running configuration. */
  write(change: Change): void {
    this.#running = applyChanges(this.#running, [change]);
    this.#writes++;
  }

  /** @internal The running configuration itself (not a copy; callers must not mutate it). */
  get running(): C {
    return this.#running;
  }

  /** @internal Restores the running configuration to the committed one. */
  restore(): void {
    this.#running = this.#committed;
  }

  /** @internal Takes the lock for an applied transaction. */
  hold(tx: Transaction, session: number, timer?: NodeJS.Timeout): void {
    this.#pending = { tx, session, ...(timer === undefined ? {} : { timer }) };
    this.#txStates.set(tx.id, { state: 'applied' });
  }

  /** @internal Records a transaction that never held the lock (an empty change set). */
  record(tx: Transaction): void {
    this.#txStates.set(tx.id, { state: tx.state });
  }

  /** @internal The reason a transaction ended as it did. */
  reasonOf(id: string): string | undefined {
    return this.#txStates.get(id)?.reason;
  }

  /** @internal Confirms the pending transaction `id`. */
  commit(id: string): void {
    const p = this.#pending;
    if (p === undefined || p.tx.id !== id) return;
    if (p.timer !== undefined) clearTimeout(p.timer);
    this.#committed = this.#running;
    this.#pending = undefined;
    p.tx.state = 'confirmed';
    this.#txStates.set(id, { state: 'confirmed' });
  }

  /** @internal Rolls the pending transaction `id` back. */
  revert(id: string, reason: string): void {
    const p = this.#pending;
    if (p === undefined || p.tx.id !== id) return;
    if (p.timer !== undefined) clearTimeout(p.timer);
    this.#running = this.#committed;
    this.#pending = undefined;
    p.tx.state = 'rolled-back';
    this.#txStates.set(id, { state: 'rolled-back', reason });
  }

  /** @internal Ends timers (registry reset). */
  dispose(): void {
    if (this.#pending !== undefined) this.revert(this.#pending.tx.id, 'the fake device registry was reset');
  }

  #ownedMap(kind: string): Readonly<Record<string, ConfigObject>> {
    return (this.#running as DeviceConfig)[kind] ?? {};
  }
}

const devices = new Map<string, FakeDevice<DeviceConfig>>();

/**
 * Every fake device of this process, by inventory name. Two drivers for one name share one device, so a test sees
 * what the runtime did and a second driver meets the first one's lock.
 */
export const fakeDeviceRegistry = {
  /** The device with this name, if created. `C` is the caller's assertion of its port's config type. */
  get<C extends DeviceConfig = DeviceConfig>(name: string): FakeDevice<C> | undefined {
    return devices.get(name) as FakeDevice<C> | undefined;
  },
  /** Names of every device, sorted. */
  names(): string[] {
    return [...devices.keys()].sort();
  },
  /** Forgets every device (rolling back unconfirmed transactions and clearing their timers). */
  reset(): void {
    for (const d of devices.values()) d.dispose();
    devices.clear();
  },
  /** Forgets one device (rolling back its unconfirmed transaction and clearing its timers); others stay. */
  forget(name: string): void {
    devices.get(name)?.dispose();
    devices.delete(name);
  },
  /**
   * The device with this name, created from `opts` if missing.
   * @throws InputError if a device of that name exists for another port, or the seed is invalid.
   */
  obtain<C extends DeviceConfig>(opts: FakeDeviceOptions<C>): FakeDevice<C> {
    const existing = devices.get(opts.name);
    if (existing !== undefined) {
      if (existing.port !== opts.vocabulary.port) {
        throw new InputError(`fake device ${JSON.stringify(opts.name)} is a ${existing.port} device, not a ${opts.vocabulary.port} device`);
      }
      return existing as unknown as FakeDevice<C>;
    }
    const created = new FakeDevice<C>(opts);
    devices.set(opts.name, created as unknown as FakeDevice<DeviceConfig>);
    return created;
  },
};
