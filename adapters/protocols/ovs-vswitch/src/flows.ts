/**
 * The OpenFlow building blocks every OVS-compatible vswitch adapter shares: netloom's flow cookies, the conntrack
 * states and instruction helpers its pipelines are made of, the matches of a security-group rule, merging and
 * diffing desired flows against a bridge's flows (never touching a flow without netloom's cookie prefix), and the
 * ovs-ofctl-like text a plan shows. The pipelines themselves (which flows a bridge gets) belong to each adapter.
 *
 * Cookies: the high 16 bits are `0x4e4c` ("NL"); bits 32..47 say what the flow belongs to (the adapter's cookie
 * kinds), the low 32 bits which one. Every delete netloom sends carries the prefix with a mask.
 *
 * @packageDocumentation
 */
import { CtState, canonicalInstructions, canonicalMatch, MATCH_FIELDS, type FlowMod, type FlowStats, type Instruction, type Match, type MatchFieldName, type RawOxm, type Action } from '@netloom/openflow';
import { ipFamily, type SecurityGroupRule, type VSwitchConfig } from '@netloom/ports';

/** netloom's cookie prefix (`0x4e4c` in the high 16 bits). */
export const COOKIE_PREFIX = 0x4e4cn << 48n;
/** The mask that selects the prefix. */
export const COOKIE_PREFIX_MASK = 0xffffn << 48n;

/** The cookie of a flow owned by `kind` object `id` (kind in bits 32..47). @example cookieFor(2n, 1000) // 0x4e4c0002000003e8n */
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

/** Ethertype of IPv4. */
export const ETH_IP = 0x0800;
/** Ethertype of IPv6. */
export const ETH_IPV6 = 0x86dd;
/** Ethertype of ARP. */
export const ETH_ARP = 0x0806;
/** `ct_state=+new+trk`. */
export const TRK_NEW: Match['ctState'] = { value: CtState.TRACKED | CtState.NEW, mask: CtState.TRACKED | CtState.NEW };
/** `ct_state=+inv+trk`. */
export const TRK_INV: Match['ctState'] = { value: CtState.TRACKED | CtState.INVALID, mask: CtState.TRACKED | CtState.INVALID };
/** `ct_state=+est-inv+trk` (replies). */
export const TRK_EST: Match['ctState'] = { value: CtState.TRACKED | CtState.ESTABLISHED, mask: CtState.TRACKED | CtState.ESTABLISHED | CtState.INVALID };
/** `ct_state=+rel-inv+trk` (related traffic). */
export const TRK_REL: Match['ctState'] = { value: CtState.TRACKED | CtState.RELATED, mask: CtState.TRACKED | CtState.RELATED | CtState.INVALID };

/** An apply-actions instruction. @example apply({ type: 'output', port: 1000 }) */
export const apply = (...actions: Action[]): Instruction => ({ type: 'applyActions', actions });
/** A goto-table instruction. */
export const goto = (tableId: number): Instruction => ({ type: 'gotoTable', tableId });
/** `actions=NORMAL`. */
export const NORMAL: Instruction = apply({ type: 'output', port: 'NORMAL' });
/** No instructions: the packet is dropped. */
export const DROP: readonly Instruction[] = [];

const PROTO: Record<SecurityGroupRule['protocol'], number | undefined> = { any: undefined, tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };
/** OXM_OF_SCTP_DST (class 0x8000, field 18) is not modelled by @netloom/openflow: written as a raw field. */
const SCTP_DST_FIELD = 18;

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

/**
 * The matches of one security-group rule, without the port and conntrack parts: protocol, destination port range
 * (as masks), and the remote as the `side` address (`dst` for egress, `src` for ingress). A remote group stands for
 * the IPs of the endpoint ports of `config` that are members of the group. Empty: the rule allows nothing.
 */
