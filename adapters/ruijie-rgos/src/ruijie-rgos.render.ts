/**
 * From fabric configs to the exact RGOS configuration lines (typed in `configure terminal`, in order). Rendering is a
 * diff of two device-level states ({@link RgosState}): what the device holds now (read from `show running-config`)
 * and what it should hold (built from the desired fabric config by {@link desiredState}). The same diff, run from
 * the device as it is after a failure back to the state before the apply, gives the inverse lines that undo it.
 *
 * | fabric object | RGOS lines |
 * |---|---|
 * | vrf | `vrf definition <name>` / `description netloom:<name>`, `rd <rdAdmin\|evpnAsn>:<l3Vni>`, `vni <l3Vni>`, `route-target export <rt>`…, `route-target import <rt>`…; `interface Nve 1` / `member vni <l3Vni> associate-vrf` |
 * | segment | `vlan <leaf vlan>` / `description netloom:<l2Vni> <name>`, `vxlan vni <l2Vni>`; `interface Nve 1` / `member vni <l2Vni>` |
 * | segment `vrf` + gateway | `interface VLAN <leaf vlan>` / `description netloom:<l2Vni>`, `vrf forwarding <vrf>`, `ip address <ip> <mask>`, `ipv6 address <prefix>`…, `mac-address <H.H.H>`, `anycast-gateway` |
 * | binding | `interface <Type> <n>` / `switchport trunk allowed vlan add <leaf vlan>` |
 *
 * Order: every removal first, children before parents (trunk VLANs, NVE members, SVIs, lines inside kept blocks,
 * VLANs, VRFs), then every creation and addition, parents before children (VRFs, VLANs, SVIs, NVE members, trunk
 * VLANs). Every mode is left with `exit`.
 *
 * **Leaf VLANs.** RGOS maps a VNI to a switch-wide VLAN and (in the syntax known) has no per-port VLAN translation,
 * while netloom's VLANs are per node port. So a segment's leaf VLAN is the VLAN its bindings on this leaf use (all
 * of them must use the same one, and no two segments the same one: `NotSupportedError` otherwise); a segment without
 * bindings keeps the VLAN it has, or gets the lowest free VLAN of `segmentVlans` ({@link computeLayout}). A segment
 * whose leaf VLAN changes (a first binding on another VLAN) moves: its VLAN, SVI and NVE member are removed and made
 * again on the new VLAN.
 *
 * @packageDocumentation
 */
import {
  ExhaustedError,
  NotSupportedError,
  RouteTargetCodec,
  type FabricConfig,
  type InputProblem,
} from '@netloom/ports';
import { CLI_TOKEN, CONFIG, LIMITS, LOCK, MODEL_PORT, NEGATE, PARSE, SESSION, SVI_REPLACED_BY, line, shown } from './ruijie-rgos.commands';
import type { RenderSettings } from './ruijie-rgos.options';
import { blockId, devicePortOf, type DeviceIndex, type DeviceView, type ExtraOwned, type RgosMember, type RgosState } from './ruijie-rgos.parse';

// ---------------------------------------------------------------------------------------------------------------
// Derived device values

/** The route distinguisher of a VRF: `<rdAdmin or evpnAsn>:<l3Vni>`. */
export const routeDistinguisherOf = (vni: number, s: RenderSettings): string => `${s.rdAdmin ?? String(s.evpnAsn)}:${vni}`;

