/**
 * `@netloom/adapter-ovs` — the vswitch port on Open vSwitch for the network overlay: pods plug into `br-int`, the
 * node tags per-host VLANs and trunks them to its leaf (the VTEP). Programmed over OVSDB (bridge, ports, tags,
 * external_ids, QoS) and OpenFlow 1.3 (security groups with conntrack), from this process: no `ovs-vsctl` or
 * `ovs-ofctl` is ever spawned by the adapter.
 *
 * @example
 * import { adapter } from '@netloom/adapter-ovs';
 * const driver = adapter.ports.vswitch!({ target: { name: 'node-1' }, options: { datapathType: 'system' }, logger });
 * const session = await driver.connect();
 * const plan = await session.plan({ desired });
 * const tx = await session.apply({ changeSet: plan });
 * await session.confirm({ transaction: tx });
 *
 * @packageDocumentation
 */
import { defineAdapter, type PortFactoryOptions } from '@netloom/ports';
import { OVS_SUPPORTS, OvsVSwitchDriver } from './ovs.driver';
import { OvsOptionsCodec } from './ovs.options';

export { LOCK_NAME, OVS_SUPPORTS, ObservedVSwitchConfigCodec, OvsVSwitchDriver, OvsVSwitchSession } from './ovs.driver';
export { DEFAULT_OPENFLOW_LISTEN, DEFAULT_OVSDB_REMOTE, OvsOptionsCodec, controllerTarget, resolveOptions, type OpenFlowMode, type OvsOptions, type ResolvedOvsOptions } from './ovs.options';
export {
  COOKIE_PREFIX,
  COOKIE_PREFIX_MASK,
  CookieKind,
  Table,
  cookieFor,
  desiredFlows,
  diffFlows,
  flowIdentity,
  formatFlowMod,
  formatInstructions,
  formatMatch,
  isNetloomCookie,
  rangeToMasks,
  type FlowDiff,
  type FlowEntry,
} from './ovs.flows';
export { DeviceState, Ext, KEY_KEY, KIND_KEY, OWNER, OWNER_KEY, RowKind, SGR_PREFIX, isOwned, isOwnedAs, stateFromResults } from '@netloom/ovs-vswitch';
export { FIRST_OFPORT, QOS_TYPE, marks, ruleRecord, ruleRecordKey, wrapTransaction, type RenderInput, type RenderedChanges } from '@netloom/ovs-vswitch';
export { OVS_HOOKS, allocateOfports, ownedConfig, readOperations, renderChanges } from './ovs.hooks';
export { OpenFlowAccess } from './ovs.openflow';
export { startOvsdbFaultProxy, writeOpsOf, type OvsdbFaultProxy } from './ovs.fault-proxy';
export {
  ADOPTABLE_BRIDGES,
  FOREIGN_COOKIE,
  OvsSandboxHarness,
  conformanceTargets,
  freePort,
  ovsSandboxTarget,
  ovsSimulatedTarget,
  startOvsSandboxDevice,
  type OvsDeviceHarness,
  type OvsSandboxDevice,
  type OvsSimulatorInstance,
  type OvsSimulatorTarget,
} from './ovs.conformance';

/** The vswitch driver of one Open vSwitch node (the adapter's `ports.vswitch` factory). */
export function ovsVSwitch(opts: PortFactoryOptions): OvsVSwitchDriver {
  return new OvsVSwitchDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'ovs',
  vendor: 'Open vSwitch',
  description: 'Network-overlay node switch: br-int, uplink trunk, endpoint ports with VLAN tags, QoS and conntrack security groups over OVSDB and OpenFlow 1.3.',
  models: { modelPatterns: ['^Open vSwitch'] },
  portApi: '^1.0.0',
  ports: { vswitch: ovsVSwitch },
  supports: { vswitch: OVS_SUPPORTS },
  optionsCodec: OvsOptionsCodec,
});
