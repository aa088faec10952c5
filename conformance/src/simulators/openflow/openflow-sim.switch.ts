/**
 * `OpenFlowSwitchSimulator`: the OpenFlow 1.3 side of ovs-vswitchd, in process, driven by an OVSDB simulator's
 * `Open_vSwitch` database as the real daemon is driven by ovsdb-server. For every `Bridge` row it keeps a bridge
 * (datapath id, flow tables, ports) and runs what the bridge's `Controller` rows say (dial `tcp:`/`unix:`, listen
 * on `ptcp:`/`punix:`); it flushes flows when ovs-vswitchd does. A test API reads and writes flows in process (as
 * `ovs-ofctl` does over the bridge's management socket) and injects faults.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { DeviceConnectionError, InputError, type Logger, decodeOrThrow, silentLogger, struct } from '@netloom/ports';
import { SimBridge, SimEndpoint, type SimControllerRow, type SimPort, parseTarget } from './openflow-sim.bridge';
import type { SimConnectionHost } from './openflow-sim.connection';
import { orderedFields, encodeOxms } from './openflow-sim.match';
import { decodeFlowMod } from './openflow-sim.table';
import { OfErrorType, OfType, OpenFlowSimError } from './openflow-sim.wire';

/** What the simulator needs of the OVSDB simulator (`OvsdbSimulator` fits). */
export interface OpenFlowSimOvsdbSource {
  /** Every row of a database, in the wire notation. */
  dump(database: string): Record<string, readonly Readonly<Record<string, unknown>>[]>;
  /** Calls `listener` after every commit; returns the unsubscribe function. */
  onCommit(listener: (event: { readonly database: string }) => void): () => void;
}

/** Options of {@link OpenFlowSwitchSimulator}. */
export interface OpenFlowSwitchSimulatorOptions {
  /**
   * The OVSDB simulator holding the `Open_vSwitch` database (Bridge, Controller, Port and Interface rows). Run it
   * with `emulateVswitchd: true` so interfaces get `ofport`s, bridges `datapath_id`s and `cur_cfg` follows.
   */
  readonly ovsdb: OpenFlowSimOvsdbSource;
  /** First re-dial delay of an active (`tcp:`) controller connection in ms (default 1000, as ovs-vswitchd). */
  readonly reconnectInitialMs?: number;
  /** What DESC reports (default: ovs-vswitchd 3.1's `Nicira, Inc.` / `Open vSwitch` / `3.1.0` / `None` / `None`). */
  readonly desc?: { readonly mfr?: string; readonly hw?: string; readonly sw?: string; readonly serial?: string; readonly dp?: string };
  /** Debug lines. */
  readonly logger?: Logger;
}

const OptionsCodec = struct(
  'OpenFlow switch simulator options',
  { ovsdb: t.UnknownRecord },
  { reconnectInitialMs: t.number, desc: struct('desc', {}, { mfr: t.string, hw: t.string, sw: t.string, serial: t.string, dp: t.string }), logger: t.unknown },
);

/** Counters (a snapshot). */
export interface OpenFlowSimStats {
  /** Connections accepted on passive targets. */
  accepted: number;
  /** Connections made to active targets. */
  dialled: number;
  /** Open connections now. */
  activeConnections: number;
  /** Messages received. */
  messages: number;
  /** FLOW_MODs received over the wire (in-process ones not counted). */
  flowMods: number;
  /** FLOW_MODs answered with an ERROR (faults included). */
  flowModErrors: number;
  /** ERRORs sent. */
  errorsSent: number;
  /** Handshakes refused (no common version, or not 1.3). */
  helloFailures: number;
  multipartRequests: number;
  barriers: number;
  /** Connections cut by a fault. */
  faultDrops: number;
}

