/**
 * The security-groups plugin (ARCHITECTURE §3, §6): `SecurityGroup` resources → security groups of the domain, and
 * the pods that select them with the annotation `netloom.io/security-groups: a,b` → endpoints in those groups. The
 * projection sends each node's vswitch the rules of the groups its endpoints use (stateful allow lists).
 *
 * - **Group**: one per `SecurityGroup` (namespaced), named `<namespace>.<name>` ({@link securityGroupName}), in
 *   `spec.vpc` or else the VPC of its namespace. A group of an unknown VPC, or of a namespace in no VPC, is a problem
 *   on the SecurityGroup and is left out; a group of a VPC that failed to compile is left out silently (the VPC's
 *   problem says why).
 * - **Rules**: each CR rule becomes one domain rule; `remote.group` names a SecurityGroup of the same namespace;
 *   without `remote` the rule allows any address (IPv4 and IPv6: one domain rule per family the protocol has). A
 *   rule that cannot be compiled (a remote group that does not exist or is left out, a protocol the domain has no
 *   word for — `sctp`, `icmpv6` — bad ports, a CIDR that is not one, a second rule with the same name or the same
 *   match) is a problem on the SecurityGroup and is left out: the group then allows less, never more.
 * - **Pods**: the annotation lists SecurityGroup names of the pod's namespace (comma-separated, blanks ignored). A
 *   name that is not a SecurityGroup there, a group that was left out, or one of another VPC is a problem on the Pod;
 *   the pod stays connected in the groups that remain (with none left it is not filtered).
 *
 * Runs after `kubernetes` (it reads the VPCs, the namespaces' VPCs and the pods' endpoints from it).
 * @packageDocumentation
 */
import { createSecurityGroup, ErrorCode, type SecurityGroup, type SecurityGroupInput } from '@netloom/domain';
import {
  compareNames as cmp,
  defineIntentPlugin,
  fitName,
  type IntentContext,
  type IntentObjectRef,
  type IntentPlugin,
  type KubeSecurityGroup,
  type KubeSecurityGroupRule,
} from '@netloom/ports';

/** Pod annotation: the SecurityGroups (of the pod's namespace) the pod is in, comma-separated. */
export const ANNOTATION_SECURITY_GROUPS = 'netloom.io/security-groups';

/** The protocols a SecurityGroup rule may name that the domain (and so the devices) can express. */
const DOMAIN_PROTOCOLS: ReadonlySet<string> = new Set(['any', 'tcp', 'udp', 'icmp']);

/** "Anywhere" of each family, for a rule without `remote`. */
const ANYWHERE = { ipv4: '0.0.0.0/0', ipv6: '::/0' } as const;

/**
 * The security-groups intent plugin (id `security-groups`, after `kubernetes`).
 * @example await compileIntent({ cluster, settings, store, plugins: [kubernetesPlugin, securityGroupsPlugin] })
 */
export const securityGroupsPlugin: IntentPlugin = defineIntentPlugin({ id: 'security-groups', after: ['kubernetes'], compile: compileSecurityGroups });

/**
 * The domain name of a SecurityGroup: `<namespace>.<name>`, shortened with a hash when longer than 63 characters
 * (`fitName`). A namespace name has no `.`, so two SecurityGroups never derive the same name. It is also the group
 * name the vswitches see.
 * @example securityGroupName('shop', 'web') // 'shop.web'
 */
export function securityGroupName(namespace: string, name: string): string {
  return fitName(`${namespace}.${name}`);
}

/**
 * The SecurityGroup names a pod's annotation lists: split at commas, blanks trimmed, empty entries and repeats
 * dropped, in the order given.
 * @example parseSecurityGroupsAnnotation(' web, ops,,web ') // ['web', 'ops']
 */
