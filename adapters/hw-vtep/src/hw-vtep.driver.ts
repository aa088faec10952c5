/**
 * The fabric driver and session of the hw-vtep adapter: the device lifecycle of `@netloom/ports` over one OVSDB
 * session to a `hardware_vtep` database.
 *
 * - connect: one OVSDB connection per session (reconnecting with backoff), checked to serve `hardware_vtep` and
 *   to hold the configured `Physical_Switch`.
 * - observe: one read transaction (`hw-vtep.state.ts`).
 * - plan: validates, diffs, renders the exact transaction (`hw-vtep.transaction.ts`) against a read.
 * - apply: takes netloom's OVSDB lock for the switch (another session holds it: LockedError), reads, checks that
 *   the change set still fits (stale: CommitError, nothing written), sends ONE transaction with preconditions.
 * - confirm drops the pre-apply snapshot and the lock; rollback sends the inverse transaction (one transaction).
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import {
  CommitError,
  ConflictError,
  DeviceConnectionError,
  DeviceTimeoutError,
  FABRIC_KIND_ORDER,
  FabricConfigCodec,
  InputError,
  LockedError,
  NetloomError,
  NotFoundError,
  applyChanges,
  assertCapabilities,
  capabilitiesForChanges,
  configEquals,
  decodeOrThrow,
  diffConfig,
  fabricVocabulary,
  redact,
  type AccessBinding,
  type ApplyOptions,
  type CapabilityName,
  type Change,
  type ChangeSet,
  type ConnectOptions,
  type DeviceFacts,
  type FabricConfig,
  type FabricDriver,
  type FabricSession,
  type InputProblem,
  type L2Segment,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type PortCapabilities,
  type PortFactoryOptions,
  type Transaction,
  type TransactionOptions,
  type TransactionState,
} from '@netloom/ports';
import { OvsdbClient, op } from '@netloom/ovsdb';
import { HW_VTEP_DATABASE, lockName, logicalSwitchName } from './hw-vtep.markers';
import { type HwVtepConnectionSettings, connectionSettings, loadTls } from './hw-vtep.options';
import { type VtepState, readVtepState } from './hw-vtep.state';
import { buildTransaction, effectiveChanges, renderTransaction, type VtepTransaction } from './hw-vtep.transaction';

/**
 * What `hardware_vtep` can carry, declared honestly:
 * - `l2Segment`: a `Logical_Switch` with `tunnel_key` = the L2 VNI.
 * - `accessBinding`: `Physical_Port.vlan_bindings` {VLAN → Logical_Switch}.
 * - `vrf`: false. The schema's `Logical_Router` binds switches to prefixes and holds static routes, but has no
 *   L3 VNI, no route targets and no notion of symmetric IRB: it cannot hold netloom's VRF (an IP-VRF with an L3
 *   VNI) faithfully.
 * - `anycastGateway`: false (it needs `vrf`; a `Logical_Router` port address is not an anycast gateway MAC).
 * - `interconnect`: false (no route targets, no BGP in the schema).
 * - `confirmedCommit`: false (OVSDB commits at once; netloom rolls back itself).
 * - `floodVtep`: a `Physical_Locator` per remote VTEP in the `Physical_Locator_Set` of the segment's
 *   `Mcast_Macs_Remote` `unknown-dst` row: the schema's own way to say where BUM traffic of a logical switch goes
 *   (static ingress replication; the VTEP learns the MACs behind the locators from the data plane).
 */
export const HW_VTEP_SUPPORTS = {
  fabric: { l2Segment: true, vrf: false, anycastGateway: false, accessBinding: true, interconnect: false, confirmedCommit: false, floodVtep: true },
} as const satisfies { readonly fabric: PortCapabilities<'fabric'> };

/** How long apply waits for a lost connection to come back to find out whether its commit happened (ms). */
export const COMMIT_RECOVERY_MS = 15_000;

