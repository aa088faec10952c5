/**
 * The intent compiler (ARCHITECTURE §4, §6): cluster state + settings → the desired domain state, with every
 * allocation (carved subnets, VNIs, IPs, per-host VLANs, VIPs) persisted through the allocators before it is used.
 *
 * Rules, in the order they run:
 * 1. **Namespace → VPC**: label `netloom.io/vpc`, else the policy (`per-namespace`: the namespace's name; `default`:
 *    `default`); the `default` namespace is always in VPC `default`. A VPC name is a safe name of at most 59
 *    characters (device names are `vpc-<vpc>`); anything else is a problem on the Namespace.
 * 2. **Subnets** from `Subnet` resources (oldest first by creationTimestamp, then name); one overlapping an earlier
 *    subnet of its VPC, or a second default subnet of a namespace, is a problem on the later one. A VPC without any
 *    `Subnet` resource gets one default subnet carved from the container blocks (persisted, see `subnet.carver.ts`).
 * 3. **LR per VPC** (L3 VNI, owner = the VPC name) and **LS per subnet** (L2 VNI, owner = the subnet name).
 * 4. **Nodes** from Kubernetes Nodes and the topology (a node absent from the topology is a problem unless it is a
 *    host-overlay node).
 * 5. **Endpoints** for running pods (node assigned, not terminal, not being deleted, not host-network): subnet,
 *    addresses (fixed / sticky / dynamic), VLAN per (node, LS) or tunnel key, MAC, QoS. Addresses of pods that are
 *    gone (or moved to another subnet) are released.
 * 6. **VLB**: one virtual server per port of each `LoadBalancer` Service, VIP from `loadBalancerIP` or a pool.
 * 7. **VFW**: one zone per VPC (default deny between zones), policies per `VpcPeering` (both directions) and DNS
 *    towards the VPC of `kube-system`.
 * 8. **Validation** with `checkNetwork`: a VPC with violations goes to `failedVpcs` and its objects leave `network`.
 *
 * Per-object problems never stop the rest. Output lists are sorted by name (endpoints by id).
 * @packageDocumentation
 */
import {
  cidrContains,
  cidrsOverlap,
  createEndpoint,
  createLogicalRouter,
  createLogicalSwitch,
  createNode,
  createPeering,
  createQosPolicy,
  createSubnet,
  createVlb,
  createVpc,
  ErrorCode,
  formatIp,
  isSafeName,
  parseCidr,
  parseIp,
  subnetFamilies,
  subnetFamily,
  tryParseIp,
  type Endpoint,
  type LogicalRouter,
  type LogicalSwitch,
  type Node,
  type Peering,
  type QosPolicy,
  type Subnet,
  type TrafficMatchInput,
  type Vlb,
  type VlbMemberState,
  type VlbProtocol,
  type Vpc,
} from '@netloom/domain';
import { isNetloomError, type KubeEndpointSlice, type KubePod, type KubeService, type StorePort } from '@netloom/ports';
import { IpamAllocator } from '../ipam.allocator';
import { collectGarbage, type GarbageReport } from './garbage.collector';
import { VlanAllocator } from '../vlan.allocator';
import { VniAllocator } from '../vni.allocator';
import type { ClusterSnapshot, DesiredState, EngineSettings } from '../pipeline/pipeline.types';
import {
  ANNOTATION_EGRESS_RATE,
  ANNOTATION_INGRESS_RATE,
  ANNOTATION_IP_ADDRESS,
  ANNOTATION_SUBNET,
  carvedSubnetName,
  DEFAULT_VPC,
  endpointIdOf,
  ipamSubnetId,
  isVpcName,
  LABEL_SERVICE_NAME,
  LABEL_VPC,
  MAX_VPC_NAME,
  macOf,
  podOwnerKey,
  qosPolicyNameOf,
  serviceOwnerKey,
  vipPoolIpamId,
  virtualServerNameOf,
  vlbNameOf,
} from './intent.names';
import { cmp, ProblemList, type ObjectRef } from './intent.problems';
import { parseRateKbps } from './rate.parse';
import { carveSubnet } from './subnet.carver';
import type { VfwPolicyDraft } from './vfw.builder';
import { validateNetwork, type Attribution } from './network.validate';

