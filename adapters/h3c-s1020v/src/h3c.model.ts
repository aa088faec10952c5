/**
 * What netloom reads from the node's `Open_vSwitch` database: the rows of the tables it manages, validated with
 * io-ts (`DeviceState`), and how owned rows turn back into the vswitch vocabulary (`ownedConfig`), VXLAN tunnel
 * ports and tunnel-key attachments included.
 *
 * Ownership: every row netloom creates carries `external_ids:netloom-owner=netloom`, `netloom-kind` and
 * `netloom-key`; security-group rules live as `netloom-sgr:<group>:<name>` keys of `Open_vSwitch.external_ids`
 * (they belong to the node, not to a bridge). Rows without the marks are never returned, changed or deleted.
 *
 * An endpoint port attached by tunnel key keeps its VNI in `external_ids:netloom-vni`; its `tag` is the parking
 * VLAN (see `h3c.flows.ts`), never read as a VLAN.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { op, type Operation } from '@netloom/ovsdb';
import {
  BridgeCodec,
  DeviceProtocolError,
  EndpointPortCodec,
  QosCodec,
  SecurityGroupRuleCodec,
  TunnelCodec,
  UplinkCodec,
  decodeProblems,
  emptyVSwitchConfig,
  struct,
  type VSwitchConfig,
  type VSwitchKind,
} from '@netloom/ports';
import { TUNNEL_INTERFACE } from './h3c.vendor';

/** The external_ids key every netloom row carries, with value {@link OWNER}. */
export const OWNER_KEY = 'netloom-owner';
/** The value of {@link OWNER_KEY}. */
export const OWNER = 'netloom';
/** The external_ids key naming the row's role (`bridge`, `uplink`, `tunnel`, `endpointPort`, `qos`, ...). */
export const KIND_KEY = 'netloom-kind';
/** The external_ids key holding the object's key in the vocabulary. */
export const KEY_KEY = 'netloom-key';
/** Prefix of the `Open_vSwitch.external_ids` keys that hold security-group rules (`netloom-sgr:web:https-in`). */
export const SGR_PREFIX = 'netloom-sgr:';

/** Roles of netloom rows (`netloom-kind`). */
export const RowKind = {
  bridge: 'bridge',
  controller: 'controller',
  uplink: 'uplink',
  uplinkIface: 'uplink-iface',
  tunnel: 'tunnel',
  tunnelIface: 'tunnel-iface',
  endpointPort: 'endpointPort',
  endpointIface: 'endpoint-iface',
  qos: 'qos',
  portQos: 'port-qos',
  queue: 'queue',
} as const;

/** Further external_ids keys netloom writes (all start with `netloom-`, except the CNI/OVN ones on interfaces). */
export const Ext = {
  failMode: 'netloom-fail-mode',
  adopted: 'netloom-adopted',
  addedOpenFlow13: 'netloom-added-of13',
  endpointId: 'netloom-endpoint-id',
  mac: 'netloom-mac',
  ips: 'netloom-ips',
  vlan: 'netloom-vlan',
  vni: 'netloom-vni',
  podNamespace: 'netloom-pod-namespace',
  podName: 'netloom-pod-name',
  securityGroups: 'netloom-security-groups',
  qosName: 'netloom-qos',
  ingressRate: 'netloom-ingress-rate-kbps',
  ingressBurst: 'netloom-ingress-burst-kb',
  egressRate: 'netloom-egress-rate-kbps',
  egressBurst: 'netloom-egress-burst-kb',
  attachedMac: 'attached-mac',
  ifaceId: 'iface-id',
  ifaceStatus: 'iface-status',
} as const;

// ------------------------------------------------------------------------------------------------------------------
// Row codecs (the OVSDB client decodes maps to Map, sets to arrays, optional values to null)

const StrMap = new t.Type<ReadonlyMap<string, string>, ReadonlyMap<string, string>, unknown>(
  'map<string,string>',
  (u): u is ReadonlyMap<string, string> => u instanceof Map && [...u.entries()].every(([k, v]) => typeof k === 'string' && typeof v === 'string'),
  (u, c) =>
    u instanceof Map && [...u.entries()].every(([k, v]) => typeof k === 'string' && typeof v === 'string')
      ? t.success(u as ReadonlyMap<string, string>)
      : t.failure(u, c, 'expected a map of strings'),
  t.identity,
);
const IntUuidMap = new t.Type<ReadonlyMap<number, string>, ReadonlyMap<number, string>, unknown>(
  'map<integer,uuid>',
  (u): u is ReadonlyMap<number, string> => u instanceof Map && [...u.entries()].every(([k, v]) => typeof k === 'number' && typeof v === 'string'),
  (u, c) =>
    u instanceof Map && [...u.entries()].every(([k, v]) => typeof k === 'number' && typeof v === 'string')
      ? t.success(u as ReadonlyMap<number, string>)
      : t.failure(u, c, 'expected a map of integer to uuid'),
  t.identity,
);
const Uuid = t.string;
const opt = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
const strip = { unknownFields: 'strip' } as const;

