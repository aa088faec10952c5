/**
 * The firewall port: a virtual firewall (VFW) as netloom sees it — zones per VPC, named address sets, and policies
 * between zones. Adapters: nftables (Linux VNF over SSH or a local netns), fake; vendor firewalls later.
 *
 * Vocabulary (a {@link FirewallConfig}):
 *
 * | kind | key | what it is |
 * |---|---|---|
 * | `zone` | `name` | a security zone, normally one per VPC: the interfaces, legs (port API 1.2) and CIDRs whose traffic belongs to it |
 * | `addressSet` | `name` | a named set of CIDRs policies can match |
 * | `policy` | `name` | a rule from one zone to another: match (addresses, protocol, ports) → allow or deny |
 *
 * **Semantics every adapter must give (the port's contract):**
 * - **Default deny between zones.** Traffic from one zone to a different zone is dropped unless a policy allows it.
 *   Traffic within one zone is allowed (a VPC talks to itself) unless a policy with `srcZone === dstZone` denies it.
 *   Traffic of connections already allowed (replies) passes: policies are stateful.
 * - **Order.** Policies are evaluated by ascending `priority` (unique per device); the first match decides.
 * - **Matching.** Absent or empty address fields match any address; the address lists and the address sets of one
 *   side are alternatives (OR); `ports` only with tcp/udp/sctp (absent: all ports).
 *
 * Creates run in {@link FIREWALL_KIND_ORDER} (`zone`, `addressSet`, `policy`), deletes in reverse. References
 * resolve within the config. An interface or CIDR belongs to one zone only.
 *
 * @example
 * const desired: FirewallConfigInput = {
 *   zone: { 'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', vpc: 'shop', interfaces: ['vlan100'], cidrs: ['10.1.0.0/16'] },
 *           'vpc-pay':  { key: 'vpc-pay', name: 'vpc-pay', vpc: 'pay', interfaces: ['vlan200'], cidrs: ['10.2.0.0/16'] } },
 *   addressSet: { 'pay-api': { key: 'pay-api', name: 'pay-api', addresses: ['10.2.1.0/24'] } },
 *   policy: { 'shop-to-pay': { key: 'shop-to-pay', name: 'shop-to-pay', priority: 100, srcZone: 'vpc-shop',
 *     dstZone: 'vpc-pay', destinationAddressSets: ['pay-api'], protocol: 'tcp', ports: [{ from: 443, to: 443 }],
 *     action: 'allow' } },
 * };
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { type CheckProblem, intInRange, keyedRecord, setOf, struct, withChecks } from './codec';
import type { CapabilityName } from './capabilities';
import type { DeviceDriver, DeviceSession } from './device.port';
import { CidrCodec, InterfaceNameCodec, Ipv4InterfaceAddressCodec, PROTOCOLS_WITH_PORTS, PortRangeCodec, RuleProtocolCodec, SafeNameCodec, VlanCodec } from './values';
import { type DeviceVocabulary, type PartialConfig, emptyConfig } from './vocabulary';

/**
 * A leg of the firewall (port API 1.2, capability `legs`): its own interface `interface` in one of the zone's
 * segments, carried as VLAN `vlan` of its trunk `uplink` (plugged into a leaf port that binds the VLAN to the
 * segment), with address `address` (prefix length = the segment's subnet). The firewall routes between its legs, so
 * VRFs that route a peer's prefixes to a leg (ADR 0013) send the peering's traffic through the policies. A leg's
 * interface belongs to its zone like the zone's `interfaces`.
 *
 * @example { interface: 'fw101', uplink: 'eth1', vlan: 101, address: '10.60.1.250/24' }
 */
export const LegCodec = struct('Leg', { interface: InterfaceNameCodec, uplink: InterfaceNameCodec, vlan: VlanCodec, address: Ipv4InterfaceAddressCodec });
/** A firewall leg. See {@link LegCodec}. */
export type Leg = t.TypeOf<typeof LegCodec>;

/**
 * A zone (normally one per VPC). Key: `name`. At least one interface or CIDR.
 * @example { key: 'vpc-shop', name: 'vpc-shop', vpc: 'shop', interfaces: ['vlan100'], cidrs: ['10.1.0.0/16'] }
 */
export const ZoneCodec = withChecks(
  struct('Zone', { key: t.string, name: SafeNameCodec, interfaces: setOf(InterfaceNameCodec), cidrs: setOf(CidrCodec) }, { vpc: SafeNameCodec, legs: setOf(LegCodec, { minItems: 1 }) }),
  (z): CheckProblem[] => (z.interfaces.length + z.cidrs.length + (z.legs?.length ?? 0) === 0 ? [{ path: [], message: 'needs at least one interface, leg or CIDR' }] : []),
);
/** A zone. */
export type Zone = t.TypeOf<typeof ZoneCodec>;

