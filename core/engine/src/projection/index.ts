/**
 * Projection: desired domain state → per-device config in each port's vocabulary (ARCHITECTURE §4).
 * @packageDocumentation
 */
export { project, securityGroupRuleName, type ProjectOptions } from './projection';
export { routerLegs, routerVlanOwner, needsRouter, configuredRouters, carriedLogicalSwitches, type RouterLeg } from './router-legs';
export { firewallLegNeeds, firewallOwner, legInterface, configuredFirewalls, type FirewallLegNeed, type FirewallOverlap } from './firewall-legs';
export {
  vpcOfObject,
  vpcObjectName,
  vpcFromObjectName,
  segmentName,
  endpointPortName,
  qualifiedEndpointId,
  tunnelName,
  VPC_OBJECT_PREFIX,
  BRIDGE_NAME,
  DEFAULT_UPLINK,
  ANYCAST_GATEWAY_MAC,
} from './device-names';
