/**
 * The writer: turns keyed fabric changes into ONE OVSDB transaction on `hardware_vtep`, checked against a read of
 * the leaf first.
 *
 * A transaction is, in order:
 * 1. `assert` of netloom's lock for the switch (a session that lost the lock writes nothing: `not owner`);
 * 2. a `comment` naming the device and the number of changes (ovsdb-server logs it);
 * 3. preconditions: a `wait` with timeout 0 per row the changes depend on, holding exactly what the read saw (an
 *    owned `Logical_Switch`, a `Physical_Port`'s `vlan_bindings`), or that no row holds a name or VNI about to be
 *    created. If anyone changed them between the read and the commit, the transaction fails and writes nothing;
 * 4. the operations of each change, in `diffConfig` order:
 *
 * | change | operations |
 * |---|---|
 * | create segment K | `insert Logical_Switch {name: nl-K, description: netloom:K, tunnel_key: K, other_config: {netloom-name: <name>}, replication_mode: source_node}` |
 * | update segment K (its name) | `mutate Logical_Switch` other_config: delete `netloom-name`, insert the new one |
 * | delete segment K | `delete` the `Ucast_Macs_Local/Remote` and `Mcast_Macs_Local/Remote` rows of the switch (MAC entries learned or programmed for this segment), then `delete Logical_Switch` |
 * | create binding P:V | `mutate Physical_Port` (P) vlan_bindings insert `{V: <switch>}` |
 * | update binding P:V | `mutate Physical_Port` vlan_bindings delete `[V]`, insert `{V: <switch>}` |
 * | delete binding P:V | `mutate Physical_Port` vlan_bindings delete `[V]` |
 * | create / delete flood VTEPs of segment K (all of K's at once) | `insert Physical_Locator {vxlan_over_ipv4, dst_ip}` for an IP without a locator yet; `insert Physical_Locator_Set` with the new list; `update Logical_Switch` `replication_mode: source_node` (existing segment); then `insert Mcast_Macs_Remote {MAC: unknown-dst, logical_switch: nl-K, locator_set}` (first flood VTEP), `update` its `locator_set` (sets are immutable) or `delete` it (last flood VTEP gone) |
 *
 * @packageDocumentation
 */
import {
  FABRIC_KIND_ORDER,
  type AccessBinding,
  type Change,
  type FabricConfig,
  type FloodVtep,
  type L2Segment,
  type RenderedOperation,
  diffConfig,
} from '@netloom/ports';
import { type DatabaseSchema, type NamedUuid, type Operation, type Uuid, encodeOperations, namedUuid, op } from '@netloom/ovsdb';
import {
  FLOOD_ENCAPSULATION,
  FLOOD_MAC,
  SEGMENT_NAME_KEY,
  insertedLocatorRef,
  insertedLocatorSetRef,
  insertedSwitchRef,
  logicalSwitchName,
  segmentMarker,
} from './hw-vtep.markers';
import {
  LOGICAL_SWITCH_COLUMNS,
  MCAST_MACS_REMOTE_COLUMNS,
  PHYSICAL_PORT_COLUMNS,
  type LogicalSwitchRow,
  type McastMacsRemoteRow,
  type PhysicalPortRow,
  type VtepState,
} from './hw-vtep.state';

/** Tables whose rows point at a `Logical_Switch` (`logical_switch` column) and go with it. */
export const MAC_TABLES = ['Ucast_Macs_Local', 'Ucast_Macs_Remote', 'Mcast_Macs_Local', 'Mcast_Macs_Remote'] as const;

/** One transaction: the operations, and for each one what it is for (used in error messages). */
export interface VtepTransaction {
  readonly operations: readonly Operation[];
  /** Per operation: `precondition: Logical_Switch nl-10010 unchanged`, `create segment 10010`, ... */
  readonly purposes: readonly string[];
  /** Changes that could not be rendered against this read (only with a caller-supplied, stale observation). */
  readonly unresolved: readonly string[];
}

/** Options of {@link buildTransaction}. */
export interface BuildOptions {
  /** The lock to `assert` (netloom's lock for the switch); absent only for a harness that edits as an operator. */
  readonly lock?: string;
  /** The device name (for the comment). */
  readonly device: string;
}

