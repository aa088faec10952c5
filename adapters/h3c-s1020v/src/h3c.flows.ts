/**
 * The OpenFlow side: the pipeline netloom installs on each of its bridges — VXLAN host-overlay forwarding per VNI,
 * conntrack security groups in front of it, and NORMAL switching for VLAN-attached ports — derived
 * deterministically from the config, its cookies, the diff against what a bridge holds, and the ovs-ofctl-like
 * text the plan shows.
 *
 * Two worlds share a bridge and never meet:
 *
 * - the **tunnel world**: endpoint ports attached by tunnel key (VNI `v`) and VXLAN tunnel ports. Their packets
 *   carry the VNI in `tun_id` from table 0 on (set for local ports, set by the VXLAN header for tunnels) and are
 *   forwarded by netloom's flows only (table 50). Their Port rows carry the parking VLAN {@link PARKING_VLAN} as
 *   `tag`, so OVS's NORMAL action never floods VLAN traffic to them.
 * - the **VLAN world**: endpoint ports attached by VLAN, uplinks, ports netloom does not own. `tun_id` stays 0 and
 *   NORMAL switches them per VLAN, as on the network overlay.
 *
 * Pipeline (`N`: an endpoint port's OpenFlow number, also its conntrack zone `Z`; `M`: its MAC; `v`: its VNI, 0 in
 * the VLAN world; `T`: a tunnel's OpenFlow number). Tables from `PIPELINE_TABLES` (h3c.vendor.ts):
 *
 * | table | priority | match | actions |
 * |---|---|---|---|
 * | 0 | 120 | `vlan_vid=0x1fff` (VLAN 4095) | drop: nothing enters the parking VLAN |
 * | 0 | 110 | `in_port=T,tun_id=0` | drop (a tunnel packet without a VNI) |
 * | 0 | 100 | `in_port=T` | `set_field:0x1->reg6,goto_table:42` (reg6=1: came from a tunnel) |
 * | 0 | 110 | isolated: `in_port=N,dl_src=M,icmp6,icmp_type=133..136` | [`set_field:v->tun_id`,] `goto_table:42` |
 * | 0 | 100 | isolated: `in_port=N,dl_src=M,ip` / `ipv6` | [`set_field:v->tun_id`,] `ct(zone=Z,table=41)` |
 * | 0 | 100 | isolated: `in_port=N,dl_src=M,arp` | [`set_field:v->tun_id`,] `goto_table:42` |
 * | 0 | 90 | isolated: `in_port=N` | drop (another source MAC, other protocols) |
 * | 0 | 100 | tunnel world, not isolated: `in_port=N` | `set_field:v->tun_id,goto_table:42` |
 * | 0 | 1 | any | `goto_table:42` (the VLAN world) |
 * | 41 | 300 | `ct_state=+inv+trk` | drop |
 * | 41 | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `goto_table:42` |
 * | 41 | 100 | `in_port=N,ct_state=+new+trk,<egress rule>` | `ct(commit,zone=Z),goto_table:42` |
 * | 41 | 0 | any | drop |
 * | 42 | 110 | isolated: `tun_id=v,dl_dst=M,icmp6,icmp_type=135/136` | `goto_table:50` |
 * | 42 | 100 | isolated: `tun_id=v,dl_dst=M,ip` / `ipv6` | `ct(zone=Z,table=43)` |
 * | 42 | 0 | any | `goto_table:50` |
 * | 43 | 300 | `ct_state=+inv+trk` | drop |
 * | 43 | 200 | `ct_state=+est-inv+trk` / `+rel-inv+trk` | `goto_table:50` |
 * | 43 | 100 | `dl_dst=M,ct_state=+new+trk,<ingress rule>` | `ct(commit,zone=Z),goto_table:50` |
 * | 43 | 0 | any | drop |
 * | 50 | 100 | `tun_id=v,dl_dst=M` (every tunnel-world endpoint) | `output:N` |
 * | 50 | 20 | `reg6=0x1,tun_id=v` (from a tunnel) | `output:` every local port of `v` (split horizon) |
 * | 50 | 10 | `tun_id=v` (from a local port) | `output:` every local port of `v`, then every tunnel carrying `v` |
 * | 50 | 1 | `tun_id=0` | `NORMAL` (the VLAN world) |
 * | 50 | 0 | any | drop (a VNI with no local port) |
 *
 * A tunnel carries `v` when its key is `flow` (OVS takes the key from `tun_id`) or `v`. Unicast to a MAC that is
 * not a local endpoint of `v` is flooded like broadcast (netloom knows the MACs of its own endpoints only; it
 * learns none). OVS never sends a packet back out of its `in_port`, so flooding from a local port skips the
 * sender.
 *
 * Security groups: an egress rule matches the protocol, the destination port range (as masks) and the remote as
 * destination address; an ingress rule the same with the remote as source address. A remote group stands for the
 * IPs of the endpoint ports of this config that are members of the group.
 *
 * Cookies: the high 16 bits are `0x4e4c` ("NL"); bits 32..47 say what the flow belongs to (1 the bridge's
 * pipeline, 2 an endpoint port, 3 a tunnel, 4 a VNI), the low 32 bits which one (0, the port's OpenFlow number, or
 * the VNI). Every delete netloom sends carries the prefix with a mask, so another controller's flows are never
 * touched.
 *
 * @packageDocumentation
 */
