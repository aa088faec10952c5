/**
 * The conntrack security-group stage both OVS-compatible pipelines share (tables `classify`, `egress`, `dispatch`,
 * `ingress`; zone `Z` and OpenFlow port `N` of an isolated endpoint port are the same number, `M` is its MAC):
 *
 * | table | priority | match | actions |
 * |---|---|---|---|
 * | classify | 110 | `in_port=N,dl_src=M,icmp6,icmp_type=133..136` | [mark,] `goto_table:dispatch` (neighbour discovery bypasses conntrack) |
 * | classify | 100 | `in_port=N,dl_src=M,ip` / `ipv6` | [mark,] `ct(zone=Z,table=egress)` |
 * | classify | 100 | `in_port=N,dl_src=M,arp` | [mark,] `goto_table:dispatch` |
 * | classify | 90 | `in_port=N` | drop (another source MAC, other protocols) |
 * | classify | 1 | any | `goto_table:dispatch` |
 * | egress | 300 | `ct_state=+inv+trk` | drop |
 * | egress | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `goto_table:dispatch` (replies and related traffic) |
 * | egress | 100 | `in_port=N,ct_state=+new+trk,<egress rule>` | `ct(commit,zone=Z),goto_table:dispatch` |
 * | egress | 0 | any | drop |
 * | dispatch | 110 | `<dst>,icmp6,icmp_type=135/136` | deliver |
 * | dispatch | 100 | `<dst>,ip` / `ipv6` | `ct(zone=Z,table=ingress)` |
 * | dispatch | 0 | any | deliver |
 * | ingress | 300 | `ct_state=+inv+trk` | drop |
 * | ingress | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | deliver |
 * | ingress | 100 | `dl_dst=M,ct_state=+new+trk,<ingress rule>` | `ct(commit,zone=Z)`, deliver |
 * | ingress | 0 | any | drop |
 *
 * What an adapter chooses: the table numbers, what "deliver" is (`NORMAL` on the network overlay, a forwarding table
 * on the host overlay), the actions that mark a port's packets first (the host overlay's `set_field:v->tun_id`) and
 * the destination match (`dl_dst=M`, with `tun_id=v` on the host overlay). An egress rule matches the protocol, the
 * destination port range (as masks) and the remote as destination address; an ingress rule the same with the
 * remote as source address. A remote group stands for the IPs of the endpoint ports of the config in that group.
 *
 * @packageDocumentation
 */
import type { Action, Instruction, Match } from '@netloom/openflow';
import type { EndpointPort, VSwitchConfig } from '@netloom/ports';
import { DROP, ETH_ARP, ETH_IP, ETH_IPV6, TRK_EST, TRK_INV, TRK_NEW, TRK_REL, apply, goto, ruleMatches, type FlowEntry } from './flows';

/** The tables of the security-group stage. */
export interface SecurityGroupTables {
  readonly classify: number;
  readonly egress: number;
  readonly dispatch: number;
  readonly ingress: number;
}

/** Where a packet goes on: apply `actions` (none: no apply instruction), then `goto` a table when given. */
export interface Continuation {
  readonly actions: readonly Action[];
  readonly goto?: number;
}

/** The security-group stage of one pipeline. */
export interface SecurityGroupStage {
  readonly tables: SecurityGroupTables;
  /** How a packet the stage lets through reaches its destination (`{ actions: [output NORMAL] }`, `{ actions: [], goto: 50 }`). */
  readonly deliver: Continuation;
}

/** The instructions of a continuation, with `first` applied before its actions. */
function instructions(c: Continuation, first: readonly Action[] = []): Instruction[] {
  const actions = [...first, ...c.actions];
  return [...(actions.length > 0 ? [apply(...actions)] : []), ...(c.goto !== undefined ? [goto(c.goto)] : [])];
}

/**
 * The fixed flows of the stage (cookie `cookie`), in table order: classify's default, egress and ingress conntrack
 * verdicts, dispatch's default.
 *
 * @example securityGroupPipelineFlows({ tables: { classify: 0, egress: 41, dispatch: 42, ingress: 43 }, deliver: { actions: [{ type: 'output', port: 'NORMAL' }] } }, cookie).length // 10
 */