/** The `Open_vSwitch` row. */
export const OvsRowCodec = struct(
  'Open_vSwitch row',
  { _uuid: Uuid, bridges: t.readonlyArray(Uuid), external_ids: StrMap, next_cfg: t.number, cur_cfg: t.number, ovs_version: opt(t.string), db_version: opt(t.string), system_type: opt(t.string), system_version: opt(t.string) },
  {},
  strip,
);
/** A `Bridge` row. */
export const BridgeRowCodec = struct(
  'Bridge row',
  { _uuid: Uuid, name: t.string, ports: t.readonlyArray(Uuid), external_ids: StrMap, fail_mode: opt(t.string), protocols: t.readonlyArray(t.string), datapath_type: t.string, controller: t.readonlyArray(Uuid), datapath_id: opt(t.string) },
  {},
  strip,
);
/** A `Port` row. */
export const PortRowCodec = struct(
  'Port row',
  { _uuid: Uuid, name: t.string, interfaces: t.readonlyArray(Uuid), tag: opt(t.number), trunks: t.readonlyArray(t.number), vlan_mode: opt(t.string), qos: opt(Uuid), external_ids: StrMap },
  {},
  strip,
);
/** An `Interface` row. */
export const InterfaceRowCodec = struct(
  'Interface row',
  { _uuid: Uuid, name: t.string, type: t.string, options: StrMap, ofport: opt(t.number), ofport_request: opt(t.number), external_ids: StrMap, ingress_policing_rate: t.number, ingress_policing_burst: t.number },
  {},
  strip,
);
/** A `QoS` row. */
export const QosRowCodec = struct('QoS row', { _uuid: Uuid, type: t.string, other_config: StrMap, queues: IntUuidMap, external_ids: StrMap }, {}, strip);
/** A `Queue` row. */
export const QueueRowCodec = struct('Queue row', { _uuid: Uuid, other_config: StrMap, external_ids: StrMap }, {}, strip);
/** A `Controller` row. */
export const ControllerRowCodec = struct('Controller row', { _uuid: Uuid, target: t.string, external_ids: StrMap }, {}, strip);

/** The `Open_vSwitch` row. */
export type OvsRow = t.TypeOf<typeof OvsRowCodec>;
/** A `Bridge` row. */
export type BridgeRow = t.TypeOf<typeof BridgeRowCodec>;
/** A `Port` row. */
export type PortRow = t.TypeOf<typeof PortRowCodec>;
/** An `Interface` row. */
export type InterfaceRow = t.TypeOf<typeof InterfaceRowCodec>;
/** A `QoS` row. */
export type QosRow = t.TypeOf<typeof QosRowCodec>;
/** A `Queue` row. */
export type QueueRow = t.TypeOf<typeof QueueRowCodec>;
/** A `Controller` row. */
export type ControllerRow = t.TypeOf<typeof ControllerRowCodec>;

