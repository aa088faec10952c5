/**
 * The OpenFlow side: the security-group pipeline netloom installs on each of its bridges, derived
 * deterministically from the config, its cookies, the diff against what a bridge holds, and the ovs-ofctl-like
 * text the plan shows.
 *
 * Pipeline (zone `Z` and OpenFlow port `N` of an isolated endpoint port are the same number; `M` is its MAC):
 *
 * | table | priority | match | actions |
 * |---|---|---|---|
 * | 0 | 110 | `in_port=N,dl_src=M,icmp6,icmp_type=133..136` | `goto_table:42` (neighbour discovery bypasses conntrack) |
 * | 0 | 100 | `in_port=N,dl_src=M,ip` / `ipv6` | `ct(zone=Z,table=41)` |
 * | 0 | 100 | `in_port=N,dl_src=M,arp` | `goto_table:42` |
 * | 0 | 90 | `in_port=N` | drop (spoofed source MAC, other protocols) |
 * | 0 | 1 | any | `goto_table:42` (ports that are not isolated, the uplink) |
 * | 41 | 300 | `ct_state=+inv+trk` | drop |
 * | 41 | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `goto_table:42` (replies and related traffic) |
 * | 41 | 100 | `in_port=N,ct_state=+new+trk,<egress rule>` | `ct(commit,zone=Z),goto_table:42` |
 * | 41 | 0 | any | drop |
 * | 42 | 110 | `dl_dst=M,icmp6,icmp_type=135/136` | `NORMAL` |
 * | 42 | 100 | `dl_dst=M,ip` / `ipv6` | `ct(zone=Z,table=43)` |
 * | 42 | 0 | any | `NORMAL` |
 * | 43 | 300 | `ct_state=+inv+trk` | drop |
 * | 43 | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `NORMAL` |
 * | 43 | 100 | `dl_dst=M,ct_state=+new+trk,<ingress rule>` | `ct(commit,zone=Z),NORMAL` |
 * | 43 | 0 | any | drop |
 *
 * An egress rule matches the protocol, the destination port range (as masks) and the remote as destination
 * address; an ingress rule the same with the remote as source address. A remote group stands for the IPs of the
 * endpoint ports of this config that are members of the group.
 *
 * Cookies: the high 16 bits are `0x4e4c` ("NL"); bits 32..47 say what the flow belongs to (1 the bridge's pipeline,
 * 2 an endpoint port), the low 32 bits which one (0, or the port's OpenFlow number). Every delete netloom sends
 * carries the prefix with a mask, so another controller's flows are never touched.
 *
 * @packageDocumentation
 */
import { type FlowMod, type FlowStats, type Instruction, type Match } from '@netloom/openflow';
import {
  cookieFor,
  diffFlows as diffFlowsIn,
  formatFlowMod as formatFlowModIn,
  formatInstructions as formatInstructionsIn,
  formatMatch as formatMatchIn,
  mergeFlows,
  securityGroupPipelineFlows,
  securityGroupPortFlows,
  type FlowDiff,
  type FlowEntry,
  type SecurityGroupStage,
} from '@netloom/ovs-vswitch';
import type { VSwitchConfig } from '@netloom/ports';

export { COOKIE_PREFIX, COOKIE_PREFIX_MASK, cookieFor, flowIdentity, isNetloomCookie, rangeToMasks, type FlowDiff, type FlowEntry } from '@netloom/ovs-vswitch';

/** The tables of the pipeline. */
export const Table = { classify: 0, egress: 41, dispatch: 42, ingress: 43 } as const;

/** What a flow belongs to (bits 32..47 of the cookie). */
export const CookieKind = { pipeline: 1n, endpoint: 2n } as const;

/** The shared security-group stage, delivering with NORMAL. */
const STAGE: SecurityGroupStage = { tables: Table, deliver: { actions: [{ type: 'output', port: 'NORMAL' }] } };

/**
 * Every flow netloom wants, per bridge of `config`: the pipeline, plus the flows of each isolated endpoint port (a
 * port with security groups), using the OpenFlow port numbers in `ofports`. Deterministic: the same config and
 * numbers give the same flows in the same order. Duplicates (two rules giving one match) are merged.
 *
 * @example desiredFlows(config, new Map([['veth3f2a1b', 1000]])).get('br-int')!.length
 */
export function desiredFlows(config: VSwitchConfig, ofports: ReadonlyMap<string, number>): Map<string, FlowEntry[]> {
  const out = new Map<string, FlowEntry[]>();
  for (const name of Object.keys(config.bridge).sort()) out.set(name, securityGroupPipelineFlows(STAGE, cookieFor(CookieKind.pipeline, 0)));
  for (const name of Object.keys(config.endpointPort).sort()) {
    const p = config.endpointPort[name]!;
    if ((p.securityGroups ?? []).length === 0) continue;
    const ofport = ofports.get(name);
    const list = out.get(p.bridge);
    if (ofport === undefined || list === undefined) continue;
    list.push(...securityGroupPortFlows(STAGE, { port: p, ofport, config, cookie: cookieFor(CookieKind.endpoint, ofport), mark: [], dst: { ethDst: p.mac } }));
  }
  for (const [bridge, list] of out) out.set(bridge, mergeFlows(list));
  return out;
}

/**
 * Compares desired flows with a bridge's flows (all cookies) and returns the flow_mods to converge, never touching
 * a flow without netloom's cookie prefix.
 */
export function diffFlows(desired: readonly FlowEntry[], current: readonly Pick<FlowStats, 'tableId' | 'priority' | 'cookie' | 'match' | 'instructions'>[]): FlowDiff {
  return diffFlowsIn(desired, current, 'basic');
}

/** A match in ovs-ofctl syntax. @example formatMatch({ inPort: 1000, ethType: 0x0800 }) // 'in_port=1000,dl_type=0x800' */
export function formatMatch(match: Match): string {
  return formatMatchIn(match, 'basic');
}

/** Instructions in ovs-ofctl `actions=` syntax (`drop` for none). */
export function formatInstructions(instructions: readonly Instruction[]): string {
  return formatInstructionsIn(instructions, 'basic');
}

/**
 * A flow_mod as one line of text, as the plan shows it.
 *
 * @example formatFlowMod('br-int', add) // 'br-int: add-flow table=0,priority=1,cookie=0x4e4c000100000000 actions=goto_table:42'
 */
export function formatFlowMod(bridge: string, mod: FlowMod): string {
  return formatFlowModIn(bridge, mod, 'basic');
}