/** Options of {@link compileIntent}. */
export interface CompileIntentOptions {
  readonly cluster: ClusterSnapshot;
  readonly settings: EngineSettings;
  /** Where allocations live (the allocators and the carver commit here, compare-and-set, before returning). */
  readonly store: StorePort;
  /**
   * Release what owners that left the intent still hold (VNIs, VLANs, IPAM definitions, carved blocks; see
   * `garbage.collector.ts`). Default true. Turn it off only for a compile that does not see the whole cluster.
   */
  readonly collectGarbage?: boolean;
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => cmp(a.name, b.name);
const nsName = (m: { readonly namespace?: string; readonly name: string }): string => `${m.namespace ?? ''}/${m.name}`;

/**
 * Compiles the cluster's intent into the desired domain state, allocating (and persisting) what it needs.
 * Deterministic: the same snapshot, settings and store state give the same result; compiling twice on one store
 * gives the same result twice (every allocation is idempotent per owner).
 * @throws StoreError (the store failed: the whole pass fails and should be retried); InputError for settings the
 *   allocators refuse (VNI/VLAN ranges). Problems with single objects are returned in `problems`, never thrown.
 * @example const desired = await compileIntent({ cluster, settings, store }); desired.network.endpoints
 */
export async function compileIntent(opts: CompileIntentOptions): Promise<DesiredState> {
  const { cluster, settings, store } = opts;
  const problems = new ProblemList();
  const failed = new Set<string>();
  const ipam = new IpamAllocator({ store });
  const vnis = new VniAllocator({ store, ranges: { l2: settings.addressPlan.vni.l2, l3: settings.addressPlan.vni.l3 } });
  const vlans = new VlanAllocator({ store, range: settings.addressPlan.vlan });

  // 1. Namespaces → VPCs.
  const nsVpc = new Map<string, string>();
  const vpcNamespaces = new Map<string, string[]>();
  for (const ns of [...cluster.namespaces].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const name = ns.metadata.name;
    const ref: ObjectRef = { kind: 'Namespace', name };
    const label = ns.metadata.labels?.[LABEL_VPC];
    let vpc: string;
    if (name === 'default') vpc = DEFAULT_VPC;
    else if (label !== undefined) vpc = label;
    else vpc = settings.vpcPolicy === 'default' ? DEFAULT_VPC : name;
    if (!isVpcName(vpc)) {
      const why = label !== undefined && name !== 'default' ? `label ${LABEL_VPC}=${JSON.stringify(label)}` : `VPC name ${JSON.stringify(vpc)}`;
      problems.add(ref, ErrorCode.INPUT_INVALID, `${why} is not a VPC name: use 1-${MAX_VPC_NAME} letters, digits, '.', '_' or '-', starting with a letter or digit; the namespace is in no VPC`);
      continue;
    }
    nsVpc.set(name, vpc);
    const members = vpcNamespaces.get(vpc);
    if (members === undefined) vpcNamespaces.set(vpc, [name]);
    else members.push(name);
  }
  const vpcRef = (vpc: string): ObjectRef[] => {
    const list = vpcNamespaces.get(vpc) ?? [];
    return list.length > 0 ? list.map((name) => ({ kind: 'Namespace', name })) : [{ kind: 'VPC', name: vpc }];
  };

  // 2. Subnets: Subnet resources, oldest first; then carving for VPCs without any.
  const subnets = new Map<string, Subnet>();
  const subnetRef = new Map<string, ObjectRef>();
  const vpcsWithResources = new Set<string>();
  const crOrder = [...cluster.subnets].sort((a, b) => cmp(a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? '') || cmp(a.metadata.name, b.metadata.name));
  for (const cr of crOrder) {
    const name = cr.metadata.name;
    const ref: ObjectRef = { kind: 'Subnet', name };
    const served = cr.spec.namespaces ?? [];
    let vpc = cr.spec.vpc;
    if (vpc === undefined) {
      const unknown = served.filter((ns) => !nsVpc.has(ns));
      const owners = [...new Set(served.map((ns) => nsVpc.get(ns)).filter((v): v is string => v !== undefined))];
      if (unknown.length > 0 && owners.length === 0) {
        problems.add(ref, ErrorCode.NOT_FOUND, `serves namespaces ${unknown.join(', ')}, which do not exist or are in no VPC; name spec.vpc`);
        continue;
      }
      if (owners.length !== 1) {
        problems.add(ref, ErrorCode.INPUT_INVALID, owners.length === 0 ? 'names neither spec.vpc nor spec.namespaces; give one of them' : `serves namespaces of several VPCs (${owners.join(', ')}); a subnet belongs to one VPC`);
        continue;
      }
      vpc = owners[0] as string;
    }
    if (!isVpcName(vpc)) {
      problems.add(ref, ErrorCode.INPUT_INVALID, `spec.vpc ${JSON.stringify(vpc)} is not a VPC name: use 1-${MAX_VPC_NAME} letters, digits, '.', '_' or '-'`);
      continue;
    }
    vpcsWithResources.add(vpc);
    if (!isSafeName(name)) {
      problems.add(ref, ErrorCode.INPUT_INVALID, `name ${JSON.stringify(name)} is longer than 63 characters or not a safe name; subnet names reach devices`);
      continue;
    }
    let subnet: Subnet;
    try {
      subnet = createSubnet({
        name,
        vpc,
        cidrs: cr.spec.cidrs,
        gateways: cr.spec.gateways ?? [],
        excludeRanges: cr.spec.excludeRanges ?? [],
        namespaces: served,
        default: cr.spec.default ?? false,
      });
    } catch (e) {
      problems.addError(ref, e);
      continue;
    }
    const clash = firstClash(subnet, [...subnets.values()], vpcNamespaces.get(vpc) ?? []);
    if (clash !== undefined) {
      problems.add(ref, ErrorCode.CONFLICT, clash);
      continue;
    }
    subnets.set(name, subnet);
    subnetRef.set(name, ref);
  }
  const allVpcs = new Set<string>([...vpcNamespaces.keys(), ...vpcsWithResources]);
  const resourceCidrs = [...subnets.values()].flatMap((s) => subnetFamilies(s).map((f) => f.cidr));
  for (const vpc of [...allVpcs].sort(cmp)) {
    if (vpcsWithResources.has(vpc) || settings.addressPlan.containerBlocks.length === 0) continue;
    try {
      const cidrs = await carveSubnet({ store, vpc, containerBlocks: settings.addressPlan.containerBlocks, prefix: settings.addressPlan.defaultSubnetPrefix, avoid: resourceCidrs });
      const subnet = createSubnet({ name: carvedSubnetName(vpc), vpc, cidrs, default: true });
      subnets.set(subnet.name, subnet);
    } catch (e) {
      for (const r of vpcRef(vpc)) problems.addError(r, e, `default subnet of VPC ${JSON.stringify(vpc)}: `);
    }
  }
  const refOfSubnet = (s: Subnet): ObjectRef[] => {
    const r = subnetRef.get(s.name);
    return r !== undefined ? [r] : vpcRef(s.vpc);
  };

  // IPAM definitions of every subnet family.
  for (const s of [...subnets.values()].sort(byName)) {
    try {
      for (const f of subnetFamilies(s)) {
        await ipam.ensureSubnet({ subnet: ipamSubnetId(s.name, parseCidr(f.cidr).family), cidr: f.cidr, gateway: f.gateway, exclude: f.excludeRanges });
      }
    } catch (e) {
      for (const r of refOfSubnet(s)) problems.addError(r, e, `subnet ${JSON.stringify(s.name)}: `);
      subnets.delete(s.name);
    }
  }

  // 3. LR per VPC, LS per subnet.
  const lrs = new Map<string, LogicalRouter>();
  for (const vpc of [...allVpcs].sort(cmp)) {
    try {
      const { vni } = await vnis.allocate({ pool: 'l3', owner: vpc });
      lrs.set(vpc, createLogicalRouter({ name: vpc, vpc, l3Vni: vni }));
    } catch (e) {
      for (const r of vpcRef(vpc)) problems.addError(r, e, `L3 VNI of VPC ${JSON.stringify(vpc)}: `);
      failed.add(vpc);
    }
  }
  const lss = new Map<string, LogicalSwitch>();
  for (const s of [...subnets.values()].sort(byName)) {
    if (failed.has(s.vpc)) continue;
    try {
      const { vni } = await vnis.allocate({ pool: 'l2', owner: s.name });
      lss.set(s.name, createLogicalSwitch({ name: s.name, vpc: s.vpc, subnet: s.name, l2Vni: vni }));
    } catch (e) {
      for (const r of refOfSubnet(s)) problems.addError(r, e, `L2 VNI of subnet ${JSON.stringify(s.name)}: `);
      subnets.delete(s.name);
    }
  }

  // 4. Nodes.
  const nodes = compileNodes(cluster, settings, problems);

  // 5. Endpoints.
  const endpoints: Endpoint[] = [];
  const qosPolicies: QosPolicy[] = [];
  // Pods that ask for a fixed address are allocated first, so a pod without one never takes a requested address
  // in the same pass; within each group, by namespace/name (deterministic).
  const asksFixed = (p: KubePod): number => (p.metadata.annotations?.[ANNOTATION_IP_ADDRESS] !== undefined ? 0 : 1);
  const livePods = cluster.pods.filter(isLivePod).sort((a, b) => asksFixed(a) - asksFixed(b) || cmp(nsName(a.metadata), nsName(b.metadata)));
  /** Owner key → the subnet the pod resolved to (absent: it did not resolve; its addresses are kept). */
  const podSubnet = new Map<string, string>();
  const liveOwners = new Set<string>();
  const defaultSubnet = defaultSubnetResolver(subnets);
  for (const pod of livePods) {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name;
    const ref: ObjectRef = { kind: 'Pod', namespace: ns, name };
    const owner = podOwnerKey(ns, name);
    liveOwners.add(owner);
    const vpc = nsVpc.get(ns);
    if (vpc === undefined) {
      problems.add(ref, ErrorCode.NOT_FOUND, `namespace ${JSON.stringify(ns)} is unknown or in no VPC; the pod gets no network`);
      continue;
    }
    if (failed.has(vpc)) continue;
    const resolved = resolveSubnet(pod, ns, vpc, subnets, defaultSubnet);
    if (typeof resolved === 'string') {
      problems.add(ref, ErrorCode.NOT_FOUND, resolved);
      continue;
    }
    const subnet = resolved;
    podSubnet.set(owner, subnet.name);
    const ls = lss.get(subnet.name);
    const nodeName = pod.spec.nodeName ?? '';
    const node = nodes.get(nodeName);
    if (ls === undefined) continue; // the subnet's problem is reported on the subnet
    if (node === undefined) {
      problems.add(ref, ErrorCode.NOT_FOUND, `node ${JSON.stringify(nodeName)} has no usable network attachment (see the Node's problems); the pod gets no network`);
      continue;
    }
    const fixed = parseFixedIps(pod, subnet);
    if (typeof fixed === 'string') {
      problems.add(ref, ErrorCode.INPUT_INVALID, fixed);
      continue;
    }
    const sticky = (pod.metadata.ownerReferences ?? []).some((o) => o.kind === 'StatefulSet');
    try {
      const ips: string[] = [];
      for (const f of subnetFamilies(subnet)) {
        const family = parseCidr(f.cidr).family;
        const a = await ipam.allocate({ subnet: ipamSubnetId(subnet.name, family), owner, sticky, ...(fixed.has(family) ? { ip: fixed.get(family) as string } : {}) });
        ips.push(a.ip);
      }
      const id = endpointIdOf(ns, name);
      let vlan: number | undefined;
      if (node.overlay === 'network') vlan = (await vlans.allocate({ node: node.name, ls: ls.name })).vlan;
      const qos = compileQos(pod, id, ref, problems);
      if (qos !== undefined) qosPolicies.push(qos);
      endpoints.push(
        createEndpoint({
          id,
          vpc,
          subnet: subnet.name,
          node: node.name,
          ips,
          mac: macOf(vpc, id),
          ...(vlan !== undefined ? { vlan } : { tunnelKey: ls.l2Vni }),
          owner: { kind: 'pod', namespace: ns, name },
          fixed: fixed.size > 0 || sticky,
          ...(qos !== undefined ? { qos: qos.name } : {}),
        }),
      );
    } catch (e) {
      problems.addError(ref, e);
    }
  }
  // Release the addresses of pods that are gone, or that moved to another subnet. Sticky owners keep theirs
  // reserved (the allocator keeps the binding on release).
  for (const s of [...subnets.values()].sort(byName)) {
    if (failed.has(s.vpc)) continue;
    for (const f of subnetFamilies(s)) {
      const id = ipamSubnetId(s.name, parseCidr(f.cidr).family);
      for (const b of await ipam.list({ subnet: id })) {
        if (b.state !== 'allocated') continue;
        const moved = podSubnet.get(b.owner);
        if (liveOwners.has(b.owner) && (moved === undefined || moved === s.name)) continue;
        await ipam.release({ subnet: id, owner: b.owner });
      }
    }
  }

  // 6. Load-balancer Services → VLBs.
  const vlbs = await compileVlbs(cluster, settings, ipam, nsVpc, failed, problems);

  // 7. VFW and peerings.
  const vpcNames = [...allVpcs].filter((v) => !failed.has(v)).sort(cmp);
  const peerings: Peering[] = [];
  const peeringRef = new Map<string, ObjectRef>();
  const pairs = new Map<string, string>();
  const policies: VfwPolicyDraft[] = [];
  for (const cr of [...cluster.peerings].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const name = cr.metadata.name;
    const ref: ObjectRef = { kind: 'VpcPeering', name };
    const [a, b] = cr.spec.vpcs;
    const unknown = [a, b].filter((v) => !allVpcs.has(v));
    if (unknown.length > 0) {
      problems.add(ref, ErrorCode.NOT_FOUND, `peers unknown VPC${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => JSON.stringify(v)).join(' and ')}`);
      continue;
    }
    if (failed.has(a) || failed.has(b)) continue;
    if (!isSafeName(name)) {
      problems.add(ref, ErrorCode.INPUT_INVALID, `name ${JSON.stringify(name)} is longer than 63 characters or not a safe name`);
      continue;
    }
    let peering: Peering;
    try {
      peering = createPeering({ name, vpcs: [a, b], allow: cr.spec.allow as readonly TrafficMatchInput[] });
    } catch (e) {
      problems.addError(ref, e);
      continue;
    }
    const pair = [a, b].sort(cmp).join('\u0000');
    const other = pairs.get(pair);
    if (other !== undefined) {
      problems.add(ref, ErrorCode.CONFLICT, `peers VPCs ${JSON.stringify(a)} and ${JSON.stringify(b)}, as VpcPeering ${JSON.stringify(other)} already does`);
      continue;
    }
    pairs.set(pair, name);
    peerings.push(peering);
    peeringRef.set(name, ref);
    peering.allow.forEach((match, i) => {
      for (const [src, dst] of [
        [a, b],
        [b, a],
      ] as const) {
        policies.push({ key: `peer-${name}-${i}-${src}-to-${dst}`, srcVpc: src, dstVpc: dst, match, source: { kind: 'peering', name } });
      }
    });
  }
  const dnsVpc = nsVpc.get('kube-system');
  if (dnsVpc !== undefined && !failed.has(dnsVpc)) {
    for (const v of vpcNames) {
      if (v === dnsVpc) continue;
      for (const protocol of ['udp', 'tcp'] as const) {
        policies.push({ key: `dns-${v}-${protocol}`, srcVpc: v, dstVpc: dnsVpc, match: { protocol, ports: [{ from: 53, to: 53 }] }, source: { kind: 'dns' } });
      }
    }
  }

  // 8. Assemble and validate.
  const vpcs: Vpc[] = [];
  for (const vpc of vpcNames) {
    const lr = lrs.get(vpc);
    vpcs.push(
      createVpc({
        name: vpc,
        namespaces: [...(vpcNamespaces.get(vpc) ?? [])].sort(cmp),
        subnets: [...subnets.values()].filter((s) => s.vpc === vpc && lss.has(s.name)).map((s) => s.name).sort(cmp),
        ...(lr !== undefined ? { logicalRouter: lr.name } : {}),
      }),
    );
  }
  let endpointById: Map<string, Endpoint> | undefined; // built on first use (the first endpoint of each id)
  const attribution: Attribution = {
    vpcRefs: vpcRef,
    subnetRefs: (name) => {
      const s = subnets.get(name);
      return s !== undefined ? refOfSubnet(s) : [];
    },
    endpointRef: (id) => {
      if (endpointById === undefined) {
        endpointById = new Map();
        for (const e of endpoints) if (!endpointById.has(e.id)) endpointById.set(e.id, e);
      }
      const ep = endpointById.get(id);
      return ep?.owner !== undefined ? { kind: 'Pod', namespace: ep.owner.namespace ?? '', name: ep.owner.name } : undefined;
    },
    peeringRef: (name) => peeringRef.get(name),
  };
  const result = validateNetwork(
    {
      vpcs,
      subnets: [...subnets.values()].filter((s) => lss.has(s.name)),
      logicalSwitches: [...lss.values()],
      logicalRouters: [...lrs.values()].filter((lr) => !failed.has(lr.vpc)),
      endpoints,
      nodes: [...nodes.values()],
      qosPolicies,
      vlbs,
      peerings,
      vfwPolicies: policies,
    },
    attribution,
    problems,
  );
  for (const v of result.failedVpcs) failed.add(v);

  // 8. Allocations whose owner left the intent (after every allocation of this pass: nothing is reused before the
  // next one).
  let garbage: GarbageReport | undefined;
  if (opts.collectGarbage !== false) {
    const liveSubnets = new Set<string>(cluster.subnets.map((cr) => cr.metadata.name));
    for (const vpc of allVpcs) if (!vpcsWithResources.has(vpc)) liveSubnets.add(carvedSubnetName(vpc));
    garbage = await collectGarbage({ store, ipam, vnis, vlans, live: { vpcs: allVpcs, subnets: liveSubnets, nodes: new Set(cluster.nodes.map((n) => n.metadata.name)) } });
  }
  return { network: result.network, problems: problems.list(), failedVpcs: [...failed].sort(cmp), ...(garbage === undefined ? {} : { garbage }) };
}

/** A pod that should have a network now: on a node, not finished, not being deleted, not on the host network. */
function isLivePod(pod: KubePod): boolean {
  const phase = pod.status?.phase;
  return pod.spec.nodeName !== undefined && pod.spec.nodeName !== '' && phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined && pod.spec.hostNetwork !== true;
}

/** Why `s` cannot join the accepted subnets (an overlap in its VPC, a second default subnet), or undefined. */
function firstClash(s: Subnet, accepted: readonly Subnet[], vpcNamespaces: readonly string[]): string | undefined {
  for (const other of accepted) {
    if (other.vpc !== s.vpc) continue;
    for (const f of subnetFamilies(s)) {
      const mine = parseCidr(f.cidr);
      const theirs = subnetFamily(other, mine.family);
      if (theirs !== undefined && cidrsOverlap(mine, parseCidr(theirs.cidr))) {
        return `${f.cidr} overlaps subnet ${JSON.stringify(other.name)} ${theirs.cidr} in VPC ${JSON.stringify(s.vpc)}; subnets of one VPC must not overlap`;
      }
    }
    if (s.default && other.default) {
      const served = (x: Subnet): readonly string[] => (x.namespaces.length > 0 ? x.namespaces : vpcNamespaces);
      const both = served(s).filter((ns) => served(other).includes(ns));
      if (both.length > 0 || (served(s).length === 0 && served(other).length === 0)) {
        return `is a default subnet of namespace${both.length === 1 ? '' : 's'} ${both.join(', ') || `(all of VPC ${JSON.stringify(s.vpc)})`}, and so is subnet ${JSON.stringify(other.name)}`;
      }
    }
  }
  return undefined;
}

/** Whether subnet `s` serves namespace `ns` of VPC `vpc`. */
function servesNamespace(s: Subnet, ns: string, vpc: string): boolean {
  return s.vpc === vpc && (s.namespaces.length === 0 || s.namespaces.includes(ns));
}

/**
 * The default subnet of a namespace (the first by name of the default subnets serving it), memoised per
 * (VPC, namespace). `subnets` must not change while the resolver is used.
 */
function defaultSubnetResolver(subnets: ReadonlyMap<string, Subnet>): (ns: string, vpc: string) => Subnet | undefined {
  const byVpc = new Map<string, Subnet[]>();
  for (const s of [...subnets.values()].filter((x) => x.default).sort(byName)) {
    const list = byVpc.get(s.vpc);
    if (list === undefined) byVpc.set(s.vpc, [s]);
    else list.push(s);
  }
  const memo = new Map<string, Subnet | undefined>();
  return (ns, vpc) => {
    const key = `${vpc}\u0000${ns}`;
    if (memo.has(key)) return memo.get(key);
    const found = (byVpc.get(vpc) ?? []).find((s) => servesNamespace(s, ns, vpc));
    memo.set(key, found);
    return found;
  };
}

/** The pod's subnet (annotation or the namespace's default subnet), or why there is none. */
function resolveSubnet(pod: KubePod, ns: string, vpc: string, subnets: ReadonlyMap<string, Subnet>, defaultSubnet: (ns: string, vpc: string) => Subnet | undefined): Subnet | string {
  const asked = pod.metadata.annotations?.[ANNOTATION_SUBNET];
  const serves = (s: Subnet): boolean => servesNamespace(s, ns, vpc);
  if (asked !== undefined) {
    const s = subnets.get(asked);
    if (s === undefined) return `annotation ${ANNOTATION_SUBNET}: subnet ${JSON.stringify(asked)} does not exist (or has problems)`;
    if (!serves(s)) return `annotation ${ANNOTATION_SUBNET}: subnet ${JSON.stringify(asked)} does not serve namespace ${JSON.stringify(ns)} (VPC ${JSON.stringify(vpc)})`;
    return s;
  }
  const first = defaultSubnet(ns, vpc);
  if (first === undefined) return `namespace ${JSON.stringify(ns)} has no default subnet in VPC ${JSON.stringify(vpc)}; mark a Subnet default or annotate the pod with ${ANNOTATION_SUBNET}`;
  return first;
}

/** The fixed addresses the pod asks for, per family, or why they are not valid for the subnet. */
function parseFixedIps(pod: KubePod, subnet: Subnet): Map<4 | 6, string> | string {
  const out = new Map<4 | 6, string>();
  const text = pod.metadata.annotations?.[ANNOTATION_IP_ADDRESS];
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',').map((p) => p.trim())) {
    const ip = tryParseIp(part);
    if (ip === undefined) return `annotation ${ANNOTATION_IP_ADDRESS}: ${JSON.stringify(part)} is not an IP address`;
    const f = subnetFamily(subnet, ip.family);
    if (f === undefined || !cidrContains(parseCidr(f.cidr), ip)) {
      return `annotation ${ANNOTATION_IP_ADDRESS}: ${formatIp(ip)} is not inside subnet ${JSON.stringify(subnet.name)} (${subnetFamilies(subnet).map((x) => x.cidr).join(', ')})`;
    }
    if (out.has(ip.family)) return `annotation ${ANNOTATION_IP_ADDRESS}: gives two IPv${ip.family} addresses; give at most one per family`;
    out.set(ip.family, formatIp(ip));
  }
  return out;
}

