/**
 * The Kubernetes plugin (ARCHITECTURE §6): namespaces, `Subnet` resources, nodes and pods → VPCs, subnets, LRs,
 * LSs, nodes, endpoints and QoS policies. Rules, in the order they run:
 *
 * 1. **Namespace → VPC**: label `netloom.io/vpc`, else the policy (`per-namespace`: the namespace's name; `default`:
 *    `default`); the `default` namespace is always in VPC `default`. A VPC name is a safe name of at most 59
 *    characters (device names are `vpc-<vpc>`); anything else is a problem on the Namespace.
 * 2. **Subnets** from `Subnet` resources (oldest first by creationTimestamp, then name); one overlapping an earlier
 *    subnet of its VPC, or a second default subnet of a namespace, is a problem on the later one. A VPC without any
 *    `Subnet` resource gets one default subnet carved from the container blocks (persisted by the engine).
 * 3. **LR per VPC** (L3 VNI, owner = the VPC name; a VPC without one fails) and **LS per subnet** (L2 VNI, owner =
 *    the subnet name).
 * 4. **Nodes** from Kubernetes Nodes and the topology (a node absent from the topology is a problem unless it is a
 *    host-overlay node). A node's overlay: the topology entry's `overlay` if it has one, else the Node's label
 *    `netloom.io/overlay` (`host` | `network`), else the profile's default (`host` for `overlay: host`, otherwise
 *    `network`). A label of another value, or one the topology overrides, is a problem on the Node.
 * 5. **Endpoints** for running pods (node assigned, not terminal, not being deleted, not host-network): subnet,
 *    addresses (fixed / sticky / dynamic), VLAN per (node, LS) or tunnel key, MAC, QoS. Addresses of pods that are
 *    gone (or moved to another subnet) are released.
 *
 * Every VPC the cluster names, every `Subnet` resource (valid or not), every carved default subnet and every Node is
 * retained for garbage collection, so a passing problem never releases what they hold.
 * @packageDocumentation
 */
import {
  cidrContains,
  cidrsOverlap,
  createEndpoint,
  createLogicalRouter,
  createLogicalSwitch,
  createNode,
  createQosPolicy,
  createSubnet,
  createVpc,
  ErrorCode,
  formatIp,
  isSafeName,
  parseCidr,
  subnetFamilies,
  subnetFamily,
  tryParseIp,
  type LogicalSwitch,
  type Node,
  type QosPolicy,
  type Subnet,
} from '@netloom/domain';
import { compareNames as cmp, defineIntentPlugin, type IntentContext, type IntentObjectRef, type IntentPlugin, type KubePod } from '@netloom/ports';
import {
  ANNOTATION_EGRESS_RATE,
  ANNOTATION_INGRESS_RATE,
  ANNOTATION_IP_ADDRESS,
  ANNOTATION_SUBNET,
  carvedSubnetName,
  DEFAULT_VPC,
  endpointIdOf,
  isVpcName,
  LABEL_OVERLAY,
  LABEL_VPC,
  MAX_VPC_NAME,
  macOf,
  podOwnerKey,
  qosPolicyNameOf,
} from './kubernetes.names';
import { parseRateKbps } from './rate.parse';

const byName = <T extends { readonly name: string }>(a: T, b: T): number => cmp(a.name, b.name);
const nsName = (m: { readonly namespace?: string; readonly name: string }): string => `${m.namespace ?? ''}/${m.name}`;

/**
 * The Kubernetes intent plugin (id `kubernetes`): rules 1–5 of the module documentation.
 * @example await compileIntent({ cluster, settings, store, plugins: [kubernetesPlugin] })
 */
export const kubernetesPlugin: IntentPlugin = defineIntentPlugin({ id: 'kubernetes', compile: compileKubernetes });

