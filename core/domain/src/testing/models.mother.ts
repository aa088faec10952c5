/**
 * Small object mothers for the models that rarely need more than a default.
 * @packageDocumentation
 */
import { createLogicalRouter, type LogicalRouter, type LogicalRouterInput } from '../logical-router.model';
import { createLogicalSwitch, type LogicalSwitch } from '../logical-switch.model';
import type { Subnet } from '../subnet.model';

/** Builds valid {@link LogicalSwitch}es. */
export const LogicalSwitchMother = {
  /** The LS of `subnet` (same name and VPC). @example LogicalSwitchMother.forSubnet(subnet, 10001) */
  forSubnet(subnet: Subnet, l2Vni = 10_001): LogicalSwitch {
    return createLogicalSwitch({ name: subnet.name, vpc: subnet.vpc, subnet: subnet.name, l2Vni });
  },
} as const;

/** Builds valid {@link LogicalRouter}s. */
export const LogicalRouterMother = {
  /** The LR `<vpc>-lr` of a VPC. @example LogicalRouterMother.forVpc('vpc-a', 50000) */
  forVpc(vpc = 'vpc-a', l3Vni = 50_000, overrides: Partial<LogicalRouterInput> = {}): LogicalRouter {
    return createLogicalRouter({ name: `${vpc}-lr`, vpc, l3Vni, ...overrides });
  },
} as const;
