/**
 * Object mother for VPCs, alone or with consistent subnets, LSs and an LR.
 * @packageDocumentation
 */
import { createLogicalRouter, type LogicalRouter } from '../logical-router.model';
import { createLogicalSwitch, type LogicalSwitch } from '../logical-switch.model';
import type { NetworkState } from '../network.invariants';
import { createSubnet, type Subnet } from '../subnet.model';
import { createVpc, type Vpc, type VpcInput } from '../vpc.model';

/** A VPC with its subnets, one LS per subnet and its LR: a valid {@link NetworkState} on its own. */
export interface VpcNetwork extends NetworkState {
  readonly vpc: Vpc;
  readonly vpcs: readonly Vpc[];
  readonly subnets: readonly Subnet[];
  readonly logicalSwitches: readonly LogicalSwitch[];
  readonly logicalRouter: LogicalRouter;
  readonly logicalRouters: readonly LogicalRouter[];
}

/** Options of {@link VpcMother.withSubnets}. */
export interface VpcWithSubnetsOptions {
  /** VPC name (default `vpc-a`); also its namespace, and the prefix of its subnet, LS and LR names. */
  readonly name?: string;
  /**
   * Which VPC of a test this is (default 0). It only moves the VNIs (L2: 10000 + 100·index + i + 1, L3:
   * 50000 + index), so VPCs built with different indexes can share one fabric. CIDRs do not move: different VPCs
   * may overlap, and by default they do.
   */
  readonly index?: number;
  /** `4` (default), `6` or `'dual'`: the families of every subnet. */
  readonly family?: 4 | 6 | 'dual';
  /** Second octet of the IPv4 subnets `10.<second>.<i>.0/24` (default 0); IPv6 subnets are `fd00:<second>:<i>::/64`. */
  readonly second?: number;
}

/** Builds valid VPCs. */
export const VpcMother = {
  /** A VPC alone (its namespace has its name). @example VpcMother.named('shop', { subnets: ['web'] }) */
  named(name = 'vpc-a', overrides: Partial<VpcInput> = {}): Vpc {
    return createVpc({ name, namespaces: [name], ...overrides });
  },

  /**
   * A VPC with `n` subnets (`<vpc>-s0`, `<vpc>-s1`, ... in `10.0.0.0/24`, `10.0.1.0/24`, ...; the first is the
   * namespace's default), an LS per subnet (`<vpc>-s<i>`) and an LR (`<vpc>-lr`). Passes `checkNetwork`.
   * @example VpcMother.withSubnets(2).subnets.map((s) => s.ipv4?.cidr) // ['10.0.0.0/24', '10.0.1.0/24']
   */
  withSubnets(n = 2, opts: VpcWithSubnetsOptions = {}): VpcNetwork {
    const name = opts.name ?? 'vpc-a';
    const index = opts.index ?? 0;
    const family = opts.family ?? 4;
    const second = opts.second ?? 0;
    const subnets: Subnet[] = [];
    const logicalSwitches: LogicalSwitch[] = [];
    for (let i = 0; i < n; i++) {
      const cidrs: string[] = [];
      if (family === 4 || family === 'dual') cidrs.push(`10.${second}.${i}.0/24`);
      if (family === 6 || family === 'dual') cidrs.push(`fd00:${second.toString(16)}:${i.toString(16)}::/64`);
      const subnet = createSubnet({ name: `${name}-s${i}`, vpc: name, cidrs, default: i === 0 });
      subnets.push(subnet);
      logicalSwitches.push(createLogicalSwitch({ name: subnet.name, vpc: name, subnet: subnet.name, l2Vni: 10_000 + 100 * index + i + 1 }));
    }
    const logicalRouter = createLogicalRouter({ name: `${name}-lr`, vpc: name, l3Vni: 50_000 + index });
    const vpc = createVpc({ name, namespaces: [name], subnets: subnets.map((s) => s.name), logicalRouter: logicalRouter.name });
    return { vpc, vpcs: [vpc], subnets, logicalSwitches, logicalRouter, logicalRouters: [logicalRouter] };
  },
} as const;
