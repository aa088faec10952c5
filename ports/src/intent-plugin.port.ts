/**
 * The intent-plugin port (ARCHITECTURE §3, §4; ADR 0009): a plugin turns one source of intent (namespaces and pods,
 * LoadBalancer Services, VpcPeering resources, ...) into domain objects. The engine runs the enabled plugins in
 * dependency order on one {@link IntentContext} per compile pass, then validates, assembles and collects garbage.
 *
 * A plugin needs nothing from the engine: everything it reads (the cluster snapshot, the settings, what earlier
 * plugins built) and everything it may do (allocate and release numbers and addresses, report problems, add
 * objects) is in the context.
 *
 * @example
 * export const plugin = defineIntentPlugin({
 *   id: 'hello',
 *   after: ['kubernetes'],
 *   async compile(ctx) {
 *     for (const vpc of ctx.network.vpcs()) ctx.problems.report({ kind: 'VPC', name: vpc.name }, 'INPUT.INVALID', 'hello');
 *   },
 * });
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import {
  InputError,
  isSafeName,
  parseRouteTarget,
  type Endpoint,
  type LogicalRouter,
  type LogicalSwitch,
  type Node,
  type Peering,
  type QosPolicy,
  type SecurityGroup,
  type Subnet,
  type TrafficMatchInput,
  type Vlb,
  type Vpc,
  type Vrb,
} from '@netloom/domain';
import type {
  KubeEndpointSlice,
  KubeNamespace,
  KubeNode,
  KubePod,
  KubeSecurityGroup,
  KubeService,
  KubeSubnet,
  KubeVpcPeering,
  ServiceStatus,
} from './kubernetes.port';

// --- what a plugin reads -------------------------------------------------------------------------------------------

/** The cluster as the intent compiler reads it: everything the Kubernetes port lists, at one moment. */
export interface ClusterSnapshot {
  readonly namespaces: readonly KubeNamespace[];
  readonly nodes: readonly KubeNode[];
  readonly pods: readonly KubePod[];
  readonly services: readonly KubeService[];
  readonly endpointSlices: readonly KubeEndpointSlice[];
  readonly subnets: readonly KubeSubnet[];
  readonly peerings: readonly KubeVpcPeering[];
  /** The netloom `SecurityGroup` resources. Absent: none (a source or a test that does not list them). */
  readonly securityGroups?: readonly KubeSecurityGroup[];
}

/** An inclusive numeric range. */
export interface NumericRange {
  readonly from: number;
  readonly to: number;
}

/** One node of the topology: where it is plugged in, how it is reached. */
export interface TopologyNodeSettings {
  /** Kubernetes node name. */
  readonly name: string;
  /** The leaf device (inventory name) the node's uplink is plugged into (network overlay). */
  readonly leaf?: string;
  /** The leaf port (interface name) of the node's uplink. */
  readonly port?: string;
  /** Overlay of this node; default: the profile's overlay (`hybrid` defaults nodes to `network`). */
  readonly overlay?: 'network' | 'host';
  /** VTEP address of the node (host overlay). */
  readonly vtepIp?: string;
  /** The vswitch device (inventory name) of the node. */
  readonly vswitch?: string;
  /** The node's uplink interface towards its leaf (the `br-int` trunk, network overlay); default `eth1`. */
  readonly uplink?: string;
}

/**
 * A VPC router (ADR 0012): a device of role `router` whose uplink trunk is plugged into a leaf port. Where a leaf
 * cannot route (its adapter lacks `vrf` or `anycastGateway`), the router behind it gets the VPC's VRF and the
 * subnets' gateways, and a leg (one VLAN) per logical switch on its uplink, which the leaf binds to the switch's VNI.
 * @example { device: 'router1', leaf: 'leaf1', port: 'Eth1/48', uplink: 'eth1' }
 */
export interface TopologyRouterSettings {
  /** The router device (inventory name, role `router`). */
  readonly device: string;
  /** The leaf device (inventory name) the router's uplink is plugged into. */
  readonly leaf: string;
  /** The leaf port (interface name) of the router's uplink. */
  readonly port: string;
  /** The router's own uplink interface (its bindings' `interface`); default `eth1`. */
  readonly uplink?: string;
  /** The VPCs this router may serve; absent: every VPC that needs a router on its leaf. */
  readonly vpcs?: readonly string[];
}

