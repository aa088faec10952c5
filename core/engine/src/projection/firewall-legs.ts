/**
 * Where peered traffic passes the VFW (ADR 0013): the one rule the intent compiler (which allocates each leg's VLAN
 * and address) and the projection (which turns legs into firewall, leaf and VRF objects) share.
 *
 * A firewall of `settings.topology.firewalls` (device role `firewall`, plugged into a leaf that switches: its
 * adapter declares `l2Segment` and `accessBinding`) gets a *leg* in every logical switch its leaf carries of every
 * VPC that takes part in a peering, as long as the subnet has an IPv4 range. Legs of VPCs whose IPv4 ranges overlap
 * a VPC served earlier (by name) are left out: one firewall routes between its legs in one table. The projection
 * then steers a peering A↔B through the first firewall (topology order) with legs in both VPCs.
 * @packageDocumentation
 */
import { cidrsOverlap, parseCidr, subnetFamilies, type NetworkState } from '@netloom/domain';
import type { DeviceSettings } from '@netloom/ports';
import type { EngineSettings } from '../pipeline/pipeline.types';
import { cmp } from '../intent/intent.problems';
import { DEFAULT_UPLINK } from './device-names';
import { carriedLogicalSwitches } from './router-legs';

/** One logical switch a firewall needs a leg in. */
export interface FirewallLegNeed {
  readonly firewall: string;
  /** The leaf the firewall's trunk is plugged into, and the leaf port. */
  readonly leaf: string;
  readonly port: string;
  /** The firewall's own trunk interface. */
  readonly uplink: string;
  readonly vpc: string;
  /** The logical switch's name (the owner of the leg's VLAN) and its subnet (where the leg's address comes from). */
  readonly ls: string;
  readonly subnet: string;
}

/** A VPC a firewall does not serve because its addresses overlap another VPC's on that firewall. */
export interface FirewallOverlap {
  readonly firewall: string;
  readonly vpc: string;
  /** The VPC served instead, and the two ranges. */
  readonly other: string;
  readonly cidr: string;
  readonly otherCidr: string;
}

/**
 * The owner name of a firewall's VLANs (per-host allocator) and leg addresses (IPAM). The underscore keeps it apart
 * from Kubernetes node names and the missing `/` from pod owners (`<namespace>/<name>`).
 * @example firewallOwner('fw1') // 'firewall_fw1'
 */
export function firewallOwner(device: string): string {
  return `firewall_${device}`;
}

/**
 * The interface name of a leg: `leg<vlan>` (VLANs are unique per trunk, and a firewall has one trunk).
 * @example legInterface(101) // 'leg101'
 */
export function legInterface(vlan: number): string {
  return `leg${vlan}`;
}

function can(d: DeviceSettings, capability: string): boolean {
  return d.capabilities === undefined || d.capabilities.includes(capability);
}

/**
 * The firewalls that are usable: device of role `firewall` whose adapter declares `legs`, plugged into a leaf that
 * switches. `withoutLegs`: the firewalls of the topology left out only because their adapter has no legs.
 */
export function configuredFirewalls(settings: EngineSettings): NonNullable<EngineSettings['topology']['firewalls']> {
  return firewallsByCapability(settings).usable;
}

/** {@link configuredFirewalls}, and the topology's firewalls whose adapter declares no `legs` (with its label). */
export function firewallsByCapability(settings: EngineSettings): { usable: NonNullable<EngineSettings['topology']['firewalls']>; withoutLegs: { device: string; label: string }[] } {
  const devices = new Map(settings.devices.map((d) => [d.name, d]));
  const usable: NonNullable<EngineSettings['topology']['firewalls']>[number][] = [];
  const withoutLegs: { device: string; label: string }[] = [];
  for (const f of settings.topology.firewalls ?? []) {
    const fw = devices.get(f.device);
    const leaf = devices.get(f.leaf);
    if (fw?.role !== 'firewall' || leaf?.role !== 'leaf' || !can(leaf, 'l2Segment') || !can(leaf, 'accessBinding')) continue;
    if (can(fw, 'legs')) usable.push(f);
    else withoutLegs.push({ device: f.device, label: fw.adapter === undefined ? fw.name : `${fw.name} (${fw.adapter})` });
  }
  return { usable, withoutLegs };
}

/**
 * Every leg the firewalls need, sorted by firewall then logical switch, and the VPCs left out for overlapping
 * addresses (see the module documentation).
 * @example firewallLegNeeds(desired.network, settings).needs // [{ firewall: 'fw1', leaf: 'leaf1', port: 'Eth1/47', uplink: 'eth1', vpc: 'red', ls: 'red-web', subnet: 'red-web' }]
 */
export function firewallLegNeeds(network: NetworkState, settings: EngineSettings): { needs: FirewallLegNeed[]; overlaps: FirewallOverlap[] } {
  const peered = new Set((network.peerings ?? []).flatMap((p) => [...p.vpcs]));
  const needs: FirewallLegNeed[] = [];
  const overlaps: FirewallOverlap[] = [];
  if (peered.size === 0) return { needs, overlaps };
  const carried = carriedLogicalSwitches(network);
  const lsByName = new Map((network.logicalSwitches ?? []).map((l) => [l.name, l]));
  const subnets = new Map((network.subnets ?? []).map((s) => [s.name, s]));
  const ipv4Of = (subnet: string): string | undefined => {
    const s = subnets.get(subnet);
    return s === undefined ? undefined : subnetFamilies(s).find((f) => parseCidr(f.cidr).family === 4)?.cidr;
  };
  for (const f of configuredFirewalls(settings)) {
    // Per VPC (by name), the legs it would get here.
    const byVpc = new Map<string, { ls: string; subnet: string; cidr: string }[]>();
    for (const [lsName, vpc] of carried.get(f.leaf) ?? []) {
      if (!peered.has(vpc)) continue;
      const ls = lsByName.get(lsName);
      const cidr = ls === undefined ? undefined : ipv4Of(ls.subnet);
      if (ls === undefined || cidr === undefined) continue;
      const list = byVpc.get(vpc) ?? [];
      list.push({ ls: lsName, subnet: ls.subnet, cidr });
      byVpc.set(vpc, list);
    }
    const served: { vpc: string; cidr: string }[] = [];
    for (const vpc of [...byVpc.keys()].sort(cmp)) {
      const legs = byVpc.get(vpc)!;
      const clash = legs.flatMap((l) => served.filter((s) => cidrsOverlap(parseCidr(s.cidr), parseCidr(l.cidr))).map((s) => ({ s, l })))[0];
      if (clash !== undefined) {
        overlaps.push({ firewall: f.device, vpc, other: clash.s.vpc, cidr: clash.l.cidr, otherCidr: clash.s.cidr });
        continue;
      }
      for (const l of legs) {
        served.push({ vpc, cidr: l.cidr });
        needs.push({ firewall: f.device, leaf: f.leaf, port: f.port, uplink: f.uplink ?? DEFAULT_UPLINK, vpc, ls: l.ls, subnet: l.subnet });
      }
    }
  }
  return { needs: needs.sort((a, b) => cmp(a.firewall, b.firewall) || cmp(a.ls, b.ls)), overlaps };
}
