/**
 * From fabric changes to the exact VRP8 configuration lines (typed in the system view, in order). Pure: the lines
 * depend only on the changes and the {@link RenderSettings}, so `plan` and `apply` render the same text.
 *
 * | fabric object | VRP8 lines |
 * |---|---|
 * | vrf | `ip vpn-instance <name>` / `description netloom:<name>` / `ipv4-family` / `route-distinguisher <rd>`, `vpn-target <rt> export-extcommunity evpn`…, `vpn-target <rt> import-extcommunity evpn`… / `vxlan vni <l3Vni>` |
 * | segment | `bridge-domain <bd>` / `description netloom:<l2Vni> <name>`, `vxlan vni <l2Vni>`, `evpn` / `route-distinguisher <rd>`, `vpn-target <asn>:<l2Vni> export-extcommunity`, `… import-extcommunity`; routed: `interface Vbdif<bd>` / `description netloom:<l2Vni>`, `ip binding vpn-instance <vrf>`, gateway: `ip address <ip> <mask>`, `mac-address <H-H-H>`, `vxlan anycast-gateway enable`; ingress replication: `interface Nve1` / `vni <l2Vni> head-end peer-list protocol bgp` |
 * | binding | `interface <port>.<vlan> mode l2` / `description netloom:<port>:<vlan>`, `encapsulation dot1q vid <vlan>`, `bridge-domain <bd>` |
 * | floodVtep | `interface Nve1` / `vni <l2Vni> head-end peer-list <remoteIp>` (static ingress replication) |
 * | delete | `undo interface <port>.<vlan>`; `interface Nve1` / `undo vni <l2Vni> head-end peer-list <remoteIp>`; `undo interface Vbdif<bd>`, `interface Nve1` / `undo vni <l2Vni> head-end peer-list protocol bgp`, `undo bridge-domain <bd>`; `undo ip vpn-instance <name>` |
 *
 * Rules (documented in the README):
 * - bridge-domain id = L2 VNI + `bdOffset` (default 0);
 * - sub-interface number = the binding's VLAN (`10GE1/0/1.100` carries VLAN 100);
 * - route distinguishers `<rdAdmin or evpnAsn>:<vni>`, a segment's EVPN route target `<evpnAsn>:<l2Vni>` (both
 *   directions); a VRF's targets are exactly the ones it names (none when it names none).
 *
 * Every view is left with explicit `quit`s: VRP runs a command of an upper view from a sub-view, so without them a
 * `bridge-domain 20` meant for the system view would re-bind the sub-interface just configured.
 *
 * @packageDocumentation
 */
import {
  NotSupportedError,
  RouteTargetCodec,
  configEquals,
  type AccessBinding,
  type AnycastGateway,
  type Change,
  type ChangeOp,
  type FabricConfig,
  type FloodVtep,
  type InputProblem,
  type L2Segment,
  type Vrf,
} from '@netloom/ports';
import { CE_BD, CE_BD_DESCRIPTION_MAX, CE_INTERFACE, CE_VNI, CE_VPN_NAME_MAX, CONFIG, SESSION, line } from './huawei-ce.commands';
import type { RenderSettings } from './huawei-ce.options';

/** One line to type in a view: `ctx` is the path of view-opening lines from the system view, `cmd` the line. */
export interface Edit {
  readonly ctx: readonly string[];
  readonly cmd?: string;
}

/** A change of one fabric kind, with typed objects. */
export interface KindChange<T> {
  readonly op: ChangeOp;
  readonly key: string;
  readonly before?: T;
  readonly after?: T;
}

// ---------------------------------------------------------------------------------------------------------------
// Derived device values

/** The bridge-domain id of a segment: L2 VNI + `bdOffset`. */
export const bridgeDomainOf = (l2Vni: number, s: RenderSettings): number => l2Vni + s.bdOffset;

/** The route distinguisher of a VRF or a segment's EVPN instance: `<rdAdmin or evpnAsn>:<vni>`. */
export const routeDistinguisherOf = (vni: number, s: RenderSettings): string => `${s.rdAdmin ?? String(s.evpnAsn)}:${vni}`;

/** The route target of a segment's EVPN instance: `<evpnAsn>:<l2Vni>`. */
export const segmentTargetOf = (l2Vni: number, s: RenderSettings): string => `${s.evpnAsn}:${l2Vni}`;

