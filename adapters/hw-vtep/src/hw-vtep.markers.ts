/**
 * How the adapter names and marks what netloom owns in a `hardware_vtep` database. Anything without its marker is
 * foreign: never observed, changed or deleted.
 *
 * | fabric object | rows in `hardware_vtep` |
 * |---|---|
 * | segment `K` (L2 VNI `K`) | a `Logical_Switch` named `nl-K` with `description` `netloom:K`, `tunnel_key` `K` and `other_config:netloom-name` = the segment's name |
 * | binding `P:V` | the entry `V → <uuid of nl-K>` in `Physical_Port.vlan_bindings` of port `P` of the configured `Physical_Switch`; it is netloom's because it points at a netloom `Logical_Switch` |
 * | flood VTEP `K:IP` | a `vxlan_over_ipv4` `Physical_Locator` to `IP` in the `Physical_Locator_Set` of the `Mcast_Macs_Remote` row `MAC` = `unknown-dst` of `nl-K` (one such row per segment, holding all its flood VTEPs); netloom's because its `Logical_Switch` is. Locators and sets are shared, immutable, garbage-collected rows: netloom reuses a locator to the same IP and replaces the set |
 *
 * @packageDocumentation
 */

/** The database this adapter programs. */
export const HW_VTEP_DATABASE = 'hardware_vtep';

/** Every owned `Logical_Switch` description starts with this. A row with this prefix is netloom's. */
export const OWNER_PREFIX = 'netloom:';

/** The `other_config` key of an owned `Logical_Switch` that holds the segment's name. */
export const SEGMENT_NAME_KEY = 'netloom-name';

/** The name of the `Logical_Switch` of the segment with L2 VNI `l2Vni`. @example logicalSwitchName(10010) === 'nl-10010' */
export const logicalSwitchName = (l2Vni: number): string => `nl-${l2Vni}`;

/** The description that marks the `Logical_Switch` of segment `key` as netloom's. @example segmentMarker('10010') === 'netloom:10010' */
export const segmentMarker = (key: string): string => `${OWNER_PREFIX}${key}`;

/** The segment key in an owned description (`netloom:10010` → `10010`), or undefined for a foreign row. */
export function markedKey(description: string): string | undefined {
  return description.startsWith(OWNER_PREFIX) ? description.slice(OWNER_PREFIX.length) : undefined;
}

/**
 * The OVSDB lock every netloom session takes before writing to `physicalSwitch`: `netloom_` and the name with every
 * character that a lock name cannot hold (only letters, digits and `_`) replaced by `_`. Two switch names that
 * differ only in such characters share a lock, which serialises them needlessly but never lets writers interleave.
 *
 * @example lockName('leaf-1.dc2') === 'netloom_leaf_1_dc2'
 */
export function lockName(physicalSwitch: string): string {
  return `netloom_${physicalSwitch.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The `uuid-name` of a `Logical_Switch` inserted in a transaction (so bindings can refer to it). */
export const insertedSwitchRef = (l2Vni: number): string => `ls_${l2Vni}`;

/** The `Mcast_Macs_Remote.MAC` of the row that lists a segment's flood VTEPs (BUM: unknown destinations). */
export const FLOOD_MAC = 'unknown-dst';

/** The `Physical_Locator.encapsulation_type` of a flood VTEP (the only one the schema knows). */
export const FLOOD_ENCAPSULATION = 'vxlan_over_ipv4';

/** The `uuid-name` of a `Physical_Locator` to `ip` inserted in a transaction. @example insertedLocatorRef('192.0.2.1') === 'pl_192_0_2_1' */
export const insertedLocatorRef = (ip: string): string => `pl_${ip.replace(/[^0-9]/g, '_')}`;

/** The `uuid-name` of the `Physical_Locator_Set` of segment `l2Vni` inserted in a transaction. */
export const insertedLocatorSetRef = (l2Vni: number): string => `pls_${l2Vni}`;
