/**
 * The compiler's last step: validate the assembled network with the domain's `checkNetwork` and contain what
 * fails. A violation that belongs to a VPC (its subnet, LS, LR, endpoint, QoS policy, VLB, security group) fails that VPC: it goes
 * to `failedVpcs` and its objects leave the network (devices keep what they have for it: blast radius). A node
 * violation drops the node and its endpoints; a peering violation drops the peering (and the VRBs that leak its
 * routes); a VRB violation drops the VRB. Each violation is reported as
 * a `DOMAIN.INVARIANT` problem on the Kubernetes objects it comes from. The check runs again until the rest is
 * clean.
 * @packageDocumentation
 */
import {
  checkNetwork,
  ErrorCode,
  type Endpoint,
  type InvariantError,
  type LogicalRouter,
  type LogicalSwitch,
  type NetworkState,
  type Node,
  type Peering,
  type QosPolicy,
  type SecurityGroup,
  type Subnet,
  type Vlb,
  type Vpc,
  type Vrb,
} from '@netloom/domain';
import { cmp, type ObjectRef, type ProblemList } from './intent.problems';
import { buildVfw, type VfwPolicyDraft } from './vfw.builder';

/** The compiled objects, before validation. */
export interface CompiledObjects {
  readonly vpcs: readonly Vpc[];
  readonly subnets: readonly Subnet[];
  readonly logicalSwitches: readonly LogicalSwitch[];
  readonly logicalRouters: readonly LogicalRouter[];
  readonly endpoints: readonly Endpoint[];
  readonly nodes: readonly Node[];
  readonly qosPolicies: readonly QosPolicy[];
  readonly vlbs: readonly Vlb[];
  readonly peerings: readonly Peering[];
  readonly vfwPolicies: readonly VfwPolicyDraft[];
  /** VRBs; `peering`: the peering a VRB leaks routes for (it leaves with the peering). Absent: none. */
  readonly vrbs?: readonly { readonly vrb: Vrb; readonly peering?: string }[];
  /** Security groups (each of one VPC). Absent: none. */
  readonly securityGroups?: readonly SecurityGroup[];
}

/** Maps domain objects back to the Kubernetes objects to report problems on. */
export interface Attribution {
  readonly vpcRefs: (vpc: string) => readonly ObjectRef[];
  readonly subnetRefs: (subnet: string) => readonly ObjectRef[];
  readonly endpointRef: (id: string) => ObjectRef | undefined;
  readonly peeringRef: (name: string) => ObjectRef | undefined;
  /** Where a security group's problems go (its SecurityGroup resource). Absent or undefined: its VPC's objects. */
  readonly securityGroupRef?: (name: string) => ObjectRef | undefined;
  /** Where a VRB's problems go (its peering's VpcPeering, else its VPC). Absent: the VPC. */
  readonly vrbRef?: (name: string) => ObjectRef | undefined;
}

/** How many times the check runs at most (each pass removes what failed in the one before). */
const MAX_PASSES = 5;

const byName = <T extends { readonly name: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => cmp(a.name, b.name));

