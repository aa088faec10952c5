/**
 * The generic fake driver and session: the full device lifecycle of `@netloom/ports` over one vocabulary, on a
 * {@link FakeDevice}.
 * @packageDocumentation
 */
import {
  CAPABILITY_NAMES,
  CommitError,
  DeviceConnectionError,
  DeviceTimeoutError,
  InputError,
  LockedError,
  applyChanges,
  assertCapabilities,
  capabilitiesForChanges,
  decodeOrThrow,
  diffConfig,
  isNetloomError,
  isSafeName,
  stableStringify,
  type ApplyOptions,
  type CapabilityName,
  type Change,
  type ChangeSet,
  type ConnectOptions,
  type DeviceConfig,
  type DeviceDriver,
  type DeviceFacts,
  type DevicePortKind,
  type DeviceSession,
  type DeviceVocabulary,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type RenderedOperation,
  type Transaction,
  type TransactionOptions,
} from '@netloom/ports';
import { fakeDeviceRegistry, type FakeCall, type FakeDevice } from './fake.device';
import { FakeOptionsCodec, type FakeOptions } from './fake.options';

/** Seconds an applied transaction waits for confirm when `confirmWithinSec` is not given (confirmed-commit ports). */
export const DEFAULT_CONFIRM_WITHIN_SEC = 120;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The text of one rendered operation: `create segment 10010 {"l2Vni":10010,"name":"ls-web"}`. */
export function renderChange(change: Change): string {
  if (change.after === undefined) return `${change.op} ${change.kind} ${change.key}`;
  const { key: _key, ...body } = change.after as unknown as Record<string, unknown>;
  return `${change.op} ${change.kind} ${change.key} ${stableStringify(body)}`;
}

/** A fake driver for one device. */
export class FakeDriver<P extends DevicePortKind, C extends DeviceConfig> implements DeviceDriver<C> {
  readonly port: P;
  readonly device: FakeDevice<C>;
  readonly options: FakeOptions;
  readonly capabilities: PortCapabilities<P>;
  readonly logger: Logger;
  #calls = 0;

  constructor(vocabulary: DeviceVocabulary<P, C, unknown>, declared: PortCapabilities<P>, opts: PortFactoryOptions) {
    this.port = vocabulary.port;
    const name = opts.target.name;
    if (!isSafeName(name)) throw new InputError(`fake ${this.port} device: target name ${JSON.stringify(name)} is not a safe name`);
    this.options = decodeOrThrow(FakeOptionsCodec, opts.options ?? {}, `options of fake ${this.port} device ${name}`);
    const known: readonly string[] = CAPABILITY_NAMES[this.port];
    const unknown = (this.options.unsupported ?? []).filter((c) => !known.includes(c));
    if (unknown.length > 0) {
      throw InputError.fromProblems(
        `options of fake ${this.port} device ${name}`,
        unknown.map((c) => ({ path: 'unsupported', reason: `${JSON.stringify(c)} is not a ${this.port} capability (${known.join(', ')})` })),
      );
    }
    const caps: Record<string, boolean> = { ...(declared as Readonly<Record<string, boolean>>) };
    for (const c of this.options.unsupported ?? []) caps[c] = false;
    this.capabilities = caps as PortCapabilities<P>;
    this.logger = opts.logger.child({ adapter: 'fake', port: this.port, device: name });
    this.device = fakeDeviceRegistry.obtain<C>({
      name,
      vocabulary: vocabulary as unknown as DeviceVocabulary<DevicePortKind, C, unknown>,
      ...(this.options.facts === undefined ? {} : { facts: this.options.facts }),
      ...(this.options.seed?.owned === undefined ? {} : { owned: this.options.seed.owned }),
      ...(this.options.seed?.foreign === undefined ? {} : { foreign: this.options.seed.foreign }),
    });
  }

  /** @throws DeviceTimeoutError (failOnCall), DeviceConnectionError (aborted) */
  async connect(opts: ConnectOptions = {}): Promise<DeviceSession<C>> {
    if (opts.signal?.aborted === true) throw new DeviceConnectionError(`connect to ${this.device.name} aborted`);
    await this.gate('connect', 0);
    const session = new FakeSession<P, C>(this, this.device.nextSession());
    this.logger.debug({ session: session.id }, 'connected');
    return session;
  }

