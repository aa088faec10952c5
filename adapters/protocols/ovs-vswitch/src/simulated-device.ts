/**
 * The conformance device of an OVS-compatible vswitch adapter on simulators instead of real daemons: an
 * `OvsdbSimulator` (Open_vSwitch schema, with its ovs-vswitchd stand-in for `cur_cfg`, `ofport`s and datapath ids)
 * and an `OpenFlowSwitchSimulator` following it (both from `@netloom/conformance/simulators`), the OVSDB fault proxy
 * in front, and the device harness the kit needs — the same levers as the real-OVS sandbox harness of each adapter,
 * reading the simulators instead of running ovs-vsctl / ovs-ofctl:
 *
 * - `seedForeign` writes rows as `ovs-vsctl add-br` / `add-port` / `create qos` would (a foreign bridge gets
 *   `fail_mode=secure` and a flow with cookie `0xf00d`, put in through the switch simulator as `ovs-ofctl` would);
 * - `readConfig` reads the owned objects as `observe` does, and the foreign ports, QoS rows and flows;
 * - `changeOutOfBand` edits OVSDB directly (no session, no lock, no flows), as an operator with ovs-vsctl would;
 * - `injectFault` / `writeCount` go through the fault proxy (row writes of the adapter's transactions).
 *
 * Shipped adapter code never imports `@netloom/conformance`: the adapter's conformance harness loads the simulators
 * with a dynamic `import()` (ADR 0006) and hands the module in; its shape is checked here.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import type * as t from 'io-ts';
import { encodeFlowMod, type FlowStats } from '@netloom/openflow';
import { OvsdbClient, namedUuid, op, type Operation } from '@netloom/ovsdb';
import { VSWITCH_KIND_ORDER, decodeOrThrow, diffConfig, isSafeName, type Change, type ConfigObject, type DeviceConfig, type DeviceTarget, type VSwitchConfig } from '@netloom/ports';
import { startOvsdbFaultProxy, type OvsdbFaultProxy } from './fault-proxy';
import { isNetloomCookie } from './flows';

/** The cookie of the flow `seedForeign` puts on a foreign bridge (as the sandbox harnesses do). */
export const SIM_FOREIGN_COOKIE = 0xf00dn;

/** What the harness reads of an adapter's device state (both adapters' `DeviceState` fit). */
export interface SimHarnessState {
  readonly ovs: { readonly next_cfg: number };
  readonly bridges: readonly { readonly name: string }[];
  readonly ports: readonly SimHarnessPort[];
  readonly qos: readonly { readonly _uuid: string; readonly type: string; readonly other_config: ReadonlyMap<string, string>; readonly external_ids: ReadonlyMap<string, string> }[];
  readonly bridgeOfPort: ReadonlyMap<string, { readonly name: string }>;
  interfacesOf(port: SimHarnessPort): readonly { readonly name: string; readonly type: string; readonly external_ids: ReadonlyMap<string, string> }[];
}

/** A `Port` row as the harness reads it. */
export interface SimHarnessPort {
  readonly _uuid: string;
  readonly name: string;
  readonly tag: number | null;
  readonly trunks: readonly number[];
  readonly external_ids: ReadonlyMap<string, string>;
}

/** The adapter's model functions the harness uses (each adapter exports them under these names). */
export interface SimulatedVSwitchModel<S extends SimHarnessState, R> {
  readOperations(): Operation[];
  stateFromResults(results: readonly { readonly rows: readonly unknown[] }[], remote: string): S;
  ownedConfig(state: S): VSwitchConfig;
  isOwned(ext: ReadonlyMap<string, string>): boolean;
  resolveOptions(target: DeviceTarget, options: unknown): R;
  renderChanges(input: {
    readonly desired: VSwitchConfig;
    readonly observed: VSwitchConfig;
    readonly changes: readonly Change[];
    readonly state: S;
    readonly options: R;
    readonly flows: ReadonlyMap<string, readonly FlowStats[]>;
  }): { readonly pre: readonly Operation[]; readonly main: readonly Operation[]; readonly post: readonly Operation[] };
  wrapTransaction(ops: readonly Operation[], lock: string | undefined): Operation[];
  /** io-ts codec per config kind the adapter writes (checks out-of-band objects). */
  readonly kindCodecs: Readonly<Record<string, t.Mixed>>;
}