/** The QoS policy of a pod from its rate annotations; an invalid annotation is a problem and the pod gets no QoS. */
function compileQos(pod: KubePod, endpointId: string, ref: ObjectRef, problems: ProblemList): QosPolicy | undefined {
  const annotations = pod.metadata.annotations ?? {};
  const limits: { ingress?: { rateKbps: number }; egress?: { rateKbps: number } } = {};
  let bad = false;
  for (const [dir, key] of [
    ['ingress', ANNOTATION_INGRESS_RATE],
    ['egress', ANNOTATION_EGRESS_RATE],
  ] as const) {
    const text = annotations[key];
    if (text === undefined) continue;
    const r = parseRateKbps(text);
    if ('reason' in r) {
      problems.add(ref, ErrorCode.INPUT_INVALID, `annotation ${key}: ${r.reason}; the pod gets no QoS`);
      bad = true;
    } else limits[dir] = { rateKbps: r.kbps };
  }
  if (bad || (limits.ingress === undefined && limits.egress === undefined)) return undefined;
  return createQosPolicy({ name: qosPolicyNameOf(endpointId), ...limits });
}

/** Domain nodes from Kubernetes Nodes and the topology. */
function compileNodes(cluster: ClusterSnapshot, settings: EngineSettings, problems: ProblemList): Map<string, Node> {
  const topology = new Map(settings.topology.nodes.map((n) => [n.name, n]));
  const fallback = settings.overlay === 'host' ? 'host' : 'network';
  const nodes = new Map<string, Node>();
  for (const kn of [...cluster.nodes].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const name = kn.metadata.name;
    const ref: ObjectRef = { kind: 'Node', name };
    if (!isSafeName(name)) {
      problems.add(ref, ErrorCode.INPUT_INVALID, `name ${JSON.stringify(name)} is longer than 63 characters or not a safe name; node names reach devices`);
      continue;
    }
    const t = topology.get(name);
    const overlay = t?.overlay ?? fallback;
    const internalIp = kn.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (overlay === 'network') {
      if (t === undefined) {
        problems.add(ref, ErrorCode.NOT_FOUND, 'is not in the profile topology: its leaf port is unknown, so its pods get no network; add it to topology.nodes');
        continue;
      }
      if (t.leaf === undefined || t.port === undefined) {
        problems.add(ref, ErrorCode.INPUT_INVALID, 'is a network-overlay node without leaf and port in the topology; its pods get no network');
        continue;
      }
    }
    try {
      const vtepIp = t?.vtepIp ?? (overlay === 'host' && internalIp !== undefined && tryParseIp(internalIp) !== undefined ? internalIp : undefined);
      nodes.set(
        name,
        createNode({
          name,
          overlay,
          ...(overlay === 'network' && t?.leaf !== undefined && t.port !== undefined ? { leaf: { leaf: t.leaf, port: t.port } } : {}),
          ...(vtepIp !== undefined ? { vtepIp } : {}),
        }),
      );
    } catch (e) {
      problems.addError(ref, e);
    }
  }
  return nodes;
}

