/**
 * How the firewall vocabulary maps to nft objects, as data: per zone, address set and policy, the sets (with their
 * elements) and the rules netloom keeps in its table. The renderer turns these into script lines; observe compares
 * what the device holds with them, so a rule edited by hand is noticed.
 *
 * Semantics (the firewall port's contract) and how the rules give it:
 * - **Default deny between zones**: the `forward` base chain has `policy drop`.
 * - **Stateful**: `ct state established,related accept` first, `ct state invalid drop` second.
 * - **Policies by ascending priority, first match**: each policy is one block of jumps in `forward` (one per way a
 *   packet can belong to the source zone: its input interface, its IPv4 or IPv6 source address), in priority
 *   order. The block jumps to `pol_P_dz`, which jumps to `pol_P_mt` when the packet belongs to the destination zone;
 *   `pol_P_mt` ends in the verdict. A chain that does not match returns, so the next policy is tried.
 * - **OR of address lists and sets**: `pol_P_mt` holds one rule per combination of a source alternative and a
 *   destination alternative of the same address family (the policy's own addresses, each referenced address set).
 * - **Intra-zone allowed unless a policy denies it**: after every policy, one block per zone jumps to `zone_Z_in`,
 *   which accepts traffic whose destination is in the same zone.
 * - **Legs are zone interfaces** (port API 1.2): a zone's interface set holds its `interfaces` and its legs'
 *   interfaces alike, so `iifname`/`oifname` treat them the same (the legs themselves: `nftables.legs.ts`).
 *
 * @packageDocumentation
 */
import { ipFamily, type AddressSet, type FirewallConfig, type Policy, type Zone } from '@netloom/ports';
import {
  ADDRESS_SET_KIND,
  ADDRESS_SET_PARTS,
  COMMENTS,
  FORWARD_CHAIN,
  L4PROTO,
  NAMES,
  POLICY_SET_KIND,
  ZONE_SET_KIND,
  ZONE_SET_PARTS,
  logPrefix,
  type NftMatch,
  type NftRule,
  type NftSetKind,
  type NftSetMatchKey,
  type PolicySetPart,
} from './nftables.syntax';

/** A port range as a set element (`{ from: 443, to: 443 }` is the single port 443). */
export interface PlainRange {
  readonly from: number;
  readonly to: number;
}

/** A set netloom keeps, with its elements. */
export interface NftSetSpec {
  readonly name: string;
  readonly kind: NftSetKind;
  readonly elements: readonly (string | PlainRange)[];
}

/** The addresses of one family. */
export const byFamily = (cidrs: readonly string[] | undefined, family: 4 | 6): string[] => (cidrs ?? []).filter((c) => ipFamily(c.slice(0, c.indexOf('/'))) === family);

/** The interfaces a zone's traffic comes in on and goes out of: its `interfaces` and its legs' interfaces, sorted. */
export const zoneInterfaces = (zone: Pick<Zone, 'interfaces' | 'legs'>): string[] => [...zone.interfaces, ...(zone.legs ?? []).map((l) => l.interface)].sort();

/** The three sets of a zone: its interfaces (legs included), its IPv4 and its IPv6 networks. */
export function zoneSets(zone: Zone): NftSetSpec[] {
  const elements = { if: zoneInterfaces(zone), v4: byFamily(zone.cidrs, 4), v6: byFamily(zone.cidrs, 6) };
  return ZONE_SET_PARTS.map((part) => ({ name: NAMES.zoneSet(zone.name, part), kind: ZONE_SET_KIND[part], elements: elements[part] }));
}

/** The comment of a zone's intra-zone rules: its VPC when it names one. */
export const zoneChainComment = (zone: Pick<Zone, 'name' | 'vpc'>): string => (zone.vpc === undefined ? COMMENTS.zone(zone.name) : COMMENTS.vpc(zone.vpc));

/** The rules of `zone_Z_in`: accept when the destination is in the zone too. */
export function zoneChainRules(zone: Pick<Zone, 'name' | 'vpc'>): NftRule[] {
  const chain = NAMES.zoneChain(zone.name);
  const comment = zoneChainComment(zone);
  return destinationAlternatives(zone.name).map((m) => ({ chain, matches: [m], verdict: { kind: 'accept' }, comment }));
}

