/**
 * Projection (ARCHITECTURE §4): the desired domain state → per device, the owned config in its port's vocabulary
 * (input form; decode with the port's `XConfigCodec` before `plan`). Pure, synchronous, deterministic (objects are
 * inserted in sorted key order).
 *
 * - **Leaf** (role `leaf`): for every LS with at least one endpoint on a network-overlay node plugged into the leaf,
 *   a segment (key `<l2Vni>`, anycast gateway = the subnet's gateways with prefix length, fixed MAC) in its VPC's
 *   VRF (`vpc-<vpc>`, L3 VNI), and the bindings (node's leaf port, node's VLAN for the LS → L2 VNI). A leaf carries
 *   only the VRFs of the segments it carries. Host-overlay nodes get no bindings (their vswitch is the VTEP).
 *   Hybrid overlay: a leaf with a VTEP address (`settings.devices[].vtepIp`) gets a flood VTEP (key
 *   `<l2Vni>:<node VTEP>`) for every host-overlay node with an IPv4 VTEP that has endpoints in a segment the leaf
 *   carries, so BUM traffic of the VNI reaches the node and the leaf learns its MACs. A host-overlay node alone never
 *   makes a leaf carry an LS.
 *   Every VRF imports and exports its own route target `<routeTargetAsn>:<l3Vni>` (`vrfRouteTarget`). Each VRB of a
 *   VPC (route leaking of a peering) goes to every leaf carrying the VPC's VRF: as an `interconnect` (key = VRB name)
 *   where the adapter declares `interconnect`, else its route targets are added to the VRF's own import / export
 *   lists (the same leaking, on the VRF itself; border peers cannot be expressed there and are reported).
 * - **Capabilities** (ADR 0011): a device's config uses only what its adapter declares
 *   (`settings.devices[].capabilities`; absent = everything). A leaf without `vrf` gets its segments without VRF and
 *   gateway, one without `anycastGateway` its segments without gateway, one without `floodVtep` no flood VTEPs (and
 *   host-overlay nodes no tunnel to it), one without `accessBinding` no bindings. What is left out is a problem on the
 *   `VPC` (once per device, VPC and feature), never a failure: "leaf1 (hw-vtep) has no vrf/anycastGateway: VPC shop
 *   is switched but not routed on it".
 * - **Router** (role `router`, ADR 0012; `settings.topology.routers`): where a leaf switches but cannot route, the
 *   router plugged into it gets, for each VPC it serves there ({@link routerLegs}), the VPC's VRF (as a leaf would),
 *   a segment per logical switch with the anycast gateway, and a binding per logical switch on its uplink with the
 *   leg's VLAN (`desired.routerVlans`); the leaf gets the matching binding (router port, VLAN → L2 VNI), exactly
 *   like a node's uplink, and no "switched but not routed" problem for that VPC. The router's config passes the
 *   same capability filter as a leaf's; it gets no flood VTEPs. A router serving nothing gets an empty config.
 * - **vswitch** (the topology node's `vswitch`): `br-int`; the uplink trunk with exactly the node's VLANs (network
 *   overlay; left out while the node has none, as an absent list would allow every VLAN); one port per endpoint
 *   (MAC, IPs, VLAN tag or tunnel key, endpoint id, pod, inline QoS, security groups); the `securityGroupRule`s of
 *   exactly the groups the node's endpoint ports use ({@link securityGroupRuleName}). A rule whose remote is a group
 *   stays a `{ group }` rule (the vocabulary's remote group covers the group's ports on this node) and is repeated
 *   as a `/32` or `/128` CIDR rule for each address of the group's endpoints on other nodes
 *   (`<rule>.<hash of the address>`), so a remote group means the same on every node; for host-overlay nodes a VXLAN tunnel
 *   (key `flow`) to every other host-overlay VTEP that serves one of the node's VNIs, and (hybrid overlay, node
 *   VTEP IPv4) to the VTEP address of every leaf that carries one of them: the other half of the flood VTEPs.
 * - **firewall** (role `firewall`; each gets the full policy): a zone per VPC (`vpc-<vpc>`, its subnets' CIDRs),
 *   the VFW's policies. A CIDR is in one zone only: where VPCs use the same CIDR, the first zone (by name) keeps it;
 *   a zone left without CIDRs is left out with its policies. A firewall of `topology.firewalls`
 *   whose adapter makes legs (ADR 0013) gets a zone per VPC it has legs in, made of those legs only (no CIDRs: it sees
 *   only traffic routed to its legs); with no peering it gets no zones.
 * - **loadBalancer** (role `loadBalancer`; each gets all): a partition per VPC with virtual servers, pools, a TCP
 *   monitor per TCP pool, members.
 *
 * Every device of those roles gets a config, empty if nothing is desired on it (so stale owned objects go).
 * @packageDocumentation
 */
import { ErrorCode, parseCidr, parseIp, subnetFamilies, type Endpoint, type NetworkState, type Node, type SecurityGroup, type SecurityGroupRule as DomainRule, type Vrb } from '@netloom/domain';
import {
  bindingKey,
  DEFAULT_ROUTE_TARGET_ASN,
  vrfRouteTarget,
  type DeviceSettings,
  emptyFabricConfig,
  floodVtepKey,
  isIpv4,
  emptyFirewallConfig,
  emptyLoadBalancerConfig,
  emptyVSwitchConfig,
  memberKey,
  partitionedKey,
  segmentKey,
  securityGroupRuleKey,
  shortHash,
  type DeviceConfig,
  type DevicePortKind,
  type FabricConfigInput,
  type FirewallConfigInput,
  type LoadBalancerConfigInput,
  type VSwitchConfigInput,
} from '@netloom/ports';
import type { DesiredConfigs, DesiredState, DeviceDesired, EngineSettings } from '../pipeline/pipeline.types';
import { cmp, ProblemList } from '../intent/intent.problems';
import { routerLegs } from './router-legs';
import { configuredFirewalls, legInterface } from './firewall-legs';
import { ANYCAST_GATEWAY_MAC, BRIDGE_NAME, DEFAULT_UPLINK, endpointPortName, qualifiedEndpointId, segmentName, tunnelName, vpcFromObjectName, vpcObjectName } from './device-names';