async function compileKubernetes(ctx: IntentContext): Promise<void> {
  const { cluster, settings, allocators, problems, network } = ctx;

  // 1. Namespaces → VPCs.
  const nsVpc = new Map<string, string>();
  const vpcNamespaces = new Map<string, string[]>();
  for (const ns of [...cluster.namespaces].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const name = ns.metadata.name;
    const ref: IntentObjectRef = { kind: 'Namespace', name };
    const label = ns.metadata.labels?.[LABEL_VPC];
    let vpc: string;
    if (name === 'default') vpc = DEFAULT_VPC;
    else if (label !== undefined) vpc = label;
    else vpc = settings.vpcPolicy === 'default' ? DEFAULT_VPC : name;
    if (!isVpcName(vpc)) {
      const why = label !== undefined && name !== 'default' ? `label ${LABEL_VPC}=${JSON.stringify(label)}` : `VPC name ${JSON.stringify(vpc)}`;
      problems.report(ref, ErrorCode.INPUT_INVALID, `${why} is not a VPC name: use 1-${MAX_VPC_NAME} letters, digits, '.', '_' or '-', starting with a letter or digit; the namespace is in no VPC`);
      continue;
    }
    nsVpc.set(name, vpc);
    const members = vpcNamespaces.get(vpc);
    if (members === undefined) vpcNamespaces.set(vpc, [name]);
    else members.push(name);
  }
  const vpcRef = (vpc: string): IntentObjectRef[] => {
    const list = vpcNamespaces.get(vpc) ?? [];
    return list.length > 0 ? list.map((name) => ({ kind: 'Namespace', name })) : [{ kind: 'VPC', name: vpc }];
  };

  // 2. Subnets: Subnet resources, oldest first; then carving for VPCs without any.
  const subnets = new Map<string, Subnet>();
  const subnetRef = new Map<string, IntentObjectRef>();
  const vpcsWithResources = new Set<string>();
  const crOrder = [...cluster.subnets].sort((a, b) => cmp(a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? '') || cmp(a.metadata.name, b.metadata.name));
  for (const cr of crOrder) {
    const name = cr.metadata.name;
    const ref: IntentObjectRef = { kind: 'Subnet', name };
    const served = cr.spec.namespaces ?? [];
    let vpc = cr.spec.vpc;
    if (vpc === undefined) {
      const unknown = served.filter((ns) => !nsVpc.has(ns));
      const owners = [...new Set(served.map((ns) => nsVpc.get(ns)).filter((v): v is string => v !== undefined))];
      if (unknown.length > 0 && owners.length === 0) {
        problems.report(ref, ErrorCode.NOT_FOUND, `serves namespaces ${unknown.join(', ')}, which do not exist or are in no VPC; name spec.vpc`);
        continue;
      }
      if (owners.length !== 1) {
        problems.report(ref, ErrorCode.INPUT_INVALID, owners.length === 0 ? 'names neither spec.vpc nor spec.namespaces; give one of them' : `serves namespaces of several VPCs (${owners.join(', ')}); a subnet belongs to one VPC`);
        continue;
      }
      vpc = owners[0] as string;
    }
    if (!isVpcName(vpc)) {
      problems.report(ref, ErrorCode.INPUT_INVALID, `spec.vpc ${JSON.stringify(vpc)} is not a VPC name: use 1-${MAX_VPC_NAME} letters, digits, '.', '_' or '-'`);
      continue;
    }
    vpcsWithResources.add(vpc);
    if (!isSafeName(name)) {
      problems.report(ref, ErrorCode.INPUT_INVALID, `name ${JSON.stringify(name)} is longer than 63 characters or not a safe name; subnet names reach devices`);
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
      problems.reportError(ref, e);
      continue;
    }
    const clash = firstClash(subnet, [...subnets.values()], vpcNamespaces.get(vpc) ?? []);
    if (clash !== undefined) {
      problems.report(ref, ErrorCode.CONFLICT, clash);
      continue;
    }
    subnets.set(name, subnet);
    subnetRef.set(name, ref);
  }
  const allVpcs = new Set<string>([...vpcNamespaces.keys(), ...vpcsWithResources]);
  // What garbage collection must keep, whatever fails below: every VPC, Subnet resource, carved subnet and Node.
  allocators.retain({
    vpcs: allVpcs,
    subnets: [...cluster.subnets.map((cr) => cr.metadata.name), ...[...allVpcs].filter((v) => !vpcsWithResources.has(v)).map(carvedSubnetName)],
    nodes: cluster.nodes.map((n) => n.metadata.name),
  });
  const resourceCidrs = [...subnets.values()].flatMap((s) => subnetFamilies(s).map((f) => f.cidr));
  for (const vpc of [...allVpcs].sort(cmp)) {
    if (vpcsWithResources.has(vpc) || settings.addressPlan.containerBlocks.length === 0) continue;
    try {
      const cidrs = await allocators.carveSubnet({ vpc, avoid: resourceCidrs });
      const subnet = createSubnet({ name: carvedSubnetName(vpc), vpc, cidrs, default: true });
      subnets.set(subnet.name, subnet);
    } catch (e) {
      for (const r of vpcRef(vpc)) problems.reportError(r, e, `default subnet of VPC ${JSON.stringify(vpc)}: `);
    }
  }
  const refOfSubnet = (s: Subnet): IntentObjectRef[] => {
    const r = subnetRef.get(s.name);
    return r !== undefined ? [r] : vpcRef(s.vpc);
  };

  // Address ranges of every subnet family.
  for (const s of [...subnets.values()].sort(byName)) {
    try {
      for (const f of subnetFamilies(s)) await allocators.ensureSubnetRange({ subnet: s.name, cidr: f.cidr, gateway: f.gateway, exclude: f.excludeRanges });
    } catch (e) {
      for (const r of refOfSubnet(s)) problems.reportError(r, e, `subnet ${JSON.stringify(s.name)}: `);
      subnets.delete(s.name);
    }
  }

  // 3. LR per VPC, LS per subnet.
  const lrs = new Set<string>();
  for (const vpc of [...allVpcs].sort(cmp)) {
    try {
      const vni = await allocators.allocateL3Vni({ vpc });
      network.addLogicalRouter(createLogicalRouter({ name: vpc, vpc, l3Vni: vni }));
      lrs.add(vpc);
    } catch (e) {
      for (const r of vpcRef(vpc)) problems.reportError(r, e, `L3 VNI of VPC ${JSON.stringify(vpc)}: `);
      problems.failVpc(vpc);
    }
  }
  const lss = new Map<string, LogicalSwitch>();
  for (const s of [...subnets.values()].sort(byName)) {
    if (problems.isVpcFailed(s.vpc)) continue;
    try {
      const vni = await allocators.allocateL2Vni({ subnet: s.name });
      lss.set(s.name, createLogicalSwitch({ name: s.name, vpc: s.vpc, subnet: s.name, l2Vni: vni }));
    } catch (e) {
      for (const r of refOfSubnet(s)) problems.reportError(r, e, `L2 VNI of subnet ${JSON.stringify(s.name)}: `);
      subnets.delete(s.name);
    }
  }

  // 4. Nodes.
  const nodes = compileNodes(ctx);

  // 5. Endpoints.
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
    const ref: IntentObjectRef = { kind: 'Pod', namespace: ns, name };
    const owner = podOwnerKey(ns, name);
    liveOwners.add(owner);
    const vpc = nsVpc.get(ns);
    if (vpc === undefined) {
      problems.report(ref, ErrorCode.NOT_FOUND, `namespace ${JSON.stringify(ns)} is unknown or in no VPC; the pod gets no network`);
      continue;
    }
    if (problems.isVpcFailed(vpc)) continue;
    const resolved = resolveSubnet(pod, ns, vpc, subnets, defaultSubnet);
    if (typeof resolved === 'string') {
      problems.report(ref, ErrorCode.NOT_FOUND, resolved);
      continue;
    }
    const subnet = resolved;
    podSubnet.set(owner, subnet.name);
    const ls = lss.get(subnet.name);
    const nodeName = pod.spec.nodeName ?? '';
    const node = nodes.get(nodeName);
    if (ls === undefined) continue; // the subnet's problem is reported on the subnet
    if (node === undefined) {
      problems.report(ref, ErrorCode.NOT_FOUND, `node ${JSON.stringify(nodeName)} has no usable network attachment (see the Node's problems); the pod gets no network`);
      continue;
    }
    const fixed = parseFixedIps(pod, subnet);
    if (typeof fixed === 'string') {
      problems.report(ref, ErrorCode.INPUT_INVALID, fixed);
      continue;
    }
    const sticky = (pod.metadata.ownerReferences ?? []).some((o) => o.kind === 'StatefulSet');
    try {
      const ips: string[] = [];
      for (const f of subnetFamilies(subnet)) {
        const family = parseCidr(f.cidr).family;
        const ip = fixed.get(family);
        ips.push(await allocators.allocateAddress({ subnet: subnet.name, family, owner, sticky, ...(ip !== undefined ? { ip } : {}) }));
      }
      const id = endpointIdOf(ns, name);
      let vlan: number | undefined;
      if (node.overlay === 'network') vlan = await allocators.allocateVlan({ node: node.name, ls: ls.name });
      const qos = compileQos(pod, id, ref, ctx);
      network.addEndpoint(
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
      if (qos !== undefined) network.addQosPolicy(qos);
    } catch (e) {
      problems.reportError(ref, e);
    }
  }
  // Release the addresses of pods that are gone, or that moved to another subnet. Sticky owners keep theirs
  // reserved (the allocator keeps the binding on release).
  for (const s of [...subnets.values()].sort(byName)) {
    if (problems.isVpcFailed(s.vpc)) continue;
    for (const f of subnetFamilies(s)) {
      const family = parseCidr(f.cidr).family;
      for (const b of await allocators.listAddresses({ subnet: s.name, family })) {
        // Only pod owners (`<namespace>/<name>`): the engine holds addresses of its own (firewall legs, ADR 0013).
        if (b.state !== 'allocated' || !b.owner.includes('/')) continue;
        const moved = podSubnet.get(b.owner);
        if (liveOwners.has(b.owner) && (moved === undefined || moved === s.name)) continue;
        await allocators.releaseAddress({ subnet: s.name, family, owner: b.owner });
      }
    }
  }

  // What the plugin built: the subnets that got an LS, and every VPC (a failed one too: the engine drops it).
  for (const s of [...subnets.values()].filter((x) => lss.has(x.name)).sort(byName)) {
    const ref = subnetRef.get(s.name);
    network.addSubnet(s, ref === undefined ? undefined : { ref });
    network.addLogicalSwitch(lss.get(s.name) as LogicalSwitch);
  }
  for (const n of [...nodes.values()].sort(byName)) network.addNode(n);
  for (const vpc of [...allVpcs].sort(cmp)) {
    network.addVpc(
      createVpc({
        name: vpc,
        namespaces: [...(vpcNamespaces.get(vpc) ?? [])].sort(cmp),
        subnets: [...subnets.values()].filter((s) => s.vpc === vpc && lss.has(s.name)).map((s) => s.name).sort(cmp),
        ...(lrs.has(vpc) ? { logicalRouter: vpc } : {}),
      }),
    );
  }
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
  if (asked !== undefined) {
    const s = subnets.get(asked);
    if (s === undefined) return `annotation ${ANNOTATION_SUBNET}: subnet ${JSON.stringify(asked)} does not exist (or has problems)`;
    if (!servesNamespace(s, ns, vpc)) return `annotation ${ANNOTATION_SUBNET}: subnet ${JSON.stringify(asked)} does not serve namespace ${JSON.stringify(ns)} (VPC ${JSON.stringify(vpc)})`;
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
function compileQos(pod: KubePod, endpointId: string, ref: IntentObjectRef, ctx: IntentContext): QosPolicy | undefined {
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
      ctx.problems.report(ref, ErrorCode.INPUT_INVALID, `annotation ${key}: ${r.reason}; the pod gets no QoS`);
      bad = true;
    } else limits[dir] = { rateKbps: r.kbps };
  }
  if (bad || (limits.ingress === undefined && limits.egress === undefined)) return undefined;
  return createQosPolicy({ name: qosPolicyNameOf(endpointId), ...limits });
}