const LS_WAIT_COLUMNS = LOGICAL_SWITCH_COLUMNS.filter((c) => c !== '_uuid');

/** `Logical_Switch.replication_mode` of netloom's segments: the VTEP itself replicates BUM to every flood VTEP. */
export const SOURCE_NODE = 'source_node';
const PORT_WAIT_COLUMNS = PHYSICAL_PORT_COLUMNS.filter((c) => c !== '_uuid');
const MCAST_WAIT_COLUMNS = MCAST_MACS_REMOTE_COLUMNS.filter((c) => c !== '_uuid');

const byIp = (a: string, b: string): number => {
  const n = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
};

function lsImage(ls: LogicalSwitchRow) {
  return { name: ls.name, description: ls.description, tunnel_key: ls.tunnel_key, other_config: ls.other_config };
}

/**
 * Builds the transaction for `changes` against `state` (the read the changes were checked against). Pure.
 * A change that needs a row the read does not have (an update or delete of an object that is not there, a
 * binding on a port that is not on the switch) is listed in `unresolved` and rendered as a `comment` saying so;
 * apply never sends such a transaction (it refuses the change set first).
 *
 * @example
 * buildTransaction([{ op: 'create', kind: 'segment', key: '10010', after: { key: '10010', name: 'ls-web', l2Vni: 10010 } }],
 *   state, { lock: 'netloom_leaf1', device: 'leaf1' }).operations
 * // [assert netloom_leaf1, comment, wait "no Logical_Switch nl-10010", wait "no Logical_Switch with tunnel_key 10010",
 * //  insert Logical_Switch {name: nl-10010, ...}]
 */