/** Validates and contains; see the module documentation. */
export function validateNetwork(input: CompiledObjects, attribution: Attribution, problems: ProblemList): { network: NetworkState; failedVpcs: string[] } {
  const vpcOf = new Map<string, Map<string, string>>([
    ['VPC', new Map(input.vpcs.map((v) => [v.name, v.name]))],
    ['subnet', new Map(input.subnets.map((s) => [s.name, s.vpc]))],
    ['LS', new Map(input.logicalSwitches.map((l) => [l.name, l.vpc]))],
    ['LR', new Map(input.logicalRouters.map((l) => [l.name, l.vpc]))],
    ['endpoint', new Map(input.endpoints.map((e) => [e.id, e.vpc]))],
    ['QoS policy', new Map(input.endpoints.filter((e) => e.qos !== undefined).map((e) => [e.qos as string, e.vpc]))],
    ['VLB', new Map(input.vlbs.map((l) => [l.name, l.vpc]))],
    // A broken group fails its VPC like its other objects: dropping only the group would open its endpoints.
    ['security group', new Map((input.securityGroups ?? []).map((g) => [g.name, g.vpc]))],
  ]);
  const lsSubnet = new Map(input.logicalSwitches.map((l) => [l.name, l.subnet]));
  const failed = new Set<string>();
  const droppedNodes = new Set<string>();
  const droppedPeerings = new Set<string>();
  const droppedVrbs = new Set<string>();

  const assemble = (): NetworkState => {
    const endpoints = input.endpoints.filter((e) => !failed.has(e.vpc) && !droppedNodes.has(e.node));
    const qosUsed = new Set(endpoints.map((e) => e.qos).filter((q): q is string => q !== undefined));
    const peerings = input.peerings.filter((p) => !droppedPeerings.has(p.name) && !failed.has(p.vpcs[0]) && !failed.has(p.vpcs[1]));
    const vpcs = byName(input.vpcs.filter((v) => !failed.has(v.name)));
    const vfw = buildVfw(
      vpcs.map((v) => v.name),
      input.vfwPolicies.filter((d) => d.source.kind === 'dns' || !droppedPeerings.has(d.source.name)),
    );
    return {
      vpcs,
      subnets: byName(input.subnets.filter((s) => !failed.has(s.vpc))),
      logicalSwitches: byName(input.logicalSwitches.filter((l) => !failed.has(l.vpc))),
      logicalRouters: byName(input.logicalRouters.filter((l) => !failed.has(l.vpc))),
      vrbs: byName(
        (input.vrbs ?? [])
          .filter((v) => !failed.has(v.vrb.vpc) && !droppedVrbs.has(v.vrb.name) && (v.peering === undefined || peerings.some((p) => p.name === v.peering)))
          .map((v) => v.vrb),
      ),
      vfws: vfw === undefined ? [] : [vfw],
      vlbs: byName(input.vlbs.filter((l) => !failed.has(l.vpc))),
      endpoints: [...endpoints].sort((a, b) => cmp(a.id, b.id)),
      nodes: byName(input.nodes.filter((n) => !droppedNodes.has(n.name))),
      securityGroups: byName((input.securityGroups ?? []).filter((g) => !failed.has(g.vpc))),
      qosPolicies: byName(input.qosPolicies.filter((q) => qosUsed.has(q.name))),
      peerings: byName(peerings),
    };
  };

  let state = assemble();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const violations = checkNetwork(state);
    if (violations.length === 0) break;
    let progress = false;
    for (const v of violations) {
      const kind = String(v.details['kind'] ?? '');
      const name = String(v.details['name'] ?? '');
      const vpc = vpcOf.get(kind)?.get(name) ?? (kind === 'VFW' && typeof v.details['value'] === 'string' && vpcOf.get('VPC')?.has(v.details['value']) ? v.details['value'] : undefined);
      if (vpc !== undefined) {
        for (const ref of refsOf(kind, name, vpc, attribution, lsSubnet)) problems.add(ref, ErrorCode.INVARIANT, `${v.message} (VPC ${JSON.stringify(vpc)} is left as it is on the devices until this is fixed)`);
        if (!failed.has(vpc)) {
          failed.add(vpc);
          progress = true;
        }
      } else if (kind === 'node' && name !== '') {
        problems.add({ kind: 'Node', name }, ErrorCode.INVARIANT, `${v.message}; the node's pods get no network`);
        if (!droppedNodes.has(name)) {
          droppedNodes.add(name);
          progress = true;
        }
      } else if (kind === 'VRB' && name !== '') {
        // A VRB is one VPC's route leaking: dropping it leaves the VPC isolated, which is the safe side.
        problems.add(attribution.vrbRef?.(name) ?? { kind: 'VRB', name }, ErrorCode.INVARIANT, `${v.message}; its routes are not leaked`);
        if (!droppedVrbs.has(name)) {
          droppedVrbs.add(name);
          progress = true;
        }
      } else if (kind === 'peering' && name !== '') {
        problems.add(attribution.peeringRef(name) ?? { kind: 'VpcPeering', name }, ErrorCode.INVARIANT, v.message);
        if (!droppedPeerings.has(name)) {
          droppedPeerings.add(name);
          progress = true;
        }
      } else {
        reportUnattributed(v, problems);
      }
    }
    state = assemble();
    if (!progress) break;
  }
  return { network: state, failedVpcs: [...failed].sort(cmp) };
}

function refsOf(kind: string, name: string, vpc: string, a: Attribution, lsSubnet: ReadonlyMap<string, string>): readonly ObjectRef[] {
  if (kind === 'endpoint' || kind === 'QoS policy') {
    const r = a.endpointRef(name);
    if (r !== undefined) return [r];
  }
  if (kind === 'security group') {
    const r = a.securityGroupRef?.(name);
    if (r !== undefined) return [r];
  }
  if (kind === 'subnet' || kind === 'LS') {
    const refs = a.subnetRefs(kind === 'LS' ? (lsSubnet.get(name) ?? name) : name);
    if (refs.length > 0) return refs;
  }
  return a.vpcRefs(vpc);
}

function reportUnattributed(v: InvariantError, problems: ProblemList): void {
  problems.add({ kind: 'Network', name: String(v.details['kind'] ?? 'network') }, ErrorCode.INVARIANT, v.message);
}
