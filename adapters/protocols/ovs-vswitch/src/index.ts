/**
 * `@netloom/ovs-vswitch` — the vswitch core every netloom adapter for an Open vSwitch-compatible node (plain OVS,
 * the H3C S1020V, ...) runs: the adapter options and their resolution, the OVSDB model and observe, the rendering of
 * changes into OVSDB transactions and flow_mods, the driver and session (lock, stale-plan refusal, snapshot
 * rollback), OpenFlow reach of a bridge (`listen`/`connect`), netloom's flow cookies, security-group matches, flow
 * diffing and text, and the conformance harnesses (real OVS sandbox and simulators). Lab helpers for live tests are
 * in `@netloom/ovs-vswitch/testing`.
 *
 * Adapters may not import each other; what two of them share lives here. What differs — ids, the capability
 * manifest, vendor facts, the attachment of endpoint ports, the OpenFlow pipeline, tunnel ports — each adapter
 * passes in as its {@link VSwitchHooks}.
 *
 * @example
 * import { resolveVSwitchOptions, vswitchOptionsCodec } from '@netloom/ovs-vswitch';
 * const codec = vswitchOptionsCodec('MyOptions');
 * const o = resolveVSwitchOptions({ name: 'node-1' }, {}, { codec, deviceLabel: 'Open vSwitch', defaultOvsdbRemote: 'unix:/var/run/openvswitch/db.sock' });
 *
 * @packageDocumentation
 */
export {
  DEFAULT_OPENFLOW_LISTEN,
  OVS_DEFAULT_OVSDB_REMOTE,
  OpenFlowConnectCodec,
  OpenFlowListenCodec,
  controllerTarget,
  resolveVSwitchOptions,
  vswitchOptionsCodec,
  type OpenFlowMode,
  type OptionsFlavor,
  type ResolvedVSwitchOptions,
  type VSwitchOptions,
} from './options';
export { OpenFlowAccess, OpenFlowListenerRegistry, type ListenerLease } from './openflow-access';
export {
  COOKIE_PREFIX,
  COOKIE_PREFIX_MASK,
  DROP,
  ETH_ARP,
  ETH_IP,
  ETH_IPV6,
  NORMAL,
  TRK_EST,
  TRK_INV,
  TRK_NEW,
  TRK_REL,
  apply,
  cookieFor,
  diffFlows,
  flowIdentity,
  formatFlowMod,
  formatInstructions,
  formatMatch,
  goto,
  isNetloomCookie,
  mergeFlows,
  rangeToMasks,
  ruleMatches,
  type FlowDiff,
  type FlowEntry,
  type FlowTextStyle,
} from './flows';
export { startOvsdbFaultProxy, writeOpsOf, type OvsdbFaultProxy } from './fault-proxy';
export {
  SIM_FOREIGN_COOKIE,
  SimulatedVSwitchHarness,
  asVSwitchSimulators,
  freePort,
  startSimulatedVSwitchDevice,
  type SimHarnessPort,
  type SimHarnessState,
  type SimOpenFlow,
  type SimOvsdb,
  type SimulatedVSwitchDevice,
  type SimulatedVSwitchModel,
  type VSwitchSimulatorsModule,
} from './simulated-device';
export {
  vlanTagAttachment,
  type AttachmentHooks,
  type FlowHooks,
  type TunnelHooks,
  type TunnelRenderContext,
  type VSwitchHooks,
  type VSwitchIdentity,
} from './hooks';
export {
  DeviceState,
  Ext,
  KEY_KEY,
  KIND_KEY,
  OWNER,
  OWNER_KEY,
  READ_COLUMNS,
  RowKind,
  SGR_PREFIX,
  decimalOf,
  effectiveFailMode,
  isOwned,
  isOwnedAs,
  stateFromResults,
  type BridgeRow,
  type ControllerRow,
  type InterfaceRow,
  type OvsRow,
  type PortRow,
  type QosRow,
  type QueueRow,
} from './rows';
export { VSWITCH_KIND_CODECS, kindCodecsOf, ownedConfig, readOperations } from './model';
export {
  DEFAULT_BRIDGE_PROTOCOLS,
  FIRST_OFPORT,
  LAST_OFPORT,
  QOS_TYPE,
  allocateOfports,
  ifaceExtKeys,
  isNumberedIface,
  marks,
  portExtKeys,
  renderChanges,
  requestedOfports,
  ruleRecord,
  ruleRecordKey,
  wrapTransaction,
  type RenderHooks,
  type RenderInput,
  type RenderedChanges,
} from './render';
export { LOCK_NAME, ObservedVSwitchConfigCodec, VSwitchCoreDriver, VSwitchCoreSession } from './driver';
export {
  ADOPTABLE_BRIDGES,
  FOREIGN_COOKIE,
  VSwitchSandboxHarness,
  startVSwitchSandboxDevice,
  vswitchHarnessModel,
  vswitchSandboxTarget,
  vswitchSimulatedTarget,
  type VSwitchDeviceHarness,
  type VSwitchSandboxDevice,
  type VSwitchSimulatorInstance,
  type VSwitchSimulatorTarget,
} from './harness';
export {
  securityGroupPipelineFlows,
  securityGroupPortFlows,
  type Continuation,
  type IsolatedPort,
  type SecurityGroupStage,
  type SecurityGroupTables,
} from './security-groups';
