/**
 * The rows netloom reads from a node's `Open_vSwitch` database, validated with io-ts, and `DeviceState`, the
 * indexed result of one consistent read. Shared by every OVS-compatible adapter.
 *
 * Ownership: every row netloom creates carries `external_ids:netloom-owner=netloom`, `netloom-kind` and
 * `netloom-key`; security-group rules live as `netloom-sgr:<group>:<name>` keys of `Open_vSwitch.external_ids`
 * (they belong to the node, not to a bridge). Rows without the marks are never returned, changed or deleted.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { DeviceProtocolError, decodeProblems, struct } from '@netloom/ports';

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

/** Roles of netloom rows (`netloom-kind`). `tunnel` / `tunnelIface` are written only by adapters with tunnel hooks (`VSwitchHooks.tunnels`). */
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
  /** The VNI of an endpoint port attached by tunnel key (adapters with tunnel-key attachments only). */
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
  { _uuid: Uuid, name: t.string, type: t.string, ofport: opt(t.number), ofport_request: opt(t.number), external_ids: StrMap, ingress_policing_rate: t.number, ingress_policing_burst: t.number },
  // Read only by adapters whose hooks ask for it (tunnel ports keep their remote and key there).
  { options: StrMap },
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

/** The columns netloom reads, per table (adapters with tunnel hooks add Interface columns). */
export const READ_COLUMNS = {
  Open_vSwitch: ['_uuid', 'bridges', 'external_ids', 'next_cfg', 'cur_cfg', 'ovs_version', 'db_version', 'system_type', 'system_version'],
  Bridge: ['_uuid', 'name', 'ports', 'external_ids', 'fail_mode', 'protocols', 'datapath_type', 'controller', 'datapath_id'],
  Port: ['_uuid', 'name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'qos', 'external_ids'],
  Interface: ['_uuid', 'name', 'type', 'ofport', 'ofport_request', 'external_ids', 'ingress_policing_rate', 'ingress_policing_burst'],
  QoS: ['_uuid', 'type', 'other_config', 'queues', 'external_ids'],
  Queue: ['_uuid', 'other_config', 'external_ids'],
  Controller: ['_uuid', 'target', 'external_ids'],
} as const;

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
 * Builds a {@link DeviceState} from the results of `readOperations` (model.ts), validating every row.
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

/** The fail mode OVS applies: an empty column means `standalone`. */
export function effectiveFailMode(b: BridgeRow): 'secure' | 'standalone' {
  return b.fail_mode === 'secure' ? 'secure' : 'standalone';
}

/** A non-negative decimal integer written as text (an external_ids or options value), else undefined. @example decimalOf('4095') // 4095 */
export function decimalOf(s: string | undefined): number | undefined {
  return s === undefined || s === '' || !/^\d+$/.test(s) ? undefined : Number(s);
}
