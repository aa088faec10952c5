/**
 * The load-balancer driver and session for F5 BIG-IP: the device lifecycle of `@netloom/ports` over iControl REST.
 *
 * - **apply** is ONE iControl transaction per change set: netloom's writer lock (the data group
 *   `/Common/netloom-lock`) is created as its first command, then every rendered operation; the device applies it all
 *   or nothing. The pre-apply owned config is kept for rollback.
 * - **confirm** frees the lock. **rollback** is one transaction again: the inverse changes (the diff from what the
 *   device holds now back to the pre-apply snapshot) and freeing the lock. **close** rolls back an unconfirmed
 *   transaction, then ends the token.
 * - **One writer**: an apply while the lock is held (by any session of any controller) gets `LockedError`, also when
 *   two appliers race (the second transaction's lock create fails with 409). A lock past its lease (the apply's
 *   `confirmWithinSec`, else the `lockLeaseSec` option) is taken over, so a crashed controller cannot block the device.
 * - A commit whose reply is lost is settled by reading the device: applied (the lock is ours) or not.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import {
  CommitError,
  DeviceConnectionError,
  InputError,
  LockedError,
  LoadBalancerConfigCodec,
  applyChanges,
  assertCapabilities,
  capabilitiesForChanges,
  configEquals,
  decodeOrThrow,
  diffConfig,
  isNetloomError,
  loadBalancerVocabulary,
  type ApplyOptions,
  type ChangeSet,
  type ConfigObject,
  type ConnectOptions,
  type DeviceFacts,
  type LoadBalancerConfig,
  type LoadBalancerDriver,
  type LoadBalancerSession,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
  type TransactionState,
} from '@netloom/ports';
import { F5Client, isUncertain } from './f5-bigip.client';
import {
  LOCK,
  LockCodec,
  lockCreate,
  lockDelete,
  normalizeObject,
  operationText,
  parseDevice,
  parseLock,
  paths,
  renderChanges,
  type DeviceView,
  type LockInfo,
} from './f5-bigip.mapping';
import { F5BigipOptionsCodec, resolveF5BigipOptions, type ResolvedF5BigipOptions } from './f5-bigip.options';
import { READ_URIS, VersionStatsCodec, type F5Operation } from './f5-bigip.wire';

/** What the adapter supports on every BIG-IP it manages. */
export const F5_BIGIP_SUPPORTS = {
  partitions: true,
  virtualServers: true,
  pools: true,
  memberDrain: true,
  monitors: true,
} as const satisfies PortCapabilities<'loadBalancer'>;

/** Partitions netloom never manages (the device's own). */
export const RESERVED_PARTITIONS: readonly string[] = ['Common'];

/** The load-balancer driver for one BIG-IP. */
export class F5BigipDriver implements LoadBalancerDriver {
  /** The port this driver serves. */
  readonly port = 'loadBalancer' as const;
  /** The device's inventory name. */
  readonly name: string;
  /** The adapter options with their defaults. */
  readonly options: ResolvedF5BigipOptions;
  /** What the driver supports on this device. */
  readonly capabilities: PortCapabilities<'loadBalancer'> = F5_BIGIP_SUPPORTS;
  /** The runtime's logger, bound to the adapter and device. */
  readonly logger: Logger;
  readonly #factory: PortFactoryOptions;

  /** @throws InputError (bad options, no address) */
  constructor(opts: PortFactoryOptions) {
    const target = opts.target;
    this.name = target.name;
    this.options = resolveF5BigipOptions(decodeOrThrow(F5BigipOptionsCodec, opts.options ?? {}, `options of F5 BIG-IP ${target.name}`));
    if (target.address === undefined || target.address === '') throw new InputError(`F5 BIG-IP ${target.name}: the target has no address`);
    this.#factory = opts;
    this.logger = opts.logger.child({ adapter: 'f5-bigip', device: target.name });
  }

  /** `https://<address>:<port>` (IPv6 in brackets). */
  get baseUrl(): string {
    const t = this.#factory.target;
    const host = t.address!.includes(':') ? `[${t.address}]` : t.address!;
    return `https://${host}:${t.port ?? 443}`;
  }

