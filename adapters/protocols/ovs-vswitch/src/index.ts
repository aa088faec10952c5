/**
 * `@netloom/ovs-vswitch` — the parts of a netloom vswitch adapter that are the same on every Open
 * vSwitch-compatible node (plain OVS, the H3C S1020V, ...): the adapter options and their resolution, OpenFlow
 * reach of a bridge (`listen`/`connect`), netloom's flow cookies, security-group matches, flow diffing and text,
 * and the OVSDB fault proxy of the conformance harnesses. Lab helpers for live tests are in
 * `@netloom/ovs-vswitch/testing`.
 *
 * Adapters may not import each other; what two of them share lives here. Pipelines (which flows a bridge gets)
 * and vendor specifics stay in each adapter.
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
  startSimulatedVSwitchDevice,
  type SimHarnessPort,
  type SimHarnessState,
  type SimOpenFlow,
  type SimOvsdb,
  type SimulatedVSwitchDevice,
  type SimulatedVSwitchModel,
  type VSwitchSimulatorsModule,
} from './simulated-device';