import { CtState, canonicalInstructions, canonicalMatch, MATCH_FIELDS, type FlowMod, type FlowStats, type Instruction, type Match, type MatchFieldName, type RawOxm, type Action } from '@netloom/openflow';
import { ipFamily, type EndpointPort, type SecurityGroupRule, type Tunnel, type VSwitchConfig } from '@netloom/ports';
import { PIPELINE_TABLES } from './h3c.vendor';

/** The tables of the pipeline (from {@link PIPELINE_TABLES}). */
export const Table = PIPELINE_TABLES;

/**
 * The VLAN tag of tunnel-world ports (tunnel ports and endpoint ports attached by tunnel key): a VLAN no VLAN-world
 * port uses (the vocabulary's VLANs are 1..4094) and that table 0 drops on input, so NORMAL never floods a VLAN
 * packet to them. The tag only matters to NORMAL; netloom's own `output:` actions ignore it.
 */
export const PARKING_VLAN = 4095;

/** The register bit that says "this packet came from a tunnel" (split horizon in the forwarding table). */
export const FROM_TUNNEL_REG = 'reg6' as const;

/** netloom's cookie prefix (`0x4e4c` in the high 16 bits). */
export const COOKIE_PREFIX = 0x4e4cn << 48n;
/** The mask that selects the prefix. */
export const COOKIE_PREFIX_MASK = 0xffffn << 48n;
/** What a flow belongs to (bits 32..47 of the cookie). */
export const CookieKind = { pipeline: 1n, endpoint: 2n, tunnel: 3n, vni: 4n } as const;

/** The cookie of a flow owned by `kind` object `id`. @example cookieFor(CookieKind.vni, 5001) // 0x4e4c000400001389n */
export function cookieFor(kind: bigint, id: number): bigint {
  return COOKIE_PREFIX | (kind << 32n) | BigInt(id);
}

/** True when a cookie carries netloom's prefix. */
export function isNetloomCookie(cookie: bigint): boolean {
  return (cookie & COOKIE_PREFIX_MASK) === COOKIE_PREFIX;
}

/** One flow netloom wants on a bridge. */
export interface FlowEntry {
  readonly tableId: number;
  readonly priority: number;
  readonly cookie: bigint;
  readonly match: Match;
  readonly instructions: readonly Instruction[];
}