export function buildTransaction(changes: readonly Change[], state: VtepState, options: BuildOptions): VtepTransaction {
  const pre: { op: Operation; purpose: string }[] = [];
  const body: { op: Operation; purpose: string }[] = [];
  const unresolved: string[] = [];
  const waitedSwitches = new Set<string>();
  const waitedPorts = new Set<string>();
  const created = new Set<string>();
  for (const c of changes) if (c.kind === 'segment' && c.op === 'create') created.add(c.key);

  const waitSwitch = (ls: LogicalSwitchRow): void => {
    if (waitedSwitches.has(ls._uuid)) return;
    waitedSwitches.add(ls._uuid);
    pre.push({ op: op.wait('Logical_Switch', [['_uuid', '==', ls._uuid]], LS_WAIT_COLUMNS, '==', [lsImage(ls)], 0), purpose: `precondition: Logical_Switch ${ls.name} unchanged since it was read` });
  };
  const waitPort = (port: PhysicalPortRow): void => {
    if (waitedPorts.has(port._uuid)) return;
    waitedPorts.add(port._uuid);
    pre.push({
      op: op.wait('Physical_Port', [['_uuid', '==', port._uuid]], PORT_WAIT_COLUMNS, '==', [{ name: port.name, vlan_bindings: port.vlan_bindings }], 0),
      purpose: `precondition: the VLAN bindings of port ${port.name} unchanged since they were read`,
    });
  };
  /** The reference a binding of segment `l2Vni` puts into vlan_bindings. */
  const switchRef = (l2Vni: number, what: string): Uuid | NamedUuid | undefined => {
    const key = String(l2Vni);
    if (created.has(key)) return namedUuid(insertedSwitchRef(l2Vni));
    const ls = state.ownedSwitches.get(key);
    if (ls === undefined) {
      unresolved.push(`${what}: segment ${key} is not on the device`);
      return undefined;
    }
    waitSwitch(ls);
    return ls._uuid;
  };

  const waitFloodRow = (row: McastMacsRemoteRow, segment: string): void => {
    pre.push({
      op: op.wait('Mcast_Macs_Remote', [['_uuid', '==', row._uuid]], MCAST_WAIT_COLUMNS, '==', [{ MAC: row.MAC, logical_switch: row.logical_switch, locator_set: row.locator_set, ipaddr: row.ipaddr }], 0),
      purpose: `precondition: the flood list (${FLOOD_MAC}) of ${logicalSwitchName(Number(segment))} unchanged since it was read`,
    });
  };
  const insertedLocators = new Set<string>();
  /** One segment's flood list as it is after `mine` (its flood VTEP changes): the operations that make it so. */
  const floodList = (segment: string, mine: readonly Change[]): void => {
    const what = mine.map((c) => `${c.op} floodVtep ${c.key}`).join(', ');
    const ips = new Set(Object.values(state.owned.floodVtep).filter((f) => String(f.l2Vni) === segment).map((f) => f.remoteIp));
    for (const c of mine) {
      if (c.before !== undefined) ips.delete((c.before as FloodVtep).remoteIp);
      if (c.after !== undefined) ips.add((c.after as FloodVtep).remoteIp);
    }
    const row = state.floodRows.get(segment);
    if (row !== undefined) waitFloodRow(row, segment);
    if (ips.size === 0) {
      if (row !== undefined) body.push({ op: op.delete('Mcast_Macs_Remote', [['_uuid', '==', row._uuid]]), purpose: what });
      return;
    }
    const refs: (Uuid | NamedUuid)[] = [];
    for (const ip of [...ips].sort(byIp)) {
      const existing = state.locators.get(ip);
      if (existing !== undefined) {
        refs.push(existing._uuid);
        continue;
      }
      if (!insertedLocators.has(ip)) {
        insertedLocators.add(ip);
        body.push({ op: op.insert('Physical_Locator', { encapsulation_type: FLOOD_ENCAPSULATION, dst_ip: ip }, insertedLocatorRef(ip)), purpose: `${what} (Physical_Locator to ${ip})` });
      }
      refs.push(namedUuid(insertedLocatorRef(ip)));
    }
    const l2Vni = Number(segment);
    body.push({ op: op.insert('Physical_Locator_Set', { locators: refs }, insertedLocatorSetRef(l2Vni)), purpose: `${what} (the new flood list)` });
    const set = namedUuid(insertedLocatorSetRef(l2Vni));
    const existing = state.ownedSwitches.get(segment);
    if (existing !== undefined && !created.has(segment)) {
      // Replicate to every flood VTEP, not to one "service node" (the schema's default when unset); segments of
      // older versions were created without it.
      body.push({ op: op.update('Logical_Switch', [['_uuid', '==', existing._uuid]], { replication_mode: SOURCE_NODE }), purpose: `${what} (replicate to every flood VTEP)` });
    }
    if (row !== undefined) {
      body.push({ op: op.update('Mcast_Macs_Remote', [['_uuid', '==', row._uuid]], { locator_set: set }), purpose: what });
      return;
    }
    const ls = switchRef(l2Vni, what);
    if (ls === undefined) return;
    if (!created.has(segment)) {
      pre.push({
        op: op.wait('Mcast_Macs_Remote', [['logical_switch', '==', ls], ['MAC', '==', FLOOD_MAC]], ['MAC'], '==', [], 0),
        purpose: `precondition: no ${FLOOD_MAC} row for ${logicalSwitchName(l2Vni)}`,
      });
    }
    body.push({ op: op.insert('Mcast_Macs_Remote', { MAC: FLOOD_MAC, logical_switch: ls, locator_set: set, ipaddr: '' }), purpose: what });
  };
  const floodBySegment = new Map<string, Change[]>();
  for (const c of changes) {
    if (c.kind !== 'floodVtep') continue;
    const segment = String(((c.after ?? c.before) as FloodVtep).l2Vni);
    floodBySegment.set(segment, [...(floodBySegment.get(segment) ?? []), c]);
  }

  for (const c of changes) {
    const what = `${c.op} ${c.kind} ${c.key}`;
    if (c.kind === 'floodVtep') {
      // A segment's whole flood list is one row: render all its changes where the first of them stands.
      const segment = String(((c.after ?? c.before) as FloodVtep).l2Vni);
      const mine = floodBySegment.get(segment);
      if (mine === undefined) continue;
      floodBySegment.delete(segment);
      floodList(segment, mine);
      continue;
    }
    if (c.kind === 'segment') {
      const seg = (c.after ?? c.before) as L2Segment;
      if (c.op === 'create') {
        const name = logicalSwitchName(seg.l2Vni);
        pre.push({ op: op.wait('Logical_Switch', [['name', '==', name]], ['name'], '==', [], 0), purpose: `precondition: no Logical_Switch named ${name}` });
        pre.push({ op: op.wait('Logical_Switch', [['tunnel_key', '==', seg.l2Vni]], ['name'], '==', [], 0), purpose: `precondition: no Logical_Switch with tunnel_key ${seg.l2Vni}` });
        body.push({
          op: op.insert(
            'Logical_Switch',
            { name, description: segmentMarker(c.key), tunnel_key: seg.l2Vni, other_config: new Map([[SEGMENT_NAME_KEY, seg.name]]), replication_mode: SOURCE_NODE },
            insertedSwitchRef(seg.l2Vni),
          ),
          purpose: what,
        });
        continue;
      }
      const ls = state.ownedSwitches.get(c.key);
      if (ls === undefined) {
        unresolved.push(`${what}: segment ${c.key} is not on the device`);
        continue;
      }
      waitSwitch(ls);
      if (c.op === 'update') {
        body.push({
          op: op.mutate('Logical_Switch', [['_uuid', '==', ls._uuid]], [
            ['other_config', 'delete', [SEGMENT_NAME_KEY]],
            ['other_config', 'insert', new Map([[SEGMENT_NAME_KEY, (c.after as L2Segment).name]])],
          ]),
          purpose: what,
        });
      } else {
        for (const table of MAC_TABLES) body.push({ op: op.delete(table, [['logical_switch', '==', ls._uuid]]), purpose: `${what} (its ${table} entries)` });
        body.push({ op: op.delete('Logical_Switch', [['_uuid', '==', ls._uuid]]), purpose: what });
      }
      continue;
    }
    if (c.kind === 'binding') {
      const b = (c.after ?? c.before) as AccessBinding;
      const port = state.ports.get(b.interface);
      if (port === undefined) {
        unresolved.push(`${what}: port ${b.interface} is not on Physical_Switch ${state.physicalSwitch.name}`);
        continue;
      }
      waitPort(port);
      const ref = c.op === 'delete' ? undefined : switchRef((c.after as AccessBinding).l2Vni, what);
      if (c.op !== 'delete' && ref === undefined) continue;
      const mutations =
        c.op === 'create'
          ? ([['vlan_bindings', 'insert', new Map([[b.vlan, ref!]])]] as const)
          : c.op === 'update'
            ? ([
                ['vlan_bindings', 'delete', [b.vlan]],
                ['vlan_bindings', 'insert', new Map([[b.vlan, ref!]])],
              ] as const)
            : ([['vlan_bindings', 'delete', [b.vlan]]] as const);
      body.push({ op: op.mutate('Physical_Port', [['_uuid', '==', port._uuid]], mutations), purpose: what });
      continue;
    }
    // vrf and interconnect are refused before this point (capabilities); kept visible should one slip through.
    unresolved.push(`${what}: hardware_vtep has no place for a ${c.kind}`);
  }
  const head = [
    ...(options.lock === undefined ? [] : [{ op: op.assert(options.lock) as Operation, purpose: `lock ${options.lock} held by this session` }]),
    { op: op.comment(`netloom: ${changes.length} change(s) on ${options.device}`) as Operation, purpose: 'comment' },
  ];
  const stale = unresolved.map((u) => ({ op: op.comment(`stale: ${u}; apply will refuse this change set`) as Operation, purpose: u }));
  const all = [...head, ...pre, ...stale, ...body];
  return { operations: all.map((x) => x.op), purposes: all.map((x) => x.purpose), unresolved };
}

/**
 * The rendered form of a transaction: one `ovsdb` operation per transact operation, its exact wire JSON.
 *
 * @throws InputError when an operation does not fit the schema (a bug: values are validated before).
 */
export function renderTransaction(schema: DatabaseSchema, transaction: VtepTransaction): RenderedOperation[] {
  return encodeOperations(schema, transaction.operations).map((wire) => ({ medium: 'ovsdb', text: JSON.stringify(wire) }));
}

/** What a change set does to the owned config, re-derived from the validated result (drops no-op changes). */
export function effectiveChanges(result: FabricConfig, current: FabricConfig): Change[] {
  return diffConfig({ desired: result, observed: current, order: FABRIC_KIND_ORDER });
}