/** VLBs (one per VPC with `LoadBalancer` Services): VIPs allocated and persisted, members from EndpointSlices. */
async function compileVlbs(
  cluster: ClusterSnapshot,
  settings: EngineSettings,
  ipam: IpamAllocator,
  nsVpc: ReadonlyMap<string, string>,
  failed: ReadonlySet<string>,
  problems: ProblemList,
): Promise<Vlb[]> {
  const pools: { readonly name: string; readonly id: string; readonly cidr: string }[] = [];
  for (const p of settings.addressPlan.vipPools) {
    try {
      const info = await ipam.ensureSubnet({ subnet: vipPoolIpamId(p.name), cidr: p.cidr, gateway: null, exclude: p.exclude ?? [] });
      pools.push({ name: p.name, id: vipPoolIpamId(p.name), cidr: info.cidr });
    } catch (e) {
      problems.addError({ kind: 'VipPool', name: p.name }, e);
    }
  }
  const services = cluster.services.filter((s) => s.spec.type === 'LoadBalancer').sort((a, b) => cmp(nsName(a.metadata), nsName(b.metadata)));
  const wanted = new Set(services.map((s) => serviceOwnerKey(s.metadata.namespace ?? '', s.metadata.name)));
  // Release the VIPs of Services that are gone (or no longer of type LoadBalancer) first, so they can be reused.
  for (const pool of pools) {
    for (const b of await ipam.list({ subnet: pool.id })) if (!wanted.has(b.owner)) await ipam.release({ subnet: pool.id, owner: b.owner });
  }
  const byVpc = new Map<string, { name: string; vip: string; port: number; protocol: VlbProtocol; pool: { name: string; members: { ip: string; port: number; state: VlbMemberState }[] } }[]>();
  const slicesOf = slicesByService(cluster);
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? '';
    const ref: ObjectRef = { kind: 'Service', namespace: ns, name: svc.metadata.name };
    const vpc = nsVpc.get(ns);
    if (vpc === undefined) {
      problems.add(ref, ErrorCode.NOT_FOUND, `namespace ${JSON.stringify(ns)} is unknown or in no VPC; the Service gets no VIP`);
      continue;
    }
    if (failed.has(vpc)) continue;
    let vip: string;
    try {
      const got = await allocateVip(svc, pools, ipam, ref, problems);
      if (got === undefined) continue;
      vip = got;
    } catch (e) {
      problems.addError(ref, e);
      continue;
    }
    const list = byVpc.get(vpc) ?? [];
    for (const sp of svc.spec.ports ?? []) {
      const protocol = (sp.protocol ?? 'TCP').toLowerCase();
      if (protocol !== 'tcp' && protocol !== 'udp') {
        problems.add(ref, ErrorCode.INPUT_INVALID, `port ${sp.port}/${sp.protocol ?? ''}: only TCP and UDP ports can be load-balanced; the port is left out`);
        continue;
      }
      const name = virtualServerNameOf(ns, svc.metadata.name, protocol, sp.port);
      list.push({ name, vip, port: sp.port, protocol, pool: { name, members: membersOf(slicesOf(svc), sp, protocol) } });
    }
    byVpc.set(vpc, list);
  }
  const out: Vlb[] = [];
  for (const [vpc, virtualServers] of [...byVpc].sort((a, b) => cmp(a[0], b[0]))) {
    if (virtualServers.length === 0) continue;
    try {
      out.push(createVlb({ name: vlbNameOf(vpc), vpc, virtualServers: virtualServers.sort(byName) }));
    } catch (e) {
      problems.addError({ kind: 'VPC', name: vpc }, e, 'load balancer: ');
    }
  }
  return out;
}

