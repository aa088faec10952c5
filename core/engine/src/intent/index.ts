/**
 * The intent compiler: cluster state + settings → desired domain state (ARCHITECTURE §4, §6).
 * @packageDocumentation
 */
export { compileIntent, type CompileIntentOptions } from './intent.compiler';
export {
  ANNOTATION_EGRESS_RATE,
  ANNOTATION_INGRESS_RATE,
  ANNOTATION_IP_ADDRESS,
  ANNOTATION_SUBNET,
  DEFAULT_VPC,
  LABEL_SERVICE_NAME,
  LABEL_VPC,
  MAX_VPC_NAME,
  carvedSubnetName,
  endpointIdOf,
  fitName,
  ipamSubnetId,
  isVpcName,
  macOf,
  podOwnerKey,
  serviceOwnerKey,
  shortHash,
  vipPoolIpamId,
} from './intent.names';
export { parseRateKbps, MAX_RATE_KBPS } from './rate.parse';
export { carveSubnet, releaseCarve, type CarveOptions } from './subnet.carver';
export { collectGarbage, type CollectGarbageOptions, type GarbageReport, type LiveOwners } from './garbage.collector';