/** A match field of a flow, for {@link OpenFlowSimFlow}. */
export interface OpenFlowSimField {
  /** ovs-ofctl-like name (`in_port`, `eth_type`, `tun_id`, `reg6`, `ct_state`, ...). */
  readonly name: string;
  readonly oxmClass: number;
  readonly field: number;
  /** Hex value (the mask applied). */
  readonly value: string;
  /** Hex mask, when masked. */
  readonly mask?: string;
}

/** A flow as {@link OpenFlowSwitchSimulator.flows} returns it. */
export interface OpenFlowSimFlow {
  readonly tableId: number;
  readonly priority: number;
  readonly cookie: bigint;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  /** Kept `OFPFF_*` bits (send_flow_rem, no_pkt_counts, no_byt_counts). */
  readonly flags: number;
  readonly packetCount: bigint;
  readonly byteCount: bigint;
  /** The match fields, in Open vSwitch's order. */
  readonly fields: readonly OpenFlowSimField[];
  /** The OXM TLVs as the switch returns them (hex). */
  readonly matchHex: string;
  /** The instructions as the switch returns them (hex). */
  readonly instructionsHex: string;
}

/** An OpenFlow error (type, code; experimenter id for experimenter errors) and why. */
export interface OpenFlowSimErrorInfo {
  readonly type: number;
  readonly code: number;
  readonly experimenter?: number;
  readonly message: string;
}

/** A bridge's state, for {@link OpenFlowSwitchSimulator.bridge}. */
export interface OpenFlowSimBridgeInfo {
  readonly name: string;
  /** 16 lower-case hex digits. */
  readonly datapathId: string;
  readonly failMode: 'secure' | 'standalone';
  /** Allowed OpenFlow versions (wire numbers: 4 = 1.3). */
  readonly versions: readonly number[];
  readonly ports: readonly SimPort[];
  readonly controllers: readonly {
    readonly target: string;
    /** Open connections on this target. */
    readonly connections: number;
    /** Where a passive target listens (`{ host, port }` or `{ path }`), once it does. */
    readonly listening?: { readonly host: string; readonly port: number } | { readonly path: string };
    /** The last listen/dial problem. */
    readonly lastError?: string;
  }[];
}

/** Options of {@link OpenFlowSwitchSimulator.dropConnectionAfterFlowMods} and {@link OpenFlowSwitchSimulator.rejectFlowMod}. */
export interface OpenFlowSimFaultScope {
  /** Only flow_mods to this bridge count (default: any bridge). */
  readonly bridge?: string;
}

interface Fault {
  readonly kind: 'drop' | 'reject';
  readonly bridge: string | undefined;
  remaining: number;
  readonly error?: OpenFlowSimError;
}

// --------------------------------------------------------------------------------------------------------------
// Reading the Open_vSwitch database (wire notation)

type Row = Readonly<Record<string, unknown>>;

function atoms(v: unknown): unknown[] {
  if (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1])) return v[1] as unknown[];
  return v === undefined ? [] : [v];
}
function uuidOf(v: unknown): string | undefined {
  return Array.isArray(v) && v[0] === 'uuid' && typeof v[1] === 'string' ? v[1] : undefined;
}
function uuids(v: unknown): string[] {
  return atoms(v)
    .map(uuidOf)
    .filter((u): u is string => u !== undefined);
}
function mapOf(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(v) && v[0] === 'map' && Array.isArray(v[1])) for (const pair of v[1] as unknown[]) if (Array.isArray(pair)) out.set(String(pair[0]), String(pair[1]));
  return out;
}
function scalar<T>(v: unknown, guard: (x: unknown) => x is T): T | undefined {
  const a = atoms(v);
  return a.length === 1 && guard(a[0]) ? a[0] : undefined;
}
const isString = (x: unknown): x is string => typeof x === 'string';
const isNumber = (x: unknown): x is number => typeof x === 'number';

/** The datapath id the emulated ovs-vswitchd gives a bridge without one: `0000` and 12 hex digits of its UUID. */
export function derivedDatapathId(uuid: string): string {
  return `0000${uuid.replace(/-/g, '').slice(0, 12)}`;
}