/** `10.1.0.1/24` → `{ ip: '10.1.0.1', mask: '255.255.255.0' }`. */
export function splitIpv4Prefix(prefix: string): { readonly ip: string; readonly mask: string } {
  const [ip = '', len = '32'] = prefix.split('/');
  const n = Number(len);
  const bits = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return { ip, mask: [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.') };
}

/** `00:00:5e:00:01:01` → `0000.5e00.0101` (the `H.H.H` form). */
export function toRgosMac(mac: string): string {
  const hex = mac.replace(/[:.-]/g, '').toLowerCase();
  return `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8, 12)}`;
}

/** The `interface <Type> <n>` line of a port named as netloom names it (`TenGigabitEthernet0/1`). */
export function portLine(port: string): string {
  const p = devicePortOf(port);
  if (p === undefined) throw new NotSupportedError(`${JSON.stringify(port)} is not an RGOS physical port name (TenGigabitEthernet0/1, GigabitEthernet0/2, ...)`);
  return line(CONFIG.port, p);
}

// ---------------------------------------------------------------------------------------------------------------
// What the device can hold

/**
 * Everything in a (decoded) desired config that an RGOS leaf cannot hold or the adapter cannot name safely, as input
 * problems: VRF names over 31 characters or starting with `netloom-lock` (reserved for the lock marker), VLAN
 * descriptions over 80 characters, interface names that are not RGOS physical ports, route distinguishers that do
 * not fit.
 *
 * @example deviceProblems(desired, settings) // [{ path: 'binding["Ethernet1/1:100"].interface', reason: ... }]
 */
export function deviceProblems(config: FabricConfig, s: RenderSettings): InputProblem[] {
  const problems: InputProblem[] = [];
  const vniProblem = (path: string, vni: number): void => {
    if (vni < LIMITS.vni.min || vni > LIMITS.vni.max) problems.push({ path, reason: `${vni} is outside the RGOS VNI range ${LIMITS.vni.min}..${LIMITS.vni.max}` });
  };
  for (const [key, vrf] of Object.entries(config.vrf)) {
    const at = `vrf[${JSON.stringify(key)}]`;
    if (vrf.name.length > LIMITS.vrfName) problems.push({ path: `${at}.name`, reason: `${JSON.stringify(vrf.name)} is longer than ${LIMITS.vrfName} characters (RGOS VRF names)` });
    if (vrf.name.startsWith(LOCK.prefix)) problems.push({ path: `${at}.name`, reason: `${JSON.stringify(vrf.name)} starts with "${LOCK.prefix}", which netloom reserves for its lock marker` });
    vniProblem(`${at}.l3Vni`, vrf.l3Vni);
    const rd = routeDistinguisherOf(vrf.l3Vni, s);
    if (RouteTargetCodec.decode(rd)._tag === 'Left') problems.push({ path: `${at}.l3Vni`, reason: `the route distinguisher ${rd} derived from it is not valid (a 4-byte evpnAsn or an rdAdmin address allows L3 VNIs up to 65535 only)` });
  }
  for (const [key, seg] of Object.entries(config.segment)) {
    const at = `segment[${JSON.stringify(key)}]`;
    vniProblem(`${at}.l2Vni`, seg.l2Vni);
    const description = `${seg.key} ${seg.name}`.length + 'netloom:'.length;
    if (description > LIMITS.description) problems.push({ path: `${at}.name`, reason: `${JSON.stringify(seg.name)} is too long for the VLAN description (at most ${LIMITS.description} characters)` });
  }
  for (const [key, b] of Object.entries(config.binding)) {
    if (!MODEL_PORT.test(b.interface)) {
      problems.push({ path: `binding[${JSON.stringify(key)}].interface`, reason: `${JSON.stringify(b.interface)} is not an RGOS physical port name (TenGigabitEthernet0/1, GigabitEthernet0/2, ...)` });
    }
  }
  return problems;
}

/**
 * What an RGOS leaf cannot do with a valid config, one text each: more than one IPv4 anycast gateway address per
 * segment (an SVI has one `ip address`), a segment whose bindings use several VLANs, a VLAN that bindings map to
 * several segments (no per-port VLAN translation).
 */
export function featureProblems(config: FabricConfig): string[] {
  const out: string[] = [];
  for (const [key, seg] of Object.entries(config.segment)) {
    if ((seg.anycastGateway?.ipv4?.length ?? 0) > 1) out.push(`segment ${key}: more than one IPv4 anycast gateway address (an RGOS SVI holds one ip address)`);
  }
  const vlansOf = new Map<number, Set<number>>();
  const segmentsOf = new Map<number, Set<number>>();
  for (const b of Object.values(config.binding)) {
    (vlansOf.get(b.l2Vni) ?? vlansOf.set(b.l2Vni, new Set()).get(b.l2Vni)!).add(b.vlan);
    (segmentsOf.get(b.vlan) ?? segmentsOf.set(b.vlan, new Set()).get(b.vlan)!).add(b.l2Vni);
  }
  const list = (s: ReadonlySet<number>): string => [...s].sort((a, b) => a - b).join(', ');
  for (const [vni, vlans] of vlansOf) {
    if (vlans.size > 1) out.push(`segment ${vni}: its bindings use VLANs ${list(vlans)}, but an RGOS leaf maps a segment to one VLAN (no per-port VLAN translation)`);
  }
  for (const [vlan, vnis] of segmentsOf) {
    if (vnis.size > 1) out.push(`VLAN ${vlan}: bindings map it to segments ${list(vnis)}, but on an RGOS leaf a VLAN belongs to one segment (no per-port VLAN translation)`);
  }
  return out;
}

/**
 * Throws `NotSupportedError` listing {@link featureProblems}.
 *
 * @throws NotSupportedError
 */
export function assertSupported(config: FabricConfig, device: string): void {
  const bad = featureProblems(config);
  if (bad.length > 0) throw new NotSupportedError(`${device} (fabric, ruijie-rgos) does not support: ${bad.join('; ')}`, { details: { device, port: 'fabric', features: bad } });
}

// ---------------------------------------------------------------------------------------------------------------
// Leaf VLANs and the desired device state

/** What {@link computeLayout} needs of the device. */
export interface LayoutInput {
  readonly segmentVlans: ReadonlyMap<number, number>;
  readonly index: Pick<DeviceIndex, 'vlans' | 'svis'>;
}

/**
 * The leaf VLAN of every desired segment (L2 VNI → VLAN): the VLAN of its bindings; else the VLAN it has on the
 * device (unless a binding of another segment wants it); else the lowest VLAN of `segmentVlans` that the device does
 * not use (as a VLAN or an SVI) and no other segment gets. Deterministic for a given config and device.
 *
 * @throws ExhaustedError when `segmentVlans` has no free VLAN left
 * @example computeLayout(desired, view, settings).get(10020) // 3000
 */
export function computeLayout(config: FabricConfig, device: LayoutInput, s: RenderSettings): Map<number, number> {
  const layout = new Map<number, number>();
  const taken = new Set<number>();
  const bindings = Object.values(config.binding).sort((a, b) => a.key.localeCompare(b.key));
  for (const b of bindings) {
    if (!layout.has(b.l2Vni)) {
      layout.set(b.l2Vni, b.vlan);
      taken.add(b.vlan);
    }
  }
  const rest = Object.values(config.segment)
    .map((seg) => seg.l2Vni)
    .filter((vni) => !layout.has(vni))
    .sort((a, b) => a - b);
  const fresh: number[] = [];
  for (const vni of rest) {
    const current = device.segmentVlans.get(vni);
    if (current !== undefined && !taken.has(current)) {
      layout.set(vni, current);
      taken.add(current);
    } else fresh.push(vni);
  }
  const used = new Set<number>([...device.index.vlans.keys(), ...device.index.svis.keys(), ...taken]);
  let next = s.segmentVlans.from;
  for (const vni of fresh) {
    while (next <= s.segmentVlans.to && used.has(next)) next++;
    if (next > s.segmentVlans.to) {
      throw new ExhaustedError(`no free leaf VLAN in segmentVlans ${s.segmentVlans.from}-${s.segmentVlans.to} for segment ${vni}: widen the range or free VLANs`, {
        details: { segment: vni, segmentVlans: s.segmentVlans },
      });
    }
    layout.set(vni, next);
    used.add(next);
  }
  return layout;
}

/**
 * The device-level state a desired fabric config means on an RGOS leaf, given the leaf VLAN of every segment (see
 * the module documentation for the lines).
 *
 * @throws InputError when a value is not an RGOS token (cannot happen for a decoded config)
 */
export function desiredState(config: FabricConfig, layout: ReadonlyMap<number, number>, s: RenderSettings): RgosState {
  const vrfs = new Map<string, string[]>();
  const vlans = new Map<number, string[]>();
  const svis = new Map<number, string[]>();
  const members = new Map<number, RgosMember>();
  const trunks = new Map<string, Set<number>>();
  for (const vrf of Object.values(config.vrf).sort((a, b) => a.name.localeCompare(b.name))) {
    vrfs.set(vrf.name, [
      line(CONFIG.vrfDescription, { key: vrf.key }),
      line(CONFIG.rd, { rd: routeDistinguisherOf(vrf.l3Vni, s) }),
      line(CONFIG.vrfVni, { vni: vrf.l3Vni }),
      ...(vrf.exportRouteTargets ?? []).map((rt) => line(CONFIG.routeTargetExport, { rt })),
      ...(vrf.importRouteTargets ?? []).map((rt) => line(CONFIG.routeTargetImport, { rt })),
    ]);
    if (s.nveMembers) members.set(vrf.l3Vni, { l3: true, owner: blockId.vrf(vrf.name) });
  }
  for (const seg of Object.values(config.segment).sort((a, b) => a.l2Vni - b.l2Vni)) {
    const v = layout.get(seg.l2Vni);
    if (v === undefined) throw new Error(`internal: segment ${seg.key} has no leaf VLAN`);
    vlans.set(v, [line(CONFIG.segmentDescription, { key: seg.key, name: seg.name }), line(CONFIG.vxlanVni, { vni: seg.l2Vni })]);
    if (s.nveMembers) members.set(seg.l2Vni, { l3: false, owner: blockId.vlan(v) });
    if (seg.vrf === undefined) continue;
    const g = seg.anycastGateway;
    const v4 = g?.ipv4?.[0];
    svis.set(v, [
      line(CONFIG.sviDescription, { key: seg.key }),
      line(CONFIG.vrfForwarding, { vrf: seg.vrf }),
      ...(v4 === undefined ? [] : [line(CONFIG.ipAddress, splitIpv4Prefix(v4))]),
      ...(g?.ipv6 ?? []).map((prefix) => line(CONFIG.ipv6Address, { prefix })),
      ...(g?.mac === undefined ? [] : [line(CONFIG.macAddress, { mac: toRgosMac(g.mac) })]),
      ...(g === undefined ? [] : [CONFIG.anycastGateway]),
    ]);
  }
  for (const b of Object.values(config.binding)) {
    (trunks.get(b.interface) ?? trunks.set(b.interface, new Set()).get(b.interface)!).add(b.vlan);
  }
  return { vrfs, vlans, svis, members, trunks };
}

// ---------------------------------------------------------------------------------------------------------------
// The diff

interface Negation {
  readonly no: string;
  readonly kind: string;
  readonly replaces: boolean;
  readonly rank: number;
}

function negationOf(text: string): Negation | undefined {
  for (const [rank, n] of NEGATE.entries()) {
    const m = n.match.exec(text);
    if (m !== null) return { no: n.no.replace(/\{(\d)\}/g, (_x, i: string) => m[Number(i)] ?? ''), kind: n.kind, replaces: n.replaces === true, rank };
  }
  return undefined;
}

/** The `no` lines that take the managed lines of `cur` away that `tgt` does not hold (in removal order). */
function removalsIn(cur: readonly string[], tgt: readonly string[]): string[] {
  const want = new Set(tgt);
  const kinds = new Set(tgt.map((l) => negationOf(l)?.kind));
  return cur
    .filter((l) => !want.has(l))
    .map((l) => negationOf(l))
    .filter((n): n is Negation => n !== undefined && !(n.replaces && kinds.has(n.kind)))
    .sort((a, b) => a.rank - b.rank)
    .map((n) => n.no);
}

const additionsIn = (cur: readonly string[], tgt: readonly string[]): string[] => {
  const have = new Set(cur);
  return tgt.filter((l) => !have.has(l));
};

const byNumber = (a: number, b: number): number => a - b;
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const keysOf = <K>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>, order: (x: K, y: K) => number): K[] => [...new Set([...a.keys(), ...b.keys()])].sort(order);

/** The VNI a block's lines map (`vni <n>` or `vxlan vni <n>`). */
function vniIn(lines: readonly string[]): number | undefined {
  for (const l of lines) {
    const m = PARSE.vrfVni.exec(l) ?? PARSE.vxlanVni.exec(l);
    if (m !== null) return Number(m[1]);
  }
  return undefined;
}

/**
 * The configuration lines (typed in `configure terminal`) that turn device state `cur` into `tgt`, in dependency
 * order (see the module documentation). Empty when they are equal. Lines of unknown kinds inside kept blocks are left
 * alone; lines of `tgt` that `cur` lacks are typed as they are.
 *
 * @example diffStates(emptyState(), desiredState(config, layout, settings)) // ['vrf definition vpc1', 'description netloom:vpc1', ...]
 */
export function diffStates(cur: RgosState, tgt: RgosState): string[] {
  const out: string[] = [];
  const block = (head: string, lines: readonly string[]): void => {
    if (lines.length > 0) out.push(head, ...lines, SESSION.exit);
  };
  const vrfHead = (name: string): string => line(CONFIG.vrf, { name });
  const vlanHead = (vlan: number): string => line(CONFIG.vlan, { vlan });
  const sviHead = (vlan: number): string => line(CONFIG.svi, { vlan });

  const vrfNames = keysOf(cur.vrfs, tgt.vrfs, byText);
  const vlanIds = keysOf(cur.vlans, tgt.vlans, byNumber);
  const sviIds = keysOf(cur.svis, tgt.svis, byNumber);
  const removedBlocks = new Set<string>([...vrfNames.filter((n) => !tgt.vrfs.has(n)).map(blockId.vrf), ...vlanIds.filter((v) => !tgt.vlans.has(v)).map(blockId.vlan)]);
  const sviReplaced = (v: number): boolean => {
    const c = cur.svis.get(v);
    const t = tgt.svis.get(v);
    return c !== undefined && t !== undefined && c.some((l) => SVI_REPLACED_BY.test(l) && !t.includes(l));
  };
  // VNIs whose mapping line leaves a kept block: their NVE member must go first.
  const unmapped = new Set<number>();
  for (const n of vrfNames) {
    const c = cur.vrfs.get(n);
    const t = tgt.vrfs.get(n);
    const vni = c === undefined || t === undefined ? undefined : vniIn(c);
    if (vni !== undefined && vniIn(t!) !== vni) unmapped.add(vni);
  }
  for (const v of vlanIds) {
    const c = cur.vlans.get(v);
    const t = tgt.vlans.get(v);
    const vni = c === undefined || t === undefined ? undefined : vniIn(c);
    if (vni !== undefined && vniIn(t!) !== vni) unmapped.add(vni);
  }

  // --- removals, children first
  const ports = keysOf(cur.trunks, tgt.trunks, byText);
  for (const p of ports) {
    const want = tgt.trunks.get(p) ?? new Set<number>();
    const gone = [...(cur.trunks.get(p) ?? [])].filter((v) => !want.has(v)).sort(byNumber);
    block(portLine(p), gone.map((vlan) => line(CONFIG.trunkRemove, { vlan })));
  }
  const memberGone = new Set<number>();
  for (const [vni, m] of [...cur.members].sort((a, b) => a[0] - b[0])) {
    const t = tgt.members.get(vni);
    if (t === undefined || t.l3 !== m.l3 || t.owner !== m.owner || removedBlocks.has(m.owner) || unmapped.has(vni)) memberGone.add(vni);
  }
  block(CONFIG.nve, [...memberGone].map((vni) => line(CONFIG.noMember, { vni })));
  for (const v of sviIds) if ((cur.svis.has(v) && !tgt.svis.has(v)) || sviReplaced(v)) out.push(line(CONFIG.noSvi, { vlan: v }));
  for (const n of vrfNames) {
    const c = cur.vrfs.get(n);
    const t = tgt.vrfs.get(n);
    if (c !== undefined && t !== undefined) block(vrfHead(n), removalsIn(c, t));
  }
  for (const v of vlanIds) {
    const c = cur.vlans.get(v);
    const t = tgt.vlans.get(v);
    if (c !== undefined && t !== undefined) block(vlanHead(v), removalsIn(c, t));
  }
  for (const v of sviIds) {
    const c = cur.svis.get(v);
    const t = tgt.svis.get(v);
    if (c !== undefined && t !== undefined && !sviReplaced(v)) block(sviHead(v), removalsIn(c, t));
  }
  for (const v of vlanIds) if (cur.vlans.has(v) && !tgt.vlans.has(v)) out.push(line(CONFIG.noVlan, { vlan: v }));
  for (const n of vrfNames) if (cur.vrfs.has(n) && !tgt.vrfs.has(n)) out.push(line(CONFIG.noVrf, { name: n }));

  // --- creations and additions, parents first
  for (const n of vrfNames) {
    const t = tgt.vrfs.get(n);
    if (t !== undefined) block(vrfHead(n), additionsIn(cur.vrfs.get(n) ?? [], t));
  }
  for (const v of vlanIds) {
    const t = tgt.vlans.get(v);
    if (t !== undefined) block(vlanHead(v), additionsIn(cur.vlans.get(v) ?? [], t));
  }
  for (const v of sviIds) {
    const t = tgt.svis.get(v);
    if (t !== undefined) block(sviHead(v), additionsIn(sviReplaced(v) ? [] : (cur.svis.get(v) ?? []), t));
  }
  const memberAdds: string[] = [];
  for (const [vni, m] of [...tgt.members].sort((a, b) => a[0] - b[0])) {
    if (cur.members.has(vni) && !memberGone.has(vni)) continue;
    memberAdds.push(line(m.l3 ? CONFIG.memberL3 : CONFIG.memberL2, { vni }));
  }
  block(CONFIG.nve, memberAdds);
  for (const p of ports) {
    const have = cur.trunks.get(p) ?? new Set<number>();
    const added = [...(tgt.trunks.get(p) ?? [])].filter((v) => !have.has(v)).sort(byNumber);
    block(portLine(p), added.map((vlan) => line(CONFIG.trunkAdd, { vlan })));
  }
  return out;
}

/**
 * How `cur` differs from `tgt`, one short text per object (for error messages: "what is left").
 *
 * @example stateDifferences(now, before) // ['vlan 3000 is missing', 'member vni 10020 is missing']
 */
export function stateDifferences(cur: RgosState, tgt: RgosState): string[] {
  const out: string[] = [];
  const blocks = <K>(what: (k: K) => string, a: ReadonlyMap<K, readonly string[]>, b: ReadonlyMap<K, readonly string[]>, order: (x: K, y: K) => number): void => {
    for (const k of keysOf(a, b, order)) {
      const c = a.get(k);
      const t = b.get(k);
      if (c === undefined) out.push(`${what(k)} is missing`);
      else if (t === undefined) out.push(`${what(k)} is present`);
      else {
        const extra = c.filter((l) => !t.includes(l));
        const missing = t.filter((l) => !c.includes(l));
        if (extra.length + missing.length > 0) out.push(`${what(k)} differs (${[...missing.map((l) => `missing "${l}"`), ...extra.map((l) => `extra "${l}"`)].join(', ')})`);
      }
    }
  };
  blocks((n: string) => shown(CONFIG.vrf, { name: n }), cur.vrfs, tgt.vrfs, byText);
  blocks((v: number) => shown(CONFIG.vlan, { vlan: v }), cur.vlans, tgt.vlans, byNumber);
  blocks((v: number) => shown(CONFIG.svi, { vlan: v }), cur.svis, tgt.svis, byNumber);
  for (const vni of keysOf(cur.members, tgt.members, byNumber)) {
    const c = cur.members.get(vni);
    const t = tgt.members.get(vni);
    const member = shown(CONFIG.memberL2, { vni });
    if (c === undefined) out.push(`${member} is missing`);
    else if (t === undefined) out.push(`${member} is present`);
    else if (c.l3 !== t.l3) out.push(`${member} differs`);
  }
  for (const p of keysOf(cur.trunks, tgt.trunks, byText)) {
    const c = cur.trunks.get(p) ?? new Set<number>();
    const t = tgt.trunks.get(p) ?? new Set<number>();
    for (const v of [...c].filter((x) => !t.has(x)).sort(byNumber)) out.push(`${p} allows VLAN ${v}`);
    for (const v of [...t].filter((x) => !c.has(x)).sort(byNumber)) out.push(`${p} does not allow VLAN ${v}`);
  }
  return out;
}

/** The blocks of `target` that `before` does not hold (an apply creates them; its undo must count them as netloom's). */
export function createdBlocks(before: RgosState, target: RgosState): ExtraOwned {
  return {
    vrfs: new Set([...target.vrfs.keys()].filter((n) => !before.vrfs.has(n))),
    vlans: new Set([...target.vlans.keys()].filter((v) => !before.vlans.has(v))),
    svis: new Set([...target.svis.keys()].filter((v) => !before.svis.has(v))),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Plans

/** What {@link renderConfig} returns. */
export interface RenderedConfig {
  /** The configuration lines, typed in `configure terminal`. */
  readonly lines: string[];
  /** L2 VNI → leaf VLAN of every desired segment. */
  readonly layout: ReadonlyMap<number, number>;
  /** The device-level state the lines lead to. */
  readonly target: RgosState;
}

/** What {@link renderConfig} needs of the device: its state, and what {@link computeLayout} needs (a `DeviceView` fits). */
export interface RenderInput extends LayoutInput {
  readonly state: RgosState;
}

/**
 * The lines that turn the device (as read into `view`) into `desired`.
 *
 * @throws ExhaustedError (no free leaf VLAN), InputError (a value that is not an RGOS token)
 */
export function renderConfig(view: RenderInput, desired: FabricConfig, s: RenderSettings): RenderedConfig {
  const layout = computeLayout(desired, view, s);
  const target = desiredState(desired, layout, s);
  return { lines: diffStates(view.state, target), layout, target };
}

/** `interface TenGigabitEthernet 0/1` for messages (the name as given when it is no RGOS port). */
const portShown = (port: string): string => shown(CONFIG.port, devicePortOf(port) ?? { type: port, number: '' }).trimEnd();

/**
 * Why `target` cannot be written onto the device as it is now, one text each: a VRF, VLAN, SVI or VNI held by an
 * object netloom does not own; no `interface Nve 1` for NVE members; a binding on a port that is not a trunk with an
 * explicit allowed list; a new netloom VLAN that a port already allows (netloom would take over the operator's entry).
 */
export function conflicts(view: Pick<DeviceView, 'state' | 'index'>, target: RgosState): string[] {
  const out: string[] = [];
  const { index, state } = view;
  for (const name of target.vrfs.keys()) if (!state.vrfs.has(name) && index.vrfs.get(name)?.marked === false) out.push(`${shown(CONFIG.vrf, { name })} exists and netloom does not own it`);
  const newVlans = [...target.vlans.keys()].filter((v) => !state.vlans.has(v));
  for (const v of newVlans) if (index.vlans.get(v)?.marked === false) out.push(`${shown(CONFIG.vlan, { vlan: v })} exists and netloom does not own it`);
  for (const v of target.svis.keys()) if (!state.svis.has(v) && index.svis.get(v)?.marked === false) out.push(`${shown(CONFIG.svi, { vlan: v })} exists and netloom does not own it`);
  for (const ls of [...target.vrfs.values(), ...target.vlans.values()]) {
    const vni = vniIn(ls);
    const holder = vni === undefined ? undefined : index.vnis.get(vni);
    if (vni !== undefined && holder !== undefined && !holder.marked) out.push(`VNI ${vni} is mapped by ${holder.owner}, which netloom does not own`);
  }
  if (target.members.size > 0 && !index.nve) out.push(`${CONFIG.nve} is not configured (the VTEP); configure it with its source-interface, or set nveMembers: false`);
  for (const [port, vlans] of target.trunks) {
    const have = state.trunks.get(port) ?? new Set<number>();
    if ([...vlans].every((v) => have.has(v))) continue;
    const p = index.ports.get(port);
    const name = portShown(port);
    if (p === undefined) out.push(`${name} does not exist on the device`);
    else if (!p.trunk || p.allowed === 'all') {
      out.push(`${name} is not a trunk with an explicit allowed VLAN list (configure "${CONFIG.switchportTrunk}" and "${CONFIG.trunkNone}" on node-facing ports)`);
    }
  }
  for (const v of newVlans) {
    for (const [port, p] of index.ports) {
      if (p.allowed !== 'all' && p.allowed.has(v)) out.push(`${portShown(port)} already allows VLAN ${v}, which netloom would take over for a segment`);
    }
  }
  return [...new Set(out)];
}

// ---------------------------------------------------------------------------------------------------------------
// Change sets: what a rendered line may look like

const TOKEN_SOURCE = CLI_TOKEN.source.replace(/^\^/, '').replace(/\$$/, '');
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const templatePattern = (template: string): RegExp => new RegExp(`^${escape(template).replace(/\\\{[A-Za-z0-9]+\\\}/g, TOKEN_SOURCE)}$`);

const RENDERABLE: readonly RegExp[] = [
  ...[
    CONFIG.vrf,
    CONFIG.noVrf,
    CONFIG.vrfDescription,
    CONFIG.rd,
    CONFIG.vrfVni,
    CONFIG.routeTargetExport,
    CONFIG.routeTargetImport,
    CONFIG.vlan,
    CONFIG.noVlan,
    CONFIG.segmentDescription,
    CONFIG.vxlanVni,
    CONFIG.svi,
    CONFIG.noSvi,
    CONFIG.sviDescription,
    CONFIG.vrfForwarding,
    CONFIG.ipAddress,
    CONFIG.ipv6Address,
    CONFIG.macAddress,
    CONFIG.anycastGateway,
    CONFIG.nve,
    CONFIG.memberL2,
    CONFIG.memberL3,
    CONFIG.noMember,
    CONFIG.port,
    CONFIG.trunkAdd,
    CONFIG.trunkRemove,
    SESSION.exit,
  ].map(templatePattern),
  ...NEGATE.map((n) => templatePattern(n.no)),
];

/**
 * Whether `text` has the shape of a line this adapter renders into a plan (a template of the command table with
 * RGOS tokens in its placeholders). A change set whose operations do not all pass is refused with `InputError`
 * before anything is sent.
 *
 * @example isRenderableLine('vlan 100') === true; isRenderableLine('hostname evil') === false
 */
export function isRenderableLine(text: string): boolean {
  return RENDERABLE.some((re) => re.test(text));
}
