/**
 * `@netloom/adapter-hw-vtep` — netloom's fabric port over the OVSDB `hardware_vtep` schema: the vendor-neutral way
 * controllers program the VTEP of a leaf switch (any leaf exposing `hardware_vtep`; tested with the OVS
 * hardware-VTEP emulator `ovs-vtep`).
 *
 * Segments become `Logical_Switch` rows (tunnel key = L2 VNI), access bindings `Physical_Port.vlan_bindings`
 * entries. Every apply is one atomic OVSDB transaction with preconditions; rollback is the inverse transaction.
 *
 * @packageDocumentation
 */
import { defineAdapter } from '@netloom/ports';
import { HW_VTEP_SUPPORTS, hwVtepFabric } from './hw-vtep.driver';
import { HwVtepOptionsCodec } from './hw-vtep.options';

export { COMMIT_RECOVERY_MS, DEFAULT_CONNECT_TIMEOUT_MS, HW_VTEP_SUPPORTS, HwVtepFabricDriver, HwVtepFabricSession, hwVtepFabric } from './hw-vtep.driver';
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  HwVtepOptionsCodec,
  HwVtepTlsOptionsCodec,
  OvsdbRemoteCodec,
  PhysicalSwitchNameCodec,
  connectionSettings,
  loadTls,
  type HwVtepConnectionSettings,
  type HwVtepOptions,
  type OvsdbRemoteBrand,
  type PhysicalSwitchNameBrand,
} from './hw-vtep.options';
export { HW_VTEP_DATABASE, OWNER_PREFIX, SEGMENT_NAME_KEY, insertedSwitchRef, lockName, logicalSwitchName, markedKey, segmentMarker } from './hw-vtep.markers';
export {
  LOGICAL_SWITCH_COLUMNS,
  LogicalSwitchRowCodec,
  PHYSICAL_PORT_COLUMNS,
  PHYSICAL_SWITCH_COLUMNS,
  PhysicalPortRowCodec,
  PhysicalSwitchRowCodec,
  parseVtepState,
  readOperations,
  readVtepState,
  type LogicalSwitchRow,
  type PhysicalPortRow,
  type PhysicalSwitchRow,
  type VtepRows,
  type VtepState,
} from './hw-vtep.state';
export { MAC_TABLES, buildTransaction, effectiveChanges, renderTransaction, type BuildOptions, type VtepTransaction } from './hw-vtep.transaction';
export { OvsdbTap, type LostMessage } from './hw-vtep.proxy';
export {
  conformanceTargets,
  hwVtepSimulator,
  CONFORMANCE_PORTS,
  CONFORMANCE_SWITCH,
  type HwVtepDeviceHarness,
  type HwVtepSimulatorInstance,
  type HwVtepSimulatorTarget,
} from './hw-vtep.conformance';

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'hw-vtep',
  vendor: 'OVSDB hardware_vtep (vendor-neutral)',
  description: 'Leaf VTEPs programmed over the OVSDB hardware_vtep schema (vendor-neutral; tested with ovs-vtep).',
  models: { modelPatterns: ['^hardware_vtep$'] },
  portApi: '^1.1.0',
  ports: { fabric: hwVtepFabric },
  supports: HW_VTEP_SUPPORTS,
  optionsCodec: HwVtepOptionsCodec,
});