const VERSION_NAMES: Readonly<Record<string, number>> = { OpenFlow10: 1, OpenFlow11: 2, OpenFlow12: 3, OpenFlow13: 4, OpenFlow14: 5, OpenFlow15: 6 };
/** ovs-vswitchd's default when `Bridge.protocols` is empty: OpenFlow 1.0 to 1.5. */
const DEFAULT_VERSIONS = [1, 2, 3, 4, 5, 6];

interface DesiredBridge {
  readonly name: string;
  readonly uuid: string;
  readonly datapathId: string;
  readonly failMode: 'secure' | 'standalone';
  readonly versions: ReadonlySet<number>;
  readonly controllers: readonly SimControllerRow[];
  readonly ports: readonly SimPort[];
}

function desiredBridges(dump: Record<string, readonly Row[]>): DesiredBridge[] {
  const byUuid = (table: string): Map<string, Row> => new Map((dump[table] ?? []).map((r) => [uuidOf(r['_uuid']) ?? '', r]));
  const ports = byUuid('Port');
  const ifaces = byUuid('Interface');
  const ctls = byUuid('Controller');
  const roots = dump['Open_vSwitch'] ?? [];
  const inRoot = new Set(roots.flatMap((r) => uuids(r['bridges'])));
  const out: DesiredBridge[] = [];
  for (const b of dump['Bridge'] ?? []) {
    const uuid = uuidOf(b['_uuid']);
    const name = scalar(b['name'], isString);
    if (uuid === undefined || name === undefined || !inRoot.has(uuid)) continue;
    const other = mapOf(b['other_config']);
    const configured = other.get('datapath-id');
    const datapathId = (scalar(b['datapath_id'], isString) ?? (configured !== undefined && /^[0-9a-fA-F]{16}$/.test(configured) ? configured : derivedDatapathId(uuid))).toLowerCase();
    const versions = new Set(atoms(b['protocols']).map((p) => VERSION_NAMES[String(p)]).filter((v): v is number => v !== undefined));
    const controllers = uuids(b['controller'])
      .map((u) => ctls.get(u))
      .filter((r): r is Row => r !== undefined)
      .map((r) => ({ target: scalar(r['target'], isString) ?? '', probeMs: scalar(r['inactivity_probe'], isNumber) ?? 5000, maxBackoffMs: scalar(r['max_backoff'], isNumber) ?? 8000 }));
    const portList: SimPort[] = [];
    for (const pu of uuids(b['ports'])) {
      for (const iu of uuids(ports.get(pu)?.['interfaces'])) {
        const i = ifaces.get(iu);
        const ofport = scalar(i?.['ofport'], isNumber);
        const iname = scalar(i?.['name'], isString);
        if (ofport === undefined || ofport < 1 || iname === undefined) continue;
        const mac = scalar(i?.['mac_in_use'], isString) ?? `02:${iu.replace(/-/g, '').slice(0, 10).match(/../g)!.join(':')}`;
        portList.push({ portNo: ofport === 65534 ? 0xfffffffe : ofport, name: iname, mac: mac.toLowerCase() });
      }
    }
    out.push({
      name,
      uuid,
      datapathId,
      failMode: scalar(b['fail_mode'], isString) === 'secure' ? 'secure' : 'standalone',
      versions: versions.size > 0 ? versions : new Set(DEFAULT_VERSIONS),
      controllers,
      ports: portList,
    });
  }
  return out;
}

// --------------------------------------------------------------------------------------------------------------

