/**
 * The OpenFlow 1.3 switch simulator: the OpenFlow side of ovs-vswitchd, in process, beside the OVSDB simulator
 * (which holds the `Bridge`/`Controller` rows it follows). Handshake and version negotiation, FEATURES, ECHO,
 * BARRIER, FLOW_MOD (add, modify, modify-strict, delete, delete-strict with cookie masks), flow/aggregate/port
 * description/description statistics, and ERRORs with Open vSwitch's types and codes; faults and an in-process
 * flow API for tests and harnesses.
 *
 * Every export carries an `OpenFlow` prefix so it can sit beside the other simulators in one namespace.
 *
 * @example
 * import { OpenFlowSwitchSimulator, OvsdbSimulator } from '@netloom/conformance/simulators';
 * const ovsdb = new OvsdbSimulator({ emulateVswitchd: true });
 * await ovsdb.start();
 * const openflow = new OpenFlowSwitchSimulator({ ovsdb });
 * await openflow.start();
 *
 * @packageDocumentation
 */
export {
  OpenFlowSwitchSimulator,
  type OpenFlowSwitchSimulatorOptions,
  type OpenFlowSimOvsdbSource,
  type OpenFlowSimStats,
  type OpenFlowSimFlow,
  type OpenFlowSimField,
  type OpenFlowSimErrorInfo,
  type OpenFlowSimBridgeInfo,
  type OpenFlowSimFaultScope,
} from './openflow-sim.switch';