/** Options of {@link project}. */
export interface ProjectOptions {
  readonly desired: DesiredState;
  readonly settings: EngineSettings;
}

type Mutable<C> = { -readonly [K in keyof C]-?: Record<string, NonNullable<C[K]> extends Readonly<Record<string, infer O>> ? O : never> };

/** Builds a map with keys inserted in sorted order (so equal configs serialise identically). */
function sorted<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort((a, b) => cmp(a[0], b[0]))) out[k] = v;
  return out;
}

/**
 * Projects the desired state onto every device of the settings' inventory.
 * @example const { devices } = project({ desired, settings }); devices.get('leaf1')?.config.segment
 */
export function project(opts: ProjectOptions): DesiredConfigs {
  const { desired, settings } = opts;
  const net = desired.network;
  const ix = index(net);
  const devices = new Map<string, DeviceDesired>();
  const put = (device: string, port: DevicePortKind, config: object): void => {
    devices.set(device, { device, port, config: config as DeviceConfig });
  };
  const vswitchOf = new Map<string, string>();
  for (const t of settings.topology.nodes) if (t.vswitch !== undefined) vswitchOf.set(t.vswitch, t.name);
  // The first topology node of each name (as `find` would pick).
  const topologyOf = new Map<string, (typeof settings.topology.nodes)[number]>();
  for (const t of settings.topology.nodes) if (!topologyOf.has(t.name)) topologyOf.set(t.name, t);
  const leafVteps = leafVtepsOf(settings, ix);
  const problems = new ProblemList();
  const asn = settings.routeTargetAsn ?? DEFAULT_ROUTE_TARGET_ASN;
  const fw = firewallAttachments(desired, settings, ix, asn);
  const leafCtx: LeafContext = { ix, leafVteps, asn, problems, steering: fw.steering };
  const legs = routerAttachments(desired, settings, ix);
  // Firewalls of topology.firewalls that make legs: they see only traffic routed to their legs (ADR 0013).
  const legFirewalls = new Set(configuredFirewalls(settings).map((f) => f.device));
  for (const d of [...settings.devices].sort((a, b) => cmp(a.name, b.name))) {
    switch (d.role) {
      case 'leaf':
        put(d.name, 'fabric', projectLeaf(d, leafCtx, [...leafEndpoints(ix, d.name), ...(legs.onLeaf.get(d.name) ?? []), ...(fw.onLeaf.get(d.name) ?? [])], legs.served.get(d.name) ?? new Set()));
        break;
      case 'router':
        put(d.name, 'fabric', projectLeaf(d, leafCtx, legs.onRouter.get(d.name) ?? [], new Set()));
        break;
      case 'vswitch': {
        const nodeName = vswitchOf.get(d.name);
        const topo = nodeName === undefined ? undefined : topologyOf.get(nodeName);
        put(d.name, 'vswitch', nodeName === undefined ? emptyVSwitchConfig() : projectVSwitch(nodeName, topo?.uplink ?? DEFAULT_UPLINK, ix, leafVteps));
        break;
      }
      case 'firewall':
        put(d.name, 'firewall', projectFirewall(net, ix, d, fw.legsOf.get(d.name) ?? [], legFirewalls.has(d.name)));
        break;
      case 'loadBalancer':
        put(d.name, 'loadBalancer', projectLoadBalancer(net));
        break;
    }
  }
  const list = problems.list();
  return { devices, failedVpcs: [...desired.failedVpcs], ...(list.length > 0 ? { problems: list } : {}) };
}

/** True if the device's adapter declares `capability` (a device without a capability list can do everything). */
function can(d: DeviceSettings, capability: string): boolean {
  return d.capabilities === undefined || d.capabilities.includes(capability);
}

/** How problems name a device: `leaf1 (hw-vtep)`, or `leaf1` when the adapter is not known. */
function deviceLabel(d: DeviceSettings): string {
  return d.adapter === undefined ? d.name : `${d.name} (${d.adapter})`;
}

interface Index {
  readonly nodes: ReadonlyMap<string, Node>;
  readonly endpointsByNode: ReadonlyMap<string, readonly Endpoint[]>;
  readonly lsBySubnet: ReadonlyMap<string, NonNullable<NetworkState['logicalSwitches']>[number]>;
  readonly lrByVpc: ReadonlyMap<string, NonNullable<NetworkState['logicalRouters']>[number]>;
  readonly subnets: ReadonlyMap<string, NonNullable<NetworkState['subnets']>[number]>;
  readonly qos: ReadonlyMap<string, NonNullable<NetworkState['qosPolicies']>[number]>;
  /** The VRBs of each VPC, by name. */
  readonly vrbsByVpc: ReadonlyMap<string, readonly Vrb[]>;
  readonly securityGroups: ReadonlyMap<string, SecurityGroup>;
  /** The endpoints in each security group, by id. */
  readonly groupMembers: ReadonlyMap<string, readonly Endpoint[]>;
}

