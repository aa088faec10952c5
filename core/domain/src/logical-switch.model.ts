/**
 * LS (logical switch): the L2 segment of one subnet. On an EVPN fabric it is a MAC-VRF / bridge domain with an L2
 * VNI and the subnet's anycast gateway; on a node it is the VLAN (per host) or tunnel key the subnet's ports use.
 * @packageDocumentation
 */
import { assertVni } from './primitives';
import { checkName, checkObject, sealModel, within, type Where } from './validation.helpers';

/** A logical switch. Exactly one LS per subnet (checked by `checkNetwork`). */
export interface LogicalSwitch {
  /** Unique LS name (safe name; names the bridge domain / segment on devices). */
  readonly name: string;
  /** Name of the VPC; must equal the subnet's VPC. */
  readonly vpc: string;
  /** Name of the subnet this LS carries. */
  readonly subnet: string;
  /**
   * L2 VXLAN network identifier, 1..16777215. Unique across the fabric, and distinct from every L3 VNI
   * (checked by `checkNetwork`).
   */
  readonly l2Vni: number;
}

/** Input of {@link createLogicalSwitch}. */
export interface LogicalSwitchInput {
  readonly name: string;
  readonly vpc: string;
  readonly subnet: string;
  readonly l2Vni: number;
}

/**
 * Validates an LS's own invariants and returns a frozen LS.
 * @throws InvariantError `name-invalid` (name, vpc, subnet), `vni-range` (l2Vni).
 * @example createLogicalSwitch({ name: 'web', vpc: 'shop', subnet: 'web', l2Vni: 10100 })
 */
export function createLogicalSwitch(input: LogicalSwitchInput): LogicalSwitch {
  const raw = checkObject(input, { kind: 'LS' });
  const name = checkName(raw['name'], { kind: 'LS' }, 'name');
  const where: Where = { kind: 'LS', name };
  const vpc = checkName(raw['vpc'], where, 'vpc');
  const subnet = checkName(raw['subnet'], where, 'subnet');
  const l2Vni = raw['l2Vni'];
  within(where, 'l2Vni', () => assertVni(l2Vni, 'L2 VNI'));
  return sealModel({ name, vpc, subnet, l2Vni: l2Vni as number });
}
