/**
 * Invariants over a whole desired network state: the rules no single object can check on its own (references,
 * uniqueness across the fabric, overlaps inside a VPC, per-node VLANs).
 *
 * {@link checkNetwork} returns every violation it finds (it never stops at the first), so a plan or a status
 * condition can list them all; {@link assertNetwork} throws them. Each object is first re-validated with its own
 * `create*` function (a state read back from a store or built by hand is checked as strictly as fresh input), and
 * the checks then work on the canonical copies, so `2001:DB8::1` and `2001:db8::1` are one address.
 * @packageDocumentation
 */
import { Invariant, InvariantError } from './errors';
import { createEndpoint, type Endpoint } from './endpoint.model';
import { cidrContains, cidrFirst, cidrLast, formatCidr, parseCidr, parseIp, type Cidr, type IpFamily } from './ip';
import { createLogicalRouter, type LogicalRouter } from './logical-router.model';
import { createLogicalSwitch, type LogicalSwitch } from './logical-switch.model';
import { createNode, type Node } from './node.model';
import { createPeering, type Peering } from './peering.model';
import { createQosPolicy, type QosPolicy } from './qos.model';
import { createSecurityGroup, isCidrRemote, type SecurityGroup } from './security-group.model';
import { createSubnet, subnetFamilies, subnetFamily, type Subnet, type SubnetInput } from './subnet.model';
import { createVfw, type Vfw } from './vfw.model';
import { createVlb, type Vlb } from './vlb.model';
import { createVpc, type Vpc } from './vpc.model';
import { createVrb, type Vrb } from './vrb.model';
import { familyName, isSealedModel, violation, type Where } from './validation.helpers';

/**
 * A desired network state, as the intent compiler produces it. Every list is optional (absent = empty). References
 * between objects are by name (endpoints by id).
 */
export interface NetworkState {
  /** VPCs, unique by name. */
  readonly vpcs?: readonly Vpc[];
  /** Subnets of all VPCs, unique by name. */
  readonly subnets?: readonly Subnet[];
  /** LSs, one per subnet, unique by name. */
  readonly logicalSwitches?: readonly LogicalSwitch[];
  /** LRs, one per VPC, unique by name. */
  readonly logicalRouters?: readonly LogicalRouter[];
  /** VRBs, unique by name. */
  readonly vrbs?: readonly Vrb[];
  /** VFWs, unique by name. */
  readonly vfws?: readonly Vfw[];
  /** VLBs, unique by name. */
  readonly vlbs?: readonly Vlb[];
  /** Endpoints, unique by id. */
  readonly endpoints?: readonly Endpoint[];
  /** Nodes, unique by name. Every endpoint's node must be here. */
  readonly nodes?: readonly Node[];
  /** Security groups, unique by name. */
  readonly securityGroups?: readonly SecurityGroup[];
  /** QoS policies, unique by name. */
  readonly qosPolicies?: readonly QosPolicy[];
  /** Peerings, unique by name and by VPC pair. */
  readonly peerings?: readonly Peering[];
}

/**
 * Thrown by {@link assertNetwork} when a state has more than one violation. `invariant` is the first violation's;
 * `violations` holds them all (also in `details.violations`, JSON-safe).
 */
export class NetworkInvariantsError extends InvariantError {
  /** Every violation, in the order {@link checkNetwork} found them. */
  readonly violations: readonly InvariantError[];

  constructor(violations: readonly InvariantError[]) {
    const first = violations[0];
    if (first === undefined) throw new TypeError('NetworkInvariantsError needs at least one violation');
    const shown = violations.slice(0, 20).map((v) => `  - [${v.invariant}] ${v.message}`);
    if (violations.length > 20) shown.push(`  ... and ${violations.length - 20} more`);
    super(first.invariant, `the network state breaks ${violations.length} invariants:\n${shown.join('\n')}`, {
      details: { violations: violations.map((v) => ({ invariant: v.invariant, message: v.message, details: v.details })) },
    });
    this.violations = violations;
  }
}

