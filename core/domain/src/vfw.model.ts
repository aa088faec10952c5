/**
 * VFW (virtual firewall): north-south and east-west policy between VPCs. Each VPC is one zone; policies allow or
 * deny traffic from one zone to another. Traffic between zones that no policy allows is denied (default deny
 * between VPCs).
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { createTrafficMatch, type TrafficMatch, type TrafficMatchInput } from './traffic-match';
import { checkArray, checkEnum, checkInteger, checkName, checkObject, sealModel, violation, type Where } from './validation.helpers';

/** Smallest policy priority. */
export const VFW_PRIORITY_MIN = 1;
/** Largest policy priority. */
export const VFW_PRIORITY_MAX = 65_535;

/** A firewall zone: the VFW's view of one VPC. */
export interface VfwZone {
  /** Zone name, unique within the VFW (safe name; it reaches the firewall). */
  readonly name: string;
  /** The VPC this zone stands for; one zone per VPC within a VFW. */
  readonly vpc: string;
}

/** What a policy does with matching traffic. */
export type VfwAction = 'allow' | 'deny';

/** A firewall policy: traffic from `srcZone` to `dstZone` matching `match` is allowed or denied. */
export interface VfwPolicy {
  /** Policy name, unique within the VFW (safe name). */
  readonly name: string;
  /** Source zone (a zone of this VFW). */
  readonly srcZone: string;
  /** Destination zone (a zone of this VFW; may equal `srcZone`). */
  readonly dstZone: string;
  /** Protocol and destination ports. */
  readonly match: TrafficMatch;
  /** `allow` or `deny`. */
  readonly action: VfwAction;
  /**
   * Evaluation order, 1..65535: lower numbers are evaluated first and the first matching policy wins. Unique within
   * the VFW, so the order never depends on list position.
   */
  readonly priority: number;
}

/** A virtual firewall. */
export interface Vfw {
  /** Unique VFW name (safe name). */
  readonly name: string;
  /** Zones, one per VPC. */
  readonly zones: readonly VfwZone[];
  /** Policies, in the order given (evaluation order is by `priority`). */
  readonly policies: readonly VfwPolicy[];
}

/** Input of {@link createVfw}. */
export interface VfwInput {
  readonly name: string;
  readonly zones?: readonly VfwZone[];
  readonly policies?: readonly {
    readonly name: string;
    readonly srcZone: string;
    readonly dstZone: string;
    readonly match: TrafficMatchInput;
    readonly action: VfwAction;
    readonly priority: number;
  }[];
}

/**
 * Validates a VFW's own invariants and returns a frozen VFW.
 * @throws InvariantError `name-invalid`; `duplicate` (two zones with one name or one VPC, two policies with one
 *   name or one priority, overlapping port ranges); `reference-missing` (a policy names a zone the VFW does not
 *   have); `value-invalid` (action, priority, protocol, ports with icmp/any); `port-range`; `range-invalid`.
 * @example createVfw({ name: 'fw', zones: [{ name: 'shop', vpc: 'shop' }, { name: 'pay', vpc: 'pay' }],
 *   policies: [{ name: 'shop-to-pay-https', srcZone: 'shop', dstZone: 'pay',
 *     match: { protocol: 'tcp', ports: [443] }, action: 'allow', priority: 100 }] })
 */
export function createVfw(input: VfwInput): Vfw {
  const raw = checkObject(input, { kind: 'VFW' });
  const name = checkName(raw['name'], { kind: 'VFW' }, 'name');
  const where: Where = { kind: 'VFW', name };
  const zoneNames = new Set<string>();
  const zoneVpcs = new Map<string, string>();
  const zones = checkArray(raw['zones'], where, 'zones').map((z, i): VfwZone => {
    const field = `zones[${i}]`;
    const zone = checkObject(z, { kind: `VFW "${name}" ${field}` });
    const zoneName = checkName(zone['name'], where, `${field}.name`);
    const vpc = checkName(zone['vpc'], where, `${field}.vpc`);
    if (zoneNames.has(zoneName)) throw violation(Invariant.DUPLICATE, where, `has two zones named ${JSON.stringify(zoneName)}`, { field, value: zoneName });
    const other = zoneVpcs.get(vpc);
    if (other !== undefined) {
      throw violation(Invariant.DUPLICATE, where, `zones ${JSON.stringify(other)} and ${JSON.stringify(zoneName)} both stand for VPC ${JSON.stringify(vpc)}; one zone per VPC`, {
        field,
        value: vpc,
      });
    }
    zoneNames.add(zoneName);
    zoneVpcs.set(vpc, zoneName);
    return { name: zoneName, vpc };
  });
  const policyNames = new Set<string>();
  const priorities = new Map<number, string>();
  const policies = checkArray(raw['policies'], where, 'policies').map((p, i): VfwPolicy => {
    const field = `policies[${i}]`;
    const policy = checkObject(p, { kind: `VFW "${name}" ${field}` });
    const policyName = checkName(policy['name'], where, `${field}.name`);
    if (policyNames.has(policyName)) {
      throw violation(Invariant.DUPLICATE, where, `has two policies named ${JSON.stringify(policyName)}`, { field, value: policyName });
    }
    policyNames.add(policyName);
    const zone = (key: 'srcZone' | 'dstZone'): string => {
      const z = checkName(policy[key], where, `${field}.${key}`);
      if (!zoneNames.has(z)) {
        throw violation(Invariant.REFERENCE_MISSING, where, `policy ${JSON.stringify(policyName)} ${key} ${JSON.stringify(z)} is not a zone of this VFW`, {
          field: `${field}.${key}`,
          value: z,
        });
      }
      return z;
    };
    const srcZone = zone('srcZone');
    const dstZone = zone('dstZone');
    const priority = checkInteger(policy['priority'], where, `${field}.priority`, VFW_PRIORITY_MIN, VFW_PRIORITY_MAX);
    const samePriority = priorities.get(priority);
    if (samePriority !== undefined) {
      throw violation(Invariant.DUPLICATE, where, `policies ${JSON.stringify(samePriority)} and ${JSON.stringify(policyName)} both have priority ${priority}`, {
        field: `${field}.priority`,
        value: priority,
      });
    }
    priorities.set(priority, policyName);
    return {
      name: policyName,
      srcZone,
      dstZone,
      match: createTrafficMatch(policy['match'] as TrafficMatchInput, where, `${field}.match`),
      action: checkEnum<VfwAction>(policy['action'], ['allow', 'deny'], where, `${field}.action`),
      priority,
    };
  });
  return sealModel({ name, zones, policies });
}