/** The parts of `@netloom/conformance/simulators` used here (checked when the module is handed in). */
export interface VSwitchSimulatorsModule {
  readonly OvsdbSimulator: new (options: { readonly emulateVswitchd?: boolean }) => SimOvsdb;
  readonly OpenFlowSwitchSimulator: new (options: { readonly ovsdb: SimOvsdb; readonly reconnectInitialMs?: number }) => SimOpenFlow;
}

/** The OVSDB simulator, structurally. */
export interface SimOvsdb {
  start(): Promise<{ readonly host?: string; readonly port?: number; readonly unixRemote?: string }>;
  stop(): Promise<void>;
  dump(database: string): Record<string, readonly Readonly<Record<string, unknown>>[]>;
  onCommit(listener: (event: { readonly database: string }) => void): () => void;
}

/** The OpenFlow switch simulator, structurally. */
export interface SimOpenFlow {
  start(): Promise<void>;
  stop(): Promise<void>;
  bridges(): string[];
  flows(bridge: string): readonly { readonly tableId: number; readonly priority: number; readonly cookie: bigint; readonly matchHex: string; readonly instructionsHex: string }[];
  flowMod(bridge: string, message: Buffer): { readonly type: number; readonly code: number; readonly message: string } | undefined;
}

/** Checks that a loaded module has the simulators this harness needs. */
export function asVSwitchSimulators(mod: unknown): VSwitchSimulatorsModule {
  const m = mod as Partial<Record<string, unknown>> | null;
  if (m === null || typeof m !== 'object' || typeof m['OvsdbSimulator'] !== 'function' || typeof m['OpenFlowSwitchSimulator'] !== 'function') {
    throw new Error('@netloom/conformance/simulators has no OvsdbSimulator / OpenFlowSwitchSimulator: update @netloom/conformance');
  }
  return m as unknown as VSwitchSimulatorsModule;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !isSafeName(name) || name.length > 15) throw new Error(`harness: ${what} ${JSON.stringify(name)} is not a usable OVS name`);
  return name;
}

const DB = 'Open_vSwitch';

/** The kit's device harness over the simulators (structurally the kit's `DeviceHarness`). */
export class SimulatedVSwitchHarness<S extends SimHarnessState, R> {
  constructor(
    private readonly model: SimulatedVSwitchModel<S, R>,
    private readonly client: OvsdbClient,
    private readonly remote: string,
    private readonly openflow: SimOpenFlow,
    private readonly proxy: OvsdbFaultProxy,
    private readonly adapterOptions: Record<string, unknown>,
  ) {}

  private async read(): Promise<S> {
    const results = await this.client.transact(DB, this.model.readOperations());
    return this.model.stateFromResults(results as unknown as { rows: readonly unknown[] }[], this.remote);
  }

  /** One transaction with the `next_cfg` bump, then waits for the (emulated) ovs-vswitchd, as ovs-vsctl does. */
  private async commit(ops: readonly Operation[]): Promise<void> {
    const results = await this.client.transact(DB, [...ops, op.mutate('Open_vSwitch', [], [['next_cfg', '+=', 1]]), op.select('Open_vSwitch', [], ['next_cfg'])]);
    const next = (results[results.length - 1] as { rows?: readonly Record<string, unknown>[] }).rows?.[0]?.['next_cfg'];
    if (typeof next === 'number') await this.client.transact(DB, [op.wait('Open_vSwitch', [['cur_cfg', '>=', next]], [], '!=', [], 10_000)]);
  }