/**
 * A named address set. Key: `name`. At least one CIDR (a host is `/32` or `/128`).
 * @example { key: 'pay-api', name: 'pay-api', addresses: ['10.2.1.0/24', '10.2.9.7/32'] }
 */
export const AddressSetCodec = struct('AddressSet', { key: t.string, name: SafeNameCodec, addresses: setOf(CidrCodec, { minItems: 1 }) });
/** An address set. */
export type AddressSet = t.TypeOf<typeof AddressSetCodec>;

/** A policy's priority: 1..65535, lower first, unique per device. */
export const PolicyPriorityCodec = intInRange('PolicyPriority', 1, 65535);

/** What a policy does with matching traffic. */
export const PolicyActionCodec = t.keyof({ allow: null, deny: null }, '"allow" | "deny"');
/** What a policy does with matching traffic. */
export type PolicyAction = t.TypeOf<typeof PolicyActionCodec>;

/**
 * A policy from `srcZone` to `dstZone`. Key: `name`.
 * @example { key: 'shop-to-pay', name: 'shop-to-pay', priority: 100, srcZone: 'vpc-shop', dstZone: 'vpc-pay',
 *            destinationAddressSets: ['pay-api'], protocol: 'tcp', ports: [{ from: 443, to: 443 }], action: 'allow' }
 */
export const PolicyCodec = withChecks(
  struct(
    'Policy',
    { key: t.string, name: SafeNameCodec, priority: PolicyPriorityCodec, srcZone: SafeNameCodec, dstZone: SafeNameCodec, protocol: RuleProtocolCodec, action: PolicyActionCodec },
    {
      sourceAddresses: setOf(CidrCodec),
      sourceAddressSets: setOf(SafeNameCodec),
      destinationAddresses: setOf(CidrCodec),
      destinationAddressSets: setOf(SafeNameCodec),
      ports: setOf(PortRangeCodec, { minItems: 1 }),
      log: t.boolean,
    },
  ),
  (p): CheckProblem[] =>
    p.ports !== undefined && !PROTOCOLS_WITH_PORTS.includes(p.protocol) ? [{ path: ['ports'], message: `ports need protocol tcp, udp or sctp (not ${p.protocol})` }] : [],
);
/** A policy. */
export type Policy = t.TypeOf<typeof PolicyCodec>;

const nameKey = (o: { readonly name: string }): string => o.name;

function firewallReferences(c: { readonly zone: Readonly<Record<string, Zone>>; readonly addressSet: Readonly<Record<string, AddressSet>>; readonly policy: Readonly<Record<string, Policy>> }): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const ifaces = new Map<string, string>();
  const cidrs = new Map<string, string>();
  const legVlans = new Map<string, string>();
  for (const [k, z] of Object.entries(c.zone)) {
    z.interfaces.forEach((i, n) => {
      const other = ifaces.get(i);
      if (other !== undefined) problems.push({ path: ['zone', { key: k }, 'interfaces', n], value: i, message: `${i} is also in zone ${JSON.stringify(other)}` });
      else ifaces.set(i, k);
    });
    (z.legs ?? []).forEach((l, n) => {
      const other = ifaces.get(l.interface);
      if (other !== undefined) problems.push({ path: ['zone', { key: k }, 'legs', n, 'interface'], value: l.interface, message: `${l.interface} is also in zone ${JSON.stringify(other)}` });
      else ifaces.set(l.interface, k);
      const tag = `${l.uplink}.${l.vlan}`;
      const clash = legVlans.get(tag);
      if (clash !== undefined) problems.push({ path: ['zone', { key: k }, 'legs', n, 'vlan'], value: l.vlan, message: `VLAN ${l.vlan} of ${l.uplink} is also the leg ${JSON.stringify(clash)}` });
      else legVlans.set(tag, l.interface);
    });
    z.cidrs.forEach((x, n) => {
      const other = cidrs.get(x);
      if (other !== undefined) problems.push({ path: ['zone', { key: k }, 'cidrs', n], value: x, message: `${x} is also in zone ${JSON.stringify(other)}` });
      else cidrs.set(x, k);
    });
  }
  const priorities = new Map<number, string>();
  for (const [k, p] of Object.entries(c.policy)) {
    for (const side of ['srcZone', 'dstZone'] as const) {
      if (c.zone[p[side]] === undefined) problems.push({ path: ['policy', { key: k }, side], value: p[side], message: `no zone ${JSON.stringify(p[side])} in this config` });
    }
    for (const side of ['sourceAddressSets', 'destinationAddressSets'] as const) {
      (p[side] ?? []).forEach((s, n) => {
        if (c.addressSet[s] === undefined) problems.push({ path: ['policy', { key: k }, side, n], value: s, message: `no addressSet ${JSON.stringify(s)} in this config` });
      });
    }
    const other = priorities.get(p.priority);
    if (other !== undefined) problems.push({ path: ['policy', { key: k }, 'priority'], value: p.priority, message: `${p.priority} is also the priority of policy ${JSON.stringify(other)}` });
    else priorities.set(p.priority, k);
  }
  return problems;
}