  /**
   * Opens a session: checks the certificate and the credentials (a token login, or a Basic read).
   * @throws DeviceConnectionError (unreachable, certificate not trusted), DeviceAuthError, DeviceTimeoutError
   */
  async connect(opts: ConnectOptions = {}): Promise<LoadBalancerSession> {
    const t = this.#factory.target;
    if (opts.signal?.aborted === true) throw new DeviceConnectionError(`connect to ${this.name} aborted`);
    const client = new F5Client({
      device: this.name,
      baseUrl: this.baseUrl,
      ...(t.tls?.ca === undefined ? {} : { ca: t.tls.ca }),
      verify: t.tls?.verify !== false,
      credentials: t.credentials ?? {},
      options: opts.timeoutMs === undefined ? this.options : { ...this.options, requestTimeoutMs: opts.timeoutMs },
      logger: this.logger,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    try {
      await client.connect();
    } catch (e) {
      await client.close();
      throw e;
    }
    return new F5BigipSession(this, client);
  }
}

interface Pending {
  readonly tx: Transaction;
  /** The owned config before the apply (what rollback restores). */
  readonly before: LoadBalancerConfig;
  readonly holder: string;
}

/** A session with one BIG-IP. */
export class F5BigipSession implements LoadBalancerSession {
  /** Who holds the lock while this session's transaction waits (`<uuid> on <device>`). */
  readonly holder: string;
  readonly #driver: F5BigipDriver;
  readonly #client: F5Client;
  readonly #states = new Map<string, TransactionState>();
  #pending: Pending | undefined;
  #lastView: DeviceView | undefined;
  #closed = false;
  #noop = 0;

  constructor(driver: F5BigipDriver, client: F5Client) {
    this.#driver = driver;
    this.#client = client;
    this.holder = `netloom session ${randomUUID()}`;
  }

  /** The REST client (requests and logins counted, for diagnostics). */
  get client(): F5Client {
    return this.#client;
  }

  #open(): void {
    if (this.#closed) throw new DeviceConnectionError(`the session to ${this.#driver.name} is closed`);
  }

  async facts(): Promise<DeviceFacts> {
    this.#open();
    const v = await this.#client.get(VersionStatsCodec, '/mgmt/tm/sys/version');
    const entries = Object.values(v.entries)[0]?.nestedStats.entries ?? {};
    const d = (k: string): string | undefined => entries[k]?.description;
    const extra: Record<string, string> = {};
    for (const [k, name] of [
      ['Build', 'build'],
      ['Edition', 'edition'],
      ['Title', 'title'],
    ] as const) {
      const value = d(k);
      if (value !== undefined && value !== '') extra[name] = value;
    }
    return { vendor: 'F5', model: d('Product') ?? 'BIG-IP', osVersion: d('Version') ?? 'unknown', ...(Object.keys(extra).length > 0 ? { extra } : {}) };
  }

  /** Reads every collection the mapping needs and parses it. */
  async #read(): Promise<DeviceView> {
    const uris = [READ_URIS.folders, ...READ_URIS.monitors.map((m) => m.uri), READ_URIS.pools, READ_URIS.nodes, READ_URIS.virtuals];
    const replies = await Promise.all(uris.map((u) => this.#client.getRaw(u)));
    const view = parseDevice(this.#driver.name, Object.fromEntries(uris.map((u, i) => [u, replies[i]])));
    for (const w of view.warnings) this.#driver.logger.warn({}, w);
    this.#lastView = view;
    return view;
  }

  async observe(): Promise<ObserveResult<LoadBalancerConfig>> {
    this.#open();
    const view = await this.#read();
    return { config: view.owned, observedAt: new Date().toISOString() };
  }

  #validate(input: unknown, what: string): LoadBalancerConfig {
    const config = decodeOrThrow(LoadBalancerConfigCodec, input, `${what} load-balancer config of ${this.#driver.name}`);
    const reserved = Object.keys(config.partition).filter((p) => RESERVED_PARTITIONS.includes(p));
    if (reserved.length > 0) {
      throw InputError.fromProblems(
        `${what} load-balancer config of ${this.#driver.name}`,
        reserved.map((p) => ({ path: `partition[${JSON.stringify(p)}]`, reason: `${JSON.stringify(p)} is the device's system partition; netloom manages partitions of its own` })),
      );
    }
    return config;
  }

  async plan(opts: PlanOptions<LoadBalancerConfig>): Promise<ChangeSet> {
    this.#open();
    const name = this.#driver.name;
    // Validate before any request: names that could reach a URL or a body are checked here.
    const desired = this.#validate(opts.desired, 'desired');
    assertCapabilities('loadBalancer', name, loadBalancerVocabulary.capabilitiesUsed(desired), this.#driver.capabilities);
    const observed = opts.observed === undefined ? (await this.#read()).owned : this.#validate(opts.observed, 'observed');
    const view = this.#lastView ?? (await this.#read());
    const tainted = view.tainted;
    const changes = diffConfig({
      desired,
      observed,
      order: loadBalancerVocabulary.order,
      equals: (d: ConfigObject, o: ConfigObject, kind: string) =>
        !tainted.has(`${kind} ${o.key}`) && configEquals(normalizeObject(kind, d as unknown as Record<string, unknown>), normalizeObject(kind, o as unknown as Record<string, unknown>)),
    });
    assertCapabilities('loadBalancer', name, capabilitiesForChanges(loadBalancerVocabulary, changes), this.#driver.capabilities);
    const ops = changes.length === 0 ? [] : renderChanges(changes, { before: observed, after: desired, nodes: view.nodes, memberRefs: view.memberRefs });
    return { device: name, port: 'loadBalancer', changes, operations: ops.map((op) => ({ medium: 'http', text: operationText(op) })) };
  }

  async #lock(): Promise<LockInfo | undefined> {
    const dg = await this.#client.getOptional(LockCodec, paths.lock);
    return dg === undefined ? undefined : parseLock(dg);
  }

  #locked(lock: LockInfo, mine: boolean): LockedError {
    const until = Number.isNaN(lock.expires) ? 'unknown' : new Date(lock.expires).toISOString();
    return new LockedError(
      `${this.#driver.name} is locked by ${mine ? 'this session' : lock.holder} until ${until}: an applied transaction waits for confirm or rollback (the data group /${LOCK.partition}/${LOCK.name}); try again later`,
      { details: { device: this.#driver.name, holder: lock.holder, expires: until } },
    );
  }

  async apply(opts: ApplyOptions): Promise<Transaction> {
    this.#open();
    const name = this.#driver.name;
    const { changeSet } = opts;
    if (changeSet.device !== name || changeSet.port !== 'loadBalancer') {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to loadBalancer device ${JSON.stringify(name)}`);
    }
    if (opts.confirmWithinSec !== undefined && !(Number.isFinite(opts.confirmWithinSec) && opts.confirmWithinSec > 0)) {
      throw new InputError(`confirmWithinSec must be a positive number of seconds, got ${String(opts.confirmWithinSec)}`);
    }
    if (changeSet.changes.length === 0) {
      const tx: Transaction = { id: `${name}-noop-${++this.#noop}`, device: name, changeSet, state: 'confirmed' };
      this.#states.set(tx.id, 'confirmed');
      return tx;
    }
    if (this.#pending !== undefined) throw this.#locked({ holder: this.holder, expires: Number.NaN }, true);
    assertCapabilities('loadBalancer', name, capabilitiesForChanges(loadBalancerVocabulary, changeSet.changes), this.#driver.capabilities);

    const view = await this.#read();
    const current = view.owned;
    let next: LoadBalancerConfig;
    try {
      next = applyChanges(current, changeSet.changes);
    } catch (e) {
      throw new CommitError(`${name}: the change set does not fit the device's configuration (${e instanceof Error ? e.message : String(e)}); nothing was written. Observe and plan again.`, {
        cause: e,
        details: { device: name, written: 0 },
      });
    }
    next = this.#validate(next, 'resulting');
    const ops = renderChanges(changeSet.changes, { before: current, after: next, nodes: view.nodes, memberRefs: view.memberRefs });

    const lock = await this.#lock();
    const now = Date.now();
    if (lock !== undefined && lock.expires > now) throw this.#locked(lock, false);
    if (lock !== undefined) this.#driver.logger.warn({ holder: lock.holder }, 'taking over an expired writer lock');
    const leaseSec = opts.confirmWithinSec ?? this.#driver.options.lockLeaseSec;
    const lockOps: F5Operation[] = [...(lock === undefined ? [] : [lockDelete()]), lockCreate(this.holder, new Date(now + leaseSec * 1000))];

    let transId: number;
    try {
      transId = await this.#client.transaction([...lockOps, ...ops]);
    } catch (e) {
      if (isUncertain(e)) transId = await this.#settle(e, current, next);
      else if (isNetloomError(e) && /already exists/.test(e.message) && e.message.includes(`/${LOCK.partition}/${LOCK.name}`)) {
        const holder = await this.#lock().catch(() => undefined);
        throw this.#locked(holder ?? { holder: 'another writer', expires: Number.NaN }, false);
      } else throw e;
    }
    const tx: Transaction = { id: String(transId), device: name, changeSet, state: 'applied' };
    this.#pending = { tx, before: current, holder: this.holder };
    this.#states.set(tx.id, 'applied');
    this.#driver.logger.debug({ transaction: tx.id, operations: ops.length }, 'applied');
    return tx;
  }

  /** After a commit whose reply was lost: applied (the lock is ours and the config is `next`) or not. */
  async #settle(e: unknown, current: LoadBalancerConfig, next: LoadBalancerConfig): Promise<number> {
    const name = this.#driver.name;
    let lock: LockInfo | undefined;
    let now: LoadBalancerConfig;
    try {
      lock = await this.#lock();
      now = (await this.#read()).owned;
    } catch (readError) {
      throw new CommitError(`${name}: the connection was lost during the commit and the device could not be read afterwards; its state is unknown (observe again)`, { cause: readError, details: { device: name, uncertain: true } });
    }
    const same = (a: LoadBalancerConfig, b: LoadBalancerConfig): boolean => diffConfig({ desired: a, observed: b, order: loadBalancerVocabulary.order, equals: (x, y, k) => configEquals(normalizeObject(k, x as unknown as Record<string, unknown>), normalizeObject(k, y as unknown as Record<string, unknown>)) }).length === 0;
    const transaction = isNetloomError(e) && typeof e.details['transaction'] === 'number' ? e.details['transaction'] : 0;
    if (lock?.holder === this.holder && same(now, next)) {
      this.#driver.logger.warn({ transaction }, 'the commit reply was lost, but the device shows the transaction applied');
      return transaction;
    }
    if (lock?.holder !== this.holder && same(now, current)) {
      throw new CommitError(`${name}: the connection was lost during the commit; the device did not apply it (nothing changed)`, { cause: e, details: { device: name, written: 0 } });
    }
    throw new CommitError(`${name}: the connection was lost during the commit and the device shows neither the old nor the new configuration; observe and plan again`, { cause: e, details: { device: name, uncertain: true } });
  }

  #known(tx: Transaction): TransactionState {
    if (tx.device !== this.#driver.name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(this.#driver.name)}`);
    const state = this.#states.get(tx.id);
    if (state === undefined) throw new CommitError(`${this.#driver.name}: transaction ${tx.id} was not applied by this session`, { details: { device: this.#driver.name, transaction: tx.id } });
    return state;
  }

  async confirm(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const state = this.#known(tx);
    if (state === 'rolled-back') throw new CommitError(`${this.#driver.name}: transaction ${tx.id} was rolled back; it cannot be confirmed`, { details: { device: this.#driver.name, transaction: tx.id } });
    if (state === 'applied') {
      const lock = await this.#lock();
      if (lock?.holder === this.holder) await this.#client.call('DELETE', paths.lock, undefined, 'write');
      else this.#driver.logger.warn({ transaction: tx.id, holder: lock?.holder }, 'confirm: the writer lock was not ours any more (its lease ran out)');
      this.#pending = undefined;
      this.#states.set(tx.id, 'confirmed');
    }
    tx.state = 'confirmed';
  }

  async rollback(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const state = this.#known(tx);
    if (state === 'confirmed' && tx.changeSet.changes.length > 0) {
      throw new CommitError(`${this.#driver.name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, { details: { device: this.#driver.name, transaction: tx.id } });
    }
    if (state === 'applied') await this.#revert(this.#pending!);
    if (state !== 'confirmed') tx.state = 'rolled-back';
  }

  /** One transaction: the inverse changes back to the pre-apply snapshot, and freeing the lock. */
  async #revert(p: Pending): Promise<void> {
    const name = this.#driver.name;
    const lock = await this.#lock();
    if (lock !== undefined && lock.holder !== this.holder) {
      throw new CommitError(`${name}: cannot roll back transaction ${p.tx.id}: its writer lock ran out and ${lock.holder} holds the device now`, { details: { device: name, transaction: p.tx.id } });
    }
    const view = await this.#read();
    const inverse = diffConfig({ desired: p.before, observed: view.owned, order: loadBalancerVocabulary.order });
    const ops = renderChanges(inverse, { before: view.owned, after: p.before, nodes: view.nodes, memberRefs: view.memberRefs });
    const all = [...ops, ...(lock === undefined ? [] : [lockDelete()])];
    if (all.length > 0) await this.#client.transaction(all);
    this.#pending = undefined;
    this.#states.set(p.tx.id, 'rolled-back');
    this.#driver.logger.debug({ transaction: p.tx.id, operations: ops.length }, 'rolled back');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      const p = this.#pending;
      if (p !== undefined) {
        this.#driver.logger.warn({ transaction: p.tx.id }, 'session closed with an unconfirmed transaction: rolling it back');
        await this.#revert(p);
        p.tx.state = 'rolled-back';
      }
    } finally {
      await this.#client.close();
    }
  }
}
