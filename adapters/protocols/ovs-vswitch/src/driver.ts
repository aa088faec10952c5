/**
 * The vswitch driver and session every OVS-compatible adapter runs: the device lifecycle of `@netloom/ports` over
 * OVSDB (one client per session) and OpenFlow 1.3, with what differs between adapters in their {@link VSwitchHooks}.
 *
 * - `plan` validates, diffs (`diffConfig`) and renders the exact OVSDB operations (JSON) and flow_mods (text).
 * - `apply` takes the OVSDB lock `netloom_vswitch` (a second writer gets `LockedError`), re-reads the device,
 *   refuses a change set that no longer fits (stale `before`, or operations that render differently now), then
 *   runs `pre` → flow adds → `main` → flow resync → `post`, waiting after each OVSDB transaction until
 *   ovs-vswitchd has applied it. Any failure rolls the device back to the snapshot taken before the first write
 *   (reconnecting and re-taking the lock if the connection was lost) and throws `CommitError`.
 * - The lock is held until `confirm` or `rollback`; `close` rolls an unconfirmed transaction back.
 *
 * @packageDocumentation
 */
import { OvsdbClient, encodeOperations, op, type Operation, type Row } from '@netloom/ovsdb';
import type { FlowMod, FlowStats } from '@netloom/openflow';
import {
  BridgeCodec,
  CommitError,
  DeviceConnectionError,
  DeviceProtocolError,
  DeviceTimeoutError,
  EndpointPortCodec,
  InputError,
  LockedError,
  QosCodec,
  SecurityGroupRuleCodec,
  TunnelCodec,
  UplinkCodec,
  VSWITCH_KIND_ORDER,
  VSwitchConfigCodec,
  applyChanges,
  assertCapabilities,
  capabilitiesForChanges,
  configEquals,
  decodeOrThrow,
  diffConfig,
  isNetloomError,
  isSafeName,
  keyedRecord,
  securityGroupRuleKey,
  struct,
  vswitchCapabilitiesUsed,
  vswitchVocabulary,
  type ApplyOptions,
  type CapabilityName,
  type InputProblem,
  type ChangeSet,
  type ConnectOptions,
  type DeviceFacts,
  type Logger,
  type ObserveResult,
  type PlanOptions,
  type PortFactoryOptions,
  type RenderedOperation,
  type Transaction,
  type TransactionOptions,
  type TransactionState,
  type VSwitchConfig,
  type VSwitchDriver,
  type VSwitchSession,
} from '@netloom/ports';
import { diffFlows, formatFlowMod, type FlowEntry } from './flows';
import type { VSwitchHooks } from './hooks';
import { ownedConfig, readOperations } from './model';
import { OpenFlowAccess } from './openflow-access';
import { controllerTarget, type ResolvedVSwitchOptions } from './options';
import { renderChanges, requestedOfports, wrapTransaction, type RenderedChanges } from './render';
import { type DeviceState, Ext, RowKind, isOwnedAs, stateFromResults } from './rows';

/** The OVSDB lock a writing session holds (one writer per Open vSwitch database, whatever the bridges). */
export const LOCK_NAME = 'netloom_vswitch';

const nameKey = (o: { readonly name: string }): string => o.name;

/**
 * The vswitch config codec without the cross-kind reference checks: an observed config may carry drift (a port
 * still naming a QoS profile deleted out of band) and must still be plannable.
 */
