/**
 * `@netloom/adapter-h3c-s1020v` — the vswitch port for the H3C S1020V virtual switch in the **host overlay**: the
 * node's virtual switch is the VTEP. netloom programs VXLAN tunnel ports to the other VTEPs, flows that map local
 * ports to tunnel keys (VNIs) and back, flooding per VNI with split horizon, conntrack security groups in front,
 * and QoS, over OVSDB and OpenFlow 1.3 from this process (no `ovs-vsctl` or `ovs-ofctl` is ever spawned).
 *
 * Public facts about the S1020V are thin (PROTOCOLS.md §6, UNVERIFIED): the adapter treats it as an
 * OVS-compatible switch, keeps every vendor assumption in `h3c.vendor.ts`, and was tested against Open vSwitch 3.1
 * only (no S1020V was available).
 *
 * @example
 * import { adapter } from '@netloom/adapter-h3c-s1020v';
 * const driver = adapter.ports.vswitch!({ target: { name: 'node-1' }, options: { datapathType: 'system' }, logger });
 * const session = await driver.connect();
 * const plan = await session.plan({ desired });
 * const tx = await session.apply({ changeSet: plan });
 * await session.confirm({ transaction: tx });
 *
 * @packageDocumentation
 */
import { defineAdapter, type PortFactoryOptions } from '@netloom/ports';
import { H3C_SUPPORTS, H3cVSwitchDriver } from './h3c.driver';
import { H3cOptionsCodec } from './h3c.options';

export { H3C_SUPPORTS, H3cVSwitchDriver, H3cVSwitchSession, LOCK_NAME, ObservedVSwitchConfigCodec } from './h3c.driver';
export { H3C_HOOKS, allocateOfports, ownedConfig, readOperations, renderChanges } from './h3c.hooks';
export { TUNNEL_OPTION_KEYS, tunnelKeyAttachment, tunnelOptions, vxlanTunnels } from './h3c.tunnels';
export { DEFAULT_OPENFLOW_LISTEN, H3cOptionsCodec, controllerTarget, resolveOptions, type H3cOptions, type OpenFlowMode, type ResolvedH3cOptions } from './h3c.options';
export {
  COOKIE_PREFIX,
  COOKIE_PREFIX_MASK,
  CookieKind,
  FROM_TUNNEL_REG,
  PARKING_VLAN,
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
  tunnelCarries,
  vniOf,
  type FlowDiff,
  type FlowEntry,
} from './h3c.flows';
export { DeviceState, Ext, KEY_KEY, KIND_KEY, OWNER, OWNER_KEY, RowKind, SGR_PREFIX, isOwned, isOwnedAs, stateFromResults } from '@netloom/ovs-vswitch';
export { FIRST_OFPORT, QOS_TYPE, marks, ruleRecord, ruleRecordKey, wrapTransaction, type RenderInput, type RenderedChanges } from '@netloom/ovs-vswitch';
export {
  BRIDGE_PROTOCOLS,
  COMPATIBLE_VENDOR,
  DEFAULT_OVSDB_REMOTE,
  EXTRA_INTERFACE_EXTERNAL_IDS,
  H3C_VENDOR,
  PIPELINE_TABLES,
  S1020V_VERSION_PATTERN,
  TUNNEL_INTERFACE,
  identifyVendor,
  type VendorIdentity,
} from './h3c.vendor';
export { OpenFlowAccess } from './h3c.openflow';
export { startOvsdbFaultProxy, writeOpsOf, type OvsdbFaultProxy } from './h3c.fault-proxy';
export {
  ADOPTABLE_BRIDGES,
  FOREIGN_COOKIE,
  H3cSandboxHarness,
  conformanceTargets,
  freePort,
  h3cSandboxTarget,
  h3cSimulatedTarget,
  startH3cSandboxDevice,
  type H3cDeviceHarness,
  type H3cSandboxDevice,
  type H3cSimulatorInstance,
  type H3cSimulatorTarget,
} from './h3c.conformance';

/** The vswitch driver of one S1020V node (the adapter's `ports.vswitch` factory). */
export function h3cS1020vVSwitch(opts: PortFactoryOptions): H3cVSwitchDriver {
  return new H3cVSwitchDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'h3c-s1020v',
  vendor: 'H3C',
  description: 'Host-overlay node switch (the node is the VTEP): VXLAN tunnel ports, per-VNI forwarding with split-horizon flooding, conntrack security groups and QoS over OVSDB and OpenFlow 1.3 (S1020V as an OVS-compatible switch).',
  models: { modelPatterns: ['^S1020V', '^Open vSwitch'] },
  portApi: '^1.0.0',
  ports: { vswitch: h3cS1020vVSwitch },
  supports: { vswitch: H3C_SUPPORTS },
  optionsCodec: H3cOptionsCodec,
});