/** The Service's VIP: `spec.loadBalancerIP` (inside a pool) or the one it holds, else a new one from the pools. */
async function allocateVip(
  svc: KubeService,
  pools: readonly { readonly name: string; readonly id: string; readonly cidr: string }[],
  ipam: IpamAllocator,
  ref: ObjectRef,
  problems: ProblemList,
): Promise<string | undefined> {
  const owner = serviceOwnerKey(svc.metadata.namespace ?? '', svc.metadata.name);
  const held: { pool: string; ip: string }[] = [];
  for (const p of pools) {
    const b = await ipam.lookup({ subnet: p.id, owner });
    if (b !== undefined) held.push({ pool: p.id, ip: b.ip });
  }
  const asked = svc.spec.loadBalancerIP;
  if (asked !== undefined && asked !== '') {
    const ip = tryParseIp(asked);
    const pool = ip === undefined ? undefined : pools.find((p) => cidrContains(parseCidr(p.cidr), ip));
    if (ip === undefined || pool === undefined) {
      problems.add(ref, ErrorCode.INPUT_INVALID, `spec.loadBalancerIP ${JSON.stringify(asked)} is not inside a VIP pool (${pools.map((p) => `${p.name} ${p.cidr}`).join(', ') || 'none defined'})`);
      return undefined;
    }
    const text = formatIp(ip);
    for (const h of held) if (h.pool !== pool.id || h.ip !== text) await ipam.release({ subnet: h.pool, owner });
    return (await ipam.allocate({ subnet: pool.id, owner, ip: text })).ip;
  }
  const mine = held[0];
  if (mine !== undefined) return (await ipam.allocate({ subnet: mine.pool, owner })).ip;
  let last: unknown;
  for (const p of pools) {
    try {
      return (await ipam.allocate({ subnet: p.id, owner })).ip;
    } catch (e) {
      if (!isNetloomError(e) || e.code !== ErrorCode.EXHAUSTED) throw e;
      last = e;
    }
  }
  if (last !== undefined) throw last;
  problems.add(ref, ErrorCode.NOT_FOUND, 'no VIP pool is defined (addressPlan.vipPools); the Service gets no VIP');
  return undefined;
}