const ETH_IP = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
/** `vlan_vid` of a frame tagged with the parking VLAN (OFPVID_PRESENT | 4095). */
const PARKING_VID = 0x1000 | PARKING_VLAN;
const TRK_NEW: Match['ctState'] = { value: CtState.TRACKED | CtState.NEW, mask: CtState.TRACKED | CtState.NEW };
const TRK_INV: Match['ctState'] = { value: CtState.TRACKED | CtState.INVALID, mask: CtState.TRACKED | CtState.INVALID };
const TRK_EST: Match['ctState'] = { value: CtState.TRACKED | CtState.ESTABLISHED, mask: CtState.TRACKED | CtState.ESTABLISHED | CtState.INVALID };
const TRK_REL: Match['ctState'] = { value: CtState.TRACKED | CtState.RELATED, mask: CtState.TRACKED | CtState.RELATED | CtState.INVALID };

const apply = (...actions: Action[]): Instruction => ({ type: 'applyActions', actions });
const goto = (tableId: number): Instruction => ({ type: 'gotoTable', tableId });
const NORMAL: Instruction = apply({ type: 'output', port: 'NORMAL' });
const DROP: readonly Instruction[] = [];
const setVni = (vni: number): Action => ({ type: 'setField', field: 'tunnelId', value: BigInt(vni) });

const PROTO: Record<SecurityGroupRule['protocol'], number | undefined> = { any: undefined, tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };
/** OXM_OF_SCTP_DST (class 0x8000, field 18) is not modelled by @netloom/openflow: written as a raw field. */
const SCTP_DST_FIELD = 18;

/** The VNI of an endpoint port attached by tunnel key, 0 for a VLAN-attached one. */
export function vniOf(port: EndpointPort): number {
  return port.attachment.type === 'tunnel' ? port.attachment.tunnelKey : 0;
}

/** True when a tunnel carries VNI `vni`: its key is `flow` (set per packet from `tun_id`) or that VNI. */
export function tunnelCarries(tunnel: Tunnel, vni: number): boolean {
  return tunnel.tunnelKey === 'flow' || tunnel.tunnelKey === vni;
}

/**
 * Splits an inclusive port range into value/mask pairs that cover exactly the range (as OVS's own
 * `tp_dst=value/mask` matching needs). A single port is an exact value.
 *
 * @example rangeToMasks({ from: 8080, to: 8081 }) // [{ value: 8080, mask: 0xfffe }]
 */
export function rangeToMasks(range: { readonly from: number; readonly to: number }): { value: number; mask: number }[] {
  const out: { value: number; mask: number }[] = [];
  let from: number = range.from;
  while (from <= range.to) {
    let size = 1;
    while (size < 0x10000 && from % (size * 2) === 0 && from + size * 2 - 1 <= range.to) size *= 2;
    out.push({ value: from, mask: 0xffff & ~(size - 1) });
    from += size;
  }
  return out;
}

function ipv4Mask(len: number): string {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 0xff).join('.');
}

function ipv6Mask(len: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, len - i * 16));
    groups.push((bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff).toString(16));
  }
  return groups.join(':');
}

/** An address match for one side of a rule: the field and its value, or undefined for "anywhere" of that family. */
interface AddressMatch {
  readonly family: 4 | 6;
  readonly value?: string | { value: string; mask: string };
}

function cidrMatch(cidr: string): AddressMatch | undefined {
  const [addr, lenText] = cidr.split('/');
  const family = ipFamily(addr ?? '');
  if (family === undefined || addr === undefined) return undefined;
  const len = Number(lenText);
  const full = family === 4 ? 32 : 128;
  if (len === 0) return { family };
  if (len === full) return { family, value: addr };
  return { family, value: { value: addr, mask: family === 4 ? ipv4Mask(len) : ipv6Mask(len) } };
}

/** The remote addresses a rule allows, per family (empty: the rule allows nothing). */
function remotesOf(rule: SecurityGroupRule, config: VSwitchConfig): AddressMatch[] {
  const families: (4 | 6)[] = rule.protocol === 'icmp' ? [4] : rule.protocol === 'icmpv6' ? [6] : [4, 6];
  const remote = rule.remote;
  if (remote === undefined) return families.map((family) => ({ family }));
  if ('cidr' in remote) {
    const m = cidrMatch(remote.cidr);
    return m !== undefined && families.includes(m.family) ? [m] : [];
  }
  const members = Object.values(config.endpointPort).filter((p) => (p.securityGroups ?? []).includes(remote.group));
  const ips = [...new Set(members.flatMap((p) => p.ips))].sort();
  return ips.map((ip) => ({ family: ipFamily(ip) ?? 4, value: ip })).filter((m) => families.includes(m.family));
}