/**
 * Where a firewall (VFW) is plugged in (ADR 0013): its trunk `uplink` is plugged into `leaf` at `port`. The firewall
 * then gets a leg (a VLAN of the trunk with an address) in each logical switch that leaf carries of every VPC in a
 * peering, and the VRFs route each peer's prefixes to its leg, so peered traffic passes its policies.
 */
export interface TopologyFirewallSettings {
  /** The firewall device (inventory name, role `firewall`). */
  readonly device: string;
  /** The leaf device (inventory name) the firewall's trunk is plugged into. */
  readonly leaf: string;
  /** The leaf port (interface name) of the firewall's trunk. */
  readonly port: string;
  /** The firewall's own trunk interface (its legs' `uplink`); default `eth1`. */
  readonly uplink?: string;
}

/** The parts of the deployment profile the engine and the plugins need. The runtime maps the profile to this. */
export interface EngineSettings {
  /** Namespace → VPC policy: own VPC per namespace (default), or every namespace in `default`. */
  readonly vpcPolicy: 'per-namespace' | 'default';
  readonly overlay: 'network' | 'host' | 'hybrid';
  readonly addressPlan: {
    readonly vni: { readonly l2: readonly NumericRange[]; readonly l3: readonly NumericRange[] };
    /** Per-host VLAN range. */
    readonly vlan: NumericRange;
    /** Blocks subnets are carved from when a namespace has no `Subnet` resource (IPv4 and/or IPv6 CIDRs). */
    readonly containerBlocks: readonly string[];
    readonly defaultSubnetPrefix: { readonly ipv4: number; readonly ipv6: number };
    readonly vipPools: readonly { readonly name: string; readonly cidr: string; readonly exclude?: readonly string[] }[];
  };
  /**
   * The nodes, the VPC routers behind leafs that cannot route (absent: none), and where firewalls are plugged in
   * (absent: none; peerings then leak routes directly between the VRFs, ADR 0011).
   */
  readonly topology: { readonly nodes: readonly TopologyNodeSettings[]; readonly routers?: readonly TopologyRouterSettings[]; readonly firewalls?: readonly TopologyFirewallSettings[] };
  /**
   * The devices of the inventory the engine drives, by role. `vtepIp` (leafs only): the leaf's VTEP address, which
   * host-overlay nodes tunnel to for the VNIs they share with it (hybrid overlay); a leaf without one gets no
   * host-overlay interop.
   */
  readonly devices: readonly DeviceSettings[];
  /**
   * The AS number in the route target each VPC's VRF imports and exports (`<asn>:<l3Vni>`, see
   * {@link vrfRouteTarget}); route leaking between VPCs (peerings) imports the peer's. Default
   * {@link DEFAULT_ROUTE_TARGET_ASN} (65000). 1..65535 works with every L3 VNI; a 4-byte AS only with L3 VNIs up to
   * 65535 (RFC 4360).
   */
  readonly routeTargetAsn?: number;
}

/** One device of {@link EngineSettings.devices}. */
export interface DeviceSettings {
  readonly name: string;
  /** `router`: a VPC router (fabric port) of {@link EngineSettings.topology}`.routers`. */
  readonly role: 'leaf' | 'vswitch' | 'firewall' | 'loadBalancer' | 'router';
  /** Leafs only: the leaf's VTEP address (hybrid overlay). */
  readonly vtepIp?: string;
  /**
   * The capabilities the device's adapter declares for the device's port (`vrf`, `anycastGateway`, `interconnect`,
   * `floodVtep`, ... of `CAPABILITY_NAMES`): the projection gives the device only what it can do and reports what it
   * leaves out as a problem. Absent: every capability (engine tests, a runtime that knows no manifest).
   * @example ['accessBinding', 'floodVtep', 'l2Segment']
   */
  readonly capabilities?: readonly string[];
  /** The adapter's id (`hw-vtep`), to name the device in problems. */
  readonly adapter?: string;
}

/** The AS number of VRF route targets when the settings name none ({@link EngineSettings.routeTargetAsn}). */
export const DEFAULT_ROUTE_TARGET_ASN = 65_000;

