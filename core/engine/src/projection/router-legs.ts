/**
 * Which logical switches a VPC router must route (ADR 0012): the one rule the intent compiler (which allocates each
 * leg's VLAN) and the projection (which turns the legs into router and leaf objects) share, so both always agree.
 *
 * A router of `settings.topology.routers` serves a VPC on its leaf when the leaf switches but cannot route (its
 * adapter declares `l2Segment` and `accessBinding` but not both `vrf` and `anycastGateway`) and carries segments of
 * the VPC (network-overlay endpoints behind it), and the router's `vpcs` list (absent: all) names the VPC. It then
 * gets one leg per logical switch of the VPC the leaf carries. Of several routers on one leaf that could serve a
 * VPC, the first in topology order does (two anycast gateways of one subnet on one leaf would answer twice).
 * @packageDocumentation
 */
import type { NetworkState } from '@netloom/domain';
import type { DeviceSettings } from '@netloom/ports';
import type { EngineSettings } from '../pipeline/pipeline.types';
import { cmp } from '../intent/intent.problems';
import { DEFAULT_UPLINK } from './device-names';

/** One logical switch a router routes: a VLAN of its uplink trunk, bound on the leaf port it is plugged into. */
export interface RouterLeg {
  /** The router device (inventory name). */
  readonly router: string;
  /** The leaf the router's uplink is plugged into. */
  readonly leaf: string;
  /** The leaf port of the router's uplink. */
  readonly port: string;
  /** The router's own uplink interface (the interface of its bindings). */
  readonly uplink: string;
  readonly vpc: string;
  /** The logical switch's name (the owner of the leg's VLAN on the router). */
  readonly ls: string;
}

/**
 * The owner name under which a router's VLANs are held in the per-host VLAN allocator. The underscore keeps it
 * apart from every Kubernetes node name (DNS subdomains have none), so a router never shares a node's VLAN pool.
 * @example routerVlanOwner('router1') // 'router_router1'
 */
export function routerVlanOwner(router: string): string {
  return `router_${router}`;
}

/** True if the device's adapter declares `capability` (absent list: everything). */
function can(d: DeviceSettings, capability: string): boolean {
  return d.capabilities === undefined || d.capabilities.includes(capability);
}

/**
 * True if a leaf switches (segments and bindings) but does not route: where a VPC router is needed.
 * @example needsRouter({ name: 'leaf1', role: 'leaf', capabilities: ['accessBinding', 'l2Segment'] }) // true
 */
export function needsRouter(d: DeviceSettings): boolean {
  return can(d, 'l2Segment') && can(d, 'accessBinding') && !(can(d, 'vrf') && can(d, 'anycastGateway'));
}

/**
 * The routers that are usable: their device has role `router` and their leaf is a leaf of the inventory (the
 * profile checks both; the engine ignores what does not fit).
 */
export function configuredRouters(settings: EngineSettings): NonNullable<EngineSettings['topology']['routers']> {
  const roles = new Map(settings.devices.map((d) => [d.name, d.role]));
  return (settings.topology.routers ?? []).filter((r) => roles.get(r.device) === 'router' && roles.get(r.leaf) === 'leaf');
}

/**
 * Every leg of every router, sorted by router then logical switch (see the module documentation).
 * @example routerLegs(desired.network, settings) // [{ router: 'router1', leaf: 'leaf1', port: 'Eth1/48', uplink: 'eth1', vpc: 'shop', ls: 'shop' }]
 */
export function routerLegs(network: NetworkState, settings: EngineSettings): RouterLeg[] {
  const leafs = new Map(settings.devices.filter((d) => d.role === 'leaf').map((d) => [d.name, d]));
  const carried = carriedLogicalSwitches(network);
  const out: RouterLeg[] = [];
  const taken = new Set<string>(); // `<leaf>\0<vpc>` served by an earlier router
  for (const r of configuredRouters(settings)) {
    const leaf = leafs.get(r.leaf);
    if (leaf === undefined || !needsRouter(leaf)) continue;
    const mine = new Set<string>();
    for (const [ls, vpc] of carried.get(r.leaf) ?? []) {
      if (r.vpcs !== undefined && !r.vpcs.includes(vpc)) continue;
      const key = `${r.leaf}\u0000${vpc}`;
      if (taken.has(key) && !mine.has(vpc)) continue;
      taken.add(key);
      mine.add(vpc);
      out.push({ router: r.device, leaf: r.leaf, port: r.port, uplink: r.uplink ?? DEFAULT_UPLINK, vpc, ls });
    }
  }
  return out.sort((a, b) => cmp(a.router, b.router) || cmp(a.ls, b.ls));
}

/**
 * Per leaf, the logical switches its network-overlay endpoints put on it (as the leaf projection sees them), each
 * with its VPC: what a router or a firewall plugged into that leaf can reach.
 * @example carriedLogicalSwitches(network).get('leaf1') // Map { 'shop-web' => 'shop' }
 */
export function carriedLogicalSwitches(network: NetworkState): Map<string, Map<string, string>> {
  const lsBySubnet = new Map((network.logicalSwitches ?? []).map((l) => [l.subnet, l]));
  const vpcsWithLr = new Set((network.logicalRouters ?? []).map((l) => l.vpc));
  const subnets = new Set((network.subnets ?? []).map((s) => s.name));
  const nodes = new Map((network.nodes ?? []).map((n) => [n.name, n]));
  const carried = new Map<string, Map<string, string>>(); // leaf → LS name → VPC
  for (const ep of network.endpoints ?? []) {
    const node = nodes.get(ep.node);
    const ls = lsBySubnet.get(ep.subnet);
    if (node?.overlay !== 'network' || node.leaf === undefined || ls === undefined || ep.vlan === undefined || !vpcsWithLr.has(ep.vpc) || !subnets.has(ep.subnet)) continue;
    const map = carried.get(node.leaf.leaf) ?? new Map<string, string>();
    map.set(ls.name, ls.vpc);
    carried.set(node.leaf.leaf, map);
  }
  return carried;
}
