/**
 * The intent compiler (ARCHITECTURE §4, §6; ADR 0009): cluster state + settings → the desired domain state. The
 * mapping itself lives in intent plugins (`@netloom/plugin-kubernetes`, `-service-lb`, `-vpc-peering`, behind the
 * port `IntentPlugin` of `@netloom/ports`); the engine
 *
 * 1. orders the plugins by their `after` lists (an unknown or cyclic dependency is an `InputError` naming them; ties
 *    keep the order they were given in) and runs each on one {@link IntentContext} of the pass, whose allocators
 *    persist every allocation (carved subnets, VNIs, IPs, per-host VLANs, VIPs) before it is used;
 * 2. assembles what the plugins built: drops the objects of failed VPCs, builds the one VFW (a zone per VPC, default
 *    deny between zones, the plugins' policy drafts as allow policies), keeps the VRBs (route leaking; those of a
 *    peering go with it) and the security groups;
 * 3. validates with `checkNetwork` (`network.validate.ts`): a VPC with violations goes to `failedVpcs` and its
 *    objects leave `network`;
 * 4. allocates a VLAN per leg of each VPC router (ADR 0012, `projection/router-legs.ts`), as for a node, and a VLAN
 *    and an address per leg of each firewall (ADR 0013, `projection/firewall-legs.ts`);
 * 5. collects garbage (`garbage.collector.ts`): the VNIs, VLANs, subnet definitions and carved blocks of every owner
 *    no plugin allocated for or retained in this pass.
 *
 * Per-object problems never stop the rest. Output lists are sorted by name (endpoints by id).
 * @packageDocumentation
 */
import {
  createEndpoint,
  ErrorCode,
  NetloomError,
  parseCidr,
  type Endpoint,
  type LogicalRouter,
  type LogicalSwitch,
  type Node,
  type Peering,
  type QosPolicy,
  type SecurityGroup,
  type Subnet,
  type Vlb,
  type Vpc,
  type Vrb,
} from '@netloom/domain';
import {
  InputError,
  type ClusterSnapshot,
  type DesiredServiceStatus,
  type EngineSettings,
  type IntentAddressBinding,
  type IntentAllocators,
  type IntentContext,
  type IntentNetworkBuilder,
  type IntentObjectRef,
  type IntentPlugin,
  type IntentProblems,
  type StorePort,
  type VfwPolicyDraft,
} from '@netloom/ports';
import { IpamAllocator } from '../ipam.allocator';
import { VlanAllocator } from '../vlan.allocator';
import { VniAllocator } from '../vni.allocator';
import type { DesiredState, FirewallLegAllocation, RouterVlan } from '../pipeline/pipeline.types';
import { configuredFirewalls, firewallLegNeeds, firewallOwner, firewallsByCapability } from '../projection/firewall-legs';
import { configuredRouters, routerLegs, routerVlanOwner } from '../projection/router-legs';
import { collectGarbage, type GarbageReport } from './garbage.collector';
import { ipamSubnetId, vipPoolIpamId } from './intent.names';
import { cmp, ProblemList } from './intent.problems';
import { carveSubnet } from './subnet.carver';
import { validateNetwork, type Attribution } from './network.validate';

/** Options of {@link compileIntent}. */
export interface CompileIntentOptions {
  readonly cluster: ClusterSnapshot;
  readonly settings: EngineSettings;
  /** Where allocations live (the allocators and the carver commit here, compare-and-set, before returning). */
  readonly store: StorePort;
  /**
   * The intent plugins to run (the engine has no mapping of its own and imports none: the runtime passes the
   * profile's enabled ones). Each plugin named in another's `after` must be in the list.
   */
  readonly plugins: readonly IntentPlugin[];
  /**
   * Release what owners that left the intent still hold (VNIs, VLANs, IPAM definitions, carved blocks; see
   * `garbage.collector.ts`). Default true. Turn it off only for a compile that does not see the whole cluster.
   */
  readonly collectGarbage?: boolean;
}