function index(net: NetworkState): Index {
  const endpointsByNode = new Map<string, Endpoint[]>();
  for (const ep of [...(net.endpoints ?? [])].sort((a, b) => cmp(a.id, b.id))) {
    const list = endpointsByNode.get(ep.node);
    if (list === undefined) endpointsByNode.set(ep.node, [ep]);
    else list.push(ep);
  }
  const vrbsByVpc = new Map<string, Vrb[]>();
  for (const v of [...(net.vrbs ?? [])].sort((a, b) => cmp(a.name, b.name))) {
    const list = vrbsByVpc.get(v.vpc);
    if (list === undefined) vrbsByVpc.set(v.vpc, [v]);
    else list.push(v);
  }
  const groupMembers = new Map<string, Endpoint[]>();
  for (const list of endpointsByNode.values()) {
    for (const ep of list) {
      for (const g of ep.securityGroups) {
        const members = groupMembers.get(g);
        if (members === undefined) groupMembers.set(g, [ep]);
        else members.push(ep);
      }
    }
  }
  return {
    securityGroups: new Map((net.securityGroups ?? []).map((g) => [g.name, g])),
    groupMembers,
    nodes: new Map((net.nodes ?? []).map((n) => [n.name, n])),
    endpointsByNode,
    lsBySubnet: new Map((net.logicalSwitches ?? []).map((l) => [l.subnet, l])),
    lrByVpc: new Map((net.logicalRouters ?? []).map((l) => [l.vpc, l])),
    subnets: new Map((net.subnets ?? []).map((s) => [s.name, s])),
    qos: new Map((net.qosPolicies ?? []).map((q) => [q.name, q])),
    vrbsByVpc,
  };
}

/**
 * Per leaf of the inventory with a VTEP address: that address, the L2 VNIs the leaf carries, and whether its adapter
 * declares `floodVtep` (only then do host-overlay nodes tunnel to it).
 */
type LeafVteps = ReadonlyMap<string, { readonly vtepIp: string; readonly l2Vnis: ReadonlySet<number>; readonly canFlood: boolean }>;

/** An endpoint of a network-overlay node that puts a segment on the node's leaf, with what the segment is made of. */
interface LeafEndpoint {
  readonly port: string;
  readonly leaf: string;
  readonly vlan: number;
  readonly ls: NonNullable<NetworkState['logicalSwitches']>[number];
  readonly lr: NonNullable<NetworkState['logicalRouters']>[number];
  readonly subnet: NonNullable<NetworkState['subnets']>[number];
}

/** The endpoints that put segments on leafs (on `leaf` only, when given), by node name then endpoint id. */
function* leafEndpoints(ix: Index, leaf?: string): Generator<LeafEndpoint> {
  for (const node of [...ix.nodes.values()].sort((a, b) => cmp(a.name, b.name))) {
    if (node.overlay !== 'network' || node.leaf === undefined || (leaf !== undefined && node.leaf.leaf !== leaf)) continue;
    for (const ep of ix.endpointsByNode.get(node.name) ?? []) {
      const ls = ix.lsBySubnet.get(ep.subnet);
      const lr = ix.lrByVpc.get(ep.vpc);
      const subnet = ix.subnets.get(ep.subnet);
      if (ls === undefined || lr === undefined || subnet === undefined || ep.vlan === undefined) continue;
      yield { port: node.leaf.port, leaf: node.leaf.leaf, vlan: ep.vlan, ls, lr, subnet };
    }
  }
}

function leafVtepsOf(settings: EngineSettings, ix: Index): LeafVteps {
  const out = new Map<string, { vtepIp: string; l2Vnis: Set<number>; canFlood: boolean }>();
  for (const d of settings.devices) {
    // Flood lists and the host tunnels are IPv4 (as hardware VTEPs are); an IPv6 leaf address gets no interop.
    // A leaf that cannot hold segments carries no VNI.
    if (d.role === 'leaf' && d.vtepIp !== undefined && isIpv4(d.vtepIp) && can(d, 'l2Segment')) out.set(d.name, { vtepIp: d.vtepIp, l2Vnis: new Set(), canFlood: can(d, 'floodVtep') });
  }
  for (const e of leafEndpoints(ix)) out.get(e.leaf)?.l2Vnis.add(e.ls.l2Vni);
  return out;
}

/** The VNIs a host-overlay node serves (its endpoints' tunnel keys). */
function hostVnis(ix: Index, node: Node): Set<number> {
  return new Set((ix.endpointsByNode.get(node.name) ?? []).map((e) => e.tunnelKey).filter((k): k is number => k !== undefined));
}

/** The router legs as leaf endpoints: per leaf (router port), per router (its uplink), and the VPCs served per leaf. */
interface RouterAttachments {
  readonly onLeaf: ReadonlyMap<string, readonly LeafEndpoint[]>;
  readonly onRouter: ReadonlyMap<string, readonly LeafEndpoint[]>;
  readonly served: ReadonlyMap<string, ReadonlySet<string>>;
}

function routerAttachments(desired: DesiredState, settings: EngineSettings, ix: Index): RouterAttachments {
  const vlanOf = new Map((desired.routerVlans ?? []).map((v) => [`${v.router}\u0000${v.ls}`, v.vlan]));
  const lsByName = new Map([...ix.lsBySubnet.values()].map((l) => [l.name, l]));
  const onLeaf = new Map<string, LeafEndpoint[]>();
  const onRouter = new Map<string, LeafEndpoint[]>();
  const served = new Map<string, Set<string>>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
  };
  for (const leg of routerLegs(desired.network, settings)) {
    const vlan = vlanOf.get(`${leg.router}\u0000${leg.ls}`);
    const ls = lsByName.get(leg.ls);
    const lr = ix.lrByVpc.get(leg.vpc);
    const subnet = ls === undefined ? undefined : ix.subnets.get(ls.subnet);
    // No VLAN: the compile could not allocate one (reported there); the VPC stays switched only.
    if (vlan === undefined || ls === undefined || lr === undefined || subnet === undefined) continue;
    push(onLeaf, leg.leaf, { port: leg.port, leaf: leg.leaf, vlan, ls, lr, subnet });
    push(onRouter, leg.router, { port: leg.uplink, leaf: leg.router, vlan, ls, lr, subnet });
    const set = served.get(leg.leaf) ?? new Set<string>();
    set.add(leg.vpc);
    served.set(leg.leaf, set);
  }
  return { onLeaf, onRouter, served };
}