/**
 * An OpenFlow 1.3 switch simulator: the OpenFlow half of ovs-vswitchd beside an OVSDB simulator.
 *
 * @example
 * const ovsdb = new OvsdbSimulator({ emulateVswitchd: true });
 * await ovsdb.start();
 * const sw = new OpenFlowSwitchSimulator({ ovsdb });
 * await sw.start();
 * // create a bridge with a Controller row `ptcp:6654:127.0.0.1` (OVSDB), then dial it with any OpenFlow 1.3 controller
 * sw.flows('br-int');            // [{ tableId, priority, cookie, fields, matchHex, instructionsHex, ... }]
 * sw.rejectFlowMod();            // the next flow_mod gets FLOW_MOD_FAILED/TABLE_FULL
 * await sw.stop();
 * await ovsdb.stop();
 */
export class OpenFlowSwitchSimulator {
  private readonly bridgesByName = new Map<string, SimBridge>();
  private readonly logger: Logger;
  private readonly host: SimConnectionHost & { connected(kind: 'accepted' | 'dialled'): void };
  private counters: OpenFlowSimStats = emptyStats();
  private faults: Fault[] = [];
  private unsubscribe: (() => void) | undefined;
  private scheduled = false;
  private started = false;
  private stopped = false;

  /** @throws InputError for bad options. */
  constructor(private readonly options: OpenFlowSwitchSimulatorOptions) {
    decodeOrThrow(OptionsCodec, options, 'OpenFlow switch simulator options');
    if (typeof options.ovsdb.dump !== 'function' || typeof options.ovsdb.onCommit !== 'function') {
      throw InputError.fromProblems('OpenFlow switch simulator options', [{ path: 'ovsdb', reason: 'needs dump() and onCommit() (an OvsdbSimulator)' }]);
    }
    if (options.reconnectInitialMs !== undefined && !(options.reconnectInitialMs > 0)) {
      throw InputError.fromProblems('OpenFlow switch simulator options', [{ path: 'reconnectInitialMs', reason: 'must be > 0' }]);
    }
    this.logger = options.logger ?? silentLogger;
    const d = options.desc ?? {};
    this.host = {
      logger: this.logger,
      desc: { mfr: d.mfr ?? 'Nicira, Inc.', hw: d.hw ?? 'Open vSwitch', sw: d.sw ?? '3.1.0', serial: d.serial ?? 'None', dp: d.dp ?? 'None' },
      count: (name) => {
        this.counters[name]++;
      },
      connected: (kind) => {
        if (kind === 'accepted') this.counters.accepted++;
        else this.counters.dialled++;
      },
      beforeFlowMod: (bridge) => this.takeFault(bridge),
    };
  }

  /** Reads the bridges from the OVSDB simulator and follows its commits from now on. Idempotent. */
  async start(): Promise<void> {
    if (this.stopped) throw new DeviceConnectionError('OpenFlow switch simulator was stopped; create a new one');
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.options.ovsdb.onCommit((e) => {
      if (e.database === 'Open_vSwitch') this.schedule();
    });
    this.reconcile();
    await Promise.resolve();
  }