function ruleMatches(rule: SecurityGroupRule, config: VSwitchConfig, side: 'src' | 'dst'): Match[] {
  const out: Match[] = [];
  const proto = PROTO[rule.protocol];
  for (const remote of remotesOf(rule, config)) {
    const base: Record<string, unknown> = { ethType: remote.family === 4 ? ETH_IP : ETH_IPV6 };
    if (proto !== undefined) base['ipProto'] = proto;
    if (remote.value !== undefined) base[remote.family === 4 ? (side === 'dst' ? 'ipv4Dst' : 'ipv4Src') : side === 'dst' ? 'ipv6Dst' : 'ipv6Src'] = remote.value;
    const ranges = rule.ports ?? [];
    if (ranges.length === 0) {
      out.push(base as Match);
      continue;
    }
    for (const range of ranges) {
      for (const m of rangeToMasks(range)) {
        const v = m.mask === 0xffff ? m.value : m;
        if (rule.protocol === 'sctp') {
          const raw: RawOxm = {
            oxmClass: 0x8000,
            field: SCTP_DST_FIELD,
            value: m.value.toString(16).padStart(4, '0'),
            ...(m.mask === 0xffff ? {} : { mask: m.mask.toString(16).padStart(4, '0') }),
          };
          out.push({ ...base, extra: [raw] } as Match);
        } else {
          out.push({ ...base, [rule.protocol === 'tcp' ? 'tcpDst' : 'udpDst']: v } as Match);
        }
      }
    }
  }
  return out;
}


/** The bridge pipeline's fixed flows. */
function pipelineFlows(): FlowEntry[] {
  const cookie = cookieFor(CookieKind.pipeline, 0);
  const f = (tableId: number, priority: number, match: Match, instructions: readonly Instruction[]): FlowEntry => ({ tableId, priority, cookie, match, instructions });
  return [
    f(Table.classify, 120, { vlanVid: PARKING_VID }, DROP),
    f(Table.classify, 1, {}, [goto(Table.dispatch)]),
    f(Table.egress, 300, { ctState: TRK_INV }, DROP),
    f(Table.egress, 200, { ctState: TRK_EST }, [goto(Table.dispatch)]),
    f(Table.egress, 200, { ctState: TRK_REL }, [goto(Table.dispatch)]),
    f(Table.egress, 0, {}, DROP),
    f(Table.dispatch, 0, {}, [goto(Table.forward)]),
    f(Table.ingress, 300, { ctState: TRK_INV }, DROP),
    f(Table.ingress, 200, { ctState: TRK_EST }, [goto(Table.forward)]),
    f(Table.ingress, 200, { ctState: TRK_REL }, [goto(Table.forward)]),
    f(Table.ingress, 0, {}, DROP),
    f(Table.forward, 1, { tunnelId: 0n }, [NORMAL]),
    f(Table.forward, 0, {}, DROP),
  ];
}

/** The classification flows of one tunnel port (OpenFlow number `ofport`). */
function tunnelFlows(ofport: number): FlowEntry[] {
  const cookie = cookieFor(CookieKind.tunnel, ofport);
  return [
    // VNI 0 would enter the VLAN world (tun_id 0): no tunnel packet may.
    { tableId: Table.classify, priority: 110, cookie, match: { inPort: ofport, tunnelId: 0n }, instructions: DROP },
    { tableId: Table.classify, priority: 100, cookie, match: { inPort: ofport }, instructions: [apply({ type: 'setField', field: FROM_TUNNEL_REG, value: 1 }), goto(Table.dispatch)] },
  ];
}

