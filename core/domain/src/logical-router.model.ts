/**
 * LR (logical router): the distributed router of one VPC. On an EVPN fabric it is the VPC's IP-VRF with an L3 VNI
 * (symmetric IRB); it routes between the VPC's subnets at the anycast gateways and holds the VPC's static routes.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { assertVni } from './primitives';
import { checkArray, checkCidr, checkIp, checkName, checkObject, sealModel, familyName, violation, within, type Where } from './validation.helpers';

/** A static route of an LR. */
export interface StaticRoute {
  /** Destination block, canonical CIDR text (host bits zero); `0.0.0.0/0` / `::/0` for a default route. */
  readonly destination: string;
  /** Next-hop address, canonical text, of the same family as `destination`. */
  readonly nextHop: string;
}

/** A logical router. At most one LR per VPC (checked by `checkNetwork`). */
export interface LogicalRouter {
  /** Unique LR name (safe name; names the VRF on devices). */
  readonly name: string;
  /** Name of the VPC this LR routes for. */
  readonly vpc: string;
  /**
   * L3 VXLAN network identifier, 1..16777215. Unique across the fabric and distinct from every L2 VNI (checked by
   * `checkNetwork`).
   */
  readonly l3Vni: number;
  /** Static routes; destinations are unique within the LR. */
  readonly staticRoutes: readonly StaticRoute[];
}

/** Input of {@link createLogicalRouter}; addresses in any valid text form. */
export interface LogicalRouterInput {
  readonly name: string;
  readonly vpc: string;
  readonly l3Vni: number;
  readonly staticRoutes?: readonly { readonly destination: string; readonly nextHop: string }[];
}

/**
 * Validates an LR's own invariants and returns a frozen LR with canonical routes.
 * @throws InvariantError `name-invalid`, `vni-range` (l3Vni), `cidr-invalid` / `ip-invalid` (a route),
 *   `family-mismatch` (destination and next hop of different families), `duplicate` (two routes to one destination).
 * @example createLogicalRouter({ name: 'shop', vpc: 'shop', l3Vni: 50001,
 *   staticRoutes: [{ destination: '0.0.0.0/0', nextHop: '10.255.0.1' }] })
 */
export function createLogicalRouter(input: LogicalRouterInput): LogicalRouter {
  const raw = checkObject(input, { kind: 'LR' });
  const name = checkName(raw['name'], { kind: 'LR' }, 'name');
  const where: Where = { kind: 'LR', name };
  const vpc = checkName(raw['vpc'], where, 'vpc');
  const l3Vni = raw['l3Vni'];
  within(where, 'l3Vni', () => assertVni(l3Vni, 'L3 VNI'));
  const seen = new Set<string>();
  const staticRoutes = checkArray(raw['staticRoutes'], where, 'staticRoutes').map((r, i): StaticRoute => {
    const field = `staticRoutes[${i}]`;
    const route = checkObject(r, { kind: `LR "${name}" ${field}` });
    const dest = checkCidr(route['destination'], where, `${field}.destination`);
    const hop = checkIp(route['nextHop'], where, `${field}.nextHop`);
    if (dest.cidr.family !== hop.ip.family) {
      throw violation(
        Invariant.FAMILY_MISMATCH,
        where,
        `route to ${dest.text} has ${familyName(hop.ip.family)} next hop ${hop.text}; it must be ${familyName(dest.cidr.family)}`,
        { field, value: { destination: dest.text, nextHop: hop.text } },
      );
    }
    if (seen.has(dest.text)) {
      throw violation(Invariant.DUPLICATE, where, `has two static routes to ${dest.text}`, { field, value: dest.text });
    }
    seen.add(dest.text);
    return { destination: dest.text, nextHop: hop.text };
  });
  return sealModel({ name, vpc, l3Vni: l3Vni as number, staticRoutes });
}