/** The columns netloom reads, per table. */
export const READ_COLUMNS = {
  Open_vSwitch: ['_uuid', 'bridges', 'external_ids', 'next_cfg', 'cur_cfg', 'ovs_version', 'db_version', 'system_type', 'system_version'],
  Bridge: ['_uuid', 'name', 'ports', 'external_ids', 'fail_mode', 'protocols', 'datapath_type', 'controller', 'datapath_id'],
  Port: ['_uuid', 'name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'qos', 'external_ids'],
  Interface: ['_uuid', 'name', 'type', 'options', 'ofport', 'ofport_request', 'external_ids', 'ingress_policing_rate', 'ingress_policing_burst'],
  QoS: ['_uuid', 'type', 'other_config', 'queues', 'external_ids'],
  Queue: ['_uuid', 'other_config', 'external_ids'],
  Controller: ['_uuid', 'target', 'external_ids'],
} as const;

/** The selects of one consistent read (one transaction). */
export function readOperations(): Operation[] {
  return Object.entries(READ_COLUMNS).map(([table, columns]) => op.select(table, [], columns));
}

/** Everything netloom needs to know about the database, from one transaction. */
export class DeviceState {
  readonly bridgeByName = new Map<string, BridgeRow>();
  readonly portByName = new Map<string, PortRow>();
  readonly portByUuid = new Map<string, PortRow>();
  readonly ifaceByName = new Map<string, InterfaceRow>();
  readonly ifaceByUuid = new Map<string, InterfaceRow>();
  readonly bridgeOfPort = new Map<string, BridgeRow>();
  readonly qosByUuid = new Map<string, QosRow>();
  readonly queueByUuid = new Map<string, QueueRow>();
  readonly controllerByUuid = new Map<string, ControllerRow>();

  constructor(
    readonly ovs: OvsRow,
    readonly bridges: readonly BridgeRow[],
    readonly ports: readonly PortRow[],
    readonly interfaces: readonly InterfaceRow[],
    readonly qos: readonly QosRow[],
    readonly queues: readonly QueueRow[],
    readonly controllers: readonly ControllerRow[],
  ) {
    for (const b of bridges) {
      this.bridgeByName.set(b.name, b);
      for (const p of b.ports) this.bridgeOfPort.set(p, b);
    }
    for (const p of ports) {
      this.portByName.set(p.name, p);
      this.portByUuid.set(p._uuid, p);
    }
    for (const i of interfaces) {
      this.ifaceByName.set(i.name, i);
      this.ifaceByUuid.set(i._uuid, i);
    }
    for (const q of qos) this.qosByUuid.set(q._uuid, q);
    for (const q of queues) this.queueByUuid.set(q._uuid, q);
    for (const c of controllers) this.controllerByUuid.set(c._uuid, c);
  }

  /** The interfaces of a port. */
  interfacesOf(port: PortRow): InterfaceRow[] {
    return port.interfaces.map((u) => this.ifaceByUuid.get(u)).filter((i): i is InterfaceRow => i !== undefined);
  }

  /** The first QoS row netloom owns with this kind and key. */
  ownedQos(kind: string, key: string): QosRow | undefined {
    return this.qos.find((q) => isOwned(q.external_ids) && q.external_ids.get(KIND_KEY) === kind && q.external_ids.get(KEY_KEY) === key);
  }

  /** netloom's Controller rows of a bridge. */
  ownedControllers(bridge: BridgeRow): ControllerRow[] {
    return bridge.controller.map((u) => this.controllerByUuid.get(u)).filter((c): c is ControllerRow => c !== undefined && isOwned(c.external_ids));
  }

  /** Every OpenFlow port number in use or requested on the node (netloom's own requests included). */
  usedOfports(except?: string): Set<number> {
    const used = new Set<number>();
    for (const i of this.interfaces) {
      if (i.name === except) continue;
      if (i.ofport !== null && i.ofport > 0) used.add(i.ofport);
      if (i.ofport_request !== null) used.add(i.ofport_request);
    }
    return used;
  }
}

/** True when an external_ids map carries netloom's ownership mark. */
export function isOwned(ext: ReadonlyMap<string, string>): boolean {
  return ext.get(OWNER_KEY) === OWNER;
}

/** True when a row is netloom's with this role. */
export function isOwnedAs(ext: ReadonlyMap<string, string>, kind: string): boolean {
  return isOwned(ext) && ext.get(KIND_KEY) === kind;
}

function decodeRows<A>(codec: t.Type<A, unknown, unknown>, rows: readonly unknown[], table: string, remote: string): A[] {
  return rows.map((row, i) => {
    const r = decodeProblems(codec, row);
    if (r.value === undefined) {
      const lines = r.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`);
      throw new DeviceProtocolError(`OVSDB ${remote} returned an invalid ${table} row #${i}: ${lines.join('; ')}`, { details: { table, problems: r.problems } });
    }
    return r.value;
  });
}

/**
 * Builds a {@link DeviceState} from the results of {@link readOperations}, validating every row.
 *
 * @throws DeviceProtocolError when a row does not have the shape of the schema netloom was written for.
 */
export function stateFromResults(results: readonly { readonly rows: readonly unknown[] }[], remote: string): DeviceState {
  const [ovs, bridges, ports, ifaces, qos, queues, controllers] = results;
  const ovsRows = decodeRows(OvsRowCodec, ovs?.rows ?? [], 'Open_vSwitch', remote);
  if (ovsRows.length !== 1) throw new DeviceProtocolError(`OVSDB ${remote}: the Open_vSwitch table has ${ovsRows.length} rows, expected 1 (run ovs-vsctl init)`, { details: { rows: ovsRows.length } });
  return new DeviceState(
    ovsRows[0]!,
    decodeRows(BridgeRowCodec, bridges?.rows ?? [], 'Bridge', remote),
    decodeRows(PortRowCodec, ports?.rows ?? [], 'Port', remote),
    decodeRows(InterfaceRowCodec, ifaces?.rows ?? [], 'Interface', remote),
    decodeRows(QosRowCodec, qos?.rows ?? [], 'QoS', remote),
    decodeRows(QueueRowCodec, queues?.rows ?? [], 'Queue', remote),
    decodeRows(ControllerRowCodec, controllers?.rows ?? [], 'Controller', remote),
  );
}

// ------------------------------------------------------------------------------------------------------------------
// Owned rows → vocabulary

const KIND_CODECS: { readonly [K in VSwitchKind]: t.Mixed } = {
  bridge: BridgeCodec,
  qos: QosCodec,
  securityGroupRule: SecurityGroupRuleCodec,
  uplink: UplinkCodec,
  tunnel: TunnelCodec,
  endpointPort: EndpointPortCodec,
};

function decodeObject(kind: VSwitchKind, raw: Record<string, unknown>, where: string): Record<string, unknown> & { key: string } {
  const r = decodeProblems(KIND_CODECS[kind], raw);
  if (r.value === undefined) {
    const lines = r.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`);
    throw new DeviceProtocolError(`${where} carries netloom's mark but does not read back as a ${kind}: ${lines.join('; ')} (repair or remove it)`, { details: { kind, problems: r.problems } });
  }
  return r.value as Record<string, unknown> & { key: string };
}

const num = (s: string | undefined): number | undefined => (s === undefined || s === '' || !/^\d+$/.test(s) ? undefined : Number(s));
const list = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(','));