/** A firewall leg as the projection uses it. */
interface FirewallLegView {
  readonly firewall: string;
  readonly vpc: string;
  readonly uplink: string;
  readonly vlan: number;
  readonly address: string;
}

/** A peer of a VPC whose traffic goes through `firewall`: route `prefixes` to the leg in one of `legs`' segments. */
interface SteeredPeer {
  readonly vpc: string;
  readonly firewall: string;
  /** The peer VRF's own route target (not imported where the route is installed). */
  readonly routeTarget: string;
  /** The peer's IPv4 ranges the firewall has legs in. */
  readonly prefixes: readonly string[];
  /** The firewall's legs in this VPC: segment (L2 VNI) and the leg's address. */
  readonly legs: readonly { readonly l2Vni: number; readonly ip: string }[];
}

/**
 * The firewalls' legs (ADR 0013): leaf bindings for each leg (firewall port, VLAN → the LS's L2 VNI), the legs of
 * each firewall, and per VPC the peers steered through a firewall (the first in topology order with legs in both).
 */
function firewallAttachments(
  desired: DesiredState,
  settings: EngineSettings,
  ix: Index,
  asn: number,
): { onLeaf: ReadonlyMap<string, readonly LeafEndpoint[]>; legsOf: ReadonlyMap<string, readonly FirewallLegView[]>; steering: ReadonlyMap<string, readonly SteeredPeer[]> } {
  const onLeaf = new Map<string, LeafEndpoint[]>();
  const legsOf = new Map<string, FirewallLegView[]>();
  const steering = new Map<string, SteeredPeer[]>();
  const allocations = desired.firewallLegs ?? [];
  if (allocations.length === 0) return { onLeaf, legsOf, steering };
  const firewalls = new Map(configuredFirewalls(settings).map((f) => [f.device, f]));
  const lsByName = new Map([...ix.lsBySubnet.values()].map((l) => [l.name, l]));
  // Per firewall and VPC: the legs (L2 VNI, IP) and the IPv4 ranges they are in.
  const reach = new Map<string, { legs: { l2Vni: number; ip: string }[]; prefixes: string[] }>();
  for (const a of allocations) {
    const f = firewalls.get(a.firewall);
    const ls = lsByName.get(a.ls);
    const lr = ix.lrByVpc.get(a.vpc);
    const subnet = ls === undefined ? undefined : ix.subnets.get(ls.subnet);
    if (f === undefined || ls === undefined || lr === undefined || subnet === undefined) continue;
    const uplink = f.uplink ?? DEFAULT_UPLINK;
    const onThisLeaf = onLeaf.get(f.leaf) ?? [];
    onThisLeaf.push({ port: f.port, leaf: f.leaf, vlan: a.vlan, ls, lr, subnet });
    onLeaf.set(f.leaf, onThisLeaf);
    const mine = legsOf.get(a.firewall) ?? [];
    mine.push({ firewall: a.firewall, vpc: a.vpc, uplink, vlan: a.vlan, address: a.address });
    legsOf.set(a.firewall, mine);
    const key = `${a.firewall}\u0000${a.vpc}`;
    const r = reach.get(key) ?? { legs: [], prefixes: [] };
    r.legs.push({ l2Vni: ls.l2Vni, ip: a.address.slice(0, a.address.indexOf('/')) });
    const v4 = subnetFamilies(subnet).find((fam) => parseCidr(fam.cidr).family === 4);
    if (v4 !== undefined) r.prefixes.push(v4.cidr);
    reach.set(key, r);
  }
  for (const p of [...(desired.network.peerings ?? [])].sort((a, b) => cmp(a.name, b.name))) {
    const [x, y] = p.vpcs;
    const through = [...firewalls.keys()].find((f) => reach.has(`${f}\u0000${x}`) && reach.has(`${f}\u0000${y}`));
    if (through === undefined) continue;
    for (const [vpc, peer] of [
      [x, y],
      [y, x],
    ] as const) {
      const peerLr = ix.lrByVpc.get(peer);
      const here = reach.get(`${through}\u0000${vpc}`)!;
      const there = reach.get(`${through}\u0000${peer}`)!;
      if (peerLr === undefined) continue;
      const list = steering.get(vpc) ?? [];
      if (list.some((s) => s.vpc === peer)) continue;
      list.push({ vpc: peer, firewall: through, routeTarget: vrfRouteTarget(peerLr.l3Vni, asn), prefixes: [...new Set(there.prefixes)].sort(cmp), legs: here.legs });
      steering.set(vpc, list);
    }
  }
  return { onLeaf, legsOf, steering };
}

/** What every leaf's projection shares. */
interface LeafContext {
  readonly ix: Index;
  readonly leafVteps: LeafVteps;
  /** The AS of the VRFs' own route targets. */
  readonly asn: number;
  readonly problems: ProblemList;
  /** Per VPC, the peers whose traffic goes through a firewall (ADR 0013). */
  readonly steering: ReadonlyMap<string, readonly SteeredPeer[]>;
}

/** The route targets of a VRB, by direction (`both` counts for each). */
function vrbTargets(vrb: Vrb): { imports: string[]; exports: string[] } {
  return {
    imports: vrb.routeTargets.filter((r) => r.direction !== 'export').map((r) => r.value),
    exports: vrb.routeTargets.filter((r) => r.direction !== 'import').map((r) => r.value),
  };
}