/**
 * Compiles the cluster's intent into the desired domain state with the given plugins, allocating (and persisting)
 * what they need. Deterministic: the same snapshot, settings, plugins and store state give the same result;
 * compiling twice on one store gives the same result twice (every allocation is idempotent per owner).
 * @throws StoreError (the store failed: the whole pass fails and should be retried); InputError for settings the
 *   allocators refuse (VNI/VLAN ranges) and for a plugin list that cannot be ordered (a duplicate id, an `after`
 *   naming a plugin that is not in the list, a cycle). Problems with single objects are returned in `problems`.
 * @example
 * import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
 * const desired = await compileIntent({ cluster, settings, store, plugins: [kubernetes] });
 * desired.network.endpoints
 */
export async function compileIntent(opts: CompileIntentOptions): Promise<DesiredState> {
  const { cluster, settings, store } = opts;
  const ordered = orderPlugins(opts.plugins);
  const problems = new ProblemList();
  const failed = new Set<string>();
  const live = { vpcs: new Set<string>(), subnets: new Set<string>(), nodes: new Set<string>() };
  const ipam = new IpamAllocator({ store });
  const vnis = new VniAllocator({ store, ranges: { l2: settings.addressPlan.vni.l2, l3: settings.addressPlan.vni.l3 } });
  const vlans = new VlanAllocator({ store, range: settings.addressPlan.vlan });
  const allocators = engineAllocators({ store, settings, ipam, vnis, vlans, live });
  const reporter: IntentProblems = {
    report: (ref, code, message) => problems.add(ref, code, message),
    reportError: (ref, error, prefix) => problems.addError(ref, error, prefix),
    failVpc: (vpc) => {
      failed.add(vpc);
    },
    isVpcFailed: (vpc) => failed.has(vpc),
  };
  const built = new NetworkBuilder();

  // 1. The plugins, in dependency order.
  for (const plugin of ordered) {
    const ctx: IntentContext = { cluster, settings, allocators, problems: reporter, network: built.viewFor(plugin.id) };
    await plugin.compile(ctx);
  }

  // 2. Assemble (without the failed VPCs) and 3. validate.
  const keep = <T extends { readonly vpc: string }>(list: Iterable<T>): T[] => [...list].filter((x) => !failed.has(x.vpc));
  const subnets = keep(built.subnetMap.values());
  const vpcRefs = (vpc: string): IntentObjectRef[] => {
    const list = built.vpcMap.get(vpc)?.namespaces ?? [];
    return list.length > 0 ? list.map((name) => ({ kind: 'Namespace', name })) : [{ kind: 'VPC', name: vpc }];
  };
  let endpointById: Map<string, Endpoint> | undefined; // built on first use
  const attribution: Attribution = {
    vpcRefs,
    subnetRefs: (name) => {
      const s = built.subnetMap.get(name);
      if (s === undefined) return [];
      const ref = built.subnetRef.get(name);
      return ref !== undefined ? [ref] : vpcRefs(s.vpc);
    },
    endpointRef: (id) => {
      endpointById ??= new Map(built.endpointList.map((e) => [e.id, e]));
      const ep = endpointById.get(id);
      return ep?.owner !== undefined && ep.owner.kind.toLowerCase() === 'pod' ? { kind: 'Pod', namespace: ep.owner.namespace ?? '', name: ep.owner.name } : undefined;
    },
    peeringRef: (name) => built.peeringRef.get(name) ?? { kind: 'VpcPeering', name },
    securityGroupRef: (name) => built.securityGroupRef.get(name),
    vrbRef: (name) => {
      const peering = built.vrbPeering.get(name);
      return built.vrbRef.get(name) ?? (peering !== undefined ? (built.peeringRef.get(peering) ?? { kind: 'VpcPeering', name: peering }) : { kind: 'VPC', name: built.vrbMap.get(name)?.vpc ?? name });
    },
  };
  const result = validateNetwork(
    {
      vpcs: [...built.vpcMap.values()].filter((v) => !failed.has(v.name)),
      subnets,
      logicalSwitches: keep(built.lsMap.values()),
      logicalRouters: keep(built.lrMap.values()),
      endpoints: keep(built.endpointList),
      securityGroups: keep(built.securityGroupMap.values()),
      nodes: [...built.nodeMap.values()],
      qosPolicies: [...built.qosMap.values()],
      vlbs: keep(built.vlbMap.values()),
      peerings: [...built.peeringMap.values()].filter((p) => !failed.has(p.vpcs[0]) && !failed.has(p.vpcs[1])),
      vfwPolicies: built.vfwPolicies,
      vrbs: [...built.vrbMap.values()]
        .filter((v) => !failed.has(v.vpc))
        .map((vrb) => {
          const peering = built.vrbPeering.get(vrb.name);
          return peering === undefined ? { vrb } : { vrb, peering };
        }),
    },
    attribution,
    problems,
  );
  for (const v of result.failedVpcs) failed.add(v);

  // The VPC routers' legs (ADR 0012): a VLAN per (router, LS), from the per-host allocator like a node's, so the
  // router's port on its leaf never carries one VLAN twice. Every configured router stays a live VLAN owner, so its
  // VLANs are stable while it is in the topology and released when it leaves.
  const routerVlans: RouterVlan[] = [];
  for (const r of configuredRouters(settings)) live.nodes.add(routerVlanOwner(r.device));
  for (const leg of routerLegs(result.network, settings)) {
    try {
      routerVlans.push({ router: leg.router, ls: leg.ls, vlan: (await vlans.allocate({ node: routerVlanOwner(leg.router), ls: leg.ls })).vlan });
    } catch (e) {
      problems.addError({ kind: 'VPC', name: leg.vpc }, e, `router ${leg.router}: `);
    }
  }

  // The firewalls' legs (ADR 0013): per (firewall, LS of a peered VPC its leaf carries) a VLAN of its trunk (per-host
  // allocator, like a router's) and an address of the subnet (IPAM, owner `firewall_<device>`: not a pod owner, so
  // the kubernetes plugin leaves it alone). Both stay while the subnet and the firewall do: a leg that comes back
  // gets the same VLAN and address. A firewall that leaves the topology gives both back.
  const firewallLegs: FirewallLegAllocation[] = [];
  for (const f of configuredFirewalls(settings)) live.nodes.add(firewallOwner(f.device));
  const legPlan = firewallLegNeeds(result.network, settings);
  const peeredVpcs = [...new Set((result.network.peerings ?? []).flatMap((p) => [...p.vpcs]))].sort(cmp);
  for (const f of firewallsByCapability(settings).withoutLegs) {
    for (const vpc of peeredVpcs) problems.add({ kind: 'VPC', name: vpc }, ErrorCode.NOT_SUPPORTED, `firewall ${f.label} has no legs: the peerings of VPC ${vpc} are not routed through it (routes leak directly between the VRFs)`);
  }
  for (const o of legPlan.overlaps) {
    problems.add({ kind: 'VPC', name: o.vpc }, ErrorCode.CONFLICT, `firewall ${o.firewall}: ${o.cidr} overlaps ${o.otherCidr} of VPC ${o.other}, which the firewall serves already; VPC ${o.vpc} gets no leg on it and its peerings are not routed through it`);
  }
  for (const need of legPlan.needs) {
    try {
      const owner = firewallOwner(need.firewall);
      const vlan = (await vlans.allocate({ node: owner, ls: need.ls })).vlan;
      const held = await ipam.allocate({ subnet: ipamSubnetId(need.subnet, 4), owner });
      firewallLegs.push({ firewall: need.firewall, vpc: need.vpc, ls: need.ls, vlan, address: `${held.ip}/${parseCidr(held.cidr).prefix}` });
    } catch (e) {
      problems.addError({ kind: 'VPC', name: need.vpc }, e, `firewall ${need.firewall}: `);
    }
  }

  // Addresses of firewalls that left the topology (their VLANs go with the owner, below): nothing else releases them.
  const firewallOwners = new Set(configuredFirewalls(settings).map((f) => firewallOwner(f.device)));
  for (const s of [...(result.network.subnets ?? [])].sort((a, b) => cmp(a.name, b.name))) {
    const subnet = ipamSubnetId(s.name, 4);
    try {
      if ((await ipam.getSubnet({ subnet })) === undefined) continue;
      for (const b of await ipam.list({ subnet })) {
        if (b.state === 'allocated' && b.owner.startsWith(firewallOwner('')) && !firewallOwners.has(b.owner)) await ipam.release({ subnet, owner: b.owner });
      }
    } catch (e) {
      problems.addError({ kind: 'VPC', name: s.vpc }, e, `releasing the addresses of firewalls no longer in the topology: `);
    }
  }

  // 4. Allocations whose owner left the intent (after every allocation of this pass: nothing is reused before the
  // next one).
  let garbage: GarbageReport | undefined;
  if (opts.collectGarbage !== false) garbage = await collectGarbage({ store, ipam, vnis, vlans, live });
  const serviceStatus = [...built.serviceStatus.values()]
    .filter((s) => s.vpc === undefined || !failed.has(s.vpc))
    .sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  return {
    network: result.network,
    problems: problems.list(),
    failedVpcs: [...failed].sort(cmp),
    serviceStatus,
    ...(garbage === undefined ? {} : { garbage }),
    ...(routerVlans.length > 0 ? { routerVlans } : {}),
    ...(firewallLegs.length > 0 ? { firewallLegs } : {}),
  };
}