/** Domain nodes from Kubernetes Nodes and the topology. */
function compileNodes(ctx: IntentContext): Map<string, Node> {
  const { cluster, settings, problems } = ctx;
  const topology = new Map(settings.topology.nodes.map((n) => [n.name, n]));
  const fallback = settings.overlay === 'host' ? 'host' : 'network';
  const nodes = new Map<string, Node>();
  for (const kn of [...cluster.nodes].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const name = kn.metadata.name;
    const ref: IntentObjectRef = { kind: 'Node', name };
    if (!isSafeName(name)) {
      problems.report(ref, ErrorCode.INPUT_INVALID, `name ${JSON.stringify(name)} is longer than 63 characters or not a safe name; node names reach devices`);
      continue;
    }
    const t = topology.get(name);
    const labelled = overlayLabel(kn.metadata.labels?.[LABEL_OVERLAY], t?.overlay, fallback, (code, message) => problems.report(ref, code, message));
    const overlay = t?.overlay ?? labelled ?? fallback;
    const internalIp = kn.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (overlay === 'network') {
      if (t === undefined) {
        problems.report(ref, ErrorCode.NOT_FOUND, 'is not in the profile topology: its leaf port is unknown, so its pods get no network; add it to topology.nodes');
        continue;
      }
      if (t.leaf === undefined || t.port === undefined) {
        problems.report(ref, ErrorCode.INPUT_INVALID, 'is a network-overlay node without leaf and port in the topology; its pods get no network');
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
      problems.reportError(ref, e);
    }
  }
  return nodes;
}

/**
 * The overlay a Node's `netloom.io/overlay` label asks for, if it is valid and nothing overrides it: an explicit
 * topology `overlay` wins (the profile is the operator's wiring; a disagreeing label is reported), a value other
 * than `host` / `network` is reported and ignored.
 */
function overlayLabel(
  label: string | undefined,
  topology: 'host' | 'network' | undefined,
  fallback: 'host' | 'network',
  report: (code: string, message: string) => void,
): 'host' | 'network' | undefined {
  if (label === undefined) return undefined;
  if (label !== 'host' && label !== 'network') {
    const applies = topology !== undefined ? `the topology's overlay ${topology}` : `the profile's default overlay ${fallback}`;
    report(ErrorCode.INPUT_INVALID, `label ${LABEL_OVERLAY}=${JSON.stringify(label)} is neither "host" nor "network"; ${applies} applies`);
    return undefined;
  }
  if (topology !== undefined && topology !== label) {
    report(ErrorCode.CONFLICT, `label ${LABEL_OVERLAY}=${label} disagrees with the profile topology (overlay ${topology}); the topology wins`);
    return undefined;
  }
  return label;
}
