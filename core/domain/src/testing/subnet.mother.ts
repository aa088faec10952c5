/**
 * Object mother for subnets: valid subnets in one call, overridable field by field.
 * @packageDocumentation
 */
import { createSubnet, type Subnet, type SubnetInput } from '../subnet.model';

/** Fields a test may override; `cidrs` comes from the mother method. */
export type SubnetOverrides = Partial<Omit<SubnetInput, 'cidrs'>>;

/** Builds valid {@link Subnet}s. Defaults: name `web`, VPC `vpc-a`, gateway = first address after the network. */
export const SubnetMother = {
  /** An IPv4-only subnet. @example SubnetMother.ipv4('10.0.0.0/24', { name: 'web' }) */
  ipv4(cidr = '10.0.0.0/24', overrides: SubnetOverrides = {}): Subnet {
    return createSubnet({ name: 'web', vpc: 'vpc-a', ...overrides, cidrs: [cidr] });
  },
  /** An IPv6-only subnet. @example SubnetMother.ipv6('fd00:0:0:1::/64') */
  ipv6(cidr = 'fd00::/64', overrides: SubnetOverrides = {}): Subnet {
    return createSubnet({ name: 'web', vpc: 'vpc-a', ...overrides, cidrs: [cidr] });
  },
  /** A dual-stack subnet. @example SubnetMother.dualStack('10.0.0.0/24', 'fd00::/64') */
  dualStack(v4 = '10.0.0.0/24', v6 = 'fd00::/64', overrides: SubnetOverrides = {}): Subnet {
    return createSubnet({ name: 'web', vpc: 'vpc-a', ...overrides, cidrs: [v4, v6] });
  },
  /** The input {@link SubnetMother.ipv4} would use, for tests of `createSubnet` itself. */
  input(overrides: Partial<SubnetInput> = {}): SubnetInput {
    return { name: 'web', vpc: 'vpc-a', cidrs: ['10.0.0.0/24'], ...overrides };
  },
} as const;