/**
 * The plugins in an order where each runs after the plugins of its `after` list; otherwise in the given order.
 * @throws InputError (a duplicate id, an `after` naming a plugin not in the list, a cycle), naming the plugins
 */
export function orderPlugins(plugins: readonly IntentPlugin[]): IntentPlugin[] {
  const byId = new Map<string, IntentPlugin>();
  const problems: { path: string; reason: string }[] = [];
  plugins.forEach((p, i) => {
    if (byId.has(p.id)) problems.push({ path: `plugins[${i}]`, reason: `plugin ${JSON.stringify(p.id)} is given twice` });
    else byId.set(p.id, p);
  });
  plugins.forEach((p, i) => {
    (p.after ?? []).forEach((a, j) => {
      if (!byId.has(a)) problems.push({ path: `plugins[${i}].after[${j}]`, reason: `plugin ${JSON.stringify(p.id)} runs after ${JSON.stringify(a)}, which is not enabled (enabled: ${[...byId.keys()].join(', ') || 'none'})` });
    });
  });
  if (problems.length > 0) throw InputError.fromProblems('the intent plugin list', problems);
  const out: IntentPlugin[] = [];
  const done = new Set<string>();
  while (out.length < byId.size) {
    const next = [...byId.values()].find((p) => !done.has(p.id) && (p.after ?? []).every((a) => done.has(a)));
    if (next === undefined) {
      const stuck = [...byId.values()].filter((p) => !done.has(p.id));
      throw new InputError(
        `the intent plugins ${stuck.map((p) => JSON.stringify(p.id)).join(', ')} depend on each other in a cycle (${stuck.map((p) => `${p.id} after ${(p.after ?? []).join(', ')}`).join('; ')})`,
        stuck.map((p) => ({ path: `plugins[${plugins.indexOf(p)}].after`, reason: 'part of a dependency cycle' })),
      );
    }
    done.add(next.id);
    out.push(next);
  }
  return out;
}