/**
 * The flows of one endpoint port (OpenFlow port and conntrack zone `ofport`): the VNI classification of a
 * tunnel-world port, the security-group stages of an isolated port, and the unicast delivery of a tunnel-world port.
 * A VLAN-world port without groups has none (NORMAL handles it).
 */
function endpointFlows(port: EndpointPort, ofport: number, config: VSwitchConfig): FlowEntry[] {
  const cookie = cookieFor(CookieKind.endpoint, ofport);
  const zone = ofport;
  const mac = port.mac;
  const vni = vniOf(port);
  const tunnelWorld = vni !== 0;
  const f = (tableId: number, priority: number, match: Match, instructions: readonly Instruction[]): FlowEntry => ({ tableId, priority, cookie, match, instructions });
  // In the tunnel world the VNI is written before anything else, so conntrack recirculation keeps it.
  const mark: Action[] = tunnelWorld ? [setVni(vni)] : [];
  const then = (tableId: number): Instruction[] => (tunnelWorld ? [apply(...mark), goto(tableId)] : [goto(tableId)]);
  const out: FlowEntry[] = [];
  const unicast = (): FlowEntry[] => (tunnelWorld ? [f(Table.forward, 100, { tunnelId: BigInt(vni), ethDst: mac }, [apply({ type: 'output', port: ofport })])] : []);
  const groups = new Set(port.securityGroups ?? []);
  if (groups.size === 0) {
    if (tunnelWorld) out.push(f(Table.classify, 100, { inPort: ofport }, then(Table.dispatch)));
    return [...out, ...unicast()];
  }
  const dst = { tunnelId: BigInt(vni), ethDst: mac };
  for (const type of [133, 134, 135, 136]) out.push(f(Table.classify, 110, { inPort: ofport, ethSrc: mac, ethType: ETH_IPV6, ipProto: 58, icmpv6Type: type }, then(Table.dispatch)));
  out.push(f(Table.classify, 100, { inPort: ofport, ethSrc: mac, ethType: ETH_IP }, [apply(...mark, { type: 'ct', zone, table: Table.egress })]));
  out.push(f(Table.classify, 100, { inPort: ofport, ethSrc: mac, ethType: ETH_IPV6 }, [apply(...mark, { type: 'ct', zone, table: Table.egress })]));
  out.push(f(Table.classify, 100, { inPort: ofport, ethSrc: mac, ethType: ETH_ARP }, then(Table.dispatch)));
  out.push(f(Table.classify, 90, { inPort: ofport }, DROP));
  for (const type of [135, 136]) out.push(f(Table.dispatch, 110, { ...dst, ethType: ETH_IPV6, ipProto: 58, icmpv6Type: type }, [goto(Table.forward)]));
  out.push(f(Table.dispatch, 100, { ...dst, ethType: ETH_IP }, [apply({ type: 'ct', zone, table: Table.ingress })]));
  out.push(f(Table.dispatch, 100, { ...dst, ethType: ETH_IPV6 }, [apply({ type: 'ct', zone, table: Table.ingress })]));
  const rules = Object.keys(config.securityGroupRule)
    .sort()
    .map((k) => config.securityGroupRule[k]!)
    .filter((r) => groups.has(r.group));
  for (const rule of rules) {
    if (rule.direction === 'egress') {
      for (const m of ruleMatches(rule, config, 'dst')) {
        out.push(f(Table.egress, 100, { ...m, inPort: ofport, ctState: TRK_NEW }, [apply({ type: 'ct', commit: true, zone }), goto(Table.dispatch)]));
      }
    } else {
      for (const m of ruleMatches(rule, config, 'src')) {
        out.push(f(Table.ingress, 100, { ...m, ethDst: mac, ctState: TRK_NEW }, [apply({ type: 'ct', commit: true, zone }), goto(Table.forward)]));
      }
    }
  }
  return [...out, ...unicast()];
}

