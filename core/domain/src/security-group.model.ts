/**
 * Security group: allow rules applied to endpoints on the node's virtual switch (from the `SecurityGroup` CR and a
 * subset of NetworkPolicy). Rules only allow; once an endpoint is in at least one group, traffic in a direction
 * that no rule of its groups allows is dropped.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { createTrafficMatch, type TrafficMatch, type TrafficMatchInput } from './traffic-match';
import { checkArray, checkCidr, checkEnum, checkName, checkObject, sealModel, violation, type Where } from './validation.helpers';

/** `ingress`: traffic to the endpoint; `egress`: traffic from the endpoint. */
export type RuleDirection = 'ingress' | 'egress';

/** The other side of a rule: addresses in a CIDR block, or the endpoints of another security group. */
export type SecurityGroupRemote = { readonly cidr: string } | { readonly group: string };

/** One allow rule. */
export interface SecurityGroupRule {
  /** `ingress` or `egress`. */
  readonly direction: RuleDirection;
  /** Protocol and destination ports. */
  readonly match: TrafficMatch;
  /**
   * The remote side: `{ cidr }` (canonical CIDR text, host bits zero) or `{ group }` (a security group that must
   * exist, checked by `checkNetwork`).
   */
  readonly remote: SecurityGroupRemote;
}

/** A security group. */
export interface SecurityGroup {
  /** Unique group name (safe name). */
  readonly name: string;
  /** The VPC whose endpoints may use this group. */
  readonly vpc: string;
  /** Allow rules; no rule twice. */
  readonly rules: readonly SecurityGroupRule[];
}

/** Input of {@link createSecurityGroup}. */
export interface SecurityGroupInput {
  readonly name: string;
  readonly vpc: string;
  readonly rules?: readonly {
    readonly direction: RuleDirection;
    readonly match: TrafficMatchInput;
    readonly remote: SecurityGroupRemote;
  }[];
}

/** True if the rule's remote side is a CIDR block. */
export function isCidrRemote(remote: SecurityGroupRemote): remote is { readonly cidr: string } {
  return 'cidr' in remote;
}

/**
 * Validates a security group and returns it frozen, with canonical CIDRs.
 * @throws InvariantError `name-invalid`; `value-invalid` (direction, remote not exactly one of cidr/group, match);
 *   `cidr-invalid`; `port-range`; `range-invalid`; `duplicate` (the same rule twice, overlapping ports).
 * @example createSecurityGroup({ name: 'web', vpc: 'shop', rules: [
 *   { direction: 'ingress', match: { protocol: 'tcp', ports: [80, 443] }, remote: { cidr: '0.0.0.0/0' } }] })
 */
export function createSecurityGroup(input: SecurityGroupInput): SecurityGroup {
  const raw = checkObject(input, { kind: 'security group' });
  const name = checkName(raw['name'], { kind: 'security group' }, 'name');
  const where: Where = { kind: 'security group', name };
  const vpc = checkName(raw['vpc'], where, 'vpc');
  const seen = new Set<string>();
  const rules = checkArray(raw['rules'], where, 'rules').map((r, i): SecurityGroupRule => {
    const field = `rules[${i}]`;
    const rule = checkObject(r, { kind: `security group "${name}" ${field}` });
    const direction = checkEnum<RuleDirection>(rule['direction'], ['ingress', 'egress'], where, `${field}.direction`);
    const match = createTrafficMatch(rule['match'] as TrafficMatchInput, where, `${field}.match`);
    const rem = rule['remote'];
    const hasCidr = typeof rem === 'object' && rem !== null && 'cidr' in rem;
    const hasGroup = typeof rem === 'object' && rem !== null && 'group' in rem;
    if (hasCidr === hasGroup) {
      throw violation(Invariant.VALUE_INVALID, where, `${field}.remote must be { cidr } or { group }, exactly one`, { field: `${field}.remote` });
    }
    const remoteObj = rem as Record<string, unknown>;
    const remote: SecurityGroupRemote = hasCidr
      ? { cidr: checkCidr(remoteObj['cidr'], where, `${field}.remote.cidr`).text }
      : { group: checkName(remoteObj['group'], where, `${field}.remote.group`) };
    const key = JSON.stringify([direction, match, remote]);
    if (seen.has(key)) throw violation(Invariant.DUPLICATE, where, `${field} repeats an earlier rule`, { field });
    seen.add(key);
    return { direction, match, remote };
  });
  return sealModel({ name, vpc, rules });
}