/** The block in `forward` that sends a zone's traffic to its intra-zone chain. */
export function zoneForwardRules(zone: Pick<Zone, 'name'>): NftRule[] {
  const comment = COMMENTS.zone(zone.name);
  return sourceAlternatives(zone.name).map((m) => ({ chain: FORWARD_CHAIN, matches: [m], verdict: { kind: 'jump', chain: NAMES.zoneChain(zone.name) }, comment }));
}

/** The two sets of an address set. */
export function addressSetSets(set: AddressSet): NftSetSpec[] {
  const elements = { v4: byFamily(set.addresses, 4), v6: byFamily(set.addresses, 6) };
  return ADDRESS_SET_PARTS.map((part) => ({ name: NAMES.addressSet(set.name, part), kind: ADDRESS_SET_KIND[part], elements: elements[part] }));
}

/** The elements of each set a policy owns; absent parts are not created. */
export function policySetElements(p: Policy): Partial<Record<PolicySetPart, readonly (string | PlainRange)[]>> {
  const out: Partial<Record<PolicySetPart, readonly (string | PlainRange)[]>> = {};
  const put = (part: PolicySetPart, elements: readonly (string | PlainRange)[]): void => {
    if (elements.length > 0) out[part] = elements;
  };
  put('sa4', byFamily(p.sourceAddresses, 4));
  put('sa6', byFamily(p.sourceAddresses, 6));
  put('da4', byFamily(p.destinationAddresses, 4));
  put('da6', byFamily(p.destinationAddresses, 6));
  put('dpt', p.ports ?? []);
  return out;
}

// NOTE: nft merges adjacent intervals of an anonymous set and lists a one-element set as a bare value (nftables
// 1.0.6), so `{ 10.0.0.0/25, 10.0.0.128/25 }` would read back as `10.0.0.0/24`. A policy's own addresses and ports
// therefore live in named sets, which keep their elements as written.
/** The sets a policy owns (only those it uses). */
export function policySets(p: Policy): NftSetSpec[] {
  const elements = policySetElements(p);
  return (Object.keys(elements) as PolicySetPart[]).map((part) => ({ name: NAMES.policySet(p.name, part), kind: POLICY_SET_KIND[part], elements: elements[part]! }));
}

function sourceAlternatives(zone: string): NftMatch[] {
  return [
    { kind: 'set', key: 'iifname', set: NAMES.zoneSet(zone, 'if') },
    { kind: 'set', key: 'ip saddr', set: NAMES.zoneSet(zone, 'v4') },
    { kind: 'set', key: 'ip6 saddr', set: NAMES.zoneSet(zone, 'v6') },
  ];
}

function destinationAlternatives(zone: string): NftMatch[] {
  return [
    { kind: 'set', key: 'oifname', set: NAMES.zoneSet(zone, 'if') },
    { kind: 'set', key: 'ip daddr', set: NAMES.zoneSet(zone, 'v4') },
    { kind: 'set', key: 'ip6 daddr', set: NAMES.zoneSet(zone, 'v6') },
  ];
}

/** The comment every rule of a policy carries. */
export const policyComment = (p: Pick<Policy, 'name' | 'priority'>): string => COMMENTS.policy(p.name, p.priority);

/** The block in `forward` that sends traffic from the policy's source zone to its dispatch chain. */
export function policyForwardRules(p: Policy): NftRule[] {
  const comment = policyComment(p);
  return sourceAlternatives(p.srcZone).map((m) => ({ chain: FORWARD_CHAIN, matches: [m], verdict: { kind: 'jump', chain: NAMES.policyDispatch(p.name) }, comment }));
}

/** The rules of `pol_P_dz`: on to the match chain when the packet goes to the destination zone. */
export function policyDispatchRules(p: Policy): NftRule[] {
  const comment = policyComment(p);
  const chain = NAMES.policyDispatch(p.name);
  return destinationAlternatives(p.dstZone).map((m) => ({ chain, matches: [m], verdict: { kind: 'jump', chain: NAMES.policyMatch(p.name) }, comment }));
}

interface Alternative {
  readonly family: 4 | 6;
  readonly match: NftMatch;
}