/** Default connect timeout (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

function isConnectionLoss(e: unknown): boolean {
  if (e instanceof DeviceConnectionError) return true;
  // A request that timed out (not a `wait` that failed) has an unknown outcome, like a lost connection.
  return e instanceof DeviceTimeoutError && e.details['op'] === undefined;
}

/**
 * The fabric driver for one leaf exposing `hardware_vtep`.
 *
 * @example
 * const driver = new HwVtepFabricDriver({ target: { name: 'leaf1', address: '10.0.0.5' }, options: { physicalSwitch: 'leaf1' }, logger });
 * const session = await driver.connect();
 * const plan = await session.plan({ desired });
 * await session.confirm({ transaction: await session.apply({ changeSet: plan }) });
 * await session.close();
 */
export class HwVtepFabricDriver implements FabricDriver {
  readonly port = 'fabric' as const;
  /** The connection settings (no secret in them is ever logged). */
  readonly settings: HwVtepConnectionSettings;
  readonly deviceName: string;
  readonly logger: Logger;

  /** @throws InputError invalid options or target (see `connectionSettings`). */
  constructor(opts: PortFactoryOptions) {
    this.deviceName = opts.target.name;
    this.settings = connectionSettings(opts.target, opts.options);
    this.logger = opts.logger.child({ adapter: 'hw-vtep', port: 'fabric', device: this.deviceName, physicalSwitch: this.settings.physicalSwitch });
  }

  /**
   * Opens a session: connects, checks that the server serves `hardware_vtep` and holds the physical switch.
   * @throws DeviceConnectionError (refused, unreachable, TLS, no `hardware_vtep`, no such physical switch),
   *   DeviceTimeoutError, InputError (the TLS certificate file cannot be read)
   */
  async connect(opts: ConnectOptions = {}): Promise<HwVtepFabricSession> {
    const { remote, physicalSwitch } = this.settings;
    if (isAborted(opts.signal)) throw new DeviceConnectionError(`connect to ${this.deviceName} (${remote}) aborted`, { details: { remote } });
    const tls = await loadTls(this.settings);
    let client: OvsdbClient;
    try {
      client = await OvsdbClient.connect({
        remote,
        ...(tls !== undefined ? { tls } : {}),
        connectTimeoutMs: opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        requestTimeoutMs: this.settings.requestTimeoutMs,
        logger: this.logger,
      });
    } catch (e) {
      throw this.#scrub(e);
    }
    try {
      if (isAborted(opts.signal)) throw new DeviceConnectionError(`connect to ${this.deviceName} (${remote}) aborted`, { details: { remote } });
      const dbs = await client.listDbs();
      if (!dbs.includes(HW_VTEP_DATABASE)) {
        throw new DeviceConnectionError(`${remote} does not serve the ${HW_VTEP_DATABASE} database (it serves: ${dbs.join(', ') || 'nothing'}); is this a hardware VTEP?`, {
          details: { remote, databases: dbs },
        });
      }
      const [switches] = await client.transact(HW_VTEP_DATABASE, [op.select<{ name: string }>('Physical_Switch', [], ['name'])] as const);
      const names = switches.rows.map((r) => r.name).filter((n) => typeof n === 'string');
      if (!names.includes(physicalSwitch)) {
        throw new DeviceConnectionError(
          `${HW_VTEP_DATABASE} at ${remote} has no Physical_Switch ${JSON.stringify(physicalSwitch)} (it has: ${names.sort().join(', ') || 'none'}); check options.physicalSwitch`,
          { details: { remote, physicalSwitch, physicalSwitches: names } },
        );
      }
    } catch (e) {
      await client.close();
      throw this.#scrub(e);
    }
    const session = new HwVtepFabricSession(this, client);
    this.logger.debug({ remote }, 'connected');
    return session;
  }

