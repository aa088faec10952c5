/**
 * Object mother for endpoints: an endpoint with valid addresses in a given subnet.
 * @packageDocumentation
 */
import { createEndpoint, type Endpoint, type EndpointInput } from '../endpoint.model';
import { formatIp, ipFromBigint, parseCidr, parseIp } from '../ip';
import { subnetFamilies, type Subnet } from '../subnet.model';

/** Options of {@link EndpointMother.inSubnet}: `index` picks the address; the rest overrides fields. */
export type EndpointOptions = Partial<EndpointInput> & {
  /** 0-based host index: the endpoint gets the (index+1)-th usable address of each family (default 0). */
  readonly index?: number;
};

/**
 * The `index`-th (0-based) address of the subnet family that is neither the network address nor the gateway, as
 * canonical text. Deterministic, so tests can predict it: in `10.0.0.0/24` with gateway `10.0.0.1`, index 0 is
 * `10.0.0.2`.
 */
export function nthHostAddress(cidrText: string, gateway: string, index: number): string {
  const cidr = parseCidr(cidrText);
  const gw = parseIp(gateway).value;
  let v = cidr.network + 1n;
  for (let skipped = 0; ; v++) {
    if (v === gw) continue;
    if (skipped === index) break;
    skipped++;
  }
  return formatIp(ipFromBigint(cidr.family, v));
}

/** A locally administered unicast MAC derived from a number: 02:00:00:xx:xx:xx. */
export function macFor(n: number): string {
  const hex = (n & 0xffffff).toString(16).padStart(6, '0');
  return `02:00:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

/** Builds valid {@link Endpoint}s. */
export const EndpointMother = {
  /**
   * An endpoint in `subnet` (one address per family of the subnet), on node `node-1`, id `<subnet>-ep-<index>`,
   * MAC derived from the index. Override anything with `opts`.
   * @example EndpointMother.inSubnet(SubnetMother.ipv4('10.0.0.0/24'), { index: 3, node: 'node-2', vlan: 100 })
   */
  inSubnet(subnet: Subnet, opts: EndpointOptions = {}): Endpoint {
    const { index = 0, ...overrides } = opts;
    return createEndpoint({
      id: `${subnet.name}-ep-${index}`,
      vpc: subnet.vpc,
      subnet: subnet.name,
      node: 'node-1',
      ips: subnetFamilies(subnet).map((f) => nthHostAddress(f.cidr, f.gateway, index)),
      mac: macFor(index + 1),
      ...overrides,
    });
  },
} as const;