/**
 * The route target a VPC's VRF exports (and imports, so its leafs learn each other's routes): `<asn>:<l3Vni>`. The
 * projection gives it to every VRF and the vpc-peering plugin imports the peer's, so both derive it here.
 * @throws InputError when `<asn>:<l3Vni>` is no RFC 4360 route target (a 4-byte AS with an L3 VNI above 65535)
 * @example vrfRouteTarget(50001) // '65000:50001'
 */
export function vrfRouteTarget(l3Vni: number, asn: number = DEFAULT_ROUTE_TARGET_ASN): string {
  const rt = parseRouteTarget(`${asn}:${l3Vni}`);
  if (rt === undefined || !Number.isInteger(asn) || asn < 1) {
    throw new InputError(`route target ${asn}:${l3Vni} is not valid: routeTargetAsn must be 1..65535, or a 4-byte AS with L3 VNIs up to 65535`, [
      { path: 'routeTargetAsn', reason: `${asn} cannot form a route target with L3 VNI ${l3Vni}` },
    ]);
  }
  return rt;
}

// --- problems ------------------------------------------------------------------------------------------------------

/** The Kubernetes object (or netloom object) a problem is about. @example { kind: 'Pod', namespace: 'shop', name: 'web-0' } */
export interface IntentObjectRef {
  /** `Namespace`, `Pod`, `Service`, `Subnet`, `VpcPeering`, `SecurityGroup`, `Node`, `VPC`, `VipPool`, ... */
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * Where a plugin reports what it cannot compile. A problem concerns one object and never stops the others; the
 * engine reports it on that object (an event, a status condition).
 */
export interface IntentProblems {
  /**
   * Records a problem (the same problem twice is recorded once).
   * @example ctx.problems.report({ kind: 'Pod', namespace: 'shop', name: 'web-0' }, ErrorCode.NOT_FOUND, 'subnet "web" does not exist')
   */
  report(ref: IntentObjectRef, code: string, message: string): void;
  /**
   * Records an error caught while compiling one object: a domain `InvariantError` becomes `INPUT.INVALID`, other
   * netloom errors keep their code, the message is prefixed with `prefix`.
   * @throws the error itself when it is a store failure, an internal error or not a netloom error: such a failure
   *   is not the object's fault, so the whole pass fails and is retried.
   */
  reportError(ref: IntentObjectRef, error: unknown, prefix?: string): void;
  /**
   * Marks a VPC as failed for this pass: every object of it leaves the desired network, and the devices keep what
   * they have for it until it compiles again (blast radius). Report the reason with {@link report} as well.
   */
  failVpc(vpc: string): void;
  /** True if a plugin (or the engine) failed the VPC in this pass. */
  isVpcFailed(vpc: string): boolean;
}

// --- allocations ---------------------------------------------------------------------------------------------------

/** An address held in a subnet or a VIP pool. */
export interface IntentAddressBinding {
  readonly owner: string;
  readonly ip: string;
  /** `allocated`: the owner holds it now; `reserved`: released but kept for a sticky owner. */
  readonly state: 'allocated' | 'reserved';
}

/**
 * What a plugin may allocate, persisted (compare-and-set) before the call returns: addresses of subnets, VIPs, L2 and
 * L3 VNIs, per-node VLANs, carved default subnets. Every allocation is idempotent per owner, so compiling twice gives
 * the same numbers. The engine maps subnet and pool names to its allocator ids.
 *
 * Garbage collection at the end of the pass releases the VNIs, VLANs, subnet definitions and carved blocks of every
 * VPC, subnet and node that no plugin allocated for or {@link retain}ed in this pass. Addresses and VIPs are the
 * plugins' own to release ({@link releaseAddress}, {@link releaseVip}).
 *
 * Errors: `ExhaustedError` (a range is full), `InputError` (a request the allocator refuses: an address outside the
 * subnet, settings it cannot use), `ConflictError` (held by another owner, or too much contention), `StoreError`
 * (the store failed; let it propagate: the whole pass fails and is retried).
 */
export interface IntentAllocators {
  /**
   * Defines (or confirms) the address range of one family of a subnet: its CIDR, gateway (`null`: none; absent:
   * the first usable address) and excluded ranges. Idempotent; marks the subnet live.
   * @example await ctx.allocators.ensureSubnetRange({ subnet: 'web', cidr: '10.1.0.0/24', gateway: '10.1.0.1', exclude: [] })
   */
  ensureSubnetRange(opts: { readonly subnet: string; readonly cidr: string; readonly gateway?: string | null; readonly exclude?: readonly string[] }): Promise<void>;
  /**
   * The address of `owner` in one family of `subnet`: the one it holds, `ip` when given (a fixed address), else the
   * next free one. `sticky`: the address stays reserved for the owner after release (StatefulSet pods).
   * @example await ctx.allocators.allocateAddress({ subnet: 'web', family: 4, owner: 'shop/web-0' }) // '10.1.0.2'
   */
  allocateAddress(opts: { readonly subnet: string; readonly family: 4 | 6; readonly owner: string; readonly sticky?: boolean; readonly ip?: string }): Promise<string>;
  /** The addresses held in one family of `subnet` (allocated and reserved). */
  listAddresses(opts: { readonly subnet: string; readonly family: 4 | 6 }): Promise<readonly IntentAddressBinding[]>;
  /** Releases the owner's address in one family of `subnet` (a sticky owner's stays reserved). Idempotent. */
  releaseAddress(opts: { readonly subnet: string; readonly family: 4 | 6; readonly owner: string }): Promise<void>;
  /** Defines (or confirms) a VIP pool; returns its canonical CIDR. Idempotent. */
  ensureVipPool(opts: { readonly pool: string; readonly cidr: string; readonly exclude?: readonly string[] }): Promise<{ readonly cidr: string }>;
  /** The VIP `owner` holds (or has reserved) in `pool`, if any. Read-only. */
  lookupVip(opts: { readonly pool: string; readonly owner: string }): Promise<string | undefined>;
  /** The VIP of `owner` in `pool`: the one it holds, `ip` when given, else the next free one. */
  allocateVip(opts: { readonly pool: string; readonly owner: string; readonly ip?: string }): Promise<string>;
  /** The VIPs held in `pool`. */
  listVips(opts: { readonly pool: string }): Promise<readonly IntentAddressBinding[]>;
  /** Releases the owner's VIP in `pool`. Idempotent. */
  releaseVip(opts: { readonly pool: string; readonly owner: string }): Promise<void>;
  /** The L3 VNI of a VPC (its LR). Marks the VPC live. */
  allocateL3Vni(opts: { readonly vpc: string }): Promise<number>;
  /** The L2 VNI of a subnet (its LS). Marks the subnet live. */
  allocateL2Vni(opts: { readonly subnet: string }): Promise<number>;
  /** The VLAN of an LS on one node (network overlay: per host, not per fabric). Marks the node live. */
  allocateVlan(opts: { readonly node: string; readonly ls: string }): Promise<number>;
  /**
   * The default subnet CIDRs of a VPC without `Subnet` resources, carved from the profile's container blocks (one
   * per family; kept across passes). `avoid`: CIDRs a new carve must not overlap. Marks the VPC live.
   * @example await ctx.allocators.carveSubnet({ vpc: 'shop', avoid: ['10.1.0.0/24'] }) // ['10.244.0.0/24']
   */
  carveSubnet(opts: { readonly vpc: string; readonly avoid?: readonly string[] }): Promise<readonly string[]>;
  /**
   * Keeps owners live for garbage collection although nothing was allocated for them in this pass (a VPC whose
   * compile failed, a `Subnet` resource with a problem, a node without pods): their allocations survive the pass.
   */
  retain(opts: { readonly vpcs?: Iterable<string>; readonly subnets?: Iterable<string>; readonly nodes?: Iterable<string> }): void;
}

// --- what a plugin builds ------------------------------------------------------------------------------------------

/** A VFW policy before the engine names and prioritises it (the VFW itself is assembled by the engine). */
export interface VfwPolicyDraft {
  /** Unique text the policy's name is derived from (`peer-<peering>-<i>-<src>-to-<dst>`, `dns-<vpc>-udp`). */
  readonly key: string;
  readonly srcVpc: string;
  readonly dstVpc: string;
  readonly match: TrafficMatchInput;
  /** Where it comes from: a peering (dropped with it) or the DNS rule. */
  readonly source: { readonly kind: 'peering'; readonly name: string } | { readonly kind: 'dns' };
}

/**
 * The status a Service should have: `status.loadBalancer.ingress` with its VIP (empty when it got none). The runtime
 * writes it back when it differs from what the Service has.
 * @example { namespace: 'shop', name: 'web', vpc: 'shop', status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } }
 */
export interface DesiredServiceStatus {
  readonly namespace: string;
  readonly name: string;
  /**
   * The VPC of the Service's namespace: the entry is dropped when the VPC fails (its status is left alone). Absent:
   * the namespace is in no VPC.
   */
  readonly vpc?: string;
  readonly status: ServiceStatus;
}

/**
 * The desired network under construction. Plugins add domain objects (created with the domain's `create*`
 * factories, so already valid on their own); later plugins read what earlier ones added. Adding a second object of a
 * kind with the same name (endpoints: id) is a plugin bug: it throws a netloom error with code `INTERNAL` naming
 * both plugins, which fails the pass.
 *
 * The engine assembles the result: it drops the objects of failed VPCs, builds the VFW (one zone per VPC, default
 * deny between zones, the policy drafts as allow policies), validates the whole with the domain's `checkNetwork`.
 */
export interface IntentNetworkBuilder {
  /** Adds a VPC (also one whose compile failed: later plugins see it, the engine drops it). */
  addVpc(vpc: Vpc): void;
  /** Adds a subnet; `ref` is the object its problems are reported on (default: its VPC's namespaces). */
  addSubnet(subnet: Subnet, opts?: { readonly ref?: IntentObjectRef }): void;
  addLogicalSwitch(ls: LogicalSwitch): void;
  addLogicalRouter(lr: LogicalRouter): void;
  addNode(node: Node): void;
  /** Adds an endpoint; problems of it are reported on its owner (`owner.kind` pod → the Pod). */
  addEndpoint(endpoint: Endpoint): void;
  addQosPolicy(qos: QosPolicy): void;
  addVlb(vlb: Vlb): void;
  /** Adds a peering; `ref` is the object its problems are reported on (default: a `VpcPeering` of its name). */
  addPeering(peering: Peering, opts?: { readonly ref?: IntentObjectRef }): void;
  /** Adds a VFW allow policy between two VPCs. */
  addVfwPolicy(draft: VfwPolicyDraft): void;
  /**
   * Adds a VRB (route targets / border peers joining a VPC's VRF to others). `ref` is the object its problems are
   * reported on (default: a `VPC` of its VPC); `peering`: the peering it leaks routes for, so it is dropped with it.
   * The projection puts it on every leaf that carries the VPC's VRF.
   * @example ctx.network.addVrb(createVrb({ name: 'peer-a-b-a', vpc: 'a', routeTargets: [{ value: '65000:50002', direction: 'import' }] }), { peering: 'a-b' })
   */
  addVrb(vrb: Vrb, opts?: { readonly ref?: IntentObjectRef; readonly peering?: string }): void;
  /** Sets the status a Service should have (the last call for a Service wins). */
  setServiceStatus(status: DesiredServiceStatus): void;
  /**
   * Adds a security group (of one VPC; its rules may name other groups of the network as remote side). `ref` is the
   * object its problems are reported on (default: a `VPC` of its VPC).
   * @example ctx.network.addSecurityGroup(createSecurityGroup({ name: 'shop.web', vpc: 'shop', rules: [...] }),
   *   { ref: { kind: 'SecurityGroup', namespace: 'shop', name: 'web' } })
   */
  addSecurityGroup(group: SecurityGroup, opts?: { readonly ref?: IntentObjectRef }): void;
  /**
   * Replaces the security groups of an endpoint an earlier plugin added (names of groups of the endpoint's VPC;
   * empty: the endpoint is not filtered). The endpoint keeps everything else.
   * @throws a netloom error with code `INTERNAL` when no endpoint has that id (a plugin bug), an `InvariantError`
   *   for a name that is not a safe name
   * @example ctx.network.setEndpointSecurityGroups(ep.id, ['shop.web', 'shop.ops'])
   */
  setEndpointSecurityGroups(id: string, groups: readonly string[]): void;