/** A firewall config: every kind present, keys derived, references resolved, priorities unique, sets sorted. */
export const FirewallConfigCodec = withChecks(
  struct('FirewallConfig', {
    zone: keyedRecord('zone', ZoneCodec, nameKey, 'its name'),
    addressSet: keyedRecord('addressSet', AddressSetCodec, nameKey, 'its name'),
    policy: keyedRecord('policy', PolicyCodec, nameKey, 'its name'),
  }),
  firewallReferences,
);
/** A validated firewall config. */
export type FirewallConfig = t.TypeOf<typeof FirewallConfigCodec>;
/** A firewall config before validation. */
export type FirewallConfigInput = t.OutputOf<typeof FirewallConfigCodec>;
/** A firewall object kind. */
export type FirewallKind = keyof FirewallConfig & string;

/** The firewall kinds in create order; deletes run in reverse. */
export const FIREWALL_KIND_ORDER = ['zone', 'addressSet', 'policy'] as const satisfies readonly FirewallKind[];

/** The capability each firewall kind needs. */
export const FIREWALL_KIND_CAPABILITY = { zone: 'zones', addressSet: 'addressSets', policy: 'policies' } as const satisfies {
  readonly [K in FirewallKind]: CapabilityName<'firewall'>;
};

/** A firewall config with every kind empty. */
export function emptyFirewallConfig(): FirewallConfig {
  return emptyConfig<FirewallConfig>(FIREWALL_KIND_ORDER);
}

/** Every firewall capability a config uses (kinds present, `addressSets` for policies that reference sets, `legs` for zones with legs). */
export function firewallCapabilitiesUsed(config: PartialConfig<FirewallConfig>): CapabilityName<'firewall'>[] {
  const used = new Set<CapabilityName<'firewall'>>();
  for (const kind of FIREWALL_KIND_ORDER) if (Object.keys(config[kind] ?? {}).length > 0) used.add(FIREWALL_KIND_CAPABILITY[kind]);
  if (Object.values(config.zone ?? {}).some((z) => (z.legs?.length ?? 0) > 0)) used.add('legs');
  for (const p of Object.values(config.policy ?? {})) {
    if ((p.sourceAddressSets?.length ?? 0) + (p.destinationAddressSets?.length ?? 0) > 0) used.add('addressSets');
  }
  return [...used].sort();
}

/** The firewall vocabulary as data. */
export const firewallVocabulary: DeviceVocabulary<'firewall', FirewallConfig, FirewallConfigInput> = {
  port: 'firewall',
  order: FIREWALL_KIND_ORDER,
  configCodec: FirewallConfigCodec,
  kindCapability: FIREWALL_KIND_CAPABILITY,
  capabilitiesUsed: firewallCapabilitiesUsed,
  empty: emptyFirewallConfig,
};

/** A session with one firewall. */
export type FirewallSession = DeviceSession<FirewallConfig>;
/** A firewall port implementation for one firewall (what an adapter's `ports.firewall` factory returns). */
export type FirewallDriver = DeviceDriver<FirewallConfig>;

// --- keys by kind (additive: generic tools recompute keys for every kind) -------------------------------------------

/**
 * How each firewall kind derives its key from an object's identity fields: the functions the config codec checks keys
 * with. Typed over every kind, so a new kind does not compile without its key function.
 */
export const FIREWALL_KIND_KEY: { readonly [K in FirewallKind]: (object: FirewallConfig[K][string]) => string } = {
  zone: nameKey,
  addressSet: nameKey,
  policy: nameKey,
};

/**
 * The key of a firewall object of `kind`, derived from its identity fields as the config codec derives it, or
 * undefined when `kind` is not a firewall kind. It reads the identity fields only and validates nothing, so it
 * recomputes the key of an edited object before the object is decoded (a fuzzer, an editor, a migration).
 *
 * @example firewallKeyOf('zone', { name: 'vpc-shop' }) // 'vpc-shop'
 */
export function firewallKeyOf(kind: string, object: Readonly<Record<string, unknown>>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(FIREWALL_KIND_KEY, kind)) return undefined;
  // The caller vouches for nothing but the kind: the key functions only read the identity fields.
  const derive = (FIREWALL_KIND_KEY as unknown as Readonly<Record<string, (o: Readonly<Record<string, unknown>>) => string>>)[kind];
  return derive?.(object);
}