  private async bridgeKnown(name: string): Promise<void> {
    for (let i = 0; !this.openflow.bridges().includes(name); i++) {
      if (i > 200) throw new Error(`harness: the switch simulator does not show bridge ${name}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Creates a bridge, port (on a foreign bridge, with a foreign flow) or QoS row without netloom's marks, as another tool would. */
  async seedForeign({ kind, object }: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void> {
    const ext = new Map(
      Object.entries(object)
        .filter(([k, v]) => !['key', 'name', 'bridge'].includes(k) && (typeof v === 'string' || typeof v === 'number'))
        .map(([k, v]) => [k.replace(/[^A-Za-z0-9_-]/g, '_'), String(v)]),
    );
    switch (kind) {
      case 'bridge': {
        const name = checkName('bridge', object['name'] ?? object.key);
        const state = await this.read();
        if (!state.bridges.some((b) => b.name === name)) {
          await this.commit([
            op.insert('Interface', { name, type: 'internal' }, 'i'),
            op.insert('Port', { name, interfaces: [namedUuid('i')] }, 'p'),
            op.insert('Bridge', { name, ports: [namedUuid('p')], datapath_type: 'netdev', fail_mode: 'secure', external_ids: ext }, 'b'),
            op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('b')]]]),
          ]);
        } else if (ext.size > 0) {
          await this.commit([op.mutate('Bridge', [['name', '==', name]], [['external_ids', 'insert', ext]])]);
        }
        await this.bridgeKnown(name);
        const err = this.openflow.flowMod(name, encodeFlowMod(0, { command: 'add', tableId: 0, priority: 7, cookie: SIM_FOREIGN_COOKIE, match: { ethType: 0x88cc } }));
        if (err !== undefined) throw new Error(`harness: the foreign flow was refused: ${err.message}`);
        return;
      }
      case 'endpointPort':
      case 'uplink':
      case 'tunnel': {
        const name = checkName('port', object['name'] ?? object.key);
        const bridge = checkName('bridge', object['bridge'] ?? 'br-int');
        await this.seedForeign({ kind: 'bridge', object: { key: bridge, name: bridge } });
        await this.commit([
          op.insert('Interface', { name, external_ids: ext }, 'i'),
          op.insert('Port', { name, interfaces: [namedUuid('i')] }, 'p'),
          op.mutate('Bridge', [['name', '==', bridge]], [['ports', 'insert', [namedUuid('p')]]]),
        ]);
        return;
      }
      case 'qos': {
        const name = checkName('qos', object['name'] ?? object.key);
        await this.commit([op.insert('QoS', { type: 'linux-htb', external_ids: new Map([['name', name]]) })]);
        return;
      }
      default:
        throw new Error(`harness: cannot seed a foreign ${kind}`);
    }
  }

  /** The owned objects (as observe reads them) and the foreign ports, QoS rows and flows. */
  async readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }> {
    const state = await this.read();
    const ports: Record<string, unknown> = {};
    for (const p of state.ports) {
      if (this.model.isOwned(p.external_ids)) continue;
      ports[p.name] = {
        bridge: state.bridgeOfPort.get(p._uuid)?.name ?? null,
        tag: p.tag,
        trunks: [...p.trunks],
        externalIds: Object.fromEntries(p.external_ids),
        interfaces: state.interfacesOf(p).map((i) => ({ name: i.name, type: i.type, externalIds: Object.fromEntries(i.external_ids) })),
      };
    }
    const qos: Record<string, unknown> = {};
    for (const q of state.qos) if (!this.model.isOwned(q.external_ids)) qos[q._uuid] = { type: q.type, otherConfig: Object.fromEntries(q.other_config), externalIds: Object.fromEntries(q.external_ids) };
    const flows: Record<string, unknown> = {};
    for (const b of state.bridges) {
      if (!this.openflow.bridges().includes(b.name)) continue;
      for (const f of this.openflow.flows(b.name)) {
        if (isNetloomCookie(f.cookie)) continue;
        const line = `cookie=0x${f.cookie.toString(16)}, table=${f.tableId}, priority=${f.priority}, match=${f.matchHex}, instructions=${f.instructionsHex}`;
        flows[`${b.name} ${line}`] = { bridge: b.name, flow: line };
      }
    }
    return { owned: this.model.ownedConfig(state), foreign: { port: ports, qos, flow: flows } };
  }

  /** Changes or deletes an owned object directly in OVSDB (no session, no lock, no flows). */
  async changeOutOfBand({ kind, key, object }: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void> {
    const state = await this.read();
    const owned = this.model.ownedConfig(state);
    const next = structuredClone(owned) as unknown as Record<string, Record<string, unknown>>;
    if (next[kind] === undefined) throw new Error(`harness: unknown kind ${kind}`);
    const codec = this.model.kindCodecs[kind];
    if (object === undefined) delete next[kind]![key];
    else if (codec === undefined) throw new Error(`harness: no codec for kind ${kind}`);
    else next[kind]![key] = decodeOrThrow(codec, object, `out-of-band ${kind}`);
    const desired = next as unknown as VSwitchConfig;
    const changes = diffConfig({ desired, observed: owned, order: VSWITCH_KIND_ORDER });
    const options = this.model.resolveOptions({ name: 'harness' }, this.adapterOptions);
    const r = this.model.renderChanges({ desired, observed: owned, changes, state, options, flows: new Map() });
    // Straight to the database, no lock, no flows: what an operator with ovs-vsctl does.
    let cfg = state.ovs.next_cfg;
    for (const ops of [r.pre, r.main, r.post]) {
      if (ops.length === 0) continue;
      const results = await this.client.transact(DB, this.model.wrapTransaction(ops, undefined));
      const n = (results[results.length - 1] as { rows?: readonly Record<string, unknown>[] }).rows?.[0]?.['next_cfg'];
      if (typeof n === 'number') cfg = n;
    }
    await this.client.transact(DB, [op.wait('Open_vSwitch', [['cur_cfg', '>=', cfg]], [], '!=', [], 10_000)]);
  }

  /** Arms the proxy: the transaction that crosses `afterWrites` row writes commits and its connection is cut. */
  async injectFault({ afterWrites = 1 }: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void> {
    this.proxy.armFault(afterWrites);
  }

  /** Row writes of the adapter's OVSDB transactions so far (flows are not counted). */
  async writeCount(): Promise<number> {
    return this.proxy.writes;
  }
}

/** A simulated vswitch node: the simulators, the proxy, the adapter options that reach them, the harness. */
export interface SimulatedVSwitchDevice<S extends SimHarnessState, R> {
  readonly ovsdb: SimOvsdb;
  readonly openflow: SimOpenFlow;
  readonly proxy: OvsdbFaultProxy;
  /** Adapter options: OVSDB through the proxy, OpenFlow `connect` to a free port, `netdev`, `br-int` adoptable. */
  readonly options: Record<string, unknown>;
  readonly harness: SimulatedVSwitchHarness<S, R>;
  /** Stops everything (never throws). */
  dispose(): Promise<void>;
}

/**
 * Starts an OVSDB simulator (Open_vSwitch schema, ovs-vswitchd stand-in on), the OpenFlow switch simulator on it,
 * the fault proxy and the harness. Cleans up after itself when a step fails. No root, no Open vSwitch needed.
 *
 * @example
 * const sims = asVSwitchSimulators(await import('@netloom/conformance/simulators'));
 * const device = await startSimulatedVSwitchDevice({ simulators: sims, model, adoptBridges: ['br-int'] });
 * // adapter options: device.options; kit harness: device.harness
 * await device.dispose();
 */
export async function startSimulatedVSwitchDevice<S extends SimHarnessState, R>(opts: {
  readonly simulators: VSwitchSimulatorsModule;
  readonly model: SimulatedVSwitchModel<S, R>;
  readonly adoptBridges?: readonly string[];
}): Promise<SimulatedVSwitchDevice<S, R>> {
  const ovsdb = new opts.simulators.OvsdbSimulator({ emulateVswitchd: true });
  const openflow = new opts.simulators.OpenFlowSwitchSimulator({ ovsdb });
  let proxy: OvsdbFaultProxy | undefined;
  let client: OvsdbClient | undefined;
  const stopAll = async (): Promise<void> => {
    await client?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await openflow.stop().catch(() => undefined);
    await ovsdb.stop().catch(() => undefined);
  };
  try {
    const ends = await ovsdb.start();
    await openflow.start();
    if (ends.port === undefined || ends.unixRemote === undefined) throw new Error('harness: the OVSDB simulator must listen on TCP and a unix socket');
    proxy = await startOvsdbFaultProxy({ host: ends.host ?? '127.0.0.1', port: ends.port });
    client = await OvsdbClient.connect({ remote: ends.unixRemote, reconnect: false });
    const options: Record<string, unknown> = {
      ovsdb: `tcp:127.0.0.1:${proxy.port}`,
      openflow: { connect: { host: '127.0.0.1', port: await freePort() } },
      datapathType: 'netdev',
      adoptBridges: [...(opts.adoptBridges ?? ['br-int'])],
      requestTimeoutMs: 10_000,
    };
    const harness = new SimulatedVSwitchHarness(opts.model, client, ends.unixRemote, openflow, proxy, options);
    const p = proxy;
    return { ovsdb, openflow, proxy: p, options, harness, dispose: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