const union = (a: readonly string[] | undefined, b: readonly string[]): string[] => [...new Set([...(a ?? []), ...b])].sort(cmp);

/**
 * The config of one leaf or router, shaped to what its adapter declares (see the module documentation), from the
 * attachments that put segments on it; `served`: the VPCs a router routes behind this leaf.
 */
function projectLeaf(d: DeviceSettings, lc: LeafContext, attachments: readonly LeafEndpoint[], served: ReadonlySet<string>): FabricConfigInput {
  const { ix, leafVteps, asn, problems } = lc;
  const leaf = d.name;
  const c = emptyFabricConfig() as unknown as Mutable<FabricConfigInput>;
  const vrfs = new Map<string, FabricConfigInput['vrf'][string]>();
  const segments = new Map<string, FabricConfigInput['segment'][string]>();
  const bindings = new Map<string, FabricConfigInput['binding'][string]>();
  const interconnects = new Map<string, FabricConfigInput['interconnect'][string]>();
  /** Per VPC, the capabilities it would have needed on this leaf. */
  const missing = new Map<string, Set<string>>();
  const miss = (vpc: string, capability: string): void => {
    const set = missing.get(vpc);
    if (set === undefined) missing.set(vpc, new Set([capability]));
    else set.add(capability);
  };
  const routed = can(d, 'vrf');
  const gateway = routed && can(d, 'anycastGateway');
  const vpcOfL2Vni = new Map<number, string>();
  for (const { port, vlan, ls, lr, subnet } of attachments) {
    const vpc = lr.vpc;
    if (!can(d, 'l2Segment')) {
      miss(vpc, 'l2Segment');
      continue;
    }
    vpcOfL2Vni.set(ls.l2Vni, vpc);
    const vrf = vpcObjectName(vpc);
    if (routed) {
      const own = vrfRouteTarget(lr.l3Vni, asn);
      vrfs.set(vrf, { key: vrf, name: vrf, l3Vni: lr.l3Vni, importRouteTargets: [own], exportRouteTargets: [own] });
    } else if (!served.has(vpc)) miss(vpc, 'vrf');
    if (!gateway && !served.has(vpc)) miss(vpc, 'anycastGateway');
    const key = segmentKey(ls);
    if (!segments.has(key)) {
      const ipv4: string[] = [];
      const ipv6: string[] = [];
      for (const f of subnetFamilies(subnet)) {
        const prefix = parseCidr(f.cidr).prefix;
        (parseIp(f.gateway).family === 4 ? ipv4 : ipv6).push(`${f.gateway}/${prefix}`);
      }
      segments.set(key, {
        key,
        name: segmentName(subnet.name),
        l2Vni: ls.l2Vni,
        ...(routed ? { vrf } : {}),
        ...(gateway ? { anycastGateway: { ...(ipv4.length > 0 ? { ipv4 } : {}), ...(ipv6.length > 0 ? { ipv6 } : {}), mac: ANYCAST_GATEWAY_MAC } } : {}),
      });
    }
    if (!can(d, 'accessBinding')) {
      miss(vpc, 'accessBinding');
      continue;
    }
    const binding = { interface: port, vlan, l2Vni: ls.l2Vni };
    bindings.set(bindingKey(binding), { key: bindingKey(binding), ...binding });
  }
  // Peerings through a firewall (ADR 0013): the VRF routes the peer's prefixes to the firewall's leg in one of its
  // segments on this device, and does not import the peer's route target (the leak would bypass the firewall).
  const bypassed = new Map<string, Set<string>>(); // VRF → peer route targets not imported
  for (const name of [...vrfs.keys()].sort(cmp)) {
    const vpc = vpcFromObjectName(name) ?? name;
    const vrf = vrfs.get(name);
    if (vrf === undefined) continue;
    const routes = new Map<string, { prefix: string; nextHop: string }>();
    for (const peer of lc.steering.get(vpc) ?? []) {
      const hop = [...peer.legs].sort((a, b) => a.l2Vni - b.l2Vni).find((l) => segments.get(String(l.l2Vni))?.vrf === name);
      if (!can(d, 'staticRoute')) {
        miss(vpc, `staticRoute:${peer.vpc}:${peer.firewall}`);
        continue;
      }
      if (hop === undefined) {
        miss(vpc, `legSegment:${peer.vpc}:${peer.firewall}`);
        continue;
      }
      for (const prefix of peer.prefixes) if (!routes.has(prefix)) routes.set(prefix, { prefix, nextHop: hop.ip });
      const set = bypassed.get(name) ?? new Set<string>();
      set.add(peer.routeTarget);
      bypassed.set(name, set);
    }
    if (routes.size > 0) vrfs.set(name, { ...vrf, staticRoutes: [...routes.values()].sort((a, b) => cmp(a.prefix, b.prefix)) });
  }
  // Route leaking (VRBs) into the VRFs this leaf carries.
  for (const name of [...vrfs.keys()].sort(cmp)) {
    const vpc = vpcFromObjectName(name) ?? name;
    for (const vrb of ix.vrbsByVpc.get(vpc) ?? []) {
      const vrf = vrfs.get(name);
      if (vrf === undefined) continue;
      const skip = bypassed.get(name);
      const targets = vrbTargets(vrb);
      const imports = skip === undefined ? targets.imports : targets.imports.filter((rt) => !skip.has(rt));
      const exports = targets.exports;
      if (imports.length === 0 && targets.imports.length > 0) continue;
      if (can(d, 'interconnect')) {
        // The interconnect vocabulary needs both lists: a VRB that names no export exports the VRF's own target;
        // one that imports nothing leaks nothing into this VRF.
        if (imports.length === 0) continue;
        interconnects.set(vrb.name, {
          key: vrb.name,
          name: vrb.name,
          vrf: name,
          importRouteTargets: union(undefined, imports),
          exportRouteTargets: union(undefined, exports.length > 0 ? exports : (vrf.exportRouteTargets ?? [])),
          borderPeers: vrb.borderPeers.map((p) => ({ address: p.address, remoteAs: p.asn })),
        });
      } else {
        vrfs.set(name, { ...vrf, importRouteTargets: union(vrf.importRouteTargets, imports), exportRouteTargets: union(vrf.exportRouteTargets, exports) });
        if (vrb.borderPeers.length > 0) miss(vpc, `interconnect:${vrb.name}`);
      }
    }
  }
  const floods = new Map<string, NonNullable<FabricConfigInput['floodVtep']>[string]>();
  const vtep = leafVteps.get(leaf);
  if (vtep !== undefined) {
    for (const node of ix.nodes.values()) {
      if (node.overlay !== 'host' || node.vtepIp === undefined || !isIpv4(node.vtepIp)) continue;
      for (const vni of hostVnis(ix, node)) {
        if (!vtep.l2Vnis.has(vni)) continue;
        if (!vtep.canFlood) {
          const vpc = vpcOfL2Vni.get(vni);
          if (vpc !== undefined) miss(vpc, 'floodVtep');
          continue;
        }
        const flood = { l2Vni: vni, remoteIp: node.vtepIp };
        floods.set(floodVtepKey(flood), { key: floodVtepKey(flood), ...flood });
      }
    }
  }
  reportMissing(d, missing, problems);
  c.vrf = sorted(vrfs);
  c.interconnect = sorted(interconnects);
  c.segment = sorted(segments);
  c.binding = sorted(bindings);
  c.floodVtep = sorted(floods);
  return c;
}

