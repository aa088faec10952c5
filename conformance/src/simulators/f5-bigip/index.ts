/**
 * The F5 BIG-IP simulator: the iControl REST subset netloom's load-balancer adapter uses (PROTOCOLS.md §4) over
 * HTTPS — token and Basic authentication, partitions (top-level folders), monitors, pools and members (nodes created
 * as TMOS does), virtual servers (virtual addresses), internal data groups, transactions, TMOS and REST-framework
 * error bodies, the version facts — and a TCP data plane that forwards connections from local virtual servers to
 * their enabled members (round robin; disabled members drain).
 *
 * Every export carries an `F5`/`f5` prefix so it can sit beside the other simulators in one namespace.
 *
 * @example
 * import { startF5BigipSimulator } from '@netloom/conformance/simulators';
 * const sim = await startF5BigipSimulator({ users: { ops: { password: 'pw' } } });
 * // https://127.0.0.1:<port>/mgmt/shared/authn/login → X-F5-Auth-Token; trust sim.ca
 * await sim.close();
 *
 * @packageDocumentation
 */
export {
  F5BigipSimulator,
  startF5BigipSimulator,
  type F5BigipSimulatorOptions,
  type F5DropOptions,
  type F5FailOptions,
  type F5Operation,
  type F5RequestLogEntry,
  type F5SimulatorStats,
  type F5SimulatorUser,
  type F5TransactionView,
  type F5VersionFacts,
} from './f5-bigip.server';
export {
  F5Config,
  F5_LB_MODES,
  F5_MONITOR_TYPES,
  type F5MonitorType,
  type DataGroupRecord as F5DataGroupRecord,
  type FolderRecord as F5FolderRecord,
  type MemberRecord as F5MemberRecord,
  type MonitorRecord as F5MonitorRecord,
  type NodeRecord as F5NodeRecord,
  type PoolRecord as F5PoolRecord,
  type VirtualAddressRecord as F5VirtualAddressRecord,
  type VirtualRecord as F5VirtualRecord,
} from './f5-bigip.config';
export { F5RestError, tmosError as f5TmosError, restFrameworkError as f5RestFrameworkError } from './f5-bigip.errors';
export { isLocalAddress as f5IsLocalAddress, type ForwarderStats as F5ForwarderStats, type ListenerView as F5ListenerView } from './f5-bigip.forwarder';