export const ObservedVSwitchConfigCodec = struct('observed VSwitchConfig', {
  bridge: keyedRecord('bridge', BridgeCodec, nameKey, 'its name'),
  qos: keyedRecord('qos', QosCodec, nameKey, 'its name'),
  securityGroupRule: keyedRecord('securityGroupRule', SecurityGroupRuleCodec, securityGroupRuleKey, 'group:name'),
  uplink: keyedRecord('uplink', UplinkCodec, nameKey, 'its name'),
  tunnel: keyedRecord('tunnel', TunnelCodec, nameKey, 'its name'),
  endpointPort: keyedRecord('endpointPort', EndpointPortCodec, nameKey, 'its name'),
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** What apply needs to put the device back. */
interface Snapshot {
  readonly config: VSwitchConfig;
  /** OpenFlow numbers of the endpoint ports, so re-created ports keep theirs (and their flows). */
  readonly ofports: ReadonlyMap<string, number>;
}

/**
 * The vswitch driver of one OVS-compatible node, for the adapter whose hooks it gets. An adapter subclasses it
 * (its own class name, its own session type) and passes its hooks.
 *
 * @example
 * class MyDriver extends VSwitchCoreDriver {
 *   constructor(opts: PortFactoryOptions) { super(opts, MY_HOOKS); }
 * }
 * const session = await new MyDriver({ target: { name: 'node-1' }, options: {}, logger }).connect();
 */
export class VSwitchCoreDriver implements VSwitchDriver {
  readonly port = 'vswitch' as const;
  readonly name: string;
  readonly options: ResolvedVSwitchOptions;
  readonly logger: Logger;
  /** What differs for this adapter. */
  readonly hooks: VSwitchHooks;

  /** @throws InputError for a target name that is not a safe name or invalid options. */
  constructor(opts: PortFactoryOptions, hooks: VSwitchHooks) {
    if (!isSafeName(opts.target.name)) throw new InputError(`${hooks.targetLabel} target name ${JSON.stringify(opts.target.name)} is not a safe name`);
    this.hooks = hooks;
    this.name = opts.target.name;
    this.options = hooks.resolveOptions(opts.target, opts.options);
    this.logger = opts.logger.child({ adapter: hooks.adapterId, port: 'vswitch', device: this.name });
  }

  /**
   * Connects to the OVSDB server (the OpenFlow side is reached when first needed).
   *
   * @throws DeviceConnectionError (refused, no socket, TLS), DeviceTimeoutError, DeviceProtocolError (no
   *   `Open_vSwitch` database).
   */
  async connect(opts: ConnectOptions = {}): Promise<VSwitchCoreSession> {
    return new VSwitchCoreSession(this, await this.connectClient(opts));
  }

  /**
   * Connects the OVSDB client of a new session and checks the database is there (for subclasses' `connect`).
   *
   * @throws DeviceConnectionError, DeviceTimeoutError, DeviceProtocolError (no `Open_vSwitch` database).
   */
  protected async connectClient(opts: ConnectOptions = {}): Promise<OvsdbClient> {
    if (opts.signal?.aborted === true) throw new DeviceConnectionError(`connect to ${this.name} aborted`);
    const client = await OvsdbClient.connect({
      remote: this.options.ovsdb,
      ...(this.options.tls !== undefined ? { tls: this.options.tls } : {}),
      connectTimeoutMs: opts.timeoutMs ?? 10_000,
      requestTimeoutMs: this.options.requestTimeoutMs,
      reconnect: { initialDelayMs: 100, maxDelayMs: 5_000, factor: 2, jitter: 0.2 },
      logger: this.logger.child({ component: 'ovsdb' }),
    });
    try {
      const dbs = await client.listDbs();
      if (!dbs.includes('Open_vSwitch')) throw new DeviceProtocolError(`${this.name}: the OVSDB server at ${this.options.ovsdb} has no Open_vSwitch database (it has: ${dbs.join(', ') || 'none'})`);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }
}

let txCounter = 0;

/** A session with one OVS-compatible node (an adapter's session class extends it). */
export class VSwitchCoreSession implements VSwitchSession {
  readonly #driver: VSwitchCoreDriver;
  readonly #client: OvsdbClient;
  readonly #of: OpenFlowAccess;
  readonly #states = new Map<string, TransactionState>();
  #pending: { readonly tx: Transaction; readonly snapshot: Snapshot } | undefined;
  #closed = false;

  constructor(driver: VSwitchCoreDriver, client: OvsdbClient) {
    this.#driver = driver;
    this.#client = client;
    this.#of = new OpenFlowAccess(driver.options.openflow, driver.options.requestTimeoutMs, driver.logger.child({ component: 'openflow' }), driver.hooks.openflowRegistry);
  }

  get #hooks(): VSwitchHooks {
    return this.#driver.hooks;
  }

  get #name(): string {
    return this.#driver.name;
  }

  #open(): void {
    if (this.#closed) throw new DeviceConnectionError(`session to ${this.#name} is closed`);
  }

  #require(used: readonly CapabilityName<'vswitch'>[]): void {
    assertCapabilities('vswitch', this.#name, used, this.#hooks.supports);
  }

  async #read(): Promise<DeviceState> {
    const results = await this.#client.transact('Open_vSwitch', readOperations(this.#hooks));
    return stateFromResults(results as unknown as { rows: readonly unknown[] }[], this.#driver.options.ovsdb);
  }

  /**
   * Reads what the node says about itself: vendor and model from its version string (`Open_vSwitch.ovs_version`,
   * through the hooks' `identify`), the model adds the datapath type; OVS version, host name from
   * `external_ids:hostname`. Read-only.
   */
  async facts(): Promise<DeviceFacts> {
    this.#open();
    const state = await this.#read();
    const schema = await this.#client.getSchema('Open_vSwitch');
    const owned = state.bridges.find((b) => isOwnedAs(b.external_ids, RowKind.bridge) && b.datapath_type !== '');
    const datapath = this.#driver.options.datapathType ?? owned?.datapath_type ?? 'system';
    const hostname = state.ovs.external_ids.get('hostname');
    const who = this.#hooks.identify(state.ovs.ovs_version);
    return {
      vendor: who.vendor,
      model: `${who.modelPrefix}, ${datapath === 'netdev' ? 'userspace datapath (netdev)' : datapath === 'system' ? 'kernel datapath (system)' : `${datapath} datapath`}`,
      osVersion: state.ovs.ovs_version ?? `unknown (Open_vSwitch schema ${schema.version})`,
      ...(hostname !== undefined ? { hostname } : {}),
      extra: {
        ...who.extra,
        schemaVersion: schema.version,
        datapathType: datapath,
        ...(state.ovs.db_version !== null ? { dbVersion: state.ovs.db_version } : {}),
        ...(state.ovs.system_type !== null ? { systemType: state.ovs.system_type } : {}),
        ...(state.ovs.system_version !== null ? { systemVersion: state.ovs.system_version } : {}),
      },
    };
  }

  /** The objects netloom owns on the node (rows marked `netloom-owner=netloom`). Read-only. */
  async observe(): Promise<ObserveResult<VSwitchConfig>> {
    this.#open();
    const state = await this.#read();
    return { config: ownedConfig(this.#hooks, state), observedAt: new Date().toISOString() };
  }

  #checkShape(desired: VSwitchConfig): void {
    const problems: InputProblem[] = [];
    const bridges = Object.keys(desired.bridge);
    if (this.#driver.options.openflow.mode === 'connect' && bridges.length > 1) {
      problems.push({ path: 'bridge', reason: `${bridges.length} bridges, but openflow.connect reaches one bridge (${bridges.join(', ')}); use openflow.listen for several` });
    }
    if (this.#hooks.tunnels !== undefined) problems.push(...this.#hooks.tunnels.shapeProblems(desired));
    if (problems.length > 0) throw InputError.fromProblems(`desired vswitch config of ${this.#name}`, problems);
  }

  /** Flows of the owned bridges netloom can reach now (all cookies, for the conflict check). */
  async #dumpFlows(state: DeviceState, bridges: Iterable<string>): Promise<Map<string, readonly FlowStats[]>> {
    const out = new Map<string, readonly FlowStats[]>();
    const target = controllerTarget(this.#driver.options.openflow);
    for (const b of [...new Set(bridges)].sort()) {
      const row = state.bridgeByName.get(b);
      if (row === undefined || !isOwnedAs(row.external_ids, RowKind.bridge)) continue;
      // A bridge whose netloom Controller row is missing or points elsewhere is repaired by `pre` first.
      if (state.ownedControllers(row)[0]?.target !== target) continue;
      const sw = await this.#of.switchFor(b, await this.#datapathId(b, state));
      out.set(b, await sw.dumpFlows());
    }
    return out;
  }

  async #renderOperations(r: RenderedChanges): Promise<RenderedOperation[]> {
    const schema = await this.#client.getSchema('Open_vSwitch');
    const out: RenderedOperation[] = [];
    const tx = (ops: readonly Operation[]): void => {
      if (ops.length === 0) return;
      for (const w of encodeOperations(schema, wrapTransaction(ops, LOCK_NAME))) out.push({ medium: 'ovsdb', text: JSON.stringify(w) });
    };
    const flows = (mods: ReadonlyMap<string, readonly FlowMod[]>): void => {
      for (const b of [...mods.keys()].sort()) for (const m of mods.get(b)!) out.push({ medium: 'openflow', text: formatFlowMod(b, m, this.#hooks.flows.textStyle) });
    };
    tx(r.pre);
    flows(r.flowAdds);
    tx(r.main);
    flows(r.flowDeletes);
    tx(r.post);
    return out;
  }

  /**
   * Computes the changes from `observed` (default: observe now) to `desired` and renders the exact operations:
   * OVSDB operations as JSON (`medium: 'ovsdb'`, in transaction order, with the lock assertion and the `next_cfg`
   * bump) and flow_mods as ovs-ofctl-like text (`medium: 'openflow'`). Never writes.
   *
   * @throws InputError (invalid config, names, values that do not fit the schema, what the tunnel hooks refuse),
   *   NotSupportedError (what the manifest does not declare), DeviceConnectionError / DeviceTimeoutError (reading
   *   the device).
   */
  async plan(opts: PlanOptions<VSwitchConfig>): Promise<ChangeSet> {
    this.#open();
    const desired = decodeOrThrow(VSwitchConfigCodec, opts.desired, `desired vswitch config of ${this.#name}`);
    this.#require(vswitchCapabilitiesUsed(desired));
    this.#checkShape(desired);
    const state = await this.#read();
    const observed = opts.observed === undefined ? ownedConfig(this.#hooks, state) : (decodeOrThrow(ObservedVSwitchConfigCodec, opts.observed, `observed vswitch config of ${this.#name}`) as VSwitchConfig);
    const changes = diffConfig({ desired, observed, order: VSWITCH_KIND_ORDER });
    this.#require(capabilitiesForChanges(vswitchVocabulary, changes));
    if (changes.length === 0) return { device: this.#name, port: 'vswitch', changes, operations: [] };
    const flows = await this.#dumpFlows(state, [...Object.keys(desired.bridge), ...Object.keys(observed.bridge)]);
    const rendered = renderChanges(this.#hooks, { desired, observed, changes, state, options: this.#driver.options, flows });
    if (rendered.conflicts.length > 0) this.#driver.logger.warn({ conflicts: rendered.conflicts }, 'the plan conflicts with the device; apply will refuse it');
    return { device: this.#name, port: 'vswitch', changes, operations: await this.#renderOperations(rendered) };
  }

  /**
   * Applies a change set (see the module documentation for the order and the rollback). An empty change set
   * writes nothing and returns a confirmed transaction.
   *
   * @throws LockedError (another session holds the lock, or this one has an unconfirmed transaction), CommitError
   *   (stale or conflicting change set: nothing written; a failure while writing: rolled back), InputError (a
   *   change set for another device, or one whose result is invalid), NotSupportedError.
   */
  async apply(opts: ApplyOptions): Promise<Transaction> {
    this.#open();
    const { changeSet } = opts;
    if (changeSet.device !== this.#name || changeSet.port !== 'vswitch') {
      throw new InputError(`change set for ${changeSet.port} device ${JSON.stringify(changeSet.device)} applied to vswitch ${JSON.stringify(this.#name)}`);
    }
    if (opts.confirmWithinSec !== undefined && !(Number.isFinite(opts.confirmWithinSec) && opts.confirmWithinSec > 0)) {
      throw new InputError(`confirmWithinSec must be a positive number of seconds, got ${String(opts.confirmWithinSec)}`);
    }
    const id = `${this.#name}-${Date.now().toString(36)}-${++txCounter}`;
    if (changeSet.changes.length === 0) {
      const tx: Transaction = { id, device: this.#name, changeSet, state: 'confirmed' };
      this.#states.set(id, 'confirmed');
      return tx;
    }
    if (this.#pending !== undefined) {
      throw new LockedError(`${this.#name}: transaction ${this.#pending.tx.id} of this session is not confirmed yet; confirm or roll it back first`, { details: { device: this.#name, transaction: this.#pending.tx.id } });
    }
    this.#require(capabilitiesForChanges(vswitchVocabulary, changeSet.changes));
    await this.#lock();
    let rendered: RenderedChanges;
    let desired: VSwitchConfig;
    let snapshot: Snapshot;
    try {
      const state = await this.#read();
      const observed = ownedConfig(this.#hooks, state);
      for (const c of changeSet.changes) {
        const held = (observed as unknown as Record<string, Record<string, unknown>>)[c.kind]?.[c.key];
        const fits = c.op === 'create' ? held === undefined : held !== undefined && (c.before === undefined || configEquals(c.before, held));
        if (!fits) throw new CommitError(`${this.#name}: ${c.op} ${c.kind} ${JSON.stringify(c.key)} does not fit the device any more (it changed since the plan); nothing was written. Observe and plan again.`, { details: { device: this.#name, written: 0 } });
      }
      let next: VSwitchConfig;
      try {
        next = applyChanges(observed, changeSet.changes);
      } catch (e) {
        throw new CommitError(`${this.#name}: the change set does not fit the device (${message(e)}); nothing was written. Observe and plan again.`, { cause: e, details: { device: this.#name, written: 0 } });
      }
      desired = decodeOrThrow(VSwitchConfigCodec, next, `vswitch config of ${this.#name} after the change set`);
      this.#require(vswitchCapabilitiesUsed(desired));
      this.#checkShape(desired);
      const flows = await this.#dumpFlows(state, [...Object.keys(desired.bridge), ...Object.keys(observed.bridge)]);
      rendered = renderChanges(this.#hooks, { desired, observed, changes: changeSet.changes, state, options: this.#driver.options, flows });
      const operations = await this.#renderOperations(rendered);
      if (!configEquals(operations, changeSet.operations)) {
        throw new CommitError(`${this.#name}: the device changed since the plan (its operations render differently now); nothing was written. Observe and plan again.`, { details: { device: this.#name, written: 0 } });
      }
      if (rendered.conflicts.length > 0) {
        throw new CommitError(`${this.#name}: the change set conflicts with the device: ${rendered.conflicts.join('; ')}; nothing was written`, { details: { device: this.#name, written: 0, conflicts: rendered.conflicts } });
      }
      snapshot = { config: observed, ofports: requestedOfports(this.#hooks, state) };
    } catch (e) {
      await this.#unlock();
      throw e;
    }
    try {
      await this.#execute(rendered, desired);
    } catch (e) {
      let restoreError: unknown;
      try {
        await this.#restore(snapshot);
      } catch (re) {
        restoreError = re;
      }
      await this.#unlock();
      if (restoreError === undefined) {
        this.#driver.logger.warn({ err: message(e) }, 'apply failed; rolled back');
        throw new CommitError(`${this.#name}: apply failed (${message(e)}); the vswitch was rolled back to its last committed configuration`, { cause: e, details: { device: this.#name, restored: true } });
      }
      this.#driver.logger.error({ err: message(e), rollbackErr: message(restoreError) }, 'apply failed and so did the rollback');
      throw new CommitError(`${this.#name}: apply failed (${message(e)}) and the rollback failed too (${message(restoreError)}); the vswitch may hold part of the change: observe and plan again`, {
        cause: e,
        details: { device: this.#name, restored: false },
      });
    }
    const tx: Transaction = { id, device: this.#name, changeSet, state: 'applied' };
    this.#pending = { tx, snapshot };
    this.#states.set(id, 'applied');
    this.#driver.logger.debug({ transaction: id, changes: changeSet.changes.length }, 'applied');
    return tx;
  }

  /** Runs a rendered change: pre → flow adds → main → flow resync → post. */
  async #execute(r: RenderedChanges, desired: VSwitchConfig): Promise<void> {
    if (r.pre.length > 0) await this.#commit(r.pre);
    const bridges = Object.keys(desired.bridge).sort();
    if (bridges.length > 0) {
      const state = await this.#read();
      for (const b of bridges) await this.#syncFlows(b, state, r.flows.get(b) ?? [], false);
    }
    if (r.main.length > 0) await this.#commit(r.main);
    const after = await this.#read();
    // Flows name ports by their requested OpenFlow numbers: if OVS gave one of them another number, they would not
    // apply (isolated ports, tunnel-world ports, tunnels).
    const tunnels = this.#hooks.tunnels !== undefined ? Object.values(desired.tunnel) : [];
    const numbered = [...Object.values(desired.endpointPort).filter((p) => this.#hooks.flows.numbered(p)), ...tunnels];
    const misnumbered = numbered
      .map((p) => after.ifaceByName.get(p.name))
      .filter((i) => i !== undefined && i.ofport !== null && i.ofport > 0 && i.ofport_request !== null && i.ofport !== i.ofport_request);
    if (misnumbered.length > 0) {
      const list = misnumbered.map((i) => `${i!.name} is OpenFlow port ${i!.ofport}, requested ${i!.ofport_request}`).join(', ');
      throw new CommitError(`${this.#name}: ${list}; its ${this.#hooks.flows.numberedFlows} would not apply`, { details: { device: this.#name } });
    }
    for (const b of r.flowBridges) {
      const row = after.bridgeByName.get(b);
      if (row === undefined || !isOwnedAs(row.external_ids, RowKind.bridge)) continue;
      // A bridge netloom deletes in `post` takes its flows with it: no OpenFlow needed (a rollback after an
      // OpenFlow failure must not depend on it). A bridge it releases keeps running: its netloom flows go first.
      if (desired.bridge[b] === undefined && row.external_ids.get(Ext.adopted) !== 'true') continue;
      await this.#syncFlows(b, after, r.flows.get(b) ?? [], true);
    }
    if (r.post.length > 0) await this.#commit(r.post);
  }

  /** Brings one bridge's netloom flows to `desired`: adds only (before `main`), or adds and deletes. */
  async #syncFlows(bridge: string, state: DeviceState, desired: readonly FlowEntry[], deletes: boolean): Promise<number> {
    const sw = await this.#of.switchFor(bridge, await this.#datapathId(bridge, state));
    const d = diffFlows(desired, await sw.dumpFlows(), this.#hooks.flows.textStyle);
    if (d.conflicts.length > 0) throw new CommitError(`${this.#name}: bridge ${bridge}: ${d.conflicts.join('; ')}`, { details: { device: this.#name, bridge, conflicts: d.conflicts } });
    const mods = deletes ? [...d.adds, ...d.deletes] : d.adds;
    if (mods.length > 0) await sw.applyFlowMods(mods);
    return mods.length;
  }

  /**
   * The bridge's datapath id. ovs-vswitchd can report it a moment after it bumped `cur_cfg` for the change that
   * created the bridge, so wait for it (as long as for a change to be applied).
   */
  async #datapathId(bridge: string, state: DeviceState): Promise<string | null> {
    const known = state.bridgeByName.get(bridge)?.datapath_id ?? null;
    if (known !== null) return known;
    const deadline = Date.now() + this.#driver.options.vswitchdTimeoutMs;
    for (;;) {
      const [r] = await this.#client.transact('Open_vSwitch', [op.select<{ datapath_id: string | null }>('Bridge', [['name', '==', bridge]], ['datapath_id'])] as const);
      const dpid = r.rows[0]?.datapath_id ?? null;
      if (dpid !== null || Date.now() > deadline) return typeof dpid === 'string' ? dpid : null;
      await sleep(25);
    }
  }

  /** One OVSDB transaction (lock asserted, next_cfg bumped), then waits until ovs-vswitchd has applied it. */
  async #commit(ops: readonly Operation[]): Promise<void> {
    const results = await this.#client.transact('Open_vSwitch', wrapTransaction(ops, LOCK_NAME), { timeoutMs: this.#driver.options.requestTimeoutMs });
    const last = results[results.length - 1] as { rows?: readonly Row[] } | undefined;
    const next = last?.rows?.[0]?.['next_cfg'];
    if (typeof next !== 'number') throw new DeviceProtocolError(`${this.#name}: the transaction did not return next_cfg`, { details: { device: this.#name } });
    await this.#waitForVswitchd(next);
  }

  async #waitForVswitchd(cfg: number): Promise<void> {
    const ms = this.#driver.options.vswitchdTimeoutMs;
    try {
      await this.#client.transact('Open_vSwitch', [op.wait('Open_vSwitch', [['cur_cfg', '>=', cfg]], [], '!=', [], ms)], { timeoutMs: ms + this.#driver.options.requestTimeoutMs });
    } catch (e) {
      if (isNetloomError(e) && e.code === 'DEVICE.TIMEOUT') {
        throw new DeviceTimeoutError(`${this.#name}: ovs-vswitchd did not apply the change within ${ms} ms (is it running?)`, { cause: e, details: { device: this.#name, cfg } });
      }
      throw e;
    }
  }

  /** Waits until the OVSDB connection is back and this session holds the lock again (after a lost connection). */
  async #regain(): Promise<void> {
    const deadline = Date.now() + this.#driver.options.requestTimeoutMs;
    if (this.#client.state === 'closed') throw new DeviceConnectionError(`${this.#name}: the OVSDB client is closed`);
    while (this.#client.state !== 'connected') {
      if (Date.now() > deadline) throw new DeviceConnectionError(`${this.#name}: the OVSDB connection did not come back within ${this.#driver.options.requestTimeoutMs} ms`);
      await Promise.race([this.#client.whenConnected(), sleep(250)]);
    }
    // The client asks again for every lock it wanted after a reconnect.
    while (!this.#client.holdsLock(LOCK_NAME)) {
      if (Date.now() > deadline) throw new LockedError(`${this.#name}: could not take the OVSDB lock ${LOCK_NAME} back after the connection was lost`, { details: { device: this.#name, lock: LOCK_NAME } });
      await sleep(50);
    }
  }

  /** Puts the device back at `snapshot` (config and OpenFlow numbers), retrying after connection problems. */
  async #restore(snapshot: Snapshot): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#regain();
        const state = await this.#read();
        const now = ownedConfig(this.#hooks, state);
        const changes = diffConfig({ desired: snapshot.config, observed: now, order: VSWITCH_KIND_ORDER });
        const rendered = renderChanges(this.#hooks, { desired: snapshot.config, observed: now, changes, state, options: this.#driver.options, ofportHints: snapshot.ofports, flows: new Map() });
        if (rendered.conflicts.length > 0) this.#driver.logger.warn({ conflicts: rendered.conflicts }, 'rollback: conflicts with the device');
        await this.#execute(rendered, snapshot.config);
        return;
      } catch (e) {
        last = e;
        this.#driver.logger.warn({ attempt, err: message(e) }, 'rollback attempt failed');
        await sleep(200 * (attempt + 1));
      }
    }
    throw last;
  }

  /** Takes the OVSDB lock now or throws LockedError; never leaves a lock request queued behind. */
  async #lock(): Promise<void> {
    let locked: boolean;
    try {
      ({ locked } = await this.#client.lock(LOCK_NAME));
    } catch (e) {
      // The client would otherwise ask for the lock again after reconnecting, and hold it unnoticed.
      await this.#unlock();
      throw e;
    }
    if (!locked) {
      await this.#unlock();
      throw new LockedError(`${this.#name}: another netloom session holds the OVSDB lock ${LOCK_NAME} (an unconfirmed transaction); try again after it confirms or rolls back`, {
        details: { device: this.#name, lock: LOCK_NAME },
      });
    }
  }

  async #unlock(): Promise<void> {
    try {
      await this.#client.unlock(LOCK_NAME);
    } catch (e) {
      // Disconnected: the server dropped the lock with the connection, and the client no longer asks for it.
      this.#driver.logger.debug({ err: message(e) }, 'unlock failed');
    }
  }

  #stateOf(tx: Transaction): TransactionState {
    if (tx.device !== this.#name) throw new InputError(`transaction ${tx.id} belongs to ${JSON.stringify(tx.device)}, not ${JSON.stringify(this.#name)}`);
    const state = this.#states.get(tx.id);
    if (state === undefined) throw new CommitError(`${this.#name}: unknown transaction ${tx.id} (not applied by this session)`, { details: { device: this.#name, transaction: tx.id } });
    return state;
  }

  /**
   * Puts netloom's flows back in line with what the node holds (the owned objects as observed), without changing
   * any OVSDB row: for after an `ovs-vswitchd` restart, which empties every flow table (the port API cannot see
   * flows, so plan does not). Takes the lock for the time it runs. Returns how many flow_mods were sent (0 when
   * every flow was in place). An adapter extension; not part of the vswitch port.
   *
   * @throws LockedError (another session writes), DeviceConnectionError, CommitError (a foreign flow in the way).
   * @example if (await session.resyncFlows() > 0) logger.warn({}, 'netloom flows were missing and are back');
   */
  async resyncFlows(): Promise<number> {
    this.#open();
    if (this.#pending !== undefined) throw new LockedError(`${this.#name}: transaction ${this.#pending.tx.id} of this session is not confirmed yet`, { details: { device: this.#name } });
    await this.#lock();
    try {
      const state = await this.#read();
      const owned = ownedConfig(this.#hooks, state);
      const flows = this.#hooks.flows.desiredFlows(owned, requestedOfports(this.#hooks, state));
      let sent = 0;
      for (const b of Object.keys(owned.bridge).sort()) sent += await this.#syncFlows(b, state, flows.get(b) ?? [], true);
      return sent;
    } finally {
      await this.#unlock();
    }
  }

  /** Makes an applied transaction permanent (releases the lock). Idempotent. @throws CommitError (rolled back) */
  async confirm(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const state = this.#stateOf(tx);
    if (state === 'rolled-back') throw new CommitError(`${this.#name}: transaction ${tx.id} was rolled back; it cannot be confirmed`, { details: { device: this.#name, transaction: tx.id } });
    if (state === 'applied' && this.#pending?.tx.id === tx.id) {
      this.#pending = undefined;
      await this.#unlock();
    }
    this.#states.set(tx.id, 'confirmed');
    tx.state = 'confirmed';
  }

  /**
   * Puts the device back where it was before an applied transaction (releases the lock). Idempotent for a
   * rolled-back transaction.
   *
   * @throws CommitError (confirmed, or the device could not be restored: the transaction stays applied).
   */
  async rollback(opts: TransactionOptions): Promise<void> {
    this.#open();
    const tx = opts.transaction;
    const state = this.#stateOf(tx);
    if (state === 'rolled-back') return;
    if (state === 'confirmed') {
      if (tx.changeSet.changes.length === 0) return;
      throw new CommitError(`${this.#name}: transaction ${tx.id} is confirmed; it cannot be rolled back (apply a change set that undoes it)`, { details: { device: this.#name, transaction: tx.id } });
    }
    const pending = this.#pending;
    if (pending === undefined || pending.tx.id !== tx.id) throw new CommitError(`${this.#name}: transaction ${tx.id} is not pending in this session`, { details: { device: this.#name, transaction: tx.id } });
    try {
      await this.#restore(pending.snapshot);
    } catch (e) {
      throw new CommitError(`${this.#name}: rollback of ${tx.id} failed (${message(e)}); the transaction stays applied: try again`, { cause: e, details: { device: this.#name, transaction: tx.id } });
    }
    this.#pending = undefined;
    await this.#unlock();
    this.#states.set(tx.id, 'rolled-back');
    tx.state = 'rolled-back';
  }

  /** Ends the session: an unconfirmed transaction is rolled back; connections are closed. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending;
    if (pending !== undefined) {
      try {
        await this.#restore(pending.snapshot);
        this.#states.set(pending.tx.id, 'rolled-back');
        pending.tx.state = 'rolled-back';
        this.#driver.logger.warn({ transaction: pending.tx.id }, 'session closed with an unconfirmed transaction: rolled back');
      } catch (e) {
        this.#driver.logger.error({ transaction: pending.tx.id, err: message(e) }, 'session closed with an unconfirmed transaction and the rollback failed');
      }
      this.#pending = undefined;
      await this.#unlock();
    }
    await this.#of.close();
    await this.#client.close();
  }
}