  /** The VPCs added so far, by name (failed ones included: see {@link IntentProblems.isVpcFailed}). */
  vpcs(): readonly Vpc[];
  /** The VPC a namespace belongs to, if an earlier plugin put it in one. */
  vpcOfNamespace(namespace: string): string | undefined;
  /** The subnets added so far, by name. */
  subnets(): readonly Subnet[];
  /** The nodes added so far, by name. */
  nodes(): readonly Node[];
  /** The endpoints added so far, by id. */
  endpoints(): readonly Endpoint[];
  /** The LRs added so far, by name (each VPC's L3 VNI). */
  logicalRouters(): readonly LogicalRouter[];
  /** The VRBs added so far, by name. */
  vrbs(): readonly Vrb[];
  /** The security groups added so far, by name. */
  securityGroups(): readonly SecurityGroup[];
}

/** Everything one plugin sees and may do in one compile pass. */
export interface IntentContext {
  /** The cluster, as listed at the start of the pass. Read-only. */
  readonly cluster: ClusterSnapshot;
  readonly settings: EngineSettings;
  readonly allocators: IntentAllocators;
  readonly problems: IntentProblems;
  readonly network: IntentNetworkBuilder;
}

/**
 * A feature that turns a source of intent into domain objects. `compile` is called once per pass; it must be
 * deterministic (the same context gives the same objects, problems and allocation calls in the same order) and must
 * not keep state between passes (allocations live in the store).
 * @throws from `compile`: only what {@link IntentProblems.reportError} rethrows (store failures, internal errors);
 *   per-object problems are reported, never thrown.
 */
export interface IntentPlugin {
  /** Safe name (`kubernetes`, `service-lb`); the profile's `plugins` list names plugins by it. */
  readonly id: string;
  /** Plugins whose output this one reads: they run first (each must be enabled too). */
  readonly after?: readonly string[];
  compile(ctx: IntentContext): Promise<void>;
}

const PLUGIN_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Declares an intent plugin: checks its id (kebab-case, at most 63 characters) and its `after` list, and returns it
 * frozen.
 * @throws InputError naming the bad field
 * @example export const plugin = defineIntentPlugin({ id: 'service-lb', after: ['kubernetes'], compile: async (ctx) => { ... } });
 */
export function defineIntentPlugin(plugin: IntentPlugin): IntentPlugin {
  const problems: { path: string; reason: string }[] = [];
  const id: unknown = plugin.id;
  if (typeof id !== 'string' || !PLUGIN_ID.test(id) || !isSafeName(id)) problems.push({ path: 'id', reason: `${JSON.stringify(id)} is not a plugin id (kebab-case: a lower-case letter, then letters, digits and single dashes; at most 63 characters)` });
  (plugin.after ?? []).forEach((a, i) => {
    if (typeof a !== 'string' || !PLUGIN_ID.test(a)) problems.push({ path: `after[${i}]`, reason: `${JSON.stringify(a)} is not a plugin id` });
    else if (a === id) problems.push({ path: `after[${i}]`, reason: 'a plugin cannot run after itself' });
  });
  if (typeof plugin.compile !== 'function') problems.push({ path: 'compile', reason: 'required: a function (ctx) => Promise<void>' });
  if (problems.length > 0) {
    throw new InputError(`intent plugin ${JSON.stringify(id)}: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`, problems);
  }
  return Object.freeze({ id: plugin.id, ...(plugin.after === undefined ? {} : { after: Object.freeze([...plugin.after]) }), compile: (ctx: IntentContext) => plugin.compile(ctx) });
}

// --- naming helpers the plugins and the engine share ---------------------------------------------------------------

/** Lower-case hex SHA-256 of `text`, cut to `length` characters. @example shortHash('shop', 8) // 'a1b2c3d4' */
export function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `base` if it is at most `max` characters, else its first characters, `_` and 8 hex characters of a hash of the
 * whole of `base`. The `_` never occurs in Kubernetes object names, so a shortened name never equals one.
 * @example fitName('a'.repeat(70)) // 'aaaa…a_1b2c3d4e' (63 characters)
 */
export function fitName(base: string, max = 63): string {
  if (base.length <= max) return base;
  return `${base.slice(0, max - 9)}_${shortHash(base, 8)}`;
}

/**
 * String comparison by code unit (locale-independent, so an order never depends on the machine).
 * @example ['b', 'a'].sort(compareNames) // ['a', 'b']
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