  /** Errors never carry a secret (the key or its passphrase). */
  #scrub(e: unknown): unknown {
    if (!(e instanceof NetloomError) || this.settings.secrets.length === 0) return e;
    const clean = redact(e.message, this.settings.secrets);
    if (clean === e.message) return e;
    return new DeviceConnectionError(clean, { details: { remote: this.settings.remote } });
  }
}

/** The pending (applied, unconfirmed) transaction of a session: what rollback needs. */
interface Pending {
  readonly tx: Transaction;
  /** Owned config before the apply (the rollback target). */
  readonly before: FabricConfig;
  /** Owned config the apply produced. */
  readonly after: FabricConfig;
}

/** A session with one leaf over one OVSDB connection. */
export class HwVtepFabricSession implements FabricSession {
  readonly #driver: HwVtepFabricDriver;
  readonly #client: OvsdbClient;
  readonly #lock: string;
  readonly #states = new Map<string, { state: TransactionState; reason?: string }>();
  #pending: Pending | undefined;
  #closed = false;
  #txSeq = 0;

  /** @internal Made by {@link HwVtepFabricDriver.connect}. */
  constructor(driver: HwVtepFabricDriver, client: OvsdbClient) {
    this.#driver = driver;
    this.#client = client;
    this.#lock = lockName(driver.settings.physicalSwitch);
  }