/** The engine's allocators behind the narrow interface plugins see; records the live owners for garbage collection. */
function engineAllocators(o: {
  store: StorePort;
  settings: EngineSettings;
  ipam: IpamAllocator;
  vnis: VniAllocator;
  vlans: VlanAllocator;
  live: { vpcs: Set<string>; subnets: Set<string>; nodes: Set<string> };
}): IntentAllocators {
  const { ipam, vnis, vlans, live, settings, store } = o;
  const bindings = (list: readonly { owner: string; ip: string; state: 'allocated' | 'reserved' }[]): IntentAddressBinding[] => list.map((b) => ({ owner: b.owner, ip: b.ip, state: b.state }));
  return {
    async ensureSubnetRange({ subnet, cidr, gateway, exclude }) {
      live.subnets.add(subnet);
      await ipam.ensureSubnet({ subnet: ipamSubnetId(subnet, parseCidr(cidr).family), cidr, ...(gateway === undefined ? {} : { gateway }), ...(exclude === undefined ? {} : { exclude }) });
    },
    async allocateAddress({ subnet, family, owner, sticky, ip }) {
      return (await ipam.allocate({ subnet: ipamSubnetId(subnet, family), owner, ...(sticky === undefined ? {} : { sticky }), ...(ip === undefined ? {} : { ip }) })).ip;
    },
    async listAddresses({ subnet, family }) {
      return bindings(await ipam.list({ subnet: ipamSubnetId(subnet, family) }));
    },
    async releaseAddress({ subnet, family, owner }) {
      await ipam.release({ subnet: ipamSubnetId(subnet, family), owner });
    },
    async ensureVipPool({ pool, cidr, exclude }) {
      const info = await ipam.ensureSubnet({ subnet: vipPoolIpamId(pool), cidr, gateway: null, exclude: exclude ?? [] });
      return { cidr: info.cidr };
    },
    async lookupVip({ pool, owner }) {
      return (await ipam.lookup({ subnet: vipPoolIpamId(pool), owner }))?.ip;
    },
    async allocateVip({ pool, owner, ip }) {
      return (await ipam.allocate({ subnet: vipPoolIpamId(pool), owner, ...(ip === undefined ? {} : { ip }) })).ip;
    },
    async listVips({ pool }) {
      return bindings(await ipam.list({ subnet: vipPoolIpamId(pool) }));
    },
    async releaseVip({ pool, owner }) {
      await ipam.release({ subnet: vipPoolIpamId(pool), owner });
    },
    async allocateL3Vni({ vpc }) {
      live.vpcs.add(vpc);
      return (await vnis.allocate({ pool: 'l3', owner: vpc })).vni;
    },
    async allocateL2Vni({ subnet }) {
      live.subnets.add(subnet);
      return (await vnis.allocate({ pool: 'l2', owner: subnet })).vni;
    },
    async allocateVlan({ node, ls }) {
      live.nodes.add(node);
      return (await vlans.allocate({ node, ls })).vlan;
    },
    async carveSubnet({ vpc, avoid }) {
      live.vpcs.add(vpc);
      return carveSubnet({ store, vpc, containerBlocks: settings.addressPlan.containerBlocks, prefix: settings.addressPlan.defaultSubnetPrefix, ...(avoid === undefined ? {} : { avoid }) });
    },
    retain({ vpcs, subnets, nodes }) {
      for (const v of vpcs ?? []) live.vpcs.add(v);
      for (const s of subnets ?? []) live.subnets.add(s);
      for (const n of nodes ?? []) live.nodes.add(n);
    },
  };
}