/**
 * The EndpointSlices of each Service (same namespace, label `kubernetes.io/service-name` = the Service's name), in
 * the snapshot's order; indexed once.
 */
function slicesByService(cluster: ClusterSnapshot): (svc: KubeService) => readonly KubeEndpointSlice[] {
  const index = new Map<string | undefined, Map<string, KubeEndpointSlice[]>>();
  for (const slice of cluster.endpointSlices) {
    const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (service === undefined) continue;
    let byName = index.get(slice.metadata.namespace);
    if (byName === undefined) index.set(slice.metadata.namespace, (byName = new Map()));
    const list = byName.get(service);
    if (list === undefined) byName.set(service, [slice]);
    else list.push(slice);
  }
  return (svc) => index.get(svc.metadata.namespace)?.get(svc.metadata.name) ?? [];
}

/** Pool members of one Service port: ready endpoints `enabled`, terminating ones `draining`, others left out. */
function membersOf(
  slices: readonly KubeEndpointSlice[],
  sp: NonNullable<KubeService['spec']['ports']>[number],
  protocol: 'tcp' | 'udp',
): { ip: string; port: number; state: VlbMemberState }[] {
  const members = new Map<string, { ip: string; port: number; state: VlbMemberState }>();
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP').toLowerCase() === protocol);
    const port = slicePort?.port ?? (typeof sp.targetPort === 'number' ? sp.targetPort : sp.targetPort === undefined ? sp.port : undefined);
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      const state: VlbMemberState | undefined = c.terminating === true ? 'draining' : c.ready !== false ? 'enabled' : undefined;
      if (state === undefined) continue;
      for (const addr of ep.addresses) {
        const ip = tryParseIp(addr);
        if (ip === undefined) continue;
        const text = formatIp(ip);
        const key = `${text} ${port}`;
        const other = members.get(key);
        if (other === undefined || (other.state !== 'enabled' && state === 'enabled')) members.set(key, { ip: text, port, state });
      }
    }
  }
  return [...members.values()].sort((a, b) => {
    const x = parseIp(a.ip);
    const y = parseIp(b.ip);
    return x.family - y.family || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0) || a.port - b.port;
  });
}