export function parseSecurityGroupsAnnotation(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

/** Why a rule of a SecurityGroup cannot be compiled, or the domain rules it stands for. */
type RuleResult = { readonly rules: NonNullable<SecurityGroupInput['rules']> } | { readonly problem: string; readonly code: string };

/** A SecurityGroup about to become a domain group. */
interface Candidate {
  readonly cr: KubeSecurityGroup;
  readonly ref: IntentObjectRef;
  readonly name: string;
  readonly vpc: string;
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

async function compileSecurityGroups(ctx: IntentContext): Promise<void> {
  const { cluster, problems, network } = ctx;
  const vpcs = new Set(network.vpcs().map((v) => v.name));
  const crs = [...(cluster.securityGroups ?? [])].sort((a, b) => cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name));

  // 1. Which SecurityGroups become groups (a rule's remote group must be one of them).
  const candidates = new Map<string, Candidate>();
  for (const cr of crs) {
    const namespace = cr.metadata.namespace ?? '';
    const ref: IntentObjectRef = { kind: 'SecurityGroup', namespace, name: cr.metadata.name };
    const vpc = cr.spec.vpc ?? network.vpcOfNamespace(namespace);
    if (vpc === undefined) {
      problems.report(ref, ErrorCode.NOT_FOUND, `namespace ${JSON.stringify(namespace)} is in no VPC; set spec.vpc`);
      continue;
    }
    if (!vpcs.has(vpc)) {
      problems.report(ref, ErrorCode.NOT_FOUND, `VPC ${JSON.stringify(vpc)} does not exist`);
      continue;
    }
    if (problems.isVpcFailed(vpc)) continue;
    candidates.set(keyOf(namespace, cr.metadata.name), { cr, ref, name: securityGroupName(namespace, cr.metadata.name), vpc });
  }

  // 2. The groups, rule by rule (a bad rule is left out, the rest of the group stays).
  const added = new Map<string, SecurityGroup>();
  for (const [key, c] of candidates) {
    const namespace = c.ref.namespace ?? '';
    const names = new Set<string>();
    let group: SecurityGroup;
    try {
      group = createSecurityGroup({ name: c.name, vpc: c.vpc, rules: [] });
    } catch (e) {
      problems.reportError(c.ref, e);
      continue;
    }
    for (const [i, rule] of (c.cr.spec.rules ?? []).entries()) {
      const label = `rule ${JSON.stringify(rule.name)} (spec.rules[${i}])`;
      if (names.has(rule.name)) {
        problems.report(c.ref, ErrorCode.INPUT_INVALID, `${label}: another rule has the same name; the rule is left out`);
        continue;
      }
      names.add(rule.name);
      const result = domainRules(rule, (g) => candidates.get(keyOf(namespace, g))?.name);
      if ('problem' in result) {
        problems.report(c.ref, result.code, `${label}: ${result.problem}; the rule is left out`);
        continue;
      }
      try {
        // createSecurityGroup checks the match (ports, ranges) and refuses a rule that repeats an earlier one.
        group = createSecurityGroup({ name: group.name, vpc: group.vpc, rules: [...group.rules, ...result.rules] });
      } catch (e) {
        problems.reportError(c.ref, e, `${label}: `);
      }
    }
    network.addSecurityGroup(group, { ref: c.ref });
    added.set(key, group);
  }

  // 3. The pods' endpoints join the groups their annotation names.
  const podsByKey = new Map(cluster.pods.map((p) => [keyOf(p.metadata.namespace ?? '', p.metadata.name), p]));
  for (const ep of network.endpoints()) {
    const owner = ep.owner;
    if (owner === undefined || owner.kind.toLowerCase() !== 'pod' || owner.namespace === undefined) continue;
    const pod = podsByKey.get(keyOf(owner.namespace, owner.name));
    const text = pod?.metadata.annotations?.[ANNOTATION_SECURITY_GROUPS];
    if (text === undefined) continue;
    const ref: IntentObjectRef = { kind: 'Pod', namespace: owner.namespace, name: owner.name };
    const groups: string[] = [];
    for (const wanted of parseSecurityGroupsAnnotation(text)) {
      const say = (code: string, why: string): void => problems.report(ref, code, `${ANNOTATION_SECURITY_GROUPS}: ${why}; the pod is connected without it`);
      const group = added.get(keyOf(owner.namespace, wanted));
      if (group === undefined) {
        if (candidates.has(keyOf(owner.namespace, wanted)) || crs.some((c) => c.metadata.namespace === owner.namespace && c.metadata.name === wanted)) {
          say(ErrorCode.INPUT_INVALID, `SecurityGroup ${JSON.stringify(wanted)} has problems (see its events)`);
        } else say(ErrorCode.NOT_FOUND, `SecurityGroup ${JSON.stringify(wanted)} does not exist in namespace ${JSON.stringify(owner.namespace)}`);
        continue;
      }
      if (group.vpc !== ep.vpc) {
        say(ErrorCode.CONFLICT, `SecurityGroup ${JSON.stringify(wanted)} is of VPC ${JSON.stringify(group.vpc)}, the pod is in VPC ${JSON.stringify(ep.vpc)}`);
        continue;
      }
      groups.push(group.name);
    }
    const merged = [...new Set([...ep.securityGroups, ...groups])];
    if (merged.length !== ep.securityGroups.length) network.setEndpointSecurityGroups(ep.id, merged);
  }
}

/** The domain rules of one CR rule (see the module documentation), or why there are none. */
function domainRules(rule: KubeSecurityGroupRule, groupName: (name: string) => string | undefined): RuleResult {
  const direction = rule.direction;
  if (direction !== 'ingress' && direction !== 'egress') return { code: ErrorCode.INPUT_INVALID, problem: `direction ${JSON.stringify(direction)} is not ingress or egress` };
  const protocol = rule.protocol;
  if (!DOMAIN_PROTOCOLS.has(protocol)) {
    const known = protocol === 'sctp' || protocol === 'icmpv6';
    return { code: known ? ErrorCode.NOT_SUPPORTED : ErrorCode.INPUT_INVALID, problem: known ? `protocol ${protocol} is not supported by netloom yet (any, tcp, udp, icmp)` : `protocol ${JSON.stringify(protocol)} is not any, tcp, udp or icmp` };
  }
  const match = { protocol: protocol as 'any' | 'tcp' | 'udp' | 'icmp', ...(rule.ports === undefined ? {} : { ports: rule.ports }) };
  const remote = rule.remote;
  const hasCidr = remote?.cidr !== undefined;
  const hasGroup = remote?.group !== undefined;
  if (remote !== undefined && hasCidr === hasGroup) return { code: ErrorCode.INPUT_INVALID, problem: 'remote must have exactly one of cidr and group' };
  if (remote?.cidr !== undefined) return { rules: [{ direction, match, remote: { cidr: remote.cidr } }] };
  if (remote?.group !== undefined) {
    const name = groupName(remote.group);
    if (name === undefined) return { code: ErrorCode.NOT_FOUND, problem: `remote group ${JSON.stringify(remote.group)} is not a SecurityGroup of this namespace that compiles` };
    return { rules: [{ direction, match, remote: { group: name } }] };
  }
  // Anywhere: one rule per family the protocol exists in (icmp is ICMPv4).
  const cidrs = protocol === 'icmp' ? [ANYWHERE.ipv4] : [ANYWHERE.ipv4, ANYWHERE.ipv6];
  return { rules: cidrs.map((cidr) => ({ direction, match, remote: { cidr } })) };
}
