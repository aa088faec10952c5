/**
 * Reading a leaf: one `transact` of six `select`s (the `Physical_Switch`, every `Physical_Port`, every
 * `Logical_Switch`, the `unknown-dst` rows of `Mcast_Macs_Remote`, every `Physical_Locator_Set` and
 * `Physical_Locator`), rows validated with io-ts, then turned into the fabric config netloom owns (see
 * `hw-vtep.markers.ts` for the mapping) plus what the writer needs (row UUIDs, the ports of the switch, foreign
 * rows to stay clear of).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  DeviceConnectionError,
  DeviceProtocolError,
  FabricConfigCodec,
  INTERFACE_NAME,
  isSafeName,
  isVlan,
  isVni,
  problemsFromErrors,
  type AccessBinding,
  type FabricConfig,
  type FabricConfigInput,
  type FloodVtep,
  type InputProblem,
  type L2Segment,
  decodeProblems,
  floodVtepKey,
  isIpv4,
} from '@netloom/ports';
import { type OvsdbClient, type Uuid, isUuid, op } from '@netloom/ovsdb';
import { FLOOD_ENCAPSULATION, FLOOD_MAC, HW_VTEP_DATABASE, SEGMENT_NAME_KEY, logicalSwitchName, markedKey, segmentMarker } from './hw-vtep.markers';

// ---------------------------------------------------------------------------------------------------------------
// Row codecs

const UuidCodec = new t.Type<Uuid, string, unknown>(
  'Uuid',
  (u): u is Uuid => isUuid(u),
  (u, c) => (isUuid(u) ? t.success(u) : t.failure(u, c, `expected a UUID, got ${JSON.stringify(u)}`)),
  (a) => a,
);

/** A `Map` whose keys and values pass `key` and `value` (the OVSDB client decodes map columns to `Map`s). */
function mapOf<K, V>(name: string, key: t.Type<K, unknown, unknown>, value: t.Type<V, unknown, unknown>): t.Type<ReadonlyMap<K, V>, ReadonlyMap<K, V>, unknown> {
  return new t.Type<ReadonlyMap<K, V>, ReadonlyMap<K, V>, unknown>(
    name,
    (u): u is ReadonlyMap<K, V> => u instanceof Map && [...u.entries()].every(([k, v]) => key.is(k) && value.is(v)),
    (u, c) => {
      if (!(u instanceof Map)) return t.failure(u, c, `expected a map, got ${typeof u}`);
      const errors: t.Errors = [];
      const out = new Map<K, V>();
      for (const [k, v] of u as Map<unknown, unknown>) {
        const kc = t.appendContext(c, String(k), key, k);
        const kr = key.validate(k, kc);
        const vr = value.validate(v, kc);
        if (kr._tag === 'Left') errors.push(...kr.left);
        else if (vr._tag === 'Left') errors.push(...vr.left);
        else out.set(kr.right, vr.right);
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    (a) => a,
  );
}

const IntCodec = new t.Type<number, number, unknown>(
  'integer',
  (u): u is number => typeof u === 'number' && Number.isInteger(u),
  (u, c) => (typeof u === 'number' && Number.isInteger(u) ? t.success(u) : t.failure(u, c, `expected an integer, got ${JSON.stringify(u)}`)),
  (a) => a,
);

/** A `Logical_Switch` row as selected. */
export const LogicalSwitchRowCodec = t.type({
  _uuid: UuidCodec,
  name: t.string,
  description: t.string,
  tunnel_key: t.union([IntCodec, t.null]),
  other_config: mapOf('other_config', t.string, t.string),
});
/** A `Physical_Port` row as selected. */
export const PhysicalPortRowCodec = t.type({ _uuid: UuidCodec, name: t.string, vlan_bindings: mapOf('vlan_bindings', IntCodec, UuidCodec) });
/** A `Physical_Switch` row as selected. */
export const PhysicalSwitchRowCodec = t.type({
  _uuid: UuidCodec,
  name: t.string,
  description: t.string,
  ports: t.array(UuidCodec),
  tunnel_ips: t.array(t.string),
  management_ips: t.array(t.string),
});

/** A `Mcast_Macs_Remote` row as selected (only `MAC` = `unknown-dst` rows are read). */
export const McastMacsRemoteRowCodec = t.type({ _uuid: UuidCodec, MAC: t.string, logical_switch: UuidCodec, locator_set: UuidCodec, ipaddr: t.string });
/** A `Physical_Locator_Set` row as selected. */
export const PhysicalLocatorSetRowCodec = t.type({ _uuid: UuidCodec, locators: t.array(UuidCodec) });
/** A `Physical_Locator` row as selected. */
export const PhysicalLocatorRowCodec = t.type({ _uuid: UuidCodec, encapsulation_type: t.string, dst_ip: t.string, tunnel_key: t.union([IntCodec, t.null]) });

/** A `Logical_Switch` row. */
export type LogicalSwitchRow = t.TypeOf<typeof LogicalSwitchRowCodec>;
/** A `Mcast_Macs_Remote` row. */
export type McastMacsRemoteRow = t.TypeOf<typeof McastMacsRemoteRowCodec>;
/** A `Physical_Locator` row. */
export type PhysicalLocatorRow = t.TypeOf<typeof PhysicalLocatorRowCodec>;
/** A `Physical_Port` row. */
export type PhysicalPortRow = t.TypeOf<typeof PhysicalPortRowCodec>;
/** A `Physical_Switch` row. */
export type PhysicalSwitchRow = t.TypeOf<typeof PhysicalSwitchRowCodec>;

/** The `Logical_Switch` columns a read selects (the writer's preconditions compare them, `_uuid` aside). */
export const LOGICAL_SWITCH_COLUMNS = ['_uuid', 'name', 'description', 'tunnel_key', 'other_config'] as const;
/** The `Physical_Port` columns a read selects (the writer's preconditions compare them, `_uuid` aside). */
export const PHYSICAL_PORT_COLUMNS = ['_uuid', 'name', 'vlan_bindings'] as const;
/** The `Physical_Switch` columns a read selects. */
export const PHYSICAL_SWITCH_COLUMNS = ['_uuid', 'name', 'description', 'ports', 'tunnel_ips', 'management_ips'] as const;
/** The `Mcast_Macs_Remote` columns a read selects (the writer's preconditions compare them, `_uuid` aside). */
export const MCAST_MACS_REMOTE_COLUMNS = ['_uuid', 'MAC', 'logical_switch', 'locator_set', 'ipaddr'] as const;
/** The `Physical_Locator_Set` columns a read selects. */
export const PHYSICAL_LOCATOR_SET_COLUMNS = ['_uuid', 'locators'] as const;
/** The `Physical_Locator` columns a read selects. */
export const PHYSICAL_LOCATOR_COLUMNS = ['_uuid', 'encapsulation_type', 'dst_ip', 'tunnel_key'] as const;

// ---------------------------------------------------------------------------------------------------------------
// State

/** Everything one read of the leaf tells: the owned config, and the rows behind it. */
export interface VtepState {
  readonly physicalSwitch: PhysicalSwitchRow;
  /** The ports of this physical switch, by name. */
  readonly ports: ReadonlyMap<string, PhysicalPortRow>;
  /** Every `Logical_Switch` of the database (owned and foreign). */
  readonly logicalSwitches: readonly LogicalSwitchRow[];
  /** The owned `Logical_Switch` rows by segment key. */
  readonly ownedSwitches: ReadonlyMap<string, LogicalSwitchRow>;
  /** The flood rows (`Mcast_Macs_Remote` `unknown-dst`) of owned switches, by segment key. */
  readonly floodRows: ReadonlyMap<string, McastMacsRemoteRow>;
  /** The plain VXLAN `Physical_Locator` rows (no per-locator tunnel key) by destination IP, to reuse. */
  readonly locators: ReadonlyMap<string, PhysicalLocatorRow>;
  /** What netloom owns on this leaf, canonical (what `observe` returns). */
  readonly owned: FabricConfig;
}

/** The raw rows of one read (select results). */
export interface VtepRows {
  readonly physicalSwitches: readonly unknown[];
  readonly physicalPorts: readonly unknown[];
  readonly logicalSwitches: readonly unknown[];
  /** `Mcast_Macs_Remote` rows (absent: none; a read by an older caller). */
  readonly mcastMacsRemote?: readonly unknown[];
  readonly physicalLocatorSets?: readonly unknown[];
  readonly physicalLocators?: readonly unknown[];
}

function decodeRows<A>(codec: t.Type<A, unknown, unknown>, table: string, rows: readonly unknown[]): A[] {
  const r = t.array(codec).decode(rows);
  if (r._tag === 'Right') return r.right;
  const problems = problemsFromErrors(r.left).map((p) => ({ path: `${table}${p.path.startsWith('[') ? '' : '.'}${p.path}`, reason: p.reason }));
  throw new DeviceProtocolError(`hardware_vtep ${table} rows are malformed: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`, { details: { table, problems } });
}

const rowName = (table: string, row: { readonly _uuid: string; readonly name: string }): string => `${table} ${JSON.stringify(row.name)} (${row._uuid})`;

/**
 * Turns the rows of one read into a {@link VtepState}. Pure.
 *
 * A `Logical_Switch` whose description starts with `netloom:` is netloom's, and must be exactly in netloom's form
 * (name `nl-K`, `tunnel_key` K, a valid `other_config:netloom-name`); a binding is netloom's when it points at such
 * a switch from a port of this physical switch, and must then fit the vocabulary (VLAN 1–4094, a valid interface
 * name, one port per name).
 *
 * @throws DeviceConnectionError the physical switch is not in the database.
 * @throws DeviceProtocolError a row does not validate, or an owned row is not in netloom's form (the message names
 *   the row and the column: it was edited by hand and must be repaired or deleted).
 */
export function parseVtepState(physicalSwitch: string, rows: VtepRows): VtepState {
  const switches = decodeRows(PhysicalSwitchRowCodec, 'Physical_Switch', rows.physicalSwitches);
  const allPorts = decodeRows(PhysicalPortRowCodec, 'Physical_Port', rows.physicalPorts);
  const logicalSwitches = decodeRows(LogicalSwitchRowCodec, 'Logical_Switch', rows.logicalSwitches);
  const mcastRows = decodeRows(McastMacsRemoteRowCodec, 'Mcast_Macs_Remote', rows.mcastMacsRemote ?? []);
  const locatorSets = new Map(decodeRows(PhysicalLocatorSetRowCodec, 'Physical_Locator_Set', rows.physicalLocatorSets ?? []).map((r) => [r._uuid as string, r]));
  const allLocators = decodeRows(PhysicalLocatorRowCodec, 'Physical_Locator', rows.physicalLocators ?? []);
  const ps = switches.find((s) => s.name === physicalSwitch);
  if (ps === undefined) {
    throw new DeviceConnectionError(`hardware_vtep has no Physical_Switch ${JSON.stringify(physicalSwitch)}; check options.physicalSwitch of this device`, {
      details: { physicalSwitch },
    });
  }
  const problems: InputProblem[] = [];
  const byUuid = new Map(allPorts.map((p) => [p._uuid as string, p]));
  const ports = new Map<string, PhysicalPortRow>();
  for (const uuid of ps.ports) {
    const port = byUuid.get(uuid);
    if (port === undefined) continue;
    if (ports.has(port.name)) problems.push({ path: rowName('Physical_Port', port), reason: `a second port named ${JSON.stringify(port.name)} on ${physicalSwitch}` });
    ports.set(port.name, port);
  }

  const ownedSwitches = new Map<string, LogicalSwitchRow>();
  const segments: Record<string, L2Segment | Record<string, unknown>> = {};
  for (const ls of logicalSwitches) {
    const key = markedKey(ls.description);
    if (key === undefined) continue;
    const at = rowName('Logical_Switch', ls);
    const l2Vni = Number(key);
    if (!/^[1-9][0-9]*$/.test(key) || !isVni(l2Vni)) {
      problems.push({ path: `${at}.description`, reason: `${JSON.stringify(ls.description)} carries netloom's marker but ${JSON.stringify(key)} is not an L2 VNI` });
      continue;
    }
    if (ownedSwitches.has(key)) {
      problems.push({ path: `${at}.description`, reason: `a second Logical_Switch marked ${JSON.stringify(segmentMarker(key))}` });
      continue;
    }
    const before = problems.length;
    if (ls.name !== logicalSwitchName(l2Vni)) problems.push({ path: `${at}.name`, reason: `is ${JSON.stringify(ls.name)}, netloom's marker says ${JSON.stringify(logicalSwitchName(l2Vni))}` });
    if (ls.tunnel_key !== l2Vni) problems.push({ path: `${at}.tunnel_key`, reason: `is ${String(ls.tunnel_key)}, netloom's marker says ${l2Vni}` });
    const name = ls.other_config.get(SEGMENT_NAME_KEY);
    if (name === undefined || !isSafeName(name)) problems.push({ path: `${at}.other_config:${SEGMENT_NAME_KEY}`, reason: name === undefined ? 'is missing' : `${JSON.stringify(name)} is not a valid segment name` });
    if (problems.length > before) continue;
    ownedSwitches.set(key, ls);
    segments[key] = { key, name: name!, l2Vni };
  }

  const keyByUuid = new Map([...ownedSwitches].map(([key, ls]) => [ls._uuid as string, key]));
  const bindings: Record<string, AccessBinding | Record<string, unknown>> = {};
  for (const port of ports.values()) {
    for (const [vlan, lsUuid] of port.vlan_bindings) {
      const segmentKey = keyByUuid.get(lsUuid);
      if (segmentKey === undefined) continue;
      const at = `${rowName('Physical_Port', port)}.vlan_bindings[${vlan}]`;
      if (!isVlan(vlan)) problems.push({ path: at, reason: `binds VLAN ${vlan} to netloom's ${logicalSwitchName(Number(segmentKey))}; netloom only binds VLANs 1..4094` });
      else if (!INTERFACE_NAME.test(port.name)) problems.push({ path: at, reason: `port name ${JSON.stringify(port.name)} is not an interface name netloom can bind` });
      else bindings[`${port.name}:${vlan}`] = { key: `${port.name}:${vlan}`, interface: port.name, vlan, l2Vni: Number(segmentKey) };
    }
  }
  // Flood VTEPs: the unknown-dst row of an owned switch is netloom's (the switch is), as bindings are.
  const locatorByUuid = new Map(allLocators.map((l) => [l._uuid as string, l]));
  const floodRows = new Map<string, McastMacsRemoteRow>();
  const floods: Record<string, FloodVtep | Record<string, unknown>> = {};
  for (const row of mcastRows) {
    const segmentKey = keyByUuid.get(row.logical_switch);
    if (row.MAC !== FLOOD_MAC || segmentKey === undefined) continue;
    const at = rowName('Mcast_Macs_Remote', { _uuid: row._uuid, name: `${FLOOD_MAC} of ${logicalSwitchName(Number(segmentKey))}` });
    if (floodRows.has(segmentKey)) {
      problems.push({ path: at, reason: `a second ${FLOOD_MAC} row for netloom's ${logicalSwitchName(Number(segmentKey))}` });
      continue;
    }
    floodRows.set(segmentKey, row);
    for (const uuid of locatorSets.get(row.locator_set)?.locators ?? []) {
      const loc = locatorByUuid.get(uuid);
      if (loc === undefined) continue;
      if (loc.encapsulation_type !== FLOOD_ENCAPSULATION || !isIpv4(loc.dst_ip) || loc.tunnel_key !== null) {
        problems.push({ path: `${at}.locator_set`, reason: `holds Physical_Locator ${loc._uuid} (${loc.encapsulation_type} ${JSON.stringify(loc.dst_ip)}${loc.tunnel_key !== null ? ` key ${loc.tunnel_key}` : ''}); netloom only floods to ${FLOOD_ENCAPSULATION} IPv4 VTEPs without a locator key` });
        continue;
      }
      const flood = { l2Vni: Number(segmentKey), remoteIp: loc.dst_ip };
      floods[floodVtepKey(flood)] = { key: floodVtepKey(flood), ...flood };
    }
  }
  const locators = new Map<string, PhysicalLocatorRow>();
  for (const loc of allLocators) if (loc.encapsulation_type === FLOOD_ENCAPSULATION && loc.tunnel_key === null) locators.set(loc.dst_ip, loc);

  if (problems.length > 0) {
    throw new DeviceProtocolError(
      `hardware_vtep of ${physicalSwitch} holds rows netloom owns that are not in netloom's form (edited by hand?); repair or delete them: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`,
      { details: { physicalSwitch, problems } },
    );
  }
  const input: FabricConfigInput = {
    vrf: {},
    interconnect: {},
    segment: segments as FabricConfigInput['segment'],
    binding: bindings as FabricConfigInput['binding'],
    floodVtep: floods as FabricConfigInput['floodVtep'],
  };
  const decoded = decodeProblems(FabricConfigCodec, input);
  if (decoded.value === undefined) {
    throw new DeviceProtocolError(`the owned objects of ${physicalSwitch} do not form a valid fabric config: ${decoded.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`, {
      details: { physicalSwitch, problems: decoded.problems },
    });
  }
  return { physicalSwitch: ps, ports, logicalSwitches, ownedSwitches, floodRows, locators, owned: decoded.value };
}

/**
 * The operations of one read: `Physical_Switch` (by name), every `Physical_Port`, every `Logical_Switch`, the
 * `unknown-dst` rows of `Mcast_Macs_Remote`, every `Physical_Locator_Set` and `Physical_Locator`. Port names are
 * only unique per switch, so every port is read and matched by the switch's `ports` UUIDs.
 */
export function readOperations(physicalSwitch: string) {
  return [
    op.select('Physical_Switch', [['name', '==', physicalSwitch]], PHYSICAL_SWITCH_COLUMNS),
    op.select('Physical_Port', [], PHYSICAL_PORT_COLUMNS),
    op.select('Logical_Switch', [], LOGICAL_SWITCH_COLUMNS),
    op.select('Mcast_Macs_Remote', [['MAC', '==', FLOOD_MAC]], MCAST_MACS_REMOTE_COLUMNS),
    op.select('Physical_Locator_Set', [], PHYSICAL_LOCATOR_SET_COLUMNS),
    op.select('Physical_Locator', [], PHYSICAL_LOCATOR_COLUMNS),
  ] as const;
}

/**
 * Reads the leaf in one transaction and parses it (see {@link parseVtepState}).
 *
 * @throws DeviceConnectionError, DeviceTimeoutError, DeviceProtocolError
 * @example const state = await readVtepState(client, 'leaf1'); state.owned.segment['10010']
 */
export async function readVtepState(client: OvsdbClient, physicalSwitch: string): Promise<VtepState> {
  const [ps, pp, ls, mm, pls, pl] = await client.transact(HW_VTEP_DATABASE, readOperations(physicalSwitch));
  return parseVtepState(physicalSwitch, {
    physicalSwitches: ps.rows,
    physicalPorts: pp.rows,
    logicalSwitches: ls.rows,
    mcastMacsRemote: mm.rows,
    physicalLocatorSets: pls.rows,
    physicalLocators: pl.rows,
  });
}
