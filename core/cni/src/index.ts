/**
 * `@netloom/cni` — netloom-cni, the CNI 1.0 plugin that plumbs a pod into the node's `br-int` with the endpoint the
 * netloom controller allocated (address, MAC, VLAN or tunnel key), and the pieces it is made of.
 *
 * The executable is `bin/netloom-cni.cjs` ({@link main}); {@link runCni} runs one command in-process. ADR 0007 says
 * what the CNI owns on the node and what the controller owns.
 *
 * @packageDocumentation
 */
export { runCni, main, toCniError, type CniInput, type CniOutput } from './cni.main';
export { cmdAdd, cmdDel, cmdCheck, cmdVersion, planAttachment, buildResult, inspectAttachment, type CniContext, type AttachmentPlan, type Inspection } from './cni.plugin';
export {
  SUPPORTED_VERSIONS,
  DEFAULT_CNI_VERSION,
  CniErrorCode,
  CniError,
  errorJson,
  parseCniArgs,
  CniResultCodec,
  CniInterfaceCodec,
  CniIpConfigCodec,
  CniRouteCodec,
  CniDnsCodec,
  type CniErrorCodeValue,
  type CniErrorJson,
  type CniResult,
  type CniInterface,
  type CniIpConfig,
  type CniRoute,
  type CniDns,
  type CniVersionInfo,
} from './cni.spec';
export { readCniEnv, ifnameProblem, CNI_COMMANDS, type CniEnv, type CniCommand, type PodRef } from './cni.env';
export { parseConfig, sniffCniVersion, NetloomCniConfigCodec, CONFIG_DEFAULTS, LOG_LEVELS, type NetloomCniConfig, type LogLevel } from './cni.config';
export { hostVethName, HOST_VETH_PREFIX, OWNER_KEY, OWNER, KIND_KEY, KEY_KEY, CniRowKind, CniExt } from './cni.names';
export {
  ALLOCATION_ANNOTATIONS,
  allocationFromAnnotations,
  resolveEndpoint,
  waitForEndpoint,
  type PodAllocation,
  type AllocationState,
  type EndpointAddress,
  type PodEndpoint,
  type WaitForEndpointOptions,
} from './cni.endpoint';
export { KubeApi, isRetryable, type KubeApiOptions } from './cni.kube-api';
export { loadKubeconfig, inClusterConnection, KubeconfigCodec, SERVICE_ACCOUNT_DIR, type KubeConnection } from './cni.kubeconfig';
export { IpRoute, findExecutable, namedNetns, LinkCodec, AddrCodec, RouteCodec, type Link, type Addr, type Route, type VethSpec, type IpRouteOptions } from './cni.iproute';
export { CniOvsdb, portDrift, portExternalIds, ifaceExternalIds, isCniRow, type CniPortSpec, type ObservedPort, type PortRow, type IfaceRow } from './cni.ovsdb';
export { fileLogger, silentCniLogger, type CniLogger } from './cni.logger';