  /** @internal Counts a device call, waits the latency, fails it if it is the injected one. */
  async gate(op: FakeCall['op'], session: number): Promise<void> {
    const n = ++this.#calls;
    const fail = this.options.failOnCall === n;
    this.device.logCall(op, session, fail);
    if ((this.options.latencyMs ?? 0) > 0) await sleep(this.options.latencyMs!);
    if (fail) throw new DeviceTimeoutError(`${this.device.name}: ${op} timed out (injected: call ${n})`, { details: { device: this.device.name, op, call: n } });
  }
}

/** A session with a fake device. */
export class FakeSession<P extends DevicePortKind, C extends DeviceConfig> implements DeviceSession<C> {
  readonly id: number;
  readonly #driver: FakeDriver<P, C>;
  #closed = false;

  constructor(driver: FakeDriver<P, C>, id: number) {
    this.#driver = driver;
    this.id = id;
  }

  get #device(): FakeDevice<C> {
    return this.#driver.device;
  }

  get #vocabulary(): DeviceVocabulary<DevicePortKind, C, unknown> {
    return this.#device.vocabulary;
  }

  #open(): void {
    if (this.#closed) throw new DeviceConnectionError(`session ${this.id} to ${this.#device.name} is closed`);
  }

  #require(used: readonly CapabilityName<P>[]): void {
    assertCapabilities(this.#driver.port, this.#device.name, used, this.#driver.capabilities);
  }

  async facts(): Promise<DeviceFacts> {
    this.#open();
    await this.#driver.gate('facts', this.id);
    const unsupported = this.#driver.options.unsupported ?? [];
    return { ...this.#device.facts, ...(unsupported.length > 0 ? { extra: { unsupported: unsupported.join(',') } } : {}) };
  }

  async observe(): Promise<ObserveResult<C>> {
    this.#open();
    await this.#driver.gate('observe', this.id);
    return { config: this.#device.owned(), observedAt: new Date().toISOString() };
  }

  async plan(opts: PlanOptions<C>): Promise<ChangeSet> {
    this.#open();
    const name = this.#device.name;
    const port = this.#driver.port;
    const desired = decodeOrThrow(this.#vocabulary.configCodec, opts.desired, `desired ${port} config of ${name}`);
    this.#require(this.#vocabulary.capabilitiesUsed(desired) as CapabilityName<P>[]);
    const observed =
      opts.observed === undefined ? (await this.observe()).config : decodeOrThrow(this.#vocabulary.configCodec, opts.observed, `observed ${port} config of ${name}`);
    const changes = diffConfig({ desired, observed, order: this.#vocabulary.order });
    this.#require(capabilitiesForChanges(this.#vocabulary, changes) as CapabilityName<P>[]);
    const operations: RenderedOperation[] = changes.map((c) => ({ medium: 'memory', text: renderChange(c) }));
    return { device: name, port, changes, operations };
  }

  async apply(opts: ApplyOptions): Promise<Transaction> {
    this.#open();
    const device = this.#device;
    const { changeSet } = opts;
    await this.#driver.gate('apply', this.id);
    if (changeSet.device !== device.name || changeSet.port !== this.#driver.port) {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to ${this.#driver.port} device ${JSON.stringify(device.name)}`);
    }
    if (opts.confirmWithinSec !== undefined && !(Number.isFinite(opts.confirmWithinSec) && opts.confirmWithinSec > 0)) {
      throw new InputError(`confirmWithinSec must be a positive number of seconds, got ${String(opts.confirmWithinSec)}`);
    }
    if (changeSet.changes.length === 0) {
      const tx: Transaction = { id: device.nextTransactionId(), device: device.name, changeSet, state: 'confirmed' };
      device.record(tx);
      return tx;
    }
    const pending = device.pending;
    if (pending !== undefined) {
      const whose = pending.session === this.id ? 'this session' : `session ${pending.session}`;
      throw new LockedError(`${device.name} is locked: transaction ${pending.tx.id} of ${whose} is not confirmed yet; confirm or roll it back first`, {
        details: { device: device.name, transaction: pending.tx.id },
      });
    }
    this.#require(capabilitiesForChanges(this.#vocabulary, changeSet.changes) as CapabilityName<P>[]);
    // Check the whole change set against the device before writing anything.
    let next: C;
    try {
      next = applyChanges(device.running, changeSet.changes);
    } catch (e) {
      throw new CommitError(`${device.name}: the change set does not fit the device's configuration (${e instanceof Error ? e.message : String(e)}); nothing was written. Observe and plan again.`, {
        cause: e,
        details: { device: device.name, written: 0 },
      });
    }
    // The device keeps objects in canonical form (as a real device answers in its own spelling).
    const canonical = decodeOrThrow(this.#vocabulary.configCodec, next, `${this.#driver.port} config of ${device.name} after the change set`) as DeviceConfig;
    const id = device.nextTransactionId();

    const total = changeSet.changes.length;
    const cut = this.#driver.options.dropMidCommit === true ? Math.max(1, Math.floor(total / 2)) : -1;
    let written = 0;
    const fail = (why: string, cause?: unknown): never => {
      device.restore();
      this.#driver.logger.warn({ written, total }, `commit failed (${why}); restored the last committed configuration`);
      throw new CommitError(`${device.name}: commit failed after ${written} of ${total} changes (${why}); the device is back at its last committed configuration`, {
        ...(cause === undefined ? {} : { cause }),
        details: { device: device.name, written, total, restored: true },
      });
    };
    for (const change of changeSet.changes) {
      if (change.op === 'create' && device.isForeign(change.kind, change.key)) fail(`${change.kind} ${change.key} exists on the device and is not owned by netloom`);
      try {
        device.write(change.after === undefined ? change : { ...change, after: canonical[change.kind]![change.key]! });
      } catch (e) {
        fail(isNetloomError(e) ? e.message : String(e), e);
      }
      written++;
      if (written === cut) fail('injected: dropMidCommit');
    }

    const tx: { -readonly [K in keyof Transaction]: Transaction[K] } = { id, device: device.name, changeSet, state: 'applied' };
    let timer: NodeJS.Timeout | undefined;
    if (this.#driver.capabilities['confirmedCommit' as keyof PortCapabilities<P>] === true) {
      const sec = opts.confirmWithinSec ?? DEFAULT_CONFIRM_WITHIN_SEC;
      tx.confirmBy = new Date(Date.now() + sec * 1000).toISOString();
      timer = setTimeout(() => {
        device.revert(id, `not confirmed within ${sec} s`);
        this.#driver.logger.warn({ transaction: id }, `transaction not confirmed within ${sec} s: rolled back`);
      }, sec * 1000);
      timer.unref();
    }
    device.hold(tx, this.id, timer);
    this.#driver.logger.debug({ transaction: id, changes: total }, 'applied');
    return tx;
  }

  async confirm(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    await this.#driver.gate('confirm', this.id);
    const state = this.#known(tx);
    if (state === 'rolled-back') {
      throw new CommitError(`${this.#device.name}: transaction ${tx.id} was rolled back (${this.#device.reasonOf(tx.id) ?? 'rolled back'}); it cannot be confirmed`, {
        details: { device: this.#device.name, transaction: tx.id },
      });
    }
    if (state === 'applied') this.#device.commit(tx.id);
    tx.state = 'confirmed';
  }

  async rollback(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    await this.#driver.gate('rollback', this.id);
    const state = this.#known(tx);
    if (state === 'confirmed' && tx.changeSet.changes.length > 0) {
      throw new CommitError(`${this.#device.name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, {
        details: { device: this.#device.name, transaction: tx.id },
      });
    }
    if (state === 'applied') this.#device.revert(tx.id, 'rolled back on request');
    if (state !== 'confirmed') tx.state = 'rolled-back';
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#device.pending;
    if (pending !== undefined && pending.session === this.id) {
      this.#device.revert(pending.tx.id, 'the session closed before confirming');
      this.#driver.logger.warn({ transaction: pending.tx.id }, 'session closed with an unconfirmed transaction: rolled back');
    }
    this.#device.logCall('close', this.id);
  }

  #known(tx: Transaction): 'applied' | 'confirmed' | 'rolled-back' {
    if (tx.device !== this.#device.name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(this.#device.name)}`);
    const state = this.#device.transactionState(tx.id);
    if (state === undefined) throw new CommitError(`${this.#device.name}: unknown transaction ${tx.id}`, { details: { device: this.#device.name, transaction: tx.id } });
    return state;
  }
}
