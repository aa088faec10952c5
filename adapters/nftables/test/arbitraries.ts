// fast-check arbitraries of firewall configs nftables can hold exactly: names from small pools (so that successive
// configs share objects and exercise updates), members from disjoint pools (no interface or CIDR in two zones, no
// overlapping prefixes or port ranges in one set).
import * as fc from 'fast-check';
import { FirewallConfigCodec, decodeOrThrow, type FirewallConfig, type FirewallConfigInput } from '@netloom/ports';
import { normalizeConfig, renderableProblems } from '@netloom/adapter-nftables';

const ZONES = ['a', 'b-1', 'c.x', '9z'] as const;
const SETS = ['s1', 'api_2'] as const;
const POLICIES = ['p1', 'p-2', '3p'] as const;
const PROTOCOLS = ['any', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6'] as const;
const PORTS = [{ from: 22, to: 22 }, { from: 80, to: 80 }, { from: 443, to: 443 }, { from: 1000, to: 2000 }, { from: 8080, to: 8081 }];

const subsetOf = <T>(items: readonly T[], min = 0): fc.Arbitrary<T[]> => fc.subarray([...items], { minLength: min });

const zoneMembers = (k: number) => ({
  interfaces: [0, 1, 2].map((j) => `e${k}v${j}`),
  cidrs: [`10.${k}.1.0/24`, `10.${k}.2.0/24`, `10.${k}.3.7/32`, `fd0${k}:1::/64`, `fd0${k}:2::9/128`],
});

/** A valid, renderable firewall config (decoded and normalised). */
export const firewallConfigArb: fc.Arbitrary<FirewallConfig> = fc
  .record({
    zones: subsetOf(ZONES.map((name, k) => ({ name, k }))),
    sets: subsetOf(SETS),
    zoneParts: fc.array(fc.record({ interfaces: subsetOf([0, 1, 2]), cidrs: subsetOf([0, 1, 2, 3, 4]), vpc: fc.option(fc.constantFrom('shop', 'pay'), { nil: undefined }) }), { minLength: 4, maxLength: 4 }),
    setParts: fc.array(subsetOf(['192.168.1.0/24', '192.168.2.0/24', '172.16.0.9/32', '2001:db8:1::/48', '2001:db8:2::/48'], 1), { minLength: 2, maxLength: 2 }),
    policies: subsetOf(POLICIES),
    priorities: fc.shuffledSubarray([10, 20, 30, 40, 50], { minLength: 3, maxLength: 3 }),
    policyParts: fc.array(
      fc.record({
        src: fc.nat(),
        dst: fc.nat(),
        protocol: fc.constantFrom(...PROTOCOLS),
        ports: fc.option(subsetOf(PORTS, 1), { nil: undefined }),
        sourceAddresses: fc.option(subsetOf(['10.200.0.0/16', '10.201.1.1/32', 'fd99::/64'], 1), { nil: undefined }),
        destinationAddresses: fc.option(subsetOf(['10.202.0.0/16', 'fd98::1/128'], 1), { nil: undefined }),
        sourceSets: fc.array(fc.nat(), { maxLength: 2 }),
        destinationSets: fc.array(fc.nat(), { maxLength: 2 }),
        action: fc.constantFrom('allow', 'deny'),
        log: fc.option(fc.boolean(), { nil: undefined }),
      }),
      { minLength: 3, maxLength: 3 },
    ),
  })
  .map((r) => {
    const input: { zone: Record<string, unknown>; addressSet: Record<string, unknown>; policy: Record<string, unknown> } = { zone: {}, addressSet: {}, policy: {} };
    for (const { name, k } of r.zones) {
      const parts = r.zoneParts[k]!;
      const pool = zoneMembers(k);
      const interfaces = parts.interfaces.map((j) => pool.interfaces[j]!);
      const cidrs = parts.cidrs.map((j) => pool.cidrs[j]!);
      if (interfaces.length + cidrs.length === 0) interfaces.push(pool.interfaces[0]!);
      input.zone[name] = { key: name, name, interfaces, cidrs, ...(parts.vpc === undefined ? {} : { vpc: parts.vpc }) };
    }
    r.sets.forEach((name, i) => (input.addressSet[name] = { key: name, name, addresses: r.setParts[i]! }));
    const zoneNames = r.zones.map((z) => z.name);
    if (zoneNames.length > 0) {
      r.policies.forEach((name, i) => {
        const p = r.policyParts[i]!;
        const withPorts = p.protocol === 'tcp' || p.protocol === 'udp' || p.protocol === 'sctp';
        const pick = (ns: number[]) => [...new Set(ns.filter(() => r.sets.length > 0).map((n) => r.sets[n % r.sets.length]!))];
        input.policy[name] = {
          key: name,
          name,
          priority: r.priorities[i]!,
          srcZone: zoneNames[p.src % zoneNames.length]!,
          dstZone: zoneNames[p.dst % zoneNames.length]!,
          protocol: p.protocol,
          action: p.action,
          ...(withPorts && p.ports !== undefined ? { ports: p.ports } : {}),
          ...(p.sourceAddresses === undefined ? {} : { sourceAddresses: p.sourceAddresses }),
          ...(p.destinationAddresses === undefined ? {} : { destinationAddresses: p.destinationAddresses }),
          ...(pick(p.sourceSets).length > 0 ? { sourceAddressSets: pick(p.sourceSets) } : {}),
          ...(pick(p.destinationSets).length > 0 ? { destinationAddressSets: pick(p.destinationSets) } : {}),
          ...(p.log === undefined ? {} : { log: p.log }),
        };
      });
    }
    return normalizeConfig(decodeOrThrow(FirewallConfigCodec, input as FirewallConfigInput, 'generated firewall config'));
  })
  .filter((c) => renderableProblems(c).length === 0);