/** The fail mode OVS applies: an empty column means `standalone`. */
export function effectiveFailMode(b: BridgeRow): 'secure' | 'standalone' {
  return b.fail_mode === 'secure' ? 'secure' : 'standalone';
}

/**
 * The vocabulary objects netloom owns, read from the rows (each object decoded with its kind's codec, so the result
 * is canonical). References between kinds are not checked: drift may leave a port pointing at a deleted profile.
 *
 * How fields are read back: bridge `failMode` from the column when it was given explicitly (else omitted while it is
 * the default `secure`); uplink `allowedVlans` from `trunks`; tunnel `remoteIp`, `localIp`, `tunnelKey` and
 * `dstPort` from the interface's `options`; endpoint `attachment` from `netloom-vni` (tunnel key) or `tag` (VLAN);
 * MAC, IPs, endpoint id, pod, groups and the QoS profile name from the port's `netloom-*` external_ids; inline QoS
 * from the interface's policing columns and the port's own QoS row; profiles and rules from their records.
 *
 * @throws DeviceProtocolError when a marked row does not read back as its kind.
 */
export function ownedConfig(state: DeviceState): VSwitchConfig {
  const out = emptyVSwitchConfig() as unknown as Record<string, Record<string, unknown>>;
  const put = (kind: VSwitchKind, raw: Record<string, unknown>, where: string): void => {
    const o = decodeObject(kind, raw, where);
    out[kind]![o.key] = o;
  };
  for (const b of state.bridges) {
    if (!isOwnedAs(b.external_ids, RowKind.bridge)) continue;
    const explicit = b.external_ids.has(Ext.failMode);
    const adopted = b.external_ids.get(Ext.adopted) === 'true';
    const actual = effectiveFailMode(b);
    const failMode = explicit ? actual : adopted || actual === 'secure' ? undefined : actual;
    put('bridge', { key: b.name, name: b.name, ...(failMode !== undefined ? { failMode } : {}) }, `bridge ${b.name}`);
  }
  for (const q of state.qos) {
    if (!isOwnedAs(q.external_ids, RowKind.qos)) continue;
    const name = q.external_ids.get(KEY_KEY) ?? '';
    const e = q.external_ids;
    const fields = { ingressRateKbps: num(e.get(Ext.ingressRate)), ingressBurstKb: num(e.get(Ext.ingressBurst)), egressRateKbps: num(e.get(Ext.egressRate)), egressBurstKb: num(e.get(Ext.egressBurst)) };
    put('qos', { key: name, name, ...defined(fields) }, `QoS ${q._uuid}`);
  }
  for (const [k, v] of state.ovs.external_ids) {
    if (!k.startsWith(SGR_PREFIX)) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(v);
    } catch (e) {
      throw new DeviceProtocolError(`Open_vSwitch external_ids:${k} is not JSON (repair or remove it)`, { cause: e, details: { key: k } });
    }
    const rule = decodeObject('securityGroupRule', (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>, `Open_vSwitch external_ids:${k}`);
    if (`${SGR_PREFIX}${rule.key}` !== k) throw new DeviceProtocolError(`Open_vSwitch external_ids:${k} holds rule ${JSON.stringify(rule.key)} (repair or remove it)`, { details: { key: k } });
    out['securityGroupRule']![rule.key] = rule;
  }
  for (const p of state.ports) {
    const bridge = state.bridgeOfPort.get(p._uuid);
    if (bridge === undefined) continue;
    if (isOwnedAs(p.external_ids, RowKind.uplink)) {
      put('uplink', { key: p.name, name: p.name, bridge: bridge.name, ...(p.trunks.length > 0 ? { allowedVlans: [...p.trunks] } : {}) }, `uplink ${p.name}`);
    } else if (isOwnedAs(p.external_ids, RowKind.tunnel)) {
      put('tunnel', tunnelFromRows(state, p, bridge), `tunnel ${p.name}`);
    } else if (isOwnedAs(p.external_ids, RowKind.endpointPort)) {
      put('endpointPort', endpointFromRows(state, p, bridge), `endpoint port ${p.name}`);
    }
  }
  return out as unknown as VSwitchConfig;
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A tunnel port's vocabulary object: everything but its bridge and name lives in the interface's `options`. */
function tunnelFromRows(state: DeviceState, p: PortRow, bridge: BridgeRow): Record<string, unknown> {
  const o = state.interfacesOf(p)[0]?.options ?? new Map<string, string>();
  const key = o.get(TUNNEL_INTERFACE.key);
  const localIp = o.get(TUNNEL_INTERFACE.localIp);
  const dstPort = num(o.get(TUNNEL_INTERFACE.dstPort));
  return {
    key: p.name,
    name: p.name,
    bridge: bridge.name,
    remoteIp: o.get(TUNNEL_INTERFACE.remoteIp) ?? '',
    // An absent or non-numeric key other than "flow" reads back as itself and fails the codec: drift to repair.
    tunnelKey: key === 'flow' ? 'flow' : (num(key) ?? key ?? ''),
    ...(localIp !== undefined ? { localIp } : {}),
    ...(dstPort !== undefined ? { dstPort } : {}),
  };
}

function endpointFromRows(state: DeviceState, p: PortRow, bridge: BridgeRow): Record<string, unknown> {
  const e = p.external_ids;
  const iface = state.interfacesOf(p)[0];
  const vlan = p.tag ?? num(e.get(Ext.vlan));
  const vni = num(e.get(Ext.vni));
  const ns = e.get(Ext.podNamespace);
  const podName = e.get(Ext.podName);
  const groups = list(e.get(Ext.securityGroups));
  let qos: unknown;
  const named = e.get(Ext.qosName);
  if (named !== undefined) qos = named;
  else {
    const own = state.ownedQos(RowKind.portQos, p.name);
    const queue = own !== undefined ? state.queueByUuid.get(own.queues.get(0) ?? '') : undefined;
    const maxRate = num(own?.other_config.get('max-rate'));
    const burst = num(queue?.other_config.get('burst'));
    const limits = defined({
      ingressRateKbps: maxRate !== undefined ? Math.round(maxRate / 1000) : undefined,
      ingressBurstKb: burst !== undefined ? Math.round(burst / 1000) : undefined,
      egressRateKbps: iface !== undefined && iface.ingress_policing_rate > 0 ? iface.ingress_policing_rate : undefined,
      egressBurstKb: iface !== undefined && iface.ingress_policing_rate > 0 && iface.ingress_policing_burst > 0 ? iface.ingress_policing_burst : undefined,
    });
    if (Object.keys(limits).length > 0) qos = limits;
  }
  return {
    key: p.name,
    name: p.name,
    bridge: bridge.name,
    mac: e.get(Ext.mac) ?? iface?.external_ids.get(Ext.attachedMac) ?? '',
    ips: list(e.get(Ext.ips)),
    attachment: vni !== undefined ? { type: 'tunnel', tunnelKey: vni } : { type: 'vlan', vlan: vlan ?? 0 },
    endpointId: e.get(Ext.endpointId) ?? iface?.external_ids.get(Ext.ifaceId) ?? '',
    ...(ns !== undefined && podName !== undefined ? { pod: { namespace: ns, name: podName } } : {}),
    ...(qos !== undefined ? { qos } : {}),
    ...(groups.length > 0 ? { securityGroups: groups } : {}),
  };
}