/** One problem per VPC and missing feature of a leaf (see the module documentation). */
function reportMissing(d: DeviceSettings, missing: ReadonlyMap<string, ReadonlySet<string>>, problems: ProblemList): void {
  const label = deviceLabel(d);
  for (const [vpc, caps] of [...missing].sort((a, b) => cmp(a[0], b[0]))) {
    const ref = { kind: 'VPC', name: vpc };
    const say = (message: string): void => problems.add(ref, ErrorCode.NOT_SUPPORTED, message);
    if (caps.has('l2Segment')) {
      say(`${label} has no l2Segment: VPC ${vpc} is not on it (its nodes behind it get no network)`);
      continue;
    }
    const routing = ['vrf', 'anycastGateway'].filter((x) => caps.has(x));
    if (caps.has('vrf')) say(`${label} has no ${routing.join('/')}: VPC ${vpc} is switched but not routed on it`);
    else if (caps.has('anycastGateway')) say(`${label} has no anycastGateway: VPC ${vpc} is routed on it without its subnets' gateways`);
    if (caps.has('accessBinding')) say(`${label} has no accessBinding: the nodes of VPC ${vpc} behind it are not bound to its segments`);
    if (caps.has('floodVtep')) say(`${label} has no floodVtep: the host-overlay nodes of VPC ${vpc} are not in its flood lists and get no tunnel to it`);
    for (const x of [...caps].filter((c) => c.startsWith('staticRoute:')).sort(cmp)) {
      const [, peer, firewall] = x.split(':');
      say(`${label} has no staticRoute: traffic between VPC ${vpc} and its peer ${String(peer)} is routed directly on it (route targets leaked), not through firewall ${String(firewall)}`);
    }
    for (const x of [...caps].filter((c) => c.startsWith('legSegment:')).sort(cmp)) {
      const [, peer, firewall] = x.split(':');
      say(`${label} carries no segment of VPC ${vpc} in which firewall ${String(firewall)} has a leg: traffic to its peer ${String(peer)} is routed directly on it (route targets leaked)`);
    }
    for (const x of [...caps].filter((c) => c.startsWith('interconnect:')).sort(cmp)) {
      say(`${label} has no interconnect: VRB ${x.slice('interconnect:'.length)} of VPC ${vpc} leaks its route targets in the VRF, its border peers are left out`);
    }
  }
}

