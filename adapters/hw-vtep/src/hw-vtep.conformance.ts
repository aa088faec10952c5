/**
 * Simulator targets for the conformance kit (`netloom conformance run --adapter @netloom/adapter-hw-vtep --target
 * simulator`, and this package's tests): per check, a fresh real `ovsdb-server` serving `hardware_vtep` (the
 * `@netloom/ovsdb/testing` sandbox), a `Physical_Switch` with a few ports, and the device harness the kit needs.
 *
 * The adapter reaches the server through an {@link OvsdbTap} (TCP on 127.0.0.1), which counts the write operations
 * the adapter commits (`writeCount`) and loses the next writing transaction on demand (`injectFault`). The harness
 * itself edits the database directly over the unix socket, as an operator or another controller would.
 *
 * The shapes are written out structurally: shipped adapter code never imports `@netloom/conformance`.
 *
 * @packageDocumentation
 */
import { type ConfigObject, type DeviceConfig, type DeviceTarget } from '@netloom/ports';
import { OvsdbClient, type Operation, type Row, type Uuid, namedUuid, op } from '@netloom/ovsdb';
import { type OvsSandbox, startOvsSandbox } from '@netloom/ovsdb/testing';
import { HW_VTEP_DATABASE, SEGMENT_NAME_KEY, logicalSwitchName, segmentMarker } from './hw-vtep.markers';
import { type LostMessage, OvsdbTap } from './hw-vtep.proxy';
import { parseVtepState, readOperations, type LogicalSwitchRow, type PhysicalPortRow } from './hw-vtep.state';
import { MAC_TABLES, buildTransaction } from './hw-vtep.transaction';

/** The physical switch the simulated device is. */
export const CONFORMANCE_SWITCH = 'leaf1';
/** Its ports (the kit's samples bind `Ethernet1/1` and `Ethernet1/2`). */
export const CONFORMANCE_PORTS = ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3', 'Ethernet1/4'] as const;
/** A second physical switch in the same database, with a port of the same name: never netloom's business. */
const OTHER_SWITCH = 'leaf2';

/** The device harness of a simulated leaf (structurally the kit's `DeviceHarness`, plus levers for tests). */
export interface HwVtepDeviceHarness {
  /**
   * Adds a foreign object: `segment` → a `Logical_Switch` without netloom's marker (`name`, `l2Vni` as tunnel key,
   * `description`), bound on `Ethernet1/2` VLAN 200 and on the other switch's `Ethernet1/1` VLAN 100;
   * `binding` → a binding of `interface`/`vlan` to a foreign `Logical_Switch` with tunnel key `l2Vni`.
   */
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  /** Owned objects (as the adapter maps them) and every foreign `Logical_Switch` and binding of the database. */
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  /** Writes (or deletes) an owned object (segment, binding, flood VTEP) directly, in netloom's form, as an operator would. */
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  /**
   * Arms one fault: the adapter's next writing transaction loses its request (`lose: 'request'`, the default: never
   * committed) or its reply (`'reply'`: committed, the answer lost); the connection is cut either way. OVSDB
   * commits atomically, so there is no "after N object writes": `afterWrites` is accepted and ignored.
   */
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number; readonly lose?: LostMessage }): Promise<void>;
  /** Write operations the adapter committed since the device was created (reads and failed commits never count). */
  writeCount(): Promise<number>;
  /** Writing transactions the adapter committed since the device was created. */
  commitCount(): Promise<number>;
  /** Runs `fn` just before the adapter's next writing transaction reaches the server. */
  beforeNextCommit(fn: () => Promise<void>): void;
  /** Runs a transaction directly on the database (not through the tap, not counted). */
  transact(operations: readonly Operation[]): Promise<unknown[]>;
  /** The sandbox (ovsdb-server, its directory and sockets). */
  readonly sandbox: OvsSandbox;
}

/** One simulated leaf for one check (structurally the kit's `SimulatorInstance`). */
export interface HwVtepSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness: HwVtepDeviceHarness;
  dispose(): Promise<void>;
}

/** A fresh simulated leaf per check (structurally the kit's `SimulatorTarget`). */
export interface HwVtepSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): Promise<HwVtepSimulatorInstance>;
  readonly lacks?: readonly string[];
}

interface AnyRow extends Row {
  readonly _uuid: Uuid;
}