/** What the plugins of one pass built; each plugin writes through its own view (so a clash names both plugins). */
class NetworkBuilder {
  readonly vpcMap = new Map<string, Vpc>();
  readonly subnetMap = new Map<string, Subnet>();
  readonly subnetRef = new Map<string, IntentObjectRef>();
  readonly lsMap = new Map<string, LogicalSwitch>();
  readonly lrMap = new Map<string, LogicalRouter>();
  readonly nodeMap = new Map<string, Node>();
  readonly endpointList: Endpoint[] = [];
  readonly endpointIds = new Set<string>();
  readonly qosMap = new Map<string, QosPolicy>();
  readonly vlbMap = new Map<string, Vlb>();
  readonly peeringMap = new Map<string, Peering>();
  readonly peeringRef = new Map<string, IntentObjectRef>();
  readonly vfwPolicies: VfwPolicyDraft[] = [];
  readonly vrbMap = new Map<string, Vrb>();
  readonly vrbRef = new Map<string, IntentObjectRef>();
  /** VRB → the peering it leaks routes for. */
  readonly vrbPeering = new Map<string, string>();
  readonly serviceStatus = new Map<string, DesiredServiceStatus>();
  readonly securityGroupMap = new Map<string, SecurityGroup>();
  readonly securityGroupRef = new Map<string, IntentObjectRef>();
  readonly #addedBy = new Map<string, string>();
  #nsVpc: Map<string, string> | undefined;