/** `10.1.0.1/24` → `{ ip: '10.1.0.1', mask: '255.255.255.0' }`. */
export function splitIpv4Prefix(prefix: string): { readonly ip: string; readonly mask: string } {
  const [ip = '', len = '32'] = prefix.split('/');
  const n = Number(len);
  const bits = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return { ip, mask: [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.') };
}

/** `00:00:5e:00:01:01` → `0000-5e00-0101` (VRP's `H-H-H`). */
export function toVrpMac(mac: string): string {
  const hex = mac.replace(/[:-]/g, '').toLowerCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

/** The description of a segment's bridge domain: `netloom:<key> <name>`. */
export const segmentDescriptionOf = (segment: { readonly key: string; readonly name: string }): string => line(CONFIG.segmentDescription, { key: segment.key, name: segment.name });

// ---------------------------------------------------------------------------------------------------------------
// What the device can hold

function vniProblems(path: string, vni: number, problems: InputProblem[]): void {
  if (vni < CE_VNI.min || vni > CE_VNI.max) problems.push({ path, reason: `${vni} is outside the CloudEngine VNI range ${CE_VNI.min}..${CE_VNI.max}` });
}

function routeValueProblems(path: string, value: string, what: string, problems: InputProblem[]): void {
  if (RouteTargetCodec.decode(value)._tag === 'Left') {
    problems.push({ path, reason: `the ${what} ${value} derived from it is not valid (a 4-byte evpnAsn or an rdAdmin address allows VNIs up to 65535 only)` });
  }
}

/**
 * Everything in a (decoded) desired config that a CloudEngine cannot hold or the adapter cannot name safely, as input
 * problems: VNIs above 16000000, bridge-domain ids above 16777215, VPN instance names over 31 characters, bridge-domain
 * descriptions over 80 characters, interface names that are not CE ports, route values that do not fit.
 *
 * @example deviceProblems(desired, settings) // [{ path: 'binding["Ethernet1/1:100"].interface', reason: ... }]
 */
export function deviceProblems(config: FabricConfig, s: RenderSettings): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const [key, vrf] of Object.entries(config.vrf)) {
    const at = `vrf[${JSON.stringify(key)}]`;
    if (vrf.name.length > CE_VPN_NAME_MAX) problems.push({ path: `${at}.name`, reason: `${JSON.stringify(vrf.name)} is longer than ${CE_VPN_NAME_MAX} characters (VPN instance names)` });
    vniProblems(`${at}.l3Vni`, vrf.l3Vni, problems);
    routeValueProblems(`${at}.l3Vni`, routeDistinguisherOf(vrf.l3Vni, s), 'route distinguisher', problems);
  }
  for (const [key, seg] of Object.entries(config.segment)) {
    const at = `segment[${JSON.stringify(key)}]`;
    vniProblems(`${at}.l2Vni`, seg.l2Vni, problems);
    const bd = bridgeDomainOf(seg.l2Vni, s);
    if (bd > CE_BD.max) problems.push({ path: `${at}.l2Vni`, reason: `bridge-domain ${bd} (L2 VNI + bdOffset ${s.bdOffset}) is above ${CE_BD.max}` });
    const description = `netloom:${seg.key} ${seg.name}`;
    if (description.length > CE_BD_DESCRIPTION_MAX) {
      problems.push({ path: `${at}.name`, reason: `${JSON.stringify(seg.name)} is too long for the bridge-domain description "${description}" (at most ${CE_BD_DESCRIPTION_MAX} characters)` });
    }
    routeValueProblems(`${at}.l2Vni`, routeDistinguisherOf(seg.l2Vni, s), 'route distinguisher', problems);
    routeValueProblems(`${at}.l2Vni`, segmentTargetOf(seg.l2Vni, s), 'route target', problems);
  }
  for (const [key, b] of Object.entries(config.binding)) {
    if (!CE_INTERFACE.test(b.interface)) {
      problems.push({ path: `binding[${JSON.stringify(key)}].interface`, reason: `${JSON.stringify(b.interface)} is not a CloudEngine interface name (10GE1/0/1, 100GE1/0/2, Eth-Trunk1 ...)` });
    }
  }
  return problems;
}

/**
 * Throws `NotSupportedError` for segment features the adapter does not offer: IPv6 anycast gateway addresses and
 * more than one IPv4 gateway address (a Vbdif here carries one `ip address`).
 *
 * @throws NotSupportedError
 */
export function assertGatewaysSupported(config: FabricConfig, device: string): void {
  const bad: string[] = [];
  for (const [key, seg] of Object.entries(config.segment)) {
    const g = seg.anycastGateway;
    if (g === undefined) continue;
    if ((g.ipv6?.length ?? 0) > 0) bad.push(`segment ${key}: IPv6 anycast gateway addresses`);
    if ((g.ipv4?.length ?? 0) > 1) bad.push(`segment ${key}: more than one IPv4 anycast gateway address`);
  }
  if (bad.length > 0) {
    throw new NotSupportedError(`${device} (fabric, huawei-ce) does not support: ${bad.join('; ')}`, { details: { device, port: 'fabric', features: bad } });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Edits per object

function vrfCreate(vrf: Vrf, s: RenderSettings): Edit[] {
  const view = line(CONFIG.vpnInstance, { name: vrf.name });
  const af = [view, CONFIG.ipv4Family];
  return [
    { ctx: [view], cmd: line(CONFIG.vrfDescription, { key: vrf.key }) },
    { ctx: af, cmd: line(CONFIG.routeDistinguisher, { rd: routeDistinguisherOf(vrf.l3Vni, s) }) },
    ...(vrf.exportRouteTargets ?? []).map((rt) => ({ ctx: af, cmd: line(CONFIG.vrfExportTarget, { rt }) })),
    ...(vrf.importRouteTargets ?? []).map((rt) => ({ ctx: af, cmd: line(CONFIG.vrfImportTarget, { rt }) })),
    { ctx: [view], cmd: line(CONFIG.vxlanVni, { vni: vrf.l3Vni }) },
  ];
}

function targetEdits(af: readonly string[], before: readonly string[] | undefined, after: readonly string[] | undefined, add: typeof CONFIG.vrfExportTarget | typeof CONFIG.vrfImportTarget, remove: typeof CONFIG.undoVrfExportTarget | typeof CONFIG.undoVrfImportTarget): Edit[] {
  const was = new Set(before ?? []);
  const now = new Set(after ?? []);
  return [...[...was].filter((rt) => !now.has(rt)).map((rt) => ({ ctx: af, cmd: line(remove, { rt }) })), ...[...now].filter((rt) => !was.has(rt)).map((rt) => ({ ctx: af, cmd: line(add, { rt }) }))];
}

function vrfUpdate(before: Vrf, after: Vrf): Edit[] {
  const view = line(CONFIG.vpnInstance, { name: after.name });
  const af = [view, CONFIG.ipv4Family];
  const edits: Edit[] = [
    ...targetEdits(af, before.exportRouteTargets, after.exportRouteTargets, CONFIG.vrfExportTarget, CONFIG.undoVrfExportTarget),
    ...targetEdits(af, before.importRouteTargets, after.importRouteTargets, CONFIG.vrfImportTarget, CONFIG.undoVrfImportTarget),
  ];
  if (before.l3Vni !== after.l3Vni) edits.push({ ctx: [view], cmd: line(CONFIG.undoVxlanVni, { vni: before.l3Vni }) }, { ctx: [view], cmd: line(CONFIG.vxlanVni, { vni: after.l3Vni }) });
  return edits;
}

function gatewayEdits(vbdif: readonly string[], before: AnycastGateway | undefined, after: AnycastGateway | undefined): Edit[] {
  const edits: Edit[] = [];
  const b4 = before?.ipv4?.[0];
  const a4 = after?.ipv4?.[0];
  const bm = before?.mac;
  const am = after?.mac;
  // Disable the anycast function before taking its address away; give the address before enabling it.
  if (before !== undefined && after === undefined) edits.push({ ctx: vbdif, cmd: CONFIG.undoAnycastGateway });
  if (bm !== am && bm !== undefined) edits.push({ ctx: vbdif, cmd: CONFIG.undoMacAddress });
  if (b4 !== a4 && b4 !== undefined && a4 === undefined) edits.push({ ctx: vbdif, cmd: CONFIG.undoIpAddress });
  if (b4 !== a4 && a4 !== undefined) edits.push({ ctx: vbdif, cmd: line(CONFIG.ipAddress, splitIpv4Prefix(a4)) });
  if (bm !== am && am !== undefined) edits.push({ ctx: vbdif, cmd: line(CONFIG.macAddress, { mac: toVrpMac(am) }) });
  if (before === undefined && after !== undefined) edits.push({ ctx: vbdif, cmd: CONFIG.anycastGateway });
  return edits;
}

function vbdifCreate(seg: L2Segment, bd: number): Edit[] {
  if (seg.vrf === undefined) return [];
  const vbdif = [line(CONFIG.vbdif, { bd })];
  return [
    { ctx: vbdif, cmd: line(CONFIG.gatewayDescription, { key: seg.key }) },
    { ctx: vbdif, cmd: line(CONFIG.ipBinding, { vrf: seg.vrf }) },
    ...gatewayEdits(vbdif, undefined, seg.anycastGateway),
  ];
}

function segmentCreate(seg: L2Segment, s: RenderSettings): Edit[] {
  const bd = bridgeDomainOf(seg.l2Vni, s);
  const view = line(CONFIG.bridgeDomain, { bd });
  const evpn = [view, CONFIG.bdEvpn];
  const rt = segmentTargetOf(seg.l2Vni, s);
  return [
    { ctx: [view], cmd: segmentDescriptionOf(seg) },
    { ctx: [view], cmd: line(CONFIG.vxlanVni, { vni: seg.l2Vni }) },
    { ctx: evpn, cmd: line(CONFIG.routeDistinguisher, { rd: routeDistinguisherOf(seg.l2Vni, s) }) },
    { ctx: evpn, cmd: line(CONFIG.bdExportTarget, { rt }) },
    { ctx: evpn, cmd: line(CONFIG.bdImportTarget, { rt }) },
    ...vbdifCreate(seg, bd),
    ...(s.ingressReplication ? [{ ctx: [CONFIG.nve], cmd: line(CONFIG.nvePeerListBgp, { vni: seg.l2Vni }) }] : []),
  ];
}

function segmentUpdate(before: L2Segment, after: L2Segment, s: RenderSettings): Edit[] {
  const bd = bridgeDomainOf(after.l2Vni, s);
  const edits: Edit[] = [];
  if (before.name !== after.name) edits.push({ ctx: [line(CONFIG.bridgeDomain, { bd })], cmd: segmentDescriptionOf(after) });
  if (before.vrf !== after.vrf) {
    // Re-binding a Vbdif to another VPN instance drops its addresses anyway: replace the interface.
    if (before.vrf !== undefined) edits.push({ ctx: [], cmd: line(CONFIG.undoVbdif, { bd }) });
    edits.push(...vbdifCreate(after, bd));
  } else if (after.vrf !== undefined && !configEquals(before.anycastGateway, after.anycastGateway)) {
    edits.push(...gatewayEdits([line(CONFIG.vbdif, { bd })], before.anycastGateway, after.anycastGateway));
  }
  return edits;
}

function segmentDelete(seg: L2Segment, s: RenderSettings): Edit[] {
  const bd = bridgeDomainOf(seg.l2Vni, s);
  return [
    ...(seg.vrf !== undefined ? [{ ctx: [], cmd: line(CONFIG.undoVbdif, { bd }) }] : []),
    ...(s.ingressReplication ? [{ ctx: [CONFIG.nve], cmd: line(CONFIG.undoNvePeerListBgp, { vni: seg.l2Vni }) }] : []),
    { ctx: [], cmd: line(CONFIG.undoBridgeDomain, { bd }) },
  ];
}

function bindingCreate(b: AccessBinding, s: RenderSettings): Edit[] {
  const view = [line(CONFIG.l2Subinterface, { port: b.interface, sub: b.vlan })];
  return [
    { ctx: view, cmd: line(CONFIG.bindingDescription, { key: b.key }) },
    { ctx: view, cmd: line(CONFIG.dot1q, { vlan: b.vlan }) },
    { ctx: view, cmd: line(CONFIG.subifBridgeDomain, { bd: bridgeDomainOf(b.l2Vni, s) }) },
  ];
}

function bindingUpdate(before: AccessBinding, after: AccessBinding, s: RenderSettings): Edit[] {
  if (before.l2Vni === after.l2Vni) return [];
  const view = [line(CONFIG.l2Subinterface, { port: after.interface, sub: after.vlan })];
  // UNVERIFIED: whether VRP replaces a sub-interface's bridge domain in place; the explicit undo is safe either way.
  return [
    { ctx: view, cmd: CONFIG.undoSubifBridgeDomain },
    { ctx: view, cmd: line(CONFIG.subifBridgeDomain, { bd: bridgeDomainOf(after.l2Vni, s) }) },
  ];
}

function required<T>(value: T | undefined, change: { readonly op: string; readonly key: string }, field: string): T {
  if (value === undefined) throw new Error(`internal: ${change.op} ${change.key} without "${field}"`);
  return value;
}

function editsOf(kind: string, change: KindChange<unknown>, s: RenderSettings): Edit[] {
  switch (kind) {
    case 'vrf': {
      const c = change as KindChange<Vrf>;
      if (c.op === 'create') return vrfCreate(required(c.after, c, 'after'), s);
      if (c.op === 'update') return vrfUpdate(required(c.before, c, 'before'), required(c.after, c, 'after'));
      return [{ ctx: [], cmd: line(CONFIG.undoVpnInstance, { name: required(c.before, c, 'before').name }) }];
    }
    case 'segment': {
      const c = change as KindChange<L2Segment>;
      if (c.op === 'create') return segmentCreate(required(c.after, c, 'after'), s);
      if (c.op === 'update') return segmentUpdate(required(c.before, c, 'before'), required(c.after, c, 'after'), s);
      return segmentDelete(required(c.before, c, 'before'), s);
    }
    case 'binding': {
      const c = change as KindChange<AccessBinding>;
      if (c.op === 'create') return bindingCreate(required(c.after, c, 'after'), s);
      if (c.op === 'update') return bindingUpdate(required(c.before, c, 'before'), required(c.after, c, 'after'), s);
      const b = required(c.before, c, 'before');
      return [{ ctx: [], cmd: line(CONFIG.undoSubinterface, { port: b.interface, sub: b.vlan }) }];
    }
    case 'floodVtep': {
      // The key is the whole object: a flood VTEP is created or deleted, never updated.
      const c = change as KindChange<FloodVtep>;
      const f = required(c.after ?? c.before, c, 'after');
      return [{ ctx: [CONFIG.nve], cmd: line(c.op === 'delete' ? CONFIG.undoNvePeerListStatic : CONFIG.nvePeerListStatic, { vni: f.l2Vni, ip: f.remoteIp }) }];
    }
    default:
      throw new NotSupportedError(`huawei-ce: ${kind} objects are not supported`, { details: { kind } });
  }
}

/**
 * Turns edits into the lines to type in the system view: view lines are typed when the next edit needs a view the
 * session is not in, and every view is left with `quit` (to the system view at the end).
 *
 * @example serializeEdits([{ ctx: ['bridge-domain 10'], cmd: 'vxlan vni 10' }]) // ['bridge-domain 10', 'vxlan vni 10', 'quit']
 */
export function serializeEdits(edits: readonly Edit[]): string[] {
  const out: string[] = [];
  let stack: readonly string[] = [];
  for (const e of edits) {
    let common = 0;
    while (common < stack.length && common < e.ctx.length && stack[common] === e.ctx[common]) common++;
    for (let i = stack.length; i > common; i--) out.push(SESSION.quit);
    out.push(...e.ctx.slice(common));
    stack = e.ctx;
    if (e.cmd !== undefined) out.push(e.cmd);
  }
  for (let i = stack.length; i > 0; i--) out.push(SESSION.quit);
  return out;
}

/**
 * The exact configuration lines for `changes` (in `diffConfig` order: creates and updates parents first, deletes
 * children first), typed in the system view and ending there.
 *
 * @throws InputError when a value is not a VRP token; NotSupportedError for interconnects
 * @example renderChanges([{ op: 'create', kind: 'segment', key: '10020', after: ls }], settings)
 * // ['bridge-domain 10020', 'description netloom:10020 ls-db', 'vxlan vni 10020', 'evpn', ..., 'quit', 'quit', ...]
 */
export function renderChanges(changes: readonly Change[], s: RenderSettings): string[] {
  return serializeEdits(changes.flatMap((c) => editsOf(c.kind, c, s)));
}