async function setUp(client: OvsdbClient): Promise<void> {
  const [global] = await client.transact(HW_VTEP_DATABASE, [op.select('Global', [], ['_uuid'])] as const);
  const ops: Operation[] = CONFORMANCE_PORTS.map((name, i) => op.insert('Physical_Port', { name }, `p${i}`));
  ops.push(op.insert('Physical_Port', { name: 'Ethernet1/1' }, 'q0'));
  ops.push(
    op.insert(
      'Physical_Switch',
      { name: CONFORMANCE_SWITCH, description: 'netloom simulated leaf (ovsdb-server hardware_vtep)', ports: CONFORMANCE_PORTS.map((_, i) => namedUuid(`p${i}`)), tunnel_ips: ['127.0.0.1'] },
      'ps',
    ),
  );
  ops.push(op.insert('Physical_Switch', { name: OTHER_SWITCH, description: 'another leaf', ports: [namedUuid('q0')], tunnel_ips: ['127.0.0.2'] }, 'other'));
  const switches = [namedUuid('ps'), namedUuid('other')];
  ops.push(global.rows.length === 0 ? op.insert('Global', { switches }) : op.mutate('Global', [], [['switches', 'insert', switches]]));
  await client.transact(HW_VTEP_DATABASE, ops);
}

async function readAll(client: OvsdbClient) {
  const [, , , mcast, sets, locators] = readOperations(CONFORMANCE_SWITCH);
  const [ps, pp, ls, mm, pls, pl] = await client.transact(HW_VTEP_DATABASE, [
    op.select<AnyRow & { name: string; ports: readonly Uuid[] }>('Physical_Switch', [], ['_uuid', 'name', 'ports', 'description', 'tunnel_ips', 'management_ips']),
    op.select<AnyRow & { name: string; vlan_bindings: ReadonlyMap<number, Uuid> }>('Physical_Port', [], ['_uuid', 'name', 'vlan_bindings']),
    op.select<AnyRow & { name: string; tunnel_key: number | null; description: string; other_config: ReadonlyMap<string, string> }>('Logical_Switch', [], [
      '_uuid',
      'name',
      'description',
      'tunnel_key',
      'other_config',
    ]),
    mcast,
    sets,
    locators,
  ] as const);
  const state = parseVtepState(CONFORMANCE_SWITCH, {
    physicalSwitches: ps.rows,
    physicalPorts: pp.rows,
    logicalSwitches: ls.rows,
    mcastMacsRemote: mm.rows,
    physicalLocatorSets: pls.rows,
    physicalLocators: pl.rows,
  });
  return { switches: ps.rows, ports: pp.rows, logicalSwitches: ls.rows, state };
}

function portOf(state: { readonly ports: ReadonlyMap<string, PhysicalPortRow> }, name: string): PhysicalPortRow {
  const port = state.ports.get(name);
  if (port === undefined) throw new Error(`hw-vtep harness: ${CONFORMANCE_SWITCH} has no port ${JSON.stringify(name)}`);
  return port;
}