/** The flooding flows of VNI `vni` on one bridge: local ports first, then the tunnels that carry it. */
function vniFlows(vni: number, locals: readonly number[], tunnels: readonly number[]): FlowEntry[] {
  const cookie = cookieFor(CookieKind.vni, vni);
  const outputs = (ports: readonly number[]): Action[] => ports.map((port) => ({ type: 'output', port }));
  return [
    // From a tunnel: to local ports only (split horizon: the other VTEPs got their copy from the sender).
    { tableId: Table.forward, priority: 20, cookie, match: { tunnelId: BigInt(vni), [FROM_TUNNEL_REG]: 1 }, instructions: [apply(...outputs(locals))] },
    { tableId: Table.forward, priority: 10, cookie, match: { tunnelId: BigInt(vni) }, instructions: [apply(...outputs(locals), ...outputs(tunnels))] },
  ];
}

const byNumber = (a: number, b: number): number => a - b;

/**
 * Every flow netloom wants, per bridge of `config`: the pipeline, the flows of each tunnel, of each endpoint port
 * that needs some (tunnel-world or isolated), and the flooding flows of each VNI with a local port, using the
 * OpenFlow port numbers in `ofports` (endpoint ports and tunnels by name; an object without a number gets no
 * flows). Deterministic: the same config and numbers give the same flows in the same order. Duplicates (two rules
 * giving one match) are merged.
 *
 * @example desiredFlows(config, new Map([['veth3f2a1b', 1000], ['vx-node2', 1001]])).get('br-int')!.length
 */
export function desiredFlows(config: VSwitchConfig, ofports: ReadonlyMap<string, number>): Map<string, FlowEntry[]> {
  const out = new Map<string, FlowEntry[]>();
  for (const name of Object.keys(config.bridge).sort()) out.set(name, pipelineFlows());
  const tunnelsOf = new Map<string, { tunnel: Tunnel; ofport: number }[]>();
  for (const name of Object.keys(config.tunnel).sort()) {
    const t = config.tunnel[name]!;
    const ofport = ofports.get(name);
    const list = out.get(t.bridge);
    if (ofport === undefined || list === undefined) continue;
    list.push(...tunnelFlows(ofport));
    tunnelsOf.set(t.bridge, [...(tunnelsOf.get(t.bridge) ?? []), { tunnel: t, ofport }]);
  }
  const localsOf = new Map<string, Map<number, number[]>>();
  for (const name of Object.keys(config.endpointPort).sort()) {
    const p = config.endpointPort[name]!;
    const ofport = ofports.get(name);
    const list = out.get(p.bridge);
    if (ofport === undefined || list === undefined) continue;
    list.push(...endpointFlows(p, ofport, config));
    const vni = vniOf(p);
    if (vni === 0) continue;
    const perVni = localsOf.get(p.bridge) ?? new Map<number, number[]>();
    perVni.set(vni, [...(perVni.get(vni) ?? []), ofport]);
    localsOf.set(p.bridge, perVni);
  }
  for (const [bridge, perVni] of localsOf) {
    const list = out.get(bridge)!;
    for (const vni of [...perVni.keys()].sort(byNumber)) {
      const tunnels = (tunnelsOf.get(bridge) ?? []).filter((x) => tunnelCarries(x.tunnel, vni)).map((x) => x.ofport);
      list.push(...vniFlows(vni, [...perVni.get(vni)!].sort(byNumber), [...tunnels].sort(byNumber)));
    }
  }
  for (const [bridge, list] of out) {
    const seen = new Map<string, FlowEntry>();
    for (const e of list) seen.set(flowIdentity(e), canonicalEntry(e));
    out.set(bridge, [...seen.values()]);
  }
  return out;
}

function canonicalEntry(e: FlowEntry): FlowEntry {
  return { ...e, match: canonicalMatch(e.match), instructions: canonicalInstructions(e.instructions) };
}