  get #name(): string {
    return this.#driver.deviceName;
  }

  get #ps(): string {
    return this.#driver.settings.physicalSwitch;
  }

  /** The OVSDB lock this session takes to write (`netloom_<physicalSwitch>`). */
  get lockName(): string {
    return this.#lock;
  }

  #open(): void {
    if (this.#closed) throw new DeviceConnectionError(`session to ${this.#name} is closed`, { details: { device: this.#name } });
  }

  #read(): Promise<VtepState> {
    return readVtepState(this.#client, this.#ps);
  }

  /** Reads the whole leaf (owned objects and the rows behind them). Read-only. */
  async read(): Promise<VtepState> {
    this.#open();
    return this.#read();
  }

  /**
   * Vendor from the `Physical_Switch` description (its name when empty), model `hardware_vtep`, OS version = the
   * schema version, hostname = the switch name.
   */
  async facts(): Promise<DeviceFacts> {
    this.#open();
    const [state, schema] = await Promise.all([this.#read(), this.#client.getSchema(HW_VTEP_DATABASE)]);
    const ps = state.physicalSwitch;
    return {
      vendor: ps.description.trim() !== '' ? ps.description.trim() : ps.name,
      model: 'hardware_vtep',
      osVersion: schema.version,
      hostname: ps.name,
      extra: { database: HW_VTEP_DATABASE, tunnelIps: ps.tunnel_ips.join(','), managementIps: ps.management_ips.join(','), ports: state.ports.size },
    };
  }

  async observe(): Promise<ObserveResult<FabricConfig>> {
    this.#open();
    const state = await this.#read();
    return { config: state.owned, observedAt: new Date().toISOString() };
  }

  async plan(opts: PlanOptions<FabricConfig>): Promise<ChangeSet> {
    this.#open();
    const name = this.#name;
    const desired = decodeOrThrow(FabricConfigCodec, opts.desired, `desired fabric config of ${name}`);
    this.#require(fabricVocabulary.capabilitiesUsed(desired));
    const observed = opts.observed === undefined ? undefined : decodeOrThrow(FabricConfigCodec, opts.observed, `observed fabric config of ${name}`);
    const state = await this.#read();
    const problems: InputProblem[] = [];
    for (const [key, b] of Object.entries(desired.binding)) {
      if (!state.ports.has(b.interface)) {
        problems.push({ path: `binding[${JSON.stringify(key)}].interface`, reason: `${JSON.stringify(b.interface)} is not a port of Physical_Switch ${JSON.stringify(this.#ps)} (ports: ${[...state.ports.keys()].sort().join(', ') || 'none'})` });
      }
    }
    if (problems.length > 0) throw InputError.fromProblems(`desired fabric config of ${name}`, problems);
    const changes = diffConfig({ desired, observed: observed ?? state.owned, order: FABRIC_KIND_ORDER });
    this.#require(capabilitiesForChanges(fabricVocabulary, changes));
    if (changes.length === 0) return { device: name, port: 'fabric', changes, operations: [] };
    const schema = await this.#client.getSchema(HW_VTEP_DATABASE);
    const operations = renderTransaction(schema, buildTransaction(changes, state, { lock: this.#lock, device: name }));
    return { device: name, port: 'fabric', changes, operations };
  }

  async apply(opts: ApplyOptions): Promise<Transaction> {
    this.#open();
    const { changeSet } = opts;
    if (changeSet.device !== this.#name || changeSet.port !== 'fabric') {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to fabric device ${JSON.stringify(this.#name)}`);
    }
    if (opts.confirmWithinSec !== undefined && !(Number.isFinite(opts.confirmWithinSec) && opts.confirmWithinSec > 0)) {
      throw new InputError(`confirmWithinSec must be a positive number of seconds, got ${String(opts.confirmWithinSec)}`);
    }
    if (changeSet.changes.length === 0) return this.#record({ id: this.#nextId(), device: this.#name, changeSet, state: 'confirmed' });
    if (this.#pending !== undefined) {
      throw new LockedError(`${this.#name} is locked: transaction ${this.#pending.tx.id} of this session is not confirmed yet; confirm or roll it back first`, {
        details: { device: this.#name, transaction: this.#pending.tx.id },
      });
    }
    this.#require(capabilitiesForChanges(fabricVocabulary, changeSet.changes));
    await this.#takeLock();
    try {
      const state = await this.#read();
      const result = this.#fit(changeSet.changes, state, 'the change set');
      const changes = effectiveChanges(result, state.owned);
      const tx: Transaction = { id: this.#nextId(), device: this.#name, changeSet, state: 'applied' };
      if (changes.length === 0) {
        await this.#releaseLock();
        tx.state = 'confirmed';
        return this.#record(tx);
      }
      await this.#write(changes, state, { before: state.owned, after: result, what: `transaction ${tx.id}`, ifCommittedAfterLoss: 'revert' });
      this.#pending = { tx, before: state.owned, after: result };
      this.#driver.logger.debug({ transaction: tx.id, changes: changes.length }, 'applied');
      return this.#record(tx);
    } catch (e) {
      if (this.#pending === undefined) await this.#releaseLock();
      throw e;
    }
  }

  async confirm(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const state = this.#known(tx);
    if (state === 'rolled-back') {
      throw new CommitError(`${this.#name}: transaction ${tx.id} was rolled back (${this.#states.get(tx.id)?.reason ?? 'rolled back'}); it cannot be confirmed`, {
        details: { device: this.#name, transaction: tx.id },
      });
    }
    if (state === 'applied') {
      this.#pending = undefined;
      this.#states.set(tx.id, { state: 'confirmed' });
      await this.#releaseLock();
    }
    tx.state = 'confirmed';
  }

  async rollback(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const state = this.#known(tx);
    if (state === 'rolled-back') {
      tx.state = 'rolled-back';
      return;
    }
    if (state === 'confirmed') {
      if (tx.changeSet.changes.length === 0) return;
      throw new CommitError(`${this.#name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, {
        details: { device: this.#name, transaction: tx.id },
      });
    }
    await this.#revertPending('rolled back on request');
    tx.state = 'rolled-back';
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const pending = this.#pending;
    if (pending !== undefined) {
      try {
        await this.#revertPending('the session closed before confirming');
        this.#driver.logger.warn({ transaction: pending.tx.id }, 'session closed with an unconfirmed transaction: rolled back');
      } catch (e) {
        this.#driver.logger.error({ transaction: pending.tx.id, err: e instanceof Error ? e.message : String(e) }, 'session closed with an unconfirmed transaction that could not be rolled back');
      }
    }
    this.#closed = true;
    await this.#releaseLock();
    await this.#client.close();
  }

  // ---------------------------------------------------------------------------------------------------------------

  #require(used: readonly CapabilityName<'fabric'>[]): void {
    assertCapabilities('fabric', this.#name, used, HW_VTEP_SUPPORTS.fabric);
  }

  #nextId(): string {
    return `${this.#name}#${++this.#txSeq}-${randomUUID().slice(0, 8)}`;
  }

  #record(tx: Transaction): Transaction {
    this.#states.set(tx.id, { state: tx.state });
    return tx;
  }

  #known(tx: Transaction): TransactionState {
    if (tx.device !== this.#name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(this.#name)}`);
    const s = this.#states.get(tx.id);
    if (s === undefined) throw new CommitError(`${this.#name}: unknown transaction ${tx.id} (not applied by this session)`, { details: { device: this.#name, transaction: tx.id } });
    return s.state;
  }

  async #takeLock(): Promise<void> {
    const { locked } = await this.#client.lock(this.#lock);
    if (locked) return;
    // Withdraw the queued request: a writer that cannot have the lock now gives up instead of waiting.
    await this.#client.unlock(this.#lock).catch(() => undefined);
    throw new LockedError(`${this.#name}: another netloom session holds the OVSDB lock ${this.#lock} of Physical_Switch ${JSON.stringify(this.#ps)} (an unconfirmed transaction); try again later`, {
      details: { device: this.#name, lock: this.#lock },
    });
  }

  async #releaseLock(): Promise<void> {
    // The server also releases it when the connection goes; unlock may then fail, which is fine.
    await this.#client.unlock(this.#lock).catch(() => undefined);
  }

  /**
   * Checks `changes` against the owned config of `state` and the rows around it; returns the resulting owned config.
   * @throws CommitError stale (an object changed or vanished since it was observed), or a conflict with a foreign
   *   row; nothing has been written. InputError a malformed change list or an invalid resulting config.
   */
  #fit(changes: readonly Change[], state: VtepState, what: string): FabricConfig {
    let next: FabricConfig;
    try {
      next = applyChanges(state.owned, changes);
    } catch (e) {
      if (e instanceof ConflictError || e instanceof NotFoundError) {
        throw new CommitError(`${this.#name}: ${what} does not fit the device any more (${e.message}); nothing was written. Observe and plan again.`, {
          cause: e,
          details: { device: this.#name, written: 0, stale: true },
        });
      }
      throw e;
    }
    const result = decodeOrThrow(FabricConfigCodec, next, `fabric config of ${this.#name} after ${what}`);
    this.#require(fabricVocabulary.capabilitiesUsed(result));
    const conflicts: string[] = [];
    for (const c of effectiveChanges(result, state.owned)) {
      if (c.kind === 'segment' && c.op === 'create') {
        const seg = c.after as L2Segment;
        const lsName = logicalSwitchName(seg.l2Vni);
        for (const ls of state.logicalSwitches) {
          if (ls.name === lsName) conflicts.push(`segment ${c.key}: a Logical_Switch named ${lsName} exists and is not netloom's`);
          else if (ls.tunnel_key === seg.l2Vni) conflicts.push(`segment ${c.key}: VNI ${seg.l2Vni} is the tunnel_key of Logical_Switch ${JSON.stringify(ls.name)}, which is not netloom's`);
        }
      }
      if (c.kind === 'binding' && c.op !== 'delete') {
        const b = c.after as AccessBinding;
        const port = state.ports.get(b.interface);
        if (port === undefined) {
          conflicts.push(`binding ${c.key}: port ${b.interface} is not on Physical_Switch ${JSON.stringify(this.#ps)}`);
          continue;
        }
        const bound = port.vlan_bindings.get(b.vlan);
        if (c.op === 'create' && bound !== undefined) {
          const ls = state.logicalSwitches.find((l) => l._uuid === bound);
          conflicts.push(`binding ${c.key}: VLAN ${b.vlan} of port ${b.interface} is bound to Logical_Switch ${JSON.stringify(ls?.name ?? bound)}, which is not netloom's`);
        }
      }
    }
    if (conflicts.length > 0) {
      throw new CommitError(`${this.#name}: ${what} conflicts with objects netloom does not own; nothing was written: ${conflicts.join('; ')}`, {
        details: { device: this.#name, written: 0, conflicts },
      });
    }
    return result;
  }

  /**
   * Sends one transaction carrying `changes` (checked against `state`), mapping every failure.
   * When the connection breaks before the answer, finds out what happened once it is back: not committed
   * (CommitError, the device unchanged), committed (for apply: reverted, then CommitError; for rollback: done).
   */
  async #write(
    changes: readonly Change[],
    state: VtepState,
    ctx: { readonly before: FabricConfig; readonly after: FabricConfig; readonly what: string; readonly ifCommittedAfterLoss: 'revert' | 'accept' },
  ): Promise<void> {
    const txn = buildTransaction(changes, state, { lock: this.#lock, device: this.#name });
    if (txn.unresolved.length > 0) {
      throw new CommitError(`${this.#name}: ${ctx.what} does not fit the device any more (${txn.unresolved.join('; ')}); nothing was written`, {
        details: { device: this.#name, written: 0, stale: true },
      });
    }
    try {
      await this.#client.transact(HW_VTEP_DATABASE, txn.operations);
      return;
    } catch (e) {
      if (isConnectionLoss(e)) return this.#afterLoss(e, ctx);
      throw this.#commitFailure(e, txn, ctx.what);
    }
  }

  #commitFailure(e: unknown, txn: VtepTransaction, what: string): unknown {
    if (!(e instanceof NetloomError)) return e;
    const index = typeof e.details['opIndex'] === 'number' ? e.details['opIndex'] : undefined;
    const purpose = index === undefined ? undefined : txn.purposes[index];
    const errorDetails = typeof e.details['errorDetails'] === 'string' ? e.details['errorDetails'] : undefined;
    const details = { device: this.#name, written: 0, ...(purpose !== undefined ? { failed: purpose } : {}), ...(errorDetails !== undefined ? { deviceText: errorDetails } : {}) };
    if (e instanceof LockedError) {
      return new LockedError(`${this.#name}: this session no longer holds the OVSDB lock ${this.#lock} (lost with the connection?); ${what} wrote nothing`, { cause: e, details });
    }
    if (e instanceof DeviceTimeoutError && e.details['op'] === 'wait') {
      return new CommitError(`${this.#name}: ${what} was refused, the device changed after it was read (${purpose ?? 'a precondition'} failed); nothing was written. Observe and plan again.`, {
        cause: e,
        details: { ...details, stale: true },
      });
    }
    if (e instanceof CommitError) {
      return new CommitError(`${this.#name}: the device rejected ${what}${purpose !== undefined ? ` at "${purpose}"` : ''}: ${e.details['error'] ?? 'error'}${errorDetails !== undefined ? ` (${errorDetails})` : ''}; nothing was written`, {
        cause: e,
        details,
      });
    }
    return e;
  }

  async #afterLoss(
    lost: unknown,
    ctx: { readonly before: FabricConfig; readonly after: FabricConfig; readonly what: string; readonly ifCommittedAfterLoss: 'revert' | 'accept' },
  ): Promise<void> {
    const deadline = Date.now() + COMMIT_RECOVERY_MS;
    const log = this.#driver.logger;
    log.warn({ err: lost instanceof Error ? lost.message : String(lost) }, `connection lost during ${ctx.what}; finding out whether it committed`);
    let now: VtepState;
    try {
      now = await this.#readWhenBack(deadline);
    } catch (e) {
      throw new CommitError(`${this.#name}: the connection broke during ${ctx.what} and did not come back; the outcome is unknown: observe before writing again`, {
        cause: lost,
        details: { device: this.#name, outcome: 'unknown', reconnect: e instanceof Error ? e.message : String(e) },
      });
    }
    if (configEquals(now.owned, ctx.before)) {
      throw new CommitError(`${this.#name}: the connection broke during ${ctx.what}; it was not committed and the device is unchanged (at its last committed configuration)`, {
        cause: lost,
        details: { device: this.#name, outcome: 'not-committed', written: 0 },
      });
    }
    if (!configEquals(now.owned, ctx.after)) {
      throw new CommitError(`${this.#name}: the connection broke during ${ctx.what}, and the device now holds neither the old nor the new configuration (someone else wrote meanwhile); observe and plan again`, {
        cause: lost,
        details: { device: this.#name, outcome: 'unknown' },
      });
    }
    if (ctx.ifCommittedAfterLoss === 'accept') return;
    // Committed, but the caller was never told: put the device back so that the failure leaves it as it was.
    try {
      await this.#waitForLock(deadline);
      const undo = diffConfig({ desired: ctx.before, observed: ctx.after, order: FABRIC_KIND_ORDER });
      await this.#write(undo, now, { before: ctx.after, after: ctx.before, what: `the revert of ${ctx.what}`, ifCommittedAfterLoss: 'accept' });
    } catch (e) {
      throw new CommitError(`${this.#name}: the connection broke during ${ctx.what} after it committed, and reverting it failed (${e instanceof Error ? e.message : String(e)}); the device holds the change set: observe and plan again`, {
        cause: lost,
        details: { device: this.#name, outcome: 'committed' },
      });
    }
    throw new CommitError(`${this.#name}: the connection broke during ${ctx.what} after it committed; it was reverted and the device is back at its last committed configuration`, {
      cause: lost,
      details: { device: this.#name, outcome: 'reverted' },
    });
  }

  async #readWhenBack(deadline: number): Promise<VtepState> {
    for (;;) {
      try {
        return await this.#read();
      } catch (e) {
        if (!(e instanceof DeviceConnectionError) || Date.now() > deadline) throw e;
        await Promise.race([this.#client.whenConnected().catch(() => undefined), sleep(Math.max(0, deadline - Date.now()))]);
        // The state may still say connected for the connection that just broke: give the client a moment to notice.
        await sleep(50);
      }
    }
  }

  async #waitForLock(deadline: number): Promise<void> {
    // After a reconnect the client asks for every lock it wanted again; wait until the server grants it.
    while (!this.#client.holdsLock(this.#lock)) {
      if (Date.now() > deadline) throw new LockedError(`${this.#name}: the OVSDB lock ${this.#lock} did not come back after the reconnect`, { details: { device: this.#name, lock: this.#lock } });
      await sleep(50);
    }
  }

  /** Sends the inverse of the pending transaction (one transaction) and releases the lock. */
  async #revertPending(reason: string): Promise<void> {
    const p = this.#pending;
    if (p === undefined) return;
    const what = `the rollback of transaction ${p.tx.id}`;
    const state = await this.#read();
    const inverse = diffConfig({ desired: p.before, observed: p.after, order: FABRIC_KIND_ORDER });
    const result = this.#fit(inverse, state, what);
    const changes = effectiveChanges(result, state.owned);
    if (changes.length > 0) await this.#write(changes, state, { before: state.owned, after: result, what, ifCommittedAfterLoss: 'accept' });
    this.#pending = undefined;
    this.#states.set(p.tx.id, { state: 'rolled-back', reason });
    p.tx.state = 'rolled-back';
    await this.#releaseLock();
  }
}

/**
 * The fabric port factory of the adapter.
 * @throws InputError invalid options or target.
 */
export function hwVtepFabric(opts: PortFactoryOptions): HwVtepFabricDriver {
  return new HwVtepFabricDriver(opts);
}