/** The input that {@link createSubnet} turns into `s` (so a stored subnet can be re-validated). */
export function subnetToInput(s: Subnet): SubnetInput {
  const fams = subnetFamilies(s);
  return {
    name: s.name,
    vpc: s.vpc,
    cidrs: fams.map((f) => f.cidr),
    gateways: fams.map((f) => f.gateway),
    excludeRanges: fams.flatMap((f) => f.excludeRanges),
    namespaces: s.namespaces,
    default: s.default,
  };
}

const q = (s: string): string => JSON.stringify(s);

/** A two-level map (outer key → inner key → value): cheaper than concatenated string keys on large states. */
class Index2<A, B, V> {
  private readonly outer = new Map<A, Map<B, V>>();
  get(a: A, b: B): V | undefined {
    return this.outer.get(a)?.get(b);
  }
  set(a: A, b: B, v: V): void {
    let inner = this.outer.get(a);
    if (!inner) {
      inner = new Map<B, V>();
      this.outer.set(a, inner);
    }
    inner.set(b, v);
  }
}

/** `network address` / `broadcast address` if `value` is one of those of the IPv4 block. */
function v4NetworkOrBroadcast(cidr: Cidr, value: bigint): string | undefined {
  return value === cidrFirst(cidr) ? 'network address' : value === cidrLast(cidr) ? 'broadcast address' : undefined;
}

/**
 * Checks every invariant of a whole network state and returns every violation (empty when the state is valid).
 *
 * Per object: its own invariants (the `create*` function of its model). Across objects:
 * - names unique per kind, endpoint ids unique (`duplicate`);
 * - references exist (`reference-missing`): subnet → VPC, VPC → subnets and LR, LS → VPC and subnet, LR → VPC,
 *   endpoint → VPC, subnet, node, security groups and QoS policy, VRB/VLB/security group → VPC, VFW zone → VPC,
 *   security-group remote group, peering → both VPCs;
 * - two-way references agree (`reference-mismatch`): a VPC lists exactly the subnets that name it, a VPC's LR names
 *   it back, an LS's / endpoint's VPC is its subnet's VPC, a subnet's namespaces belong to its VPC, an endpoint's
 *   security groups are of its VPC;
 * - a namespace belongs to at most one VPC and has at most one default subnet; at most one LR per VPC, one LS per
 *   subnet, one peering per VPC pair; nodes do not share a leaf port or a VTEP address; a listener (VIP, port,
 *   protocol) is used once per VPC; a MAC once per subnet (`duplicate`);
 * - subnets of one VPC do not overlap, per family; subnets of different VPCs may (`subnet-overlap`);
 * - every L2 and L3 VNI is used once across the fabric (`vni-conflict`);
 * - an endpoint address has a CIDR of its family in the subnet (`family-mismatch`), lies inside it
 *   (`ip-outside-subnet`), is not the gateway or the IPv4 network/broadcast address (`ip-reserved`), and is not used
 *   by another endpoint of the VPC (`ip-conflict`);
 * - per node, a VLAN carries one LS and an LS uses one VLAN (`vlan-conflict`).
 *
 * Pure and deterministic: the same state gives the same violations in the same order.
 */
