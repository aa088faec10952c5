/**
 * Peering: opens traffic between two otherwise isolated VPCs (route leaking between their VRFs, or through a VRB,
 * plus a VFW policy for the allowed traffic). From the `VpcPeering` CR.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { createTrafficMatch, type TrafficMatch, type TrafficMatchInput } from './traffic-match';
import { checkArray, checkName, checkObject, sealModel, violation, type Where } from './validation.helpers';

/** A VPC peering. */
export interface Peering {
  /** Unique peering name (safe name). */
  readonly name: string;
  /** The two VPCs, different from each other. At most one peering per pair (`checkNetwork`). */
  readonly vpcs: readonly [string, string];
  /** Traffic allowed between the two (both directions); at least one match. `{ protocol: 'any' }` opens all. */
  readonly allow: readonly TrafficMatch[];
}

/** Input of {@link createPeering}. */
export interface PeeringInput {
  readonly name: string;
  readonly vpcs: readonly [string, string];
  readonly allow: readonly TrafficMatchInput[];
}

/**
 * Validates a peering and returns it frozen.
 * @throws InvariantError `name-invalid`; `value-invalid` (not exactly two VPCs, the same VPC twice, no allowed
 *   traffic, a bad match); `port-range`; `range-invalid`; `duplicate` (overlapping port ranges in one match).
 * @example createPeering({ name: 'shop-pay', vpcs: ['shop', 'pay'], allow: [{ protocol: 'tcp', ports: [443] }] })
 */
export function createPeering(input: PeeringInput): Peering {
  const raw = checkObject(input, { kind: 'peering' });
  const name = checkName(raw['name'], { kind: 'peering' }, 'name');
  const where: Where = { kind: 'peering', name };
  const vpcs = checkArray(raw['vpcs'], where, 'vpcs', false);
  if (vpcs.length !== 2) throw violation(Invariant.VALUE_INVALID, where, `vpcs must name exactly two VPCs, got ${vpcs.length}`, { field: 'vpcs' });
  const a = checkName(vpcs[0], where, 'vpcs[0]');
  const b = checkName(vpcs[1], where, 'vpcs[1]');
  if (a === b) throw violation(Invariant.VALUE_INVALID, where, `peers VPC ${JSON.stringify(a)} with itself; name two different VPCs`, { field: 'vpcs', value: a });
  const allowRaw = checkArray(raw['allow'], where, 'allow', false);
  if (allowRaw.length === 0) {
    throw violation(Invariant.VALUE_INVALID, where, "allows no traffic; give at least one match (use { protocol: 'any' } to open everything)", { field: 'allow' });
  }
  const allow = allowRaw.map((m, i) => createTrafficMatch(m as TrafficMatchInput, where, `allow[${i}]`));
  return sealModel({ name, vpcs: [a, b] as const, allow });
}