export function securityGroupPipelineFlows(stage: SecurityGroupStage, cookie: bigint): FlowEntry[] {
  const { tables: t } = stage;
  const deliver = instructions(stage.deliver);
  const f = (tableId: number, priority: number, match: Match, instructions: readonly Instruction[]): FlowEntry => ({ tableId, priority, cookie, match, instructions });
  return [
    f(t.classify, 1, {}, [goto(t.dispatch)]),
    f(t.egress, 300, { ctState: TRK_INV }, DROP),
    f(t.egress, 200, { ctState: TRK_EST }, [goto(t.dispatch)]),
    f(t.egress, 200, { ctState: TRK_REL }, [goto(t.dispatch)]),
    f(t.egress, 0, {}, DROP),
    f(t.dispatch, 0, {}, deliver),
    f(t.ingress, 300, { ctState: TRK_INV }, DROP),
    f(t.ingress, 200, { ctState: TRK_EST }, deliver),
    f(t.ingress, 200, { ctState: TRK_REL }, deliver),
    f(t.ingress, 0, {}, DROP),
  ];
}

/** One isolated endpoint port in the stage. */
export interface IsolatedPort {
  readonly port: EndpointPort;
  /** Its OpenFlow number (also its conntrack zone). */
  readonly ofport: number;
  /** The config whose rules (and remote groups) apply. */
  readonly config: VSwitchConfig;
  readonly cookie: bigint;
  /** Actions applied to the port's packets before anything else (conntrack recirculation keeps what they set). */
  readonly mark: readonly Action[];
  /** What packets to the port match in `dispatch` (`{ ethDst: mac }`). */
  readonly dst: Match;
}

/**
 * The flows of one isolated endpoint port (a port with security groups): classification of its packets, the
 * conntrack hooks towards it, and one flow per match of each of its groups' rules (rules in key order).
 */
export function securityGroupPortFlows(stage: SecurityGroupStage, p: IsolatedPort): FlowEntry[] {
  const { tables: t } = stage;
  const { port, ofport, config, cookie, mark, dst } = p;
  const zone = ofport;
  const mac = port.mac;
  const f = (tableId: number, priority: number, match: Match, instructions: readonly Instruction[]): FlowEntry => ({ tableId, priority, cookie, match, instructions });
  const toDispatch = (): Instruction[] => instructions({ actions: mark, goto: t.dispatch });
  const out: FlowEntry[] = [];
  for (const type of [133, 134, 135, 136]) out.push(f(t.classify, 110, { inPort: ofport, ethSrc: mac, ethType: ETH_IPV6, ipProto: 58, icmpv6Type: type }, toDispatch()));
  out.push(f(t.classify, 100, { inPort: ofport, ethSrc: mac, ethType: ETH_IP }, [apply(...mark, { type: 'ct', zone, table: t.egress })]));
  out.push(f(t.classify, 100, { inPort: ofport, ethSrc: mac, ethType: ETH_IPV6 }, [apply(...mark, { type: 'ct', zone, table: t.egress })]));
  out.push(f(t.classify, 100, { inPort: ofport, ethSrc: mac, ethType: ETH_ARP }, toDispatch()));
  out.push(f(t.classify, 90, { inPort: ofport }, DROP));
  for (const type of [135, 136]) out.push(f(t.dispatch, 110, { ...dst, ethType: ETH_IPV6, ipProto: 58, icmpv6Type: type }, instructions(stage.deliver)));
  out.push(f(t.dispatch, 100, { ...dst, ethType: ETH_IP }, [apply({ type: 'ct', zone, table: t.ingress })]));
  out.push(f(t.dispatch, 100, { ...dst, ethType: ETH_IPV6 }, [apply({ type: 'ct', zone, table: t.ingress })]));
  const groups = new Set(port.securityGroups ?? []);
  const rules = Object.keys(config.securityGroupRule)
    .sort()
    .map((k) => config.securityGroupRule[k]!)
    .filter((r) => groups.has(r.group));
  for (const rule of rules) {
    if (rule.direction === 'egress') {
      for (const m of ruleMatches(rule, config, 'dst')) out.push(f(t.egress, 100, { ...m, inPort: ofport, ctState: TRK_NEW }, [apply({ type: 'ct', commit: true, zone }), goto(t.dispatch)]));
    } else {
      for (const m of ruleMatches(rule, config, 'src')) out.push(f(t.ingress, 100, { ...m, ethDst: mac, ctState: TRK_NEW }, instructions(stage.deliver, [{ type: 'ct', commit: true, zone }])));
    }
  }
  return out;
}
