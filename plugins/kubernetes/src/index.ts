/**
 * `@netloom/plugin-kubernetes` — the intent plugin that maps namespaces, `Subnet` resources, nodes and pods to VPCs,
 * subnets, LRs, LSs, nodes, endpoints and QoS policies (ARCHITECTURE §6). Imports `@netloom/domain` and
 * `@netloom/ports` only.
 * @example
 * import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
 * const desired = await compileIntent({ cluster, settings, store, plugins: [kubernetes] });
 * @packageDocumentation
 */
import { kubernetesPlugin } from './kubernetes.plugin';

export { kubernetesPlugin } from './kubernetes.plugin';
/** The plugin this package provides (id `kubernetes`), under the name every plugin package exports. */
export const plugin = kubernetesPlugin;
export {
  ANNOTATION_EGRESS_RATE,
  ANNOTATION_INGRESS_RATE,
  ANNOTATION_IP_ADDRESS,
  ANNOTATION_SUBNET,
  DEFAULT_VPC,
  LABEL_OVERLAY,
  LABEL_VPC,
  MAX_VPC_NAME,
  carvedSubnetName,
  endpointIdOf,
  isVpcName,
  macOf,
  podOwnerKey,
  qosPolicyNameOf,
} from './kubernetes.names';
export { parseRateKbps, MAX_RATE_KBPS } from './rate.parse';