/** The config of one node's vswitch. */
function projectVSwitch(nodeName: string, uplink: string, ix: Index, leafVteps: LeafVteps): VSwitchConfigInput {
  const c = emptyVSwitchConfig() as unknown as Mutable<VSwitchConfigInput>;
  c.bridge = { [BRIDGE_NAME]: { key: BRIDGE_NAME, name: BRIDGE_NAME, failMode: 'secure' } };
  const node = ix.nodes.get(nodeName);
  if (node === undefined) return c;
  const eps = ix.endpointsByNode.get(node.name) ?? [];
  const ports = new Map<string, VSwitchConfigInput['endpointPort'][string]>();
  for (const ep of eps) {
    const name = endpointPortName(ep.vpc, ep.id);
    const qos = ep.qos === undefined ? undefined : ix.qos.get(ep.qos);
    const limits =
      qos === undefined
        ? undefined
        : {
            ...(qos.ingress !== undefined ? { ingressRateKbps: qos.ingress.rateKbps, ...(qos.ingress.burstKbit !== undefined ? { ingressBurstKb: qos.ingress.burstKbit } : {}) } : {}),
            ...(qos.egress !== undefined ? { egressRateKbps: qos.egress.rateKbps, ...(qos.egress.burstKbit !== undefined ? { egressBurstKb: qos.egress.burstKbit } : {}) } : {}),
          };
    const attachment = ep.vlan !== undefined ? { type: 'vlan' as const, vlan: ep.vlan } : ep.tunnelKey !== undefined ? { type: 'tunnel' as const, tunnelKey: ep.tunnelKey } : undefined;
    if (attachment === undefined || ep.mac === undefined) continue;
    ports.set(name, {
      key: name,
      name,
      bridge: BRIDGE_NAME,
      mac: ep.mac,
      ips: [...ep.ips],
      attachment,
      endpointId: qualifiedEndpointId(ep.vpc, ep.id),
      ...(ep.owner?.kind === 'pod' && ep.owner.namespace !== undefined ? { pod: { namespace: ep.owner.namespace, name: ep.owner.name } } : {}),
      ...(limits !== undefined ? { qos: limits } : {}),
      ...(ep.securityGroups.length > 0 ? { securityGroups: [...ep.securityGroups] } : {}),
    });
  }
  c.endpointPort = sorted(ports);
  c.securityGroupRule = sorted(securityGroupRules(node.name, [...ports.values()], ix));
  if (node.overlay === 'network') {
    const vlans = [...new Set(eps.map((e) => e.vlan).filter((v): v is number => v !== undefined))].sort((a, b) => a - b);
    if (vlans.length > 0) c.uplink = { [uplink]: { key: uplink, name: uplink, bridge: BRIDGE_NAME, allowedVlans: vlans } };
  } else {
    const mine = hostVnis(ix, node);
    const tunnels = new Map<string, VSwitchConfigInput['tunnel'][string]>();
    for (const other of ix.nodes.values()) {
      if (other.name === node.name || other.overlay !== 'host' || other.vtepIp === undefined || other.vtepIp === node.vtepIp) continue;
      const shares = (ix.endpointsByNode.get(other.name) ?? []).some((e) => e.tunnelKey !== undefined && mine.has(e.tunnelKey));
      if (!shares) continue;
      const name = tunnelName(other.vtepIp);
      tunnels.set(name, { key: name, name, bridge: BRIDGE_NAME, remoteIp: other.vtepIp, tunnelKey: 'flow', ...(node.vtepIp !== undefined ? { localIp: node.vtepIp } : {}) });
    }
    // The leafs' half of the flood VTEPs: only where the leaf floods back to this node (IPv4 VTEP on both ends).
    if (node.vtepIp !== undefined && isIpv4(node.vtepIp)) {
      for (const { vtepIp, l2Vnis, canFlood } of leafVteps.values()) {
        if (!canFlood || vtepIp === node.vtepIp || ![...mine].some((v) => l2Vnis.has(v))) continue;
        const name = tunnelName(vtepIp);
        tunnels.set(name, { key: name, name, bridge: BRIDGE_NAME, remoteIp: vtepIp, tunnelKey: 'flow', localIp: node.vtepIp });
      }
    }
    c.tunnel = sorted(tunnels);
  }
  return c;
}

/**
 * The vswitch name of a domain security-group rule (domain rules have no names): `in` or `out`, the protocol and 8
 * hex characters of a hash of the whole rule, so a rule keeps its name as long as it is unchanged and two rules of a
 * group never share one (the domain refuses the same rule twice).
 * @example securityGroupRuleName({ direction: 'ingress', match: { protocol: 'tcp', ports: [{ from: 443, to: 443 }] }, remote: { cidr: '0.0.0.0/0' } }) // 'in-tcp-3f9a0c1d'
 */
export function securityGroupRuleName(rule: DomainRule): string {
  const remote = 'cidr' in rule.remote ? { cidr: rule.remote.cidr } : { group: rule.remote.group };
  const identity = JSON.stringify([rule.direction, rule.match.protocol, rule.match.ports.map((p) => [p.from, p.to]), remote]);
  return `${rule.direction === 'ingress' ? 'in' : 'out'}-${rule.match.protocol}-${shortHash(identity, 8)}`;
}

/** The rules of the groups the node's endpoint ports use (see the module documentation). */
function securityGroupRules(nodeName: string, ports: readonly VSwitchConfigInput['endpointPort'][string][], ix: Index): [string, VSwitchConfigInput['securityGroupRule'][string]][] {
  const used = new Set(ports.flatMap((p) => p.securityGroups ?? []));
  const out: [string, VSwitchConfigInput['securityGroupRule'][string]][] = [];
  for (const groupName of [...used].sort(cmp)) {
    const group = ix.securityGroups.get(groupName);
    if (group === undefined) continue;
    for (const rule of group.rules) {
      const name = securityGroupRuleName(rule);
      const base = {
        group: group.name,
        direction: rule.direction,
        protocol: rule.match.protocol,
        ...(rule.match.ports.length > 0 ? { ports: rule.match.ports.map((r) => ({ from: r.from, to: r.to })) } : {}),
      };
      const add = (ruleName: string, remote: { cidr: string } | { group: string }): void => {
        const key = securityGroupRuleKey({ group: group.name, name: ruleName });
        out.push([key, { key, name: ruleName, ...base, remote }]);
      };
      if ('cidr' in rule.remote) {
        add(name, { cidr: rule.remote.cidr });
        continue;
      }
      add(name, { group: rule.remote.group });
      // The vocabulary's remote group is the group's ports on this node; the members elsewhere by their addresses.
      const remoteIps = new Set<string>();
      for (const member of ix.groupMembers.get(rule.remote.group) ?? []) {
        if (member.node === nodeName) continue;
        for (const ip of member.ips) if (rule.match.protocol !== 'icmp' || isIpv4(ip)) remoteIps.add(ip);
      }
      for (const ip of [...remoteIps].sort(cmp)) add(`${name}.${shortHash(ip, 8)}`, { cidr: `${ip}/${isIpv4(ip) ? 32 : 128}` });
    }
  }
  return out;
}