function numberField(o: Readonly<Record<string, unknown>>, field: string): number {
  const v = o[field];
  if (typeof v !== 'number') throw new Error(`hw-vtep harness: ${field} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function stringField(o: Readonly<Record<string, unknown>>, field: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new Error(`hw-vtep harness: ${field} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

/** The harness of the leaf in `sandbox`, editing directly through `client`, metering the adapter through `tap`. */
function harnessFor(sandbox: OvsSandbox, client: OvsdbClient, tap: OvsdbTap): HwVtepDeviceHarness {
  const transact = (operations: readonly Operation[]): Promise<unknown[]> => client.transact(HW_VTEP_DATABASE, operations) as Promise<unknown[]>;
  const deleteSwitchOps = (ls: LogicalSwitchRow, ports: readonly (AnyRow & { vlan_bindings: ReadonlyMap<number, Uuid> })[]): Operation[] => {
    const ops: Operation[] = [];
    for (const p of ports) {
      const vlans = [...p.vlan_bindings].filter(([, u]) => u === ls._uuid).map(([v]) => v);
      if (vlans.length > 0) ops.push(op.mutate('Physical_Port', [['_uuid', '==', p._uuid]], [['vlan_bindings', 'delete', vlans]]));
    }
    for (const table of MAC_TABLES) ops.push(op.delete(table, [['logical_switch', '==', ls._uuid]]));
    ops.push(op.delete('Logical_Switch', [['_uuid', '==', ls._uuid]]));
    return ops;
  };
  return {
    sandbox,
    transact,
    beforeNextCommit: (fn) => tap.beforeNextCommit(fn),
    async seedForeign({ kind, object }) {
      const { state, switches, ports } = await readAll(client);
      if (kind === 'segment') {
        const name = typeof object['name'] === 'string' ? object['name'] : `foreign-${object.key}`;
        const description = typeof object['description'] === 'string' ? object['description'] : '';
        const otherPorts = new Set<string>(switches.find((s) => s.name === OTHER_SWITCH)?.ports ?? []);
        const otherPort = ports.find((p) => otherPorts.has(p._uuid) && p.name === 'Ethernet1/1');
        const ops: Operation[] = [
          op.insert('Logical_Switch', { name, description, tunnel_key: numberField(object, 'l2Vni') }, 'f'),
          op.mutate('Physical_Port', [['_uuid', '==', portOf(state, 'Ethernet1/2')._uuid]], [['vlan_bindings', 'insert', new Map([[200, namedUuid('f')]])]]),
        ];
        if (otherPort !== undefined) ops.push(op.mutate('Physical_Port', [['_uuid', '==', otherPort._uuid]], [['vlan_bindings', 'insert', new Map([[100, namedUuid('f')]])]]));
        await transact(ops);
        return;
      }
      if (kind === 'binding') {
        const l2Vni = numberField(object, 'l2Vni');
        const port = portOf(state, stringField(object, 'interface'));
        const vlan = numberField(object, 'vlan');
        const existing = state.logicalSwitches.find((ls) => ls.tunnel_key === l2Vni && !state.ownedSwitches.has(String(l2Vni)));
        const ref = existing?._uuid ?? namedUuid('f');
        const ops: Operation[] = existing === undefined ? [op.insert('Logical_Switch', { name: `foreign-${l2Vni}`, tunnel_key: l2Vni }, 'f')] : [];
        ops.push(op.mutate('Physical_Port', [['_uuid', '==', port._uuid]], [['vlan_bindings', 'insert', new Map([[vlan, ref]])]]));
        await transact(ops);
        return;
      }
      throw new Error(`hw-vtep harness: cannot seed a foreign ${kind} (hardware_vtep holds segments and bindings)`);
    },
    async readConfig() {
      const { switches, ports, state } = await readAll(client);
      const owned = state.owned as unknown as DeviceConfig;
      const segment: Record<string, unknown> = {};
      for (const ls of state.logicalSwitches) {
        if ([...state.ownedSwitches.values()].some((o) => o._uuid === ls._uuid)) continue;
        segment[ls.name] = { key: ls.name, name: ls.name, tunnelKey: ls.tunnel_key, description: ls.description, otherConfig: Object.fromEntries(ls.other_config) };
      }
      const lsName = new Map(state.logicalSwitches.map((ls) => [ls._uuid as string, ls.name]));
      const portById = new Map(ports.map((p) => [p._uuid as string, p]));
      const binding: Record<string, unknown> = {};
      for (const ps of switches) {
        for (const portId of ps.ports) {
          const port = portById.get(portId);
          if (port === undefined) continue;
          for (const [vlan, ls] of port.vlan_bindings) {
            if (ps.name === CONFORMANCE_SWITCH && owned['binding']?.[`${port.name}:${vlan}`] !== undefined) continue;
            const key = `${ps.name}/${port.name}:${vlan}`;
            binding[key] = { key, physicalSwitch: ps.name, interface: port.name, vlan, logicalSwitch: lsName.get(ls) ?? ls };
          }
        }
      }
      return { owned, foreign: { segment, binding } };
    },
    async changeOutOfBand({ kind, key, object }) {
      const { state, ports } = await readAll(client);
      if (kind === 'segment') {
        const ls = state.ownedSwitches.get(key);
        if (object === undefined) {
          if (ls !== undefined) await transact(deleteSwitchOps(ls, ports));
          return;
        }
        const o = object as unknown as Readonly<Record<string, unknown>>;
        const name = stringField(o, 'name');
        const l2Vni = numberField(o, 'l2Vni');
        if (ls === undefined) {
          await transact([op.insert('Logical_Switch', { name: logicalSwitchName(l2Vni), description: segmentMarker(key), tunnel_key: l2Vni, other_config: new Map([[SEGMENT_NAME_KEY, name]]) })]);
        } else {
          await transact([op.mutate('Logical_Switch', [['_uuid', '==', ls._uuid]], [['other_config', 'delete', [SEGMENT_NAME_KEY]], ['other_config', 'insert', new Map([[SEGMENT_NAME_KEY, name]])]])]);
        }
        return;
      }
      if (kind === 'binding') {
        const sep = key.lastIndexOf(':');
        const port = portOf(state, key.slice(0, sep));
        const vlan = Number(key.slice(sep + 1));
        const ops: Operation[] = [];
        if (object === undefined) {
          ops.push(op.mutate('Physical_Port', [['_uuid', '==', port._uuid]], [['vlan_bindings', 'delete', [vlan]]]));
        } else {
          const l2Vni = numberField(object as unknown as Readonly<Record<string, unknown>>, 'l2Vni');
          const ls = state.ownedSwitches.get(String(l2Vni));
          if (ls === undefined) throw new Error(`hw-vtep harness: no owned segment ${l2Vni} to bind ${key} to`);
          ops.push(
            op.mutate('Physical_Port', [['_uuid', '==', port._uuid]], [
              ['vlan_bindings', 'delete', [vlan]],
              ['vlan_bindings', 'insert', new Map([[vlan, ls._uuid]])],
            ]),
          );
        }
        await transact(ops);
        return;
      }
      if (kind === 'floodVtep') {
        // Edited in netloom's form (the same rows the adapter writes), without netloom's lock, as an operator would.
        const before = state.owned.floodVtep[key];
        const change = object === undefined ? (before === undefined ? undefined : { op: 'delete' as const, kind, key, before }) : { op: 'create' as const, kind, key, after: object };
        if (change === undefined) return;
        const txn = buildTransaction([change], state, { device: 'harness' });
        if (txn.unresolved.length > 0) throw new Error(`hw-vtep harness: ${txn.unresolved.join('; ')}`);
        await transact(txn.operations);
        return;
      }
      throw new Error(`hw-vtep harness: hardware_vtep holds no ${kind}`);
    },
    async injectFault({ lose }) {
      tap.loseNextCommit(lose ?? 'request');
    },
    async writeCount() {
      return tap.writes;
    },
    async commitCount() {
      return tap.commits;
    },
  };
}

/**
 * A simulator target: a fresh ovsdb-server with the `hardware_vtep` database per check.
 *
 * @example
 * const instance = await hwVtepSimulator().create({ checkId: 'my-test' });
 * const driver = hwVtepFabric({ target: instance.target, options: instance.options, logger: silentLogger });
 * // ...
 * await instance.dispose();
 */
export function hwVtepSimulator(): HwVtepSimulatorTarget {
  return {
    kind: 'simulator',
    async create({ checkId }) {
      const sandbox = await startOvsSandbox({ vtep: true });
      let client: OvsdbClient | undefined;
      let tap: OvsdbTap | undefined;
      const dispose = async (): Promise<void> => {
        await tap?.close().catch(() => undefined);
        await client?.close().catch(() => undefined);
        await sandbox.stop();
      };
      try {
        client = await OvsdbClient.connect({ remote: sandbox.unixRemote, reconnect: false });
        await setUp(client);
        tap = await OvsdbTap.start({ path: sandbox.socketPath });
      } catch (e) {
        await dispose();
        throw e;
      }
      return {
        target: { name: `hwvtep-${checkId.replace(/[^A-Za-z0-9-]/g, '-')}`.slice(0, 63), address: '127.0.0.1', port: tap.port },
        options: { physicalSwitch: CONFORMANCE_SWITCH },
        harness: harnessFor(sandbox, client, tap),
        dispose,
      };
    },
  };
}

/**
 * The simulator targets this adapter ships, per device port: what `netloom conformance run --target simulator`
 * runs the kit against. Needs Open vSwitch (`ovsdb-server`, `ovsdb-tool`, the `hardware_vtep` schema).
 */
export const conformanceTargets: { readonly fabric: HwVtepSimulatorTarget } = {
  fabric: hwVtepSimulator(),
};