function addressAlternatives(p: Policy, side: 'source' | 'destination'): Alternative[] | undefined {
  const literals = side === 'source' ? p.sourceAddresses : p.destinationAddresses;
  const sets = (side === 'source' ? p.sourceAddressSets : p.destinationAddressSets) ?? [];
  if ((literals ?? []).length === 0 && sets.length === 0) return undefined;
  const dir = side === 'source' ? 'saddr' : 'daddr';
  const key = (family: 4 | 6): NftSetMatchKey => `${family === 4 ? 'ip' : 'ip6'} ${dir}`;
  const out: Alternative[] = [];
  const own = policySetElements(p);
  const prefix = side === 'source' ? 's' : 'd';
  for (const family of [4, 6] as const) {
    const part = `${prefix}a${family}` as PolicySetPart;
    if (own[part] !== undefined) out.push({ family, match: { kind: 'set', key: key(family), set: NAMES.policySet(p.name, part) } });
  }
  for (const s of sets) {
    out.push({ family: 4, match: { kind: 'set', key: key(4), set: NAMES.addressSet(s, 'v4') } });
    out.push({ family: 6, match: { kind: 'set', key: key(6), set: NAMES.addressSet(s, 'v6') } });
  }
  return out;
}

function protocolMatches(p: Policy): NftMatch[] {
  if (p.protocol === 'any') return [];
  if (p.ports !== undefined && p.ports.length > 0 && (p.protocol === 'tcp' || p.protocol === 'udp' || p.protocol === 'sctp')) {
    return [{ kind: 'set', key: `${p.protocol} dport`, set: NAMES.policySet(p.name, 'dpt') }];
  }
  return [{ kind: 'l4proto', proto: L4PROTO[p.protocol] }];
}

/**
 * The rules of `pol_P_mt`: one per pair of a source and a destination alternative of the same family (a side
 * without addresses matches any), each with the protocol match, the log statement and the verdict. Empty when no
 * pair fits (the renderer refuses such a policy: it could never match).
 */
export function policyMatchRules(p: Policy): NftRule[] {
  const chain = NAMES.policyMatch(p.name);
  const comment = policyComment(p);
  const tail = protocolMatches(p);
  const verdict = p.action === 'allow' ? ({ kind: 'accept' } as const) : ({ kind: 'drop' } as const);
  const src: (Alternative | undefined)[] = addressAlternatives(p, 'source') ?? [undefined];
  const dst: (Alternative | undefined)[] = addressAlternatives(p, 'destination') ?? [undefined];
  const rules: NftRule[] = [];
  for (const s of src) {
    for (const d of dst) {
      if (s !== undefined && d !== undefined && s.family !== d.family) continue;
      const matches = [...(s === undefined ? [] : [s.match]), ...(d === undefined ? [] : [d.match]), ...tail];
      rules.push({ chain, matches, ...(p.log === true ? { logPrefix: logPrefix(p.name) } : {}), verdict, comment });
    }
  }
  return rules;
}

/** The first rules of `forward`: replies pass, invalid packets drop. */
export function baseRules(): NftRule[] {
  return [
    { chain: FORWARD_CHAIN, matches: [{ kind: 'ctstate', states: ['established', 'related'] }], verdict: { kind: 'accept' }, comment: COMMENTS.base },
    { chain: FORWARD_CHAIN, matches: [{ kind: 'ctstate', states: ['invalid'] }], verdict: { kind: 'drop' }, comment: COMMENTS.base },
  ];
}

/** Policies by ascending priority (ties, which a valid config cannot have, by name). */
export function policiesInOrder(config: Pick<FirewallConfig, 'policy'>): Policy[] {
  return Object.values(config.policy).sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Zones by name. */
export function zonesInOrder(config: Pick<FirewallConfig, 'zone'>): Zone[] {
  return Object.values(config.zone).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every rule of `forward` for a config: base rules, policy blocks by priority, then zone blocks by name. */
export function forwardRules(config: Pick<FirewallConfig, 'policy' | 'zone'>): NftRule[] {
  return [...baseRules(), ...policiesInOrder(config).flatMap(policyForwardRules), ...zonesInOrder(config).flatMap(zoneForwardRules)];
}