/**
 * The config of a firewall: the whole VFW. `onLegs`: the firewall is in `topology.firewalls` and makes legs, so its
 * zones are its legs only, also while it has none (no peering): CIDR zones would claim packets it never gets, and
 * with overlapping VPCs give a range to whichever VPC comes first.
 */
function projectFirewall(net: NetworkState, ix: Index, d: DeviceSettings, legs: readonly FirewallLegView[], onLegs: boolean): FirewallConfigInput {
  const steered = onLegs || (legs.length > 0 && can(d, 'legs'));
  const legObjects = (list: readonly FirewallLegView[]): NonNullable<FirewallConfigInput['zone'][string]['legs']> =>
    list.map((l) => ({ interface: legInterface(l.vlan), uplink: l.uplink, vlan: l.vlan, address: l.address })).sort((a, b) => a.vlan - b.vlan);
  const legsByVpc = new Map<string, FirewallLegView[]>();
  for (const l of legs) {
    const list = legsByVpc.get(l.vpc) ?? [];
    list.push(l);
    legsByVpc.set(l.vpc, list);
  }

  const c = emptyFirewallConfig() as unknown as Mutable<FirewallConfigInput>;
  const zones = new Map<string, FirewallConfigInput['zone'][string]>();
  const policies = new Map<string, FirewallConfigInput['policy'][string]>();
  const cidrOwner = new Map<string, string>();
  for (const vfw of [...(net.vfws ?? [])].sort((a, b) => cmp(a.name, b.name))) {
    const zoneVpc = new Map(vfw.zones.map((z) => [z.name, z.vpc]));
    for (const z of [...vfw.zones].sort((a, b) => cmp(a.vpc, b.vpc))) {
      const name = vpcObjectName(z.vpc);
      if (zones.has(name)) continue;
      // A firewall with legs sees only the traffic routed to them (ADR 0013): its zones are its legs, and a CIDR of
      // another VPC (overlapping ranges are common) must not claim a packet that entered on a leg.
      if (steered) {
        const zoneLegs = legsByVpc.get(z.vpc) ?? [];
        if (zoneLegs.length > 0) zones.set(name, { key: name, name, vpc: z.vpc, interfaces: [], cidrs: [], legs: legObjects(zoneLegs) });
        continue;
      }
      const cidrs: string[] = [];
      for (const s of [...ix.subnets.values()].filter((x) => x.vpc === z.vpc).sort((a, b) => cmp(a.name, b.name))) {
        for (const f of subnetFamilies(s)) {
          const text = f.cidr;
          if (cidrOwner.has(text)) continue;
          cidrOwner.set(text, name);
          cidrs.push(text);
        }
      }
      if (cidrs.length === 0) continue;
      zones.set(name, { key: name, name, vpc: z.vpc, interfaces: [], cidrs: cidrs.sort(cmp) });
    }
    for (const p of vfw.policies) {
      const src = zoneVpc.get(p.srcZone);
      const dst = zoneVpc.get(p.dstZone);
      if (src === undefined || dst === undefined) continue;
      const srcZone = vpcObjectName(src);
      const dstZone = vpcObjectName(dst);
      if (!zones.has(srcZone) || !zones.has(dstZone) || policies.has(p.name)) continue;
      policies.set(p.name, {
        key: p.name,
        name: p.name,
        priority: p.priority,
        srcZone,
        dstZone,
        protocol: p.match.protocol,
        action: p.action,
        ...(p.match.ports.length > 0 ? { ports: p.match.ports.map((r) => ({ from: r.from, to: r.to })) } : {}),
      });
    }
  }
  c.zone = sorted(zones);
  c.policy = sorted(policies);
  return c;
}

/** The config of a load balancer: every VLB, one partition per VPC. */
function projectLoadBalancer(net: NetworkState): LoadBalancerConfigInput {
  const c = emptyLoadBalancerConfig() as unknown as Mutable<LoadBalancerConfigInput>;
  const partitions = new Map<string, LoadBalancerConfigInput['partition'][string]>();
  const monitors = new Map<string, LoadBalancerConfigInput['monitor'][string]>();
  const pools = new Map<string, LoadBalancerConfigInput['pool'][string]>();
  const members = new Map<string, LoadBalancerConfigInput['member'][string]>();
  const servers = new Map<string, LoadBalancerConfigInput['virtualServer'][string]>();
  for (const vlb of [...(net.vlbs ?? [])].sort((a, b) => cmp(a.name, b.name))) {
    if (vlb.virtualServers.length === 0) continue;
    const partition = vpcObjectName(vlb.vpc);
    partitions.set(partition, { key: partition, name: partition, vpc: vlb.vpc });
    for (const vs of vlb.virtualServers) {
      const pool = vs.pool.name;
      const tcp = vs.protocol === 'tcp';
      if (tcp) monitors.set(partitionedKey({ partition, name: pool }), { key: partitionedKey({ partition, name: pool }), partition, name: pool, type: 'tcp', intervalSec: 5, timeoutSec: 16 });
      pools.set(partitionedKey({ partition, name: pool }), { key: partitionedKey({ partition, name: pool }), partition, name: pool, loadBalancing: 'round-robin', ...(tcp ? { monitor: pool } : {}) });
      for (const m of vs.pool.members) {
        const member = { partition, pool, address: m.ip, port: m.port, state: m.state };
        members.set(memberKey(member), { key: memberKey(member), ...member });
      }
      servers.set(partitionedKey({ partition, name: vs.name }), { key: partitionedKey({ partition, name: vs.name }), partition, name: vs.name, vip: vs.vip, port: vs.port, protocol: vs.protocol, pool });
    }
  }
  c.partition = sorted(partitions);
  c.monitor = sorted(monitors);
  c.pool = sorted(pools);
  c.member = sorted(members);
  c.virtualServer = sorted(servers);
  return c;
}