export function ruleMatches(rule: SecurityGroupRule, config: VSwitchConfig, side: 'src' | 'dst'): Match[] {
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



/** Merges duplicate flows (two rules giving one match: the last wins) and puts every flow in canonical form. */
export function mergeFlows(list: readonly FlowEntry[]): FlowEntry[] {
  const seen = new Map<string, FlowEntry>();
  for (const e of list) seen.set(flowIdentity(e), canonicalEntry(e));
  return [...seen.values()];
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
 * a flow without netloom's cookie prefix. `style` only shapes the text of conflicts (see {@link FlowTextStyle}).
 */
export function diffFlows(desired: readonly FlowEntry[], current: readonly Pick<FlowStats, 'tableId' | 'priority' | 'cookie' | 'match' | 'instructions'>[], style: FlowTextStyle = 'ofctl'): FlowDiff {
  const now = new Map<string, (typeof current)[number]>();
  for (const f of current) now.set(flowIdentity(f), f);
  const want = new Map<string, FlowEntry>();
  for (const f of desired) want.set(flowIdentity(f), f);
  const adds: FlowMod[] = [];
  const conflicts: string[] = [];
  for (const [id, f] of want) {
    const have = now.get(id);
    if (have !== undefined && !isNetloomCookie(have.cookie)) {
      conflicts.push(`a flow with cookie 0x${have.cookie.toString(16)} already has ${formatFlowSpec(f, style)}`);
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


/**
 * How numbers are written: `ofctl` as ovs-ofctl prints them (ethertypes, VLAN ids, registers and 64-bit fields in
 * hex); `basic` only ethertypes and 64-bit fields in hex, VLAN ids, registers and set_field values in decimal (the
 * text `@netloom/adapter-ovs` 0.1.0 shows; both parse the same in ovs-ofctl).
 */
export type FlowTextStyle = 'ofctl' | 'basic';

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

function formatValue(name: MatchFieldName, v: unknown, style: FlowTextStyle): string {
  if (typeof v === 'object' && v !== null && 'mask' in v) {
    const m = v as { value: unknown; mask: unknown };
    return `${formatValue(name, m.value, style)}/${formatValue(name, m.mask, style)}`;
  }
  if (style === 'basic') {
    if (name === 'ethType') return hex(v as number);
  } else if ((name === 'ethType' || name === 'vlanVid' || /^reg\d$/.test(name)) && typeof v === 'number') {
    // As ovs-ofctl prints them: ethertypes, VLAN ids, registers and 64-bit fields in hex.
    return hex(v);
  }
  if (typeof v === 'bigint') return hex(v);
  return String(v);
}

/** A match in ovs-ofctl syntax. @example formatMatch({ inPort: 1000, ethType: 0x0800, tunnelId: 5001n }) // 'in_port=1000,dl_type=0x800,tun_id=0x1389' */
export function formatMatch(match: Match, style: FlowTextStyle = 'ofctl'): string {
  const parts: string[] = [];
  const m = match as Record<string, unknown>;
  for (const name of Object.keys(MATCH_FIELDS) as MatchFieldName[]) {
    const v = m[name];
    if (v === undefined) continue;
    if (name === 'ctState') parts.push(`ct_state=${formatCtState(v as number | { value: number; mask: number })}`);
    else parts.push(`${MATCH_FIELDS[name].ofctl}=${formatValue(name, v, style)}`);
  }
  for (const raw of match.extra ?? []) parts.push(raw.oxmClass === 0x8000 && raw.field === SCTP_DST_FIELD ? `sctp_dst=0x${raw.value}${raw.mask !== undefined ? `/0x${raw.mask}` : ''}` : `oxm(${hex(raw.oxmClass)}:${raw.field})=0x${raw.value}${raw.mask !== undefined ? `/0x${raw.mask}` : ''}`);
  return parts.join(',');
}

function formatAction(a: Action, style: FlowTextStyle): string {
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
      return `set_field:${style === 'basic' ? String(a.value) : formatValue(a.field, a.value, style)}->${MATCH_FIELDS[a.field].ofctl}`;
    case 'raw':
      return `raw(${a.actionType})`;
  }
}

/** Instructions in ovs-ofctl `actions=` syntax (`drop` for none). */
export function formatInstructions(instructions: readonly Instruction[], style: FlowTextStyle = 'ofctl'): string {
  const parts: string[] = [];
  for (const i of instructions) {
    if (i.type === 'applyActions') parts.push(...i.actions.map((a) => formatAction(a, style)));
    else if (i.type === 'gotoTable') parts.push(`goto_table:${i.tableId}`);
    else parts.push(i.type);
  }
  return parts.length === 0 ? 'drop' : parts.join(',');
}

function formatFlowSpec(f: { readonly tableId?: number | 'all'; readonly priority?: number; readonly match?: Match }, style: FlowTextStyle): string {
  const match = formatMatch(f.match ?? {}, style);
  return `table=${String(f.tableId ?? 0)},priority=${f.priority ?? 32768}${match === '' ? '' : `,${match}`}`;
}

/**
 * A flow_mod as one line of text, as the plan shows it.
 *
 * @example formatFlowMod('br-int', add) // 'br-int: add-flow table=50,priority=10,cookie=0x4e4c000400001389,tun_id=0x1389 actions=output:1000,output:1002'
 */
export function formatFlowMod(bridge: string, mod: FlowMod, style: FlowTextStyle = 'ofctl'): string {
  const spec = formatFlowSpec(mod, style);
  if (mod.command === 'add' || mod.command === 'modify' || mod.command === 'modifyStrict') {
    return `${bridge}: add-flow ${spec.replace(/^(table=[^,]+,priority=\d+)/, `$1,cookie=${hex(mod.cookie ?? 0n)}`)} actions=${formatInstructions(mod.instructions ?? [], style)}`;
  }
  return `${bridge}: del-flows --strict ${spec},cookie=${hex(mod.cookie ?? 0n)}/${hex(mod.cookieMask ?? 0n)}`;
}