/** JSON with bigints as text (stable: keys sorted). */
function stable(v: unknown): string {
  if (typeof v === 'bigint') return `"${v.toString()}n"`;
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** What makes a flow unique in OpenFlow: table, priority and (canonical) match. */
export function flowIdentity(f: { readonly tableId: number; readonly priority: number; readonly match: Match }): string {
  return `${f.tableId}|${f.priority}|${stable(canonicalMatch(f.match))}`;
}

/** The part of a flow an `add` replaces: cookie and (canonical) instructions. */
function flowContent(f: { readonly cookie: bigint; readonly instructions: readonly Instruction[] }): string {
  return `${f.cookie.toString(16)}|${stable(canonicalInstructions(f.instructions))}`;
}

/** The flow_mods that turn a bridge's flows into the desired ones. */
export interface FlowDiff {
  /** Desired flows that are missing or differ (sent as `add`, which replaces a flow with the same identity). */
  readonly adds: FlowMod[];
  /** netloom flows that are not desired (sent as `deleteStrict` with the cookie prefix and mask). */
  readonly deletes: FlowMod[];
  /** Desired flows whose identity another controller's flow already has (an add would replace it). */
  readonly conflicts: string[];
}

/**
 * Compares desired flows with a bridge's flows (all cookies) and returns the flow_mods to converge, never touching
 * a flow without netloom's cookie prefix.
 */
export function diffFlows(desired: readonly FlowEntry[], current: readonly Pick<FlowStats, 'tableId' | 'priority' | 'cookie' | 'match' | 'instructions'>[]): FlowDiff {
  const now = new Map<string, (typeof current)[number]>();
  for (const f of current) now.set(flowIdentity(f), f);
  const want = new Map<string, FlowEntry>();
  for (const f of desired) want.set(flowIdentity(f), f);
  const adds: FlowMod[] = [];
  const conflicts: string[] = [];
  for (const [id, f] of want) {
    const have = now.get(id);
    if (have !== undefined && !isNetloomCookie(have.cookie)) {
      conflicts.push(`a flow with cookie 0x${have.cookie.toString(16)} already has ${formatFlowSpec(f)}`);
      continue;
    }
    if (have !== undefined && flowContent(have) === flowContent(f)) continue;
    adds.push({ command: 'add', tableId: f.tableId, priority: f.priority, cookie: f.cookie, match: f.match, instructions: f.instructions });
  }
  const deletes: FlowMod[] = [];
  for (const [id, f] of now) {
    if (!isNetloomCookie(f.cookie) || want.has(id)) continue;
    deletes.push({ command: 'deleteStrict', tableId: f.tableId, priority: f.priority, cookie: COOKIE_PREFIX, cookieMask: COOKIE_PREFIX_MASK, match: f.match });
  }
  return { adds, deletes, conflicts };
}

// ------------------------------------------------------------------------------------------------------------------
// Text (ovs-ofctl-like)

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

function formatCtState(v: number | { value: number; mask: number }): string {
  const value = typeof v === 'number' ? v : v.value;
  const mask = typeof v === 'number' ? 0xff : v.mask;
  const names: [number, string][] = [
    [CtState.NEW, 'new'],
    [CtState.ESTABLISHED, 'est'],
    [CtState.RELATED, 'rel'],
    [CtState.REPLY_DIR, 'rpl'],
    [CtState.INVALID, 'inv'],
    [CtState.TRACKED, 'trk'],
    [CtState.SRC_NAT, 'snat'],
    [CtState.DST_NAT, 'dnat'],
  ];
  return names
    .filter(([bit]) => (mask & bit) !== 0)
    .map(([bit, name]) => `${(value & bit) !== 0 ? '+' : '-'}${name}`)
    .join('');
}

function formatValue(name: MatchFieldName, v: unknown): string {
  if (typeof v === 'object' && v !== null && 'mask' in v) {
    const m = v as { value: unknown; mask: unknown };
    return `${formatValue(name, m.value)}/${formatValue(name, m.mask)}`;
  }
  // As ovs-ofctl prints them: ethertypes, VLAN ids, registers and 64-bit fields in hex.
  if ((name === 'ethType' || name === 'vlanVid' || /^reg\d$/.test(name)) && typeof v === 'number') return hex(v);
  if (typeof v === 'bigint') return hex(v);
  return String(v);
}

/** A match in ovs-ofctl syntax. @example formatMatch({ inPort: 1000, ethType: 0x0800, tunnelId: 5001n }) // 'in_port=1000,dl_type=0x800,tun_id=0x1389' */
export function formatMatch(match: Match): string {
  const parts: string[] = [];
  const m = match as Record<string, unknown>;
  for (const name of Object.keys(MATCH_FIELDS) as MatchFieldName[]) {
    const v = m[name];
    if (v === undefined) continue;
    if (name === 'ctState') parts.push(`ct_state=${formatCtState(v as number | { value: number; mask: number })}`);
    else parts.push(`${MATCH_FIELDS[name].ofctl}=${formatValue(name, v)}`);
  }
  for (const raw of match.extra ?? []) parts.push(raw.oxmClass === 0x8000 && raw.field === SCTP_DST_FIELD ? `sctp_dst=0x${raw.value}${raw.mask !== undefined ? `/0x${raw.mask}` : ''}` : `oxm(${hex(raw.oxmClass)}:${raw.field})=0x${raw.value}${raw.mask !== undefined ? `/0x${raw.mask}` : ''}`);
  return parts.join(',');
}

function formatAction(a: Action): string {
  switch (a.type) {
    case 'output':
      return typeof a.port === 'number' ? `output:${a.port}` : a.port;
    case 'ct': {
      const args = [a.commit === true ? 'commit' : undefined, a.zone !== undefined ? `zone=${a.zone}` : undefined, a.table !== undefined ? `table=${a.table}` : undefined].filter((x) => x !== undefined);
      return `ct(${args.join(',')})`;
    }
    case 'resubmit':
      return `resubmit(,${a.table ?? ''})`;
    case 'popVlan':
      return 'pop_vlan';
    case 'pushVlan':
      return 'push_vlan:0x8100';
    case 'ctClear':
      return 'ct_clear';
    case 'group':
      return `group:${a.groupId}`;
    case 'setField':
      return `set_field:${formatValue(a.field, a.value)}->${MATCH_FIELDS[a.field].ofctl}`;
    case 'raw':
      return `raw(${a.actionType})`;
  }
}

/** Instructions in ovs-ofctl `actions=` syntax (`drop` for none). */
export function formatInstructions(instructions: readonly Instruction[]): string {
  const parts: string[] = [];
  for (const i of instructions) {
    if (i.type === 'applyActions') parts.push(...i.actions.map(formatAction));
    else if (i.type === 'gotoTable') parts.push(`goto_table:${i.tableId}`);
    else parts.push(i.type);
  }
  return parts.length === 0 ? 'drop' : parts.join(',');
}

function formatFlowSpec(f: { readonly tableId?: number | 'all'; readonly priority?: number; readonly match?: Match }): string {
  const match = formatMatch(f.match ?? {});
  return `table=${String(f.tableId ?? 0)},priority=${f.priority ?? 32768}${match === '' ? '' : `,${match}`}`;
}

/**
 * A flow_mod as one line of text, as the plan shows it.
 *
 * @example formatFlowMod('br-int', add) // 'br-int: add-flow table=50,priority=10,cookie=0x4e4c000400001389,tun_id=0x1389 actions=output:1000,output:1002'
 */
export function formatFlowMod(bridge: string, mod: FlowMod): string {
  const spec = formatFlowSpec(mod);
  if (mod.command === 'add' || mod.command === 'modify' || mod.command === 'modifyStrict') {
    return `${bridge}: add-flow ${spec.replace(/^(table=[^,]+,priority=\d+)/, `$1,cookie=${hex(mod.cookie ?? 0n)}`)} actions=${formatInstructions(mod.instructions ?? [])}`;
  }
  return `${bridge}: del-flows --strict ${spec},cookie=${hex(mod.cookie ?? 0n)}/${hex(mod.cookieMask ?? 0n)}`;
}