export function checkNetwork(state: NetworkState): InvariantError[] {
  const out: InvariantError[] = [];
  const add = (e: InvariantError): void => {
    out.push(e);
  };

  // 1. Each object on its own; keep canonical copies of the valid ones. Names of invalid objects still count as
  //    present, so a broken subnet does not also show up as a missing reference everywhere.
  function validate<T>(
    items: readonly T[] | undefined,
    kind: string,
    key: (x: T) => unknown,
    create: (x: T) => T,
  ): { valid: Map<unknown, T>; present: Set<unknown>; list: T[] } {
    const valid = new Map<unknown, T>();
    const present = new Set<unknown>();
    const list: T[] = [];
    for (const item of items ?? []) {
      const k = key(item);
      if (present.has(k)) {
        add(violation(Invariant.DUPLICATE, { kind, name: String(k) }, `is defined twice`, { value: k }));
        continue;
      }
      present.add(k);
      try {
        // Objects straight from a create* function are valid and frozen; anything else is validated again.
        const c = isSealedModel(item) ? item : create(item);
        valid.set(k, c);
        list.push(c);
      } catch (e) {
        if (e instanceof InvariantError) add(e);
        else add(violation(Invariant.VALUE_INVALID, { kind, name: String(k) }, `is malformed: ${e instanceof Error ? e.message : String(e)}`));
      }
    }
    return { valid, present, list };
  }

  const name = (x: { name: string }): string => x?.name;
  const vpcs = validate<Vpc>(state.vpcs, 'VPC', name, createVpc);
  const subnets = validate<Subnet>(state.subnets, 'subnet', name, (s) => createSubnet(subnetToInput(s)));
  const lss = validate<LogicalSwitch>(state.logicalSwitches, 'LS', name, createLogicalSwitch);
  const lrs = validate<LogicalRouter>(state.logicalRouters, 'LR', name, createLogicalRouter);
  const vrbs = validate<Vrb>(state.vrbs, 'VRB', name, createVrb);
  const vfws = validate<Vfw>(state.vfws, 'VFW', name, createVfw);
  const vlbs = validate<Vlb>(state.vlbs, 'VLB', name, createVlb);
  const nodes = validate<Node>(state.nodes, 'node', name, createNode);
  const sgs = validate<SecurityGroup>(state.securityGroups, 'security group', name, createSecurityGroup);
  const qos = validate<QosPolicy>(state.qosPolicies, 'QoS policy', name, createQosPolicy);
  const peerings = validate<Peering>(state.peerings, 'peering', name, createPeering);
  const endpoints = validate<Endpoint>(state.endpoints, 'endpoint', (e) => e?.id, createEndpoint);

  const missing = (where: Where, field: string, targetKind: string, target: string): InvariantError =>
    violation(Invariant.REFERENCE_MISSING, where, `${field} names ${targetKind} ${q(target)}, which does not exist`, { field, value: target });
  const refVpc = (where: Where, vpc: string, field = 'vpc'): Vpc | undefined => {
    if (!vpcs.present.has(vpc)) add(missing(where, field, 'VPC', vpc));
    return vpcs.valid.get(vpc);
  };

  // 2. VPCs: namespaces, subnets and LR, both ways.
  const nsOwner = new Map<string, string>();
  for (const vpc of vpcs.list) {
    const where: Where = { kind: 'VPC', name: vpc.name };
    for (const ns of vpc.namespaces) {
      const other = nsOwner.get(ns);
      if (other !== undefined) {
        add(violation(Invariant.DUPLICATE, where, `claims namespace ${q(ns)}, which already belongs to VPC ${q(other)}`, { field: 'namespaces', value: ns }));
      } else nsOwner.set(ns, vpc.name);
    }
    for (const sn of vpc.subnets) {
      if (!subnets.present.has(sn)) add(missing(where, 'subnets', 'subnet', sn));
      const s = subnets.valid.get(sn);
      if (s && s.vpc !== vpc.name) {
        add(violation(Invariant.REFERENCE_MISMATCH, where, `lists subnet ${q(sn)}, but that subnet belongs to VPC ${q(s.vpc)}`, { field: 'subnets', value: sn }));
      }
    }
    if (vpc.logicalRouter !== undefined) {
      if (!lrs.present.has(vpc.logicalRouter)) add(missing(where, 'logicalRouter', 'LR', vpc.logicalRouter));
      const lr = lrs.valid.get(vpc.logicalRouter);
      if (lr && lr.vpc !== vpc.name) {
        add(
          violation(Invariant.REFERENCE_MISMATCH, where, `names LR ${q(lr.name)}, but that LR serves VPC ${q(lr.vpc)}`, {
            field: 'logicalRouter',
            value: lr.name,
          }),
        );
      }
    }
  }

  // 3. Subnets: VPC reference, namespaces, default subnet per namespace, overlaps per VPC and family.
  const defaults = new Map<string, string>();
  const byVpcFamily = new Map<string, { subnet: string; cidr: Cidr }[]>();
  const subnetCidr = new Map<string, Map<IpFamily, Cidr>>();
  for (const s of subnets.list) {
    const where: Where = { kind: 'subnet', name: s.name };
    const vpc = refVpc(where, s.vpc);
    const cidrs = new Map<IpFamily, Cidr>();
    for (const f of subnetFamilies(s)) cidrs.set(parseCidr(f.cidr).family, parseCidr(f.cidr));
    subnetCidr.set(s.name, cidrs);
    if (!vpc) continue;
    if (!vpc.subnets.includes(s.name)) {
      add(violation(Invariant.REFERENCE_MISMATCH, where, `belongs to VPC ${q(vpc.name)}, but that VPC does not list it in its subnets`, { field: 'vpc', value: vpc.name }));
    }
    for (const ns of s.namespaces) {
      if (!vpc.namespaces.includes(ns)) {
        add(violation(Invariant.REFERENCE_MISMATCH, where, `serves namespace ${q(ns)}, which is not a namespace of VPC ${q(vpc.name)}`, { field: 'namespaces', value: ns }));
      }
    }
    if (s.default) {
      // An empty list serves every namespace the VPC owns (a namespace claimed twice is reported once, above).
      const served = s.namespaces.length > 0 ? s.namespaces : vpc.namespaces.filter((ns) => nsOwner.get(ns) === vpc.name);
      for (const ns of served) {
        const other = defaults.get(ns);
        if (other !== undefined) {
          add(violation(Invariant.DUPLICATE, where, `is a default subnet of namespace ${q(ns)}, and so is subnet ${q(other)}`, { field: 'default', value: ns }));
        } else defaults.set(ns, s.name);
      }
    }
    for (const [family, cidr] of cidrs) {
      const key = `${vpc.name}\u0000${family}`;
      const list = byVpcFamily.get(key) ?? [];
      list.push({ subnet: s.name, cidr });
      byVpcFamily.set(key, list);
    }
  }
  for (const list of byVpcFamily.values()) {
    // Sorted by first address: block j (after i) overlaps block i exactly when it starts before i ends.
    const sorted = [...list].sort((a, b) => (cidrFirst(a.cidr) < cidrFirst(b.cidr) ? -1 : cidrFirst(a.cidr) > cidrFirst(b.cidr) ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i] as (typeof sorted)[number];
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j] as (typeof sorted)[number];
        if (cidrFirst(b.cidr) > cidrLast(a.cidr)) break;
        const vpc = subnets.valid.get(a.subnet)?.vpc ?? '';
        add(
          violation(
            Invariant.SUBNET_OVERLAP,
            { kind: 'subnet', name: b.subnet },
            `${formatCidr(b.cidr)} overlaps subnet ${q(a.subnet)} ${formatCidr(a.cidr)} in VPC ${q(vpc)}`,
            { field: 'cidr', value: formatCidr(b.cidr), other: a.subnet, otherCidr: formatCidr(a.cidr), vpc },
          ),
        );
      }
    }
  }

  // 4. LS and LR: references, one LS per subnet, one LR per VPC, VNIs unique across the fabric.
  const vniUser = new Map<number, string>();
  const useVni = (where: Where, field: string, vni: number): void => {
    const label = `${where.kind} ${q(where.name ?? '')}`;
    const other = vniUser.get(vni);
    if (other !== undefined) {
      add(violation(Invariant.VNI_CONFLICT, where, `${field} ${vni} is already used by ${other}`, { field, value: vni, other }));
    } else vniUser.set(vni, label);
  };
  const lsOfSubnet = new Map<string, string>();
  for (const ls of lss.list) {
    const where: Where = { kind: 'LS', name: ls.name };
    refVpc(where, ls.vpc);
    if (!subnets.present.has(ls.subnet)) add(missing(where, 'subnet', 'subnet', ls.subnet));
    const s = subnets.valid.get(ls.subnet);
    if (s && s.vpc !== ls.vpc) {
      add(violation(Invariant.REFERENCE_MISMATCH, where, `is in VPC ${q(ls.vpc)}, but its subnet ${q(s.name)} belongs to VPC ${q(s.vpc)}`, { field: 'vpc', value: ls.vpc }));
    }
    const other = lsOfSubnet.get(ls.subnet);
    if (other !== undefined) {
      add(violation(Invariant.DUPLICATE, where, `carries subnet ${q(ls.subnet)}, which LS ${q(other)} already carries`, { field: 'subnet', value: ls.subnet }));
    } else lsOfSubnet.set(ls.subnet, ls.name);
    useVni(where, 'l2Vni', ls.l2Vni);
  }
  const lrOfVpc = new Map<string, string>();
  for (const lr of lrs.list) {
    const where: Where = { kind: 'LR', name: lr.name };
    const vpc = refVpc(where, lr.vpc);
    const other = lrOfVpc.get(lr.vpc);
    if (other !== undefined) {
      add(violation(Invariant.DUPLICATE, where, `serves VPC ${q(lr.vpc)}, which LR ${q(other)} already serves`, { field: 'vpc', value: lr.vpc }));
    } else lrOfVpc.set(lr.vpc, lr.name);
    // A second LR of the VPC is already reported as a duplicate; otherwise the VPC must name this LR back.
    if (vpc && other === undefined && vpc.logicalRouter !== lr.name) {
      const named = vpc.logicalRouter === undefined ? 'names no LR' : `names LR ${q(vpc.logicalRouter)}`;
      add(violation(Invariant.REFERENCE_MISMATCH, where, `serves VPC ${q(vpc.name)}, but that VPC ${named}`, { field: 'vpc', value: vpc.name }));
    }
    useVni(where, 'l3Vni', lr.l3Vni);
  }

  // 5. Nodes: leaf ports and VTEP addresses unique.
  const leafPorts = new Map<string, string>();
  const vteps = new Map<string, string>();
  for (const n of nodes.list) {
    const where: Where = { kind: 'node', name: n.name };
    if (n.leaf) {
      const key = `${n.leaf.leaf} ${n.leaf.port}`;
      const other = leafPorts.get(key);
      if (other !== undefined) {
        add(violation(Invariant.DUPLICATE, where, `is plugged into leaf ${q(n.leaf.leaf)} port ${n.leaf.port}, where node ${q(other)} is plugged in`, { field: 'leaf', value: n.leaf }));
      } else leafPorts.set(key, n.name);
    }
    if (n.vtepIp !== undefined) {
      const other = vteps.get(n.vtepIp);
      if (other !== undefined) {
        add(violation(Invariant.DUPLICATE, where, `VTEP address ${n.vtepIp} is also node ${q(other)}'s`, { field: 'vtepIp', value: n.vtepIp }));
      } else vteps.set(n.vtepIp, n.name);
    }
  }

  // 6. Security groups, QoS references.
  for (const sg of sgs.list) {
    const where: Where = { kind: 'security group', name: sg.name };
    refVpc(where, sg.vpc);
    sg.rules.forEach((r, i) => {
      if (!isCidrRemote(r.remote) && !sgs.present.has(r.remote.group)) add(missing(where, `rules[${i}].remote.group`, 'security group', r.remote.group));
    });
  }

  // 7. Endpoints: references, addresses, per-node VLANs, MACs.
  const ipOwner = new Index2<string, string, string>();
  const macOwner = new Index2<string, string, string>();
  // Per node: VLAN → subnet whose LS it carries, and subnet → the VLAN it uses (one LS per subnet).
  const nodeVlanSubnet = new Index2<string, number, string>();
  const nodeSubnetVlan = new Index2<string, string, { vlan: number; endpoint: string }>();
  const segmentLabel = (subnet: string): string => {
    const ls = lsOfSubnet.get(subnet);
    return ls !== undefined ? `LS ${q(ls)}` : `subnet ${q(subnet)}`;
  };
  for (const ep of endpoints.list) {
    const where: Where = { kind: 'endpoint', name: ep.id };
    refVpc(where, ep.vpc);
    if (!subnets.present.has(ep.subnet)) add(missing(where, 'subnet', 'subnet', ep.subnet));
    if (!nodes.present.has(ep.node)) add(missing(where, 'node', 'node', ep.node));
    for (const sgName of ep.securityGroups) {
      if (!sgs.present.has(sgName)) add(missing(where, 'securityGroups', 'security group', sgName));
      const sg = sgs.valid.get(sgName);
      if (sg && sg.vpc !== ep.vpc) {
        add(violation(Invariant.REFERENCE_MISMATCH, where, `is in VPC ${q(ep.vpc)}, but its security group ${q(sgName)} is of VPC ${q(sg.vpc)}`, { field: 'securityGroups', value: sgName }));
      }
    }
    if (ep.qos !== undefined && !qos.present.has(ep.qos)) add(missing(where, 'qos', 'QoS policy', ep.qos));

    const s = subnets.valid.get(ep.subnet);
    if (s && s.vpc !== ep.vpc) {
      add(violation(Invariant.REFERENCE_MISMATCH, where, `is in VPC ${q(ep.vpc)}, but its subnet ${q(s.name)} belongs to VPC ${q(s.vpc)}`, { field: 'vpc', value: ep.vpc }));
    }
    if (s) {
      const cidrs = subnetCidr.get(s.name) ?? new Map<IpFamily, Cidr>();
      for (const text of ep.ips) {
        const ip = parseIp(text);
        const cidr = cidrs.get(ip.family);
        const fam = subnetFamily(s, ip.family);
        if (!cidr || !fam) {
          add(violation(Invariant.FAMILY_MISMATCH, where, `address ${text} is ${familyName(ip.family)}, but subnet ${q(s.name)} has no ${familyName(ip.family)} CIDR`, { field: 'ips', value: text }));
          continue;
        }
        if (!cidrContains(cidr, ip)) {
          add(violation(Invariant.IP_OUTSIDE_SUBNET, where, `address ${text} is outside subnet ${q(s.name)} ${formatCidr(cidr)}`, { field: 'ips', value: text, cidr: formatCidr(cidr) }));
          continue;
        }
        const reserved = text === fam.gateway ? 'gateway' : ip.family === 4 && cidr.prefix <= 30 ? v4NetworkOrBroadcast(cidr, ip.value) : undefined;
        if (reserved !== undefined) {
          add(violation(Invariant.IP_RESERVED, where, `address ${text} is the ${reserved} of subnet ${q(s.name)} ${formatCidr(cidr)}`, { field: 'ips', value: text, reserved }));
        }
      }
    }
    // Addresses are unique per VPC (different VPCs may overlap), keyed by the endpoint's own VPC. The texts are
    // canonical (re-created above), so equal addresses are equal strings.
    for (const text of ep.ips) {
      const other = ipOwner.get(ep.vpc, text);
      if (other !== undefined) {
        add(violation(Invariant.IP_CONFLICT, where, `address ${text} is already used by endpoint ${q(other)} in VPC ${q(ep.vpc)}`, { field: 'ips', value: text, other }));
      } else ipOwner.set(ep.vpc, text, ep.id);
    }
    if (ep.mac !== undefined) {
      const other = macOwner.get(ep.subnet, ep.mac);
      if (other !== undefined) {
        add(violation(Invariant.DUPLICATE, where, `MAC ${ep.mac} is already used by endpoint ${q(other)} in subnet ${q(ep.subnet)}`, { field: 'mac', value: ep.mac, other }));
      } else macOwner.set(ep.subnet, ep.mac, ep.id);
    }
    if (ep.vlan !== undefined) {
      // The segment is the subnet's LS (one per subnet; messages name the LS, or the subnet if it has none).
      const otherSubnet = nodeVlanSubnet.get(ep.node, ep.vlan);
      if (otherSubnet !== undefined && otherSubnet !== ep.subnet) {
        add(
          violation(
            Invariant.VLAN_CONFLICT,
            where,
            `VLAN ${ep.vlan} on node ${q(ep.node)} carries ${segmentLabel(otherSubnet)}, but this endpoint is in ${segmentLabel(ep.subnet)}`,
            { field: 'vlan', value: ep.vlan, node: ep.node },
          ),
        );
      } else if (otherSubnet === undefined) nodeVlanSubnet.set(ep.node, ep.vlan, ep.subnet);
      const otherVlan = nodeSubnetVlan.get(ep.node, ep.subnet);
      if (otherVlan !== undefined && otherVlan.vlan !== ep.vlan) {
        add(
          violation(
            Invariant.VLAN_CONFLICT,
            where,
            `has VLAN ${ep.vlan} on node ${q(ep.node)}, but ${segmentLabel(ep.subnet)} already uses VLAN ${otherVlan.vlan} there (endpoint ${q(otherVlan.endpoint)})`,
            { field: 'vlan', value: ep.vlan, node: ep.node },
          ),
        );
      } else if (otherVlan === undefined) nodeSubnetVlan.set(ep.node, ep.subnet, { vlan: ep.vlan, endpoint: ep.id });
    }
  }

  // 8. VRB, VFW, VLB, peering references; listeners per VPC; one peering per pair.
  for (const v of vrbs.list) refVpc({ kind: 'VRB', name: v.name }, v.vpc);
  for (const fw of vfws.list) {
    fw.zones.forEach((z, i) => refVpc({ kind: 'VFW', name: fw.name }, z.vpc, `zones[${i}].vpc`));
  }
  const listeners = new Map<string, string>();
  for (const lb of vlbs.list) {
    const where: Where = { kind: 'VLB', name: lb.name };
    refVpc(where, lb.vpc);
    for (const vs of lb.virtualServers) {
      const listener = `${vs.protocol} ${vs.vip.includes(':') ? `[${vs.vip}]` : vs.vip}:${vs.port}`;
      const key = `${lb.vpc}\u0000${listener}`;
      const other = listeners.get(key);
      if (other !== undefined) {
        add(violation(Invariant.DUPLICATE, where, `virtual server ${q(vs.name)} listens on ${listener}, as ${other} does in VPC ${q(lb.vpc)}`, { field: 'virtualServers', value: listener }));
      } else listeners.set(key, `VLB ${q(lb.name)} virtual server ${q(vs.name)}`);
    }
  }
  const pairs = new Map<string, string>();
  for (const p of peerings.list) {
    const where: Where = { kind: 'peering', name: p.name };
    refVpc(where, p.vpcs[0], 'vpcs[0]');
    refVpc(where, p.vpcs[1], 'vpcs[1]');
    const key = [...p.vpcs].sort().join('\u0000');
    const other = pairs.get(key);
    if (other !== undefined) {
      add(violation(Invariant.DUPLICATE, where, `peers VPCs ${q(p.vpcs[0])} and ${q(p.vpcs[1])}, as peering ${q(other)} already does`, { field: 'vpcs', value: p.vpcs }));
    } else pairs.set(key, p.name);
  }

  return out;
}

/**
 * Throws unless the state satisfies every invariant: the violation itself when there is one, a
 * {@link NetworkInvariantsError} listing all of them when there are several.
 * @throws InvariantError / NetworkInvariantsError.
 */
export function assertNetwork(state: NetworkState): void {
  const violations = checkNetwork(state);
  if (violations.length === 1) throw violations[0] as InvariantError;
  if (violations.length > 1) throw new NetworkInvariantsError(violations);
}
