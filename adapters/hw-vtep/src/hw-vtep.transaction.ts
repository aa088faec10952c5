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
 * | create segment K | `insert Logical_Switch {name: nl-K, description: netloom:K, tunnel_key: K, other_config: {netloom-name: <name>}}` |
 * | update segment K (its name) | `mutate Logical_Switch` other_config: delete `netloom-name`, insert the new one |
 * | delete segment K | `delete` the `Ucast_Macs_Local/Remote` and `Mcast_Macs_Local/Remote` rows of the switch (MAC entries learned or programmed for this segment), then `delete Logical_Switch` |
 * | create binding P:V | `mutate Physical_Port` (P) vlan_bindings insert `{V: <switch>}` |
 * | update binding P:V | `mutate Physical_Port` vlan_bindings delete `[V]`, insert `{V: <switch>}` |
 * | delete binding P:V | `mutate Physical_Port` vlan_bindings delete `[V]` |
 *
 * @packageDocumentation
 */
import {
  FABRIC_KIND_ORDER,
  type AccessBinding,
  type Change,
  type FabricConfig,
  type L2Segment,
  type RenderedOperation,
  diffConfig,
} from '@netloom/ports';
import { type DatabaseSchema, type NamedUuid, type Operation, type Uuid, encodeOperations, namedUuid, op } from '@netloom/ovsdb';
import { SEGMENT_NAME_KEY, insertedSwitchRef, logicalSwitchName, segmentMarker } from './hw-vtep.markers';
import { LOGICAL_SWITCH_COLUMNS, PHYSICAL_PORT_COLUMNS, type LogicalSwitchRow, type PhysicalPortRow, type VtepState } from './hw-vtep.state';

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
  /** The lock to `assert` (netloom's lock for the switch). */
  readonly lock: string;
  /** The device name (for the comment). */
  readonly device: string;
}

const LS_WAIT_COLUMNS = LOGICAL_SWITCH_COLUMNS.filter((c) => c !== '_uuid');
const PORT_WAIT_COLUMNS = PHYSICAL_PORT_COLUMNS.filter((c) => c !== '_uuid');

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

  for (const c of changes) {
    const what = `${c.op} ${c.kind} ${c.key}`;
    if (c.kind === 'segment') {
      const seg = (c.after ?? c.before) as L2Segment;
      if (c.op === 'create') {
        const name = logicalSwitchName(seg.l2Vni);
        pre.push({ op: op.wait('Logical_Switch', [['name', '==', name]], ['name'], '==', [], 0), purpose: `precondition: no Logical_Switch named ${name}` });
        pre.push({ op: op.wait('Logical_Switch', [['tunnel_key', '==', seg.l2Vni]], ['name'], '==', [], 0), purpose: `precondition: no Logical_Switch with tunnel_key ${seg.l2Vni}` });
        body.push({
          op: op.insert(
            'Logical_Switch',
            { name, description: segmentMarker(c.key), tunnel_key: seg.l2Vni, other_config: new Map([[SEGMENT_NAME_KEY, seg.name]]) },
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
    { op: op.assert(options.lock) as Operation, purpose: `lock ${options.lock} held by this session` },
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