  viewFor(plugin: string): IntentNetworkBuilder {
    const claim = (kind: string, name: string): void => {
      const key = `${kind}\u0000${name}`;
      const other = this.#addedBy.get(key);
      // A plugin bug, not a problem of a cluster object: INTERNAL is never turned into a per-object problem.
      if (other !== undefined) throw new NetloomError(ErrorCode.INTERNAL, `intent plugin ${JSON.stringify(plugin)} adds ${kind} ${JSON.stringify(name)}, which plugin ${JSON.stringify(other)} already added`, { details: { kind, name, plugins: [other, plugin] } });
      this.#addedBy.set(key, plugin);
    };
    const sorted = <T extends { readonly name: string }>(m: ReadonlyMap<string, T>): T[] => [...m.values()].sort((a, b) => cmp(a.name, b.name));
    return {
      addVpc: (vpc) => {
        claim('VPC', vpc.name);
        this.vpcMap.set(vpc.name, vpc);
        this.#nsVpc = undefined;
      },
      addSubnet: (subnet, o) => {
        claim('subnet', subnet.name);
        this.subnetMap.set(subnet.name, subnet);
        if (o?.ref !== undefined) this.subnetRef.set(subnet.name, o.ref);
      },
      addLogicalSwitch: (ls) => {
        claim('LS', ls.name);
        this.lsMap.set(ls.name, ls);
      },
      addLogicalRouter: (lr) => {
        claim('LR', lr.name);
        this.lrMap.set(lr.name, lr);
      },
      addNode: (node) => {
        claim('node', node.name);
        this.nodeMap.set(node.name, node);
      },
      addEndpoint: (ep) => {
        claim('endpoint', ep.id);
        this.endpointIds.add(ep.id);
        this.endpointList.push(ep);
      },
      addQosPolicy: (q) => {
        claim('QoS policy', q.name);
        this.qosMap.set(q.name, q);
      },
      addVlb: (vlb) => {
        claim('VLB', vlb.name);
        this.vlbMap.set(vlb.name, vlb);
      },
      addPeering: (p, o) => {
        claim('peering', p.name);
        this.peeringMap.set(p.name, p);
        if (o?.ref !== undefined) this.peeringRef.set(p.name, o.ref);
      },
      addVfwPolicy: (d) => {
        claim('VFW policy', d.key);
        this.vfwPolicies.push(d);
      },
      addVrb: (vrb, o) => {
        claim('VRB', vrb.name);
        this.vrbMap.set(vrb.name, vrb);
        if (o?.ref !== undefined) this.vrbRef.set(vrb.name, o.ref);
        if (o?.peering !== undefined) this.vrbPeering.set(vrb.name, o.peering);
      },
      setServiceStatus: (s) => {
        this.serviceStatus.set(`${s.namespace}/${s.name}`, s);
      },
      addSecurityGroup: (sg, o) => {
        claim('security group', sg.name);
        this.securityGroupMap.set(sg.name, sg);
        if (o?.ref !== undefined) this.securityGroupRef.set(sg.name, o.ref);
      },
      setEndpointSecurityGroups: (id, groups) => {
        const i = this.endpointList.findIndex((e) => e.id === id);
        const ep = this.endpointList[i];
        if (ep === undefined) throw new NetloomError(ErrorCode.INTERNAL, `intent plugin ${JSON.stringify(plugin)} sets the security groups of endpoint ${JSON.stringify(id)}, which no plugin added`, { details: { kind: 'endpoint', name: id, plugins: [plugin] } });
        // Endpoints are frozen domain objects: the new list makes a new endpoint, validated like the first.
        this.endpointList[i] = createEndpoint({ ...ep, securityGroups: [...groups] });
      },
      vpcs: () => sorted(this.vpcMap),
      vpcOfNamespace: (ns) => {
        if (this.#nsVpc === undefined) {
          this.#nsVpc = new Map();
          for (const v of this.vpcMap.values()) for (const n of v.namespaces) this.#nsVpc.set(n, v.name);
        }
        return this.#nsVpc.get(ns);
      },
      subnets: () => sorted(this.subnetMap),
      nodes: () => sorted(this.nodeMap),
      endpoints: () => [...this.endpointList].sort((a, b) => cmp(a.id, b.id)),
      logicalRouters: () => sorted(this.lrMap),
      vrbs: () => sorted(this.vrbMap),
      securityGroups: () => sorted(this.securityGroupMap),
    };
  }
}