  /** Stops every listener and connection. The flows stay readable. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.bridgesByName.values()].map((b) => b.stop()));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.reconcile();
    });
  }

  /** Brings the bridges in line with the database, as ovs-vswitchd's reconfiguration does. */
  private reconcile(): void {
    let wanted: DesiredBridge[];
    try {
      wanted = desiredBridges(this.options.ovsdb.dump('Open_vSwitch'));
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'openflow simulator: cannot read Open_vSwitch');
      return;
    }
    const names = new Set(wanted.map((w) => w.name));
    for (const [name, b] of this.bridgesByName) {
      if (!names.has(name) || wanted.find((w) => w.name === name)!.uuid !== b.uuid) {
        this.bridgesByName.delete(name);
        void b.stop();
      }
    }
    for (const w of wanted) {
      let b = this.bridgesByName.get(w.name);
      const isNew = b === undefined;
      if (b === undefined) {
        b = new SimBridge(w.name, w.uuid, { datapathId: w.datapathId, failMode: w.failMode, allowedVersions: w.versions });
        this.bridgesByName.set(w.name, b);
      }
      const hadPrimary = b.hasPrimary;
      const failModeChanged = b.failMode !== w.failMode;
      b.failMode = w.failMode;
      b.allowedVersions = w.versions;
      b.ports = w.ports;
      if (b.datapathId !== w.datapathId) {
        b.datapathId = w.datapathId;
        for (const e of b.endpoints.values()) e.dropConnections();
      }
      const targets = new Map(w.controllers.filter((c) => c.target !== '').map((c) => [c.target, c]));
      for (const [target, e] of [...b.endpoints]) {
        const row = targets.get(target);
        if (row === undefined || row.probeMs !== e.row.probeMs || row.maxBackoffMs !== e.row.maxBackoffMs) {
          b.endpoints.delete(target);
          void e.stop();
        }
      }
      for (const [target, row] of targets) {
        if (b.endpoints.has(target)) continue;
        const parsed = parseTarget(target);
        if (parsed === undefined) {
          this.logger.warn({ bridge: w.name, target }, 'openflow simulator: controller target not simulated (ssl/pssl or malformed)');
          continue;
        }
        b.endpoints.set(target, new SimEndpoint(row, parsed, b, this.host, this.options.reconnectInitialMs ?? 1000));
      }
      // ovs-vswitchd flushes a bridge's flows when it is created, when its primary controllers come or go, and when
      // its fail mode changes while it has no primary controller (bridge.c, connmgr.c).
      if (isNew || hadPrimary !== b.hasPrimary || (failModeChanged && !b.hasPrimary)) b.flush();
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Test API

  /** The bridges, by name. */
  bridges(): string[] {
    return [...this.bridgesByName.keys()].sort();
  }

  /** One bridge's identity, ports and controller endpoints (undefined for an unknown bridge). */
  bridge(name: string): OpenFlowSimBridgeInfo | undefined {
    const b = this.bridgesByName.get(name);
    if (b === undefined) return undefined;
    return {
      name: b.name,
      datapathId: b.datapathId,
      failMode: b.failMode,
      versions: [...b.allowedVersions].sort(),
      ports: [...b.ports],
      controllers: [...b.endpoints.entries()].map(([target, e]) => ({
        target,
        connections: e.connections.size,
        ...(e.address !== undefined ? { listening: e.address } : {}),
        ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
      })),
    };
  }

  private need(bridge: string): SimBridge {
    const b = this.bridgesByName.get(bridge);
    if (b === undefined) throw InputError.fromProblems('OpenFlow switch simulator', [{ path: 'bridge', reason: `no bridge ${JSON.stringify(bridge)} (bridges: ${this.bridges().join(', ') || 'none'})` }]);
    return b;
  }

  /**
   * The flows of a bridge (table, then priority high to low), as the switch would report them.
   *
   * @throws InputError for an unknown bridge.
   */
  flows(bridge: string): OpenFlowSimFlow[] {
    return this.need(bridge)
      .table.all()
      .map((f) => ({
        tableId: f.tableId,
        priority: f.priority,
        cookie: f.cookie,
        idleTimeout: f.idleTimeout,
        hardTimeout: f.hardTimeout,
        flags: f.flags,
        packetCount: f.packetCount,
        byteCount: f.byteCount,
        fields: orderedFields(f.match).map((x) => ({
          name: x.def.name,
          oxmClass: x.def.oxmClass,
          field: x.def.field,
          value: x.value.toString('hex'),
          ...(x.mask !== undefined ? { mask: x.mask.toString('hex') } : {}),
        })),
        matchHex: encodeOxms(f.match).toString('hex'),
        instructionsHex: f.instructions.bytes.toString('hex'),
      }));
  }

  /**
   * Applies one FLOW_MOD message (the whole message, header included, e.g. from `@netloom/openflow`'s
   * `encodeFlowMod`) in process, as `ovs-ofctl add-flow` does over the bridge's management socket. Faults do not
   * apply and it is not counted in {@link stats}.
   *
   * @returns undefined when applied, else the error the switch would have answered.
   * @throws InputError for an unknown bridge or a message that is not a FLOW_MOD.
   */
  flowMod(bridge: string, message: Buffer): OpenFlowSimErrorInfo | undefined {
    const b = this.need(bridge);
    if (message.length < 8 || message.readUInt8(1) !== OfType.FLOW_MOD || message.readUInt16BE(2) !== message.length) {
      throw InputError.fromProblems('OpenFlow switch simulator flowMod', [{ path: 'message', reason: 'not one whole FLOW_MOD message' }]);
    }
    try {
      b.table.apply(decodeFlowMod(message.subarray(8)));
      return undefined;
    } catch (e) {
      if (!(e instanceof OpenFlowSimError)) throw e;
      return { type: e.type, code: e.code, ...(e.experimenter !== undefined ? { experimenter: e.experimenter } : {}), message: e.message };
    }
  }

  /** Closes every OpenFlow connection now (passive targets keep listening, active ones re-dial). */
  dropConnections(bridge?: string): void {
    for (const b of this.bridgesByName.values()) if (bridge === undefined || b.name === bridge) for (const e of b.endpoints.values()) e.dropConnections();
  }

  /**
   * Fault: the connection that sends the `count`-th flow_mod from now (counting every bridge, or `scope.bridge`)
   * is cut right after that flow_mod is applied: the controller never sees the barrier reply (outcome unknown).
   */
  dropConnectionAfterFlowMods(count: number, scope: OpenFlowSimFaultScope = {}): void {
    if (!(Number.isInteger(count) && count >= 1)) throw InputError.fromProblems('dropConnectionAfterFlowMods', [{ path: 'count', reason: 'must be an integer ≥ 1' }]);
    this.faults.push({ kind: 'drop', bridge: scope.bridge, remaining: count });
  }

  /**
   * Fault: the flow_mod after `after` more (default 0: the next one) is refused with an ERROR (default
   * FLOW_MOD_FAILED/TABLE_FULL) and not applied. One-shot.
   */
  rejectFlowMod(opts: OpenFlowSimFaultScope & { readonly after?: number; readonly type?: number; readonly code?: number } = {}): void {
    const after = opts.after ?? 0;
    if (!(Number.isInteger(after) && after >= 0)) throw InputError.fromProblems('rejectFlowMod', [{ path: 'after', reason: 'must be an integer ≥ 0' }]);
    const type = opts.type ?? OfErrorType.FLOW_MOD_FAILED;
    const code = opts.code ?? 1;
    this.faults.push({ kind: 'reject', bridge: opts.bridge, remaining: after + 1, error: new OpenFlowSimError(type, code, 'injected fault') });
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.faults = [];
  }

  private takeFault(bridge: string): OpenFlowSimError | 'drop-after' | undefined {
    let out: OpenFlowSimError | 'drop-after' | undefined;
    for (const f of [...this.faults]) {
      if (f.bridge !== undefined && f.bridge !== bridge) continue;
      f.remaining--;
      if (f.remaining > 0) continue;
      this.faults.splice(this.faults.indexOf(f), 1);
      if (f.kind === 'reject') out = f.error;
      else if (out === undefined) out = 'drop-after';
    }
    return out;
  }

  /** A snapshot of the counters. */
  get stats(): OpenFlowSimStats {
    return { ...this.counters, activeConnections: [...this.bridgesByName.values()].reduce((n, b) => n + b.connections.length, 0) };
  }

  /** Sets every counter to zero. */
  resetStats(): void {
    this.counters = emptyStats();
  }
}

function emptyStats(): OpenFlowSimStats {
  return { accepted: 0, dialled: 0, activeConnections: 0, messages: 0, flowMods: 0, flowModErrors: 0, errorsSent: 0, helloFailures: 0, multipartRequests: 0, barriers: 0, faultDrops: 0 };
}
