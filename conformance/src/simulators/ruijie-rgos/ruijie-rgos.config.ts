/**
 * Configuration semantics of the Ruijie RGOS dialect: what each configuration command does to the configuration tree,
 * the device-side checks it makes (existence, uniqueness, references), the modes configuration blocks open, and the
 * line order of `show running-config`.
 *
 * Every handler works on a copy of running and returns an error reason, the mode to enter, or nothing; the dialect
 * installs the copy at once (immediate apply, like IOS).
 *
 * Policy (UNVERIFIED as a whole, documented in SIMULATORS.md): an object that something else still references cannot
 * be deleted (a VNI that is an NVE member, a VRF bound to an interface, the loopback the NVE sources from); a mapping
 * (VLAN→VNI, VRF→VNI, RD) is changed by removing it first. Removing a leaf setting that is not there is a silent
 * no-op, as on IOS; removing a block (`no vlan`, `no vrf definition`, `no interface`) that does not exist is an error.
 *
 * @packageDocumentation
 */
import { ensureChild, findChild, matchChildren, removeChildren, setChild, type ConfigNode, type LineOrder, type ReadonlyConfigNode } from '../cli-device/config-tree';
import { numArg, optArg, strArg, type Args } from '../cli-device/grammar';
import { childOrder, interfaceTypes, lines, messages, modeNames, reasons, type InterfaceKind, type InterfaceType } from './ruijie-rgos.strings';
import { compareKeys, formatVlanList, interfaceSortKey, intToIpv4, ipv4ToInt, maskToLength, naturalCompare, parseVlanList, VLAN_RANGE } from './ruijie-rgos.values';

/** The configuration modes. */
export type ModeKind = 'global' | 'vlan' | 'vrf' | InterfaceKind;

/** A configuration mode: its kind, the lines from the root to its block, and the name shown in the prompt. */
export interface Mode {
  readonly kind: ModeKind;
  readonly path: readonly string[];
  readonly name: string;
}

/** What a configuration handler sees. */
export interface ConfigContext {
  /** A copy of running; the handler changes it in place. */
  readonly root: ConfigNode;
  /** The block of the mode the command runs in (the root in global configuration). */
  readonly node: ConfigNode;
  /** Prints an informational line after the command. */
  info(text: string): void;
}

/** What a configuration handler returns: an error reason, a mode to enter, or nothing. */
export type ConfigOutcome = { readonly error: string } | { readonly enter: Mode } | undefined;

/** A configuration command's behaviour. */
export type ConfigHandler = (ctx: ConfigContext, args: Args) => ConfigOutcome;

const err = (error: string): ConfigOutcome => ({ error });

/** The global configuration mode. */
export const GLOBAL_MODE: Mode = { kind: 'global', path: [], name: modeNames.global };

// ---------------------------------------------------------------------------------------------------------------
// Lookups

/** The value of the first child line matching `pattern` (its first group), if any. */
export function childValue(node: ReadonlyConfigNode, pattern: RegExp): string | undefined {
  return matchChildren(node, pattern)[0]?.match[1];
}

/** The `vlan N` blocks. */
export function vlanBlocks(root: ReadonlyConfigNode): Array<{ vlan: number; node: ReadonlyConfigNode }> {
  return matchChildren(root, lines.vlan.match).map(({ node, match }) => ({ vlan: Number(match[1]), node }));
}

/** The `vrf definition X` blocks. */
export function vrfBlocks(root: ReadonlyConfigNode): Array<{ name: string; node: ReadonlyConfigNode }> {
  return matchChildren(root, lines.vrf.match).map(({ node, match }) => ({ name: match[1]!, node }));
}

/** The interface type of a canonical interface name (`VLAN 10` → VLAN). */
export function typeOfInterface(name: string): InterfaceType | undefined {
  const typeName = name.split(' ')[0];
  return interfaceTypes.find((t) => t.name === typeName);
}

/** The `interface X` blocks with their names and types. */
export function interfaceBlocks(root: ReadonlyConfigNode): Array<{ name: string; kind: InterfaceKind | undefined; node: ReadonlyConfigNode }> {
  return matchChildren(root, lines.iface.match).map(({ node, match }) => ({ name: match[1]!, kind: typeOfInterface(match[1]!)?.kind, node }));
}

/** Who a VNI is mapped to: a VLAN (L2 VNI) or a VRF (L3 VNI). */
export function vniOwner(root: ReadonlyConfigNode, vni: number): { kind: 'vlan'; vlan: number } | { kind: 'vrf'; vrf: string } | undefined {
  for (const { vlan, node } of vlanBlocks(root)) if (childValue(node, lines.vxlanVni.match) === String(vni)) return { kind: 'vlan', vlan };
  for (const { name, node } of vrfBlocks(root)) if (childValue(node, lines.vrfVni.match) === String(vni)) return { kind: 'vrf', vrf: name };
  return undefined;
}

/** NVE members: which NVE interface lists which VNI, and whether as an L3 VNI (`associate-vrf`). */
export function nveMembers(root: ReadonlyConfigNode): Array<{ nve: string; vni: number; l3: boolean }> {
  const out: Array<{ nve: string; vni: number; l3: boolean }> = [];
  for (const { name, kind, node } of interfaceBlocks(root)) {
    if (kind !== 'nve') continue;
    for (const { match } of matchChildren(node, lines.memberVni.match)) out.push({ nve: name, vni: Number(match[1]), l3: match[2] !== undefined });
  }
  return out;
}

function memberOf(root: ReadonlyConfigNode, vni: number): string | undefined {
  return nveMembers(root).find((m) => m.vni === vni)?.nve;
}

// ---------------------------------------------------------------------------------------------------------------
// Modes

/** The mode a configuration block opens, from its path (lines from the root). */
export function modeOf(path: readonly string[]): Mode {
  const top = path[0];
  if (top === undefined) return GLOBAL_MODE;
  if (lines.vlan.match.test(top)) return { kind: 'vlan', path, name: modeNames.vlan };
  if (lines.vrf.match.test(top)) return { kind: 'vrf', path, name: modeNames.vrf };
  const iface = lines.iface.match.exec(top);
  if (iface !== null) {
    const name = iface[1]!;
    return { kind: typeOfInterface(name)?.kind ?? 'physical', path, name: modeNames.iface(name) };
  }
  return GLOBAL_MODE;
}

/** Whether a top-level line opens a configuration mode (rendered as its own `!`-separated block). */
export function opensMode(line: string): boolean {
  return lines.vlan.match.test(line) || lines.vrf.match.test(line) || lines.iface.match.test(line);
}

function enter(line: string): ConfigOutcome {
  return { enter: modeOf([line]) };
}

// ---------------------------------------------------------------------------------------------------------------
// Order

function topRank(line: string): number {
  if (lines.hostname.match.test(line)) return 0;
  if (lines.vlan.match.test(line)) return 1;
  if (lines.vrf.match.test(line)) return 2;
  if (lines.iface.match.test(line)) return 3;
  return 4;
}

function rankIn(list: readonly RegExp[], line: string): number {
  const i = list.findIndex((re) => re.test(line));
  return i < 0 ? list.length : i;
}

/**
 * The sibling order of `show running-config`: hostname, VLANs by id, VRFs by name, interfaces by type and number;
 * inside a block, the order of `childOrder` in the strings table, then natural order.
 */
export const rgosOrder: LineOrder = (parentPath, a, b) => {
  if (parentPath.length === 0) {
    const d = topRank(a) - topRank(b);
    if (d !== 0) return d;
    const ia = lines.iface.match.exec(a);
    const ib = lines.iface.match.exec(b);
    if (ia !== null && ib !== null) return compareKeys(interfaceSortKey(ia[1]!), interfaceSortKey(ib[1]!));
    return naturalCompare(a, b);
  }
  const top = parentPath[0]!;
  const list: readonly RegExp[] = lines.vlan.match.test(top) ? childOrder.vlan : lines.vrf.match.test(top) ? childOrder.vrf : childOrder.iface;
  return rankIn(list, a) - rankIn(list, b) || naturalCompare(a, b);
};

// ---------------------------------------------------------------------------------------------------------------
// Global configuration

/** `hostname <hostname>`. */
export const setHostname: ConfigHandler = (ctx, args) => {
  setChild(ctx.root, lines.hostname.match, lines.hostname.render(strArg(args, 'hostname')));
  return undefined;
};

/** `no hostname`: back to the default host name. */
export const noHostname: ConfigHandler = (ctx) => {
  removeChildren(ctx.root, lines.hostname.match);
  return undefined;
};

/** `vlan <vlan>`: creates or enters. */
export const vlan: ConfigHandler = (ctx, args) => {
  const line = lines.vlan.render(numArg(args, 'vlan'));
  ensureChild(ctx.root, line);
  return enter(line);
};

/** `no vlan <vlan>`: refused while its VNI is an NVE member. */
export const noVlan: ConfigHandler = (ctx, args) => {
  const id = numArg(args, 'vlan');
  const node = findChild(ctx.root, lines.vlan.render(id));
  if (node === undefined) return err(reasons.vlanNotExist(id));
  const vni = childValue(node, lines.vxlanVni.match);
  const nve = vni === undefined ? undefined : memberOf(ctx.root, Number(vni));
  if (nve !== undefined) return err(reasons.vniIsMember(Number(vni), nve));
  removeChildren(ctx.root, node.line);
  return undefined;
};

/** `vrf definition <vrf>`: creates or enters. */
export const vrfDefinition: ConfigHandler = (ctx, args) => {
  const line = lines.vrf.render(strArg(args, 'vrf'));
  ensureChild(ctx.root, line);
  return enter(line);
};

/** `no vrf definition <vrf>`: refused while an interface forwards in it or its VNI is an NVE member. */
export const noVrfDefinition: ConfigHandler = (ctx, args) => {
  const name = strArg(args, 'vrf');
  const node = findChild(ctx.root, lines.vrf.render(name));
  if (node === undefined) return err(reasons.vrfNotExist(name));
  const user = interfaceBlocks(ctx.root).find(({ node: n }) => childValue(n, lines.vrfForwarding.match) === name);
  if (user !== undefined) return err(reasons.vrfInUse(name, user.name));
  const vni = childValue(node, lines.vrfVni.match);
  const nve = vni === undefined ? undefined : memberOf(ctx.root, Number(vni));
  if (nve !== undefined) return err(reasons.vniIsMember(Number(vni), nve));
  removeChildren(ctx.root, node.line);
  return undefined;
};

/** `interface <iface>`: enters a physical port; creates or enters a VLAN, Loopback or Nve interface. */
export function interfaceHandler(name: string): ConfigHandler {
  return (ctx) => {
    const line = lines.iface.render(name);
    ensureChild(ctx.root, line);
    return enter(line);
  };
}

/** `no interface <iface>`: virtual interfaces only; refused for the loopback an NVE sources from. */
export function noInterfaceHandler(name: string): ConfigHandler {
  return (ctx) => {
    const type = typeOfInterface(name);
    if (type?.kind === 'physical') return err(reasons.ifPhysical(name));
    const line = lines.iface.render(name);
    if (findChild(ctx.root, line) === undefined) return err(reasons.ifNotExist(name));
    const nve = interfaceBlocks(ctx.root).find(({ kind, node }) => kind === 'nve' && childValue(node, lines.sourceInterface.match) === name);
    if (nve !== undefined) return err(reasons.ifInUse(name, nve.name));
    removeChildren(ctx.root, line);
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared leaf settings

/** `description <text>`. */
export const description: ConfigHandler = (ctx, args) => {
  setChild(ctx.node, lines.description.match, lines.description.render(strArg(args, 'text')));
  return undefined;
};

/** `no description`. */
export const noDescription: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.description.match);
  return undefined;
};

/** `shutdown`. */
export const shutdown: ConfigHandler = (ctx) => {
  ensureChild(ctx.node, lines.shutdown.render());
  return undefined;
};

/** `no shutdown`. */
export const noShutdown: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.shutdown.match);
  return undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// VLAN mode

/** `name <vlanName>`. */
export const vlanName: ConfigHandler = (ctx, args) => {
  setChild(ctx.node, lines.vlanName.match, lines.vlanName.render(strArg(args, 'vlanName')));
  return undefined;
};

/** `no name [<vlanName>]`. */
export const noVlanName: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.vlanName.match);
  return undefined;
};

function checkVniFree(root: ReadonlyConfigNode, vni: number): string | undefined {
  const owner = vniOwner(root, vni);
  if (owner === undefined) return undefined;
  return owner.kind === 'vlan' ? reasons.vniInUseByVlan(vni, owner.vlan) : reasons.vniInUseByVrf(vni, owner.vrf);
}

function vlanOfMode(ctx: ConfigContext): number {
  return Number(lines.vlan.match.exec(ctx.node.line)?.[1]);
}

function vrfOfMode(ctx: ConfigContext): string {
  return lines.vrf.match.exec(ctx.node.line)?.[1] ?? '';
}

/** `vxlan vni <vni>` in a VLAN: one VNI per VLAN, a VNI in one place. */
export const vlanVxlanVni: ConfigHandler = (ctx, args) => {
  const vni = numArg(args, 'vni');
  const current = childValue(ctx.node, lines.vxlanVni.match);
  if (current === String(vni)) return undefined;
  if (current !== undefined) return err(reasons.vlanHasVni(vlanOfMode(ctx), Number(current)));
  const taken = checkVniFree(ctx.root, vni);
  if (taken !== undefined) return err(taken);
  ensureChild(ctx.node, lines.vxlanVni.render(vni));
  return undefined;
};

/** `no vxlan vni [<vni>]`: refused while the VNI is an NVE member. */
export const noVlanVxlanVni: ConfigHandler = (ctx, args) => removeVni(ctx, args, lines.vxlanVni.match);

function removeVni(ctx: ConfigContext, args: Args, pattern: RegExp): ConfigOutcome {
  const given = optArg(args, 'vni');
  const current = childValue(ctx.node, pattern);
  if (given !== undefined && given !== current) return err(reasons.vniNotMappedHere(Number(given)));
  if (current === undefined) return undefined;
  const nve = memberOf(ctx.root, Number(current));
  if (nve !== undefined) return err(reasons.vniIsMember(Number(current), nve));
  removeChildren(ctx.node, pattern);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// VRF mode

/** `rd <rd>`: set once; changing it needs `no rd` first. */
export const rd: ConfigHandler = (ctx, args) => {
  const value = strArg(args, 'rd');
  const current = childValue(ctx.node, lines.rd.match);
  if (current === value) return undefined;
  if (current !== undefined) return err(reasons.rdAlreadySet(current));
  ensureChild(ctx.node, lines.rd.render(value));
  return undefined;
};

/** `no rd [<rd>]`. */
export const noRd: ConfigHandler = (ctx, args) => {
  const given = optArg(args, 'rd');
  const current = childValue(ctx.node, lines.rd.match);
  if (given !== undefined && given !== current) return err(reasons.rdNotSet(given));
  removeChildren(ctx.node, lines.rd.match);
  return undefined;
};

/** `vni <vni>` in a VRF (the L3 VNI). */
export const vrfVni: ConfigHandler = (ctx, args) => {
  const vni = numArg(args, 'vni');
  const current = childValue(ctx.node, lines.vrfVni.match);
  if (current === String(vni)) return undefined;
  if (current !== undefined) return err(reasons.vrfHasVni(vrfOfMode(ctx), Number(current)));
  const taken = checkVniFree(ctx.root, vni);
  if (taken !== undefined) return err(taken);
  ensureChild(ctx.node, lines.vrfVni.render(vni));
  return undefined;
};

/** `no vni [<vni>]` in a VRF: refused while the VNI is an NVE member. */
export const noVrfVni: ConfigHandler = (ctx, args) => removeVni(ctx, args, lines.vrfVni.match);

/** `route-target import|export|both <rt>`. */
export function routeTarget(dir: 'import' | 'export' | 'both'): ConfigHandler {
  return (ctx, args) => {
    const rt = strArg(args, 'rt');
    for (const d of dir === 'both' ? (['import', 'export'] as const) : [dir]) ensureChild(ctx.node, lines.routeTarget.render(d, rt));
    return undefined;
  };
}

/** `no route-target import|export|both <rt>`. */
export function noRouteTarget(dir: 'import' | 'export' | 'both'): ConfigHandler {
  return (ctx, args) => {
    const rt = strArg(args, 'rt');
    for (const d of dir === 'both' ? (['import', 'export'] as const) : [dir]) removeChildren(ctx.node, lines.routeTarget.render(d, rt));
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Physical ports

/** `switchport mode trunk`. */
export const switchportTrunk: ConfigHandler = (ctx) => {
  ensureChild(ctx.node, lines.switchportTrunk.render());
  return undefined;
};

/** `switchport mode access` / `no switchport mode`: access is the default (no line). */
export const switchportAccess: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.switchportTrunk.match);
  return undefined;
};

/** The allowed VLANs of a trunk port; undefined means all. */
function allowedVlans(node: ReadonlyConfigNode): Set<number> | undefined {
  const hit = matchChildren(node, lines.allowedVlans.match)[0];
  if (hit === undefined) return undefined;
  return new Set(hit.match[1] === undefined ? [] : (parseVlanList(hit.match[1]) ?? []));
}

function setAllowedVlans(node: ConfigNode, vlans: Set<number> | undefined): void {
  removeChildren(node, lines.allowedVlans.match);
  if (vlans === undefined) return;
  node.children.push({ line: vlans.size === 0 ? lines.allowedNone.render() : lines.allowedVlans.render(formatVlanList(vlans)), children: [] });
}

/**
 * `switchport trunk allowed vlan all|none|only|add|remove`. `add` to a port that allows all VLANs changes nothing;
 * `remove` from it leaves every other VLAN.
 */
export function allowedVlan(op: 'all' | 'none' | 'only' | 'add' | 'remove'): ConfigHandler {
  return (ctx, args) => {
    const list = op === 'all' || op === 'none' ? [] : (parseVlanList(strArg(args, 'vlanList')) ?? []);
    const current = allowedVlans(ctx.node);
    let next: Set<number> | undefined;
    switch (op) {
      case 'all':
        next = undefined;
        break;
      case 'none':
        next = new Set();
        break;
      case 'only':
        next = new Set(list);
        break;
      case 'add':
        next = current === undefined ? undefined : new Set([...current, ...list]);
        break;
      case 'remove': {
        const base = current ?? new Set(Array.from({ length: VLAN_RANGE.max }, (_, i) => i + 1));
        for (const v of list) base.delete(v);
        next = base;
        break;
      }
    }
    setAllowedVlans(ctx.node, next);
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Routed interfaces (VLAN, Loopback)

function interfaceOfMode(ctx: ConfigContext): string {
  return lines.iface.match.exec(ctx.node.line)?.[1] ?? '';
}

/** Removes the IPv4 and IPv6 addresses of an interface block; returns whether there were any. */
function clearAddresses(node: ConfigNode): boolean {
  return removeChildren(node, lines.ipAddress.match) + removeChildren(node, lines.ipv6Address.match) > 0;
}

/** `vrf forwarding <vrf>`: the VRF must exist; binding removes the interface's addresses (with a notice). */
export const vrfForwarding: ConfigHandler = (ctx, args) => {
  const name = strArg(args, 'vrf');
  if (findChild(ctx.root, lines.vrf.render(name)) === undefined) return err(reasons.vrfNotExist(name));
  if (childValue(ctx.node, lines.vrfForwarding.match) === name) return undefined;
  if (clearAddresses(ctx.node)) ctx.info(messages.vrfClearsAddresses(interfaceOfMode(ctx), name));
  setChild(ctx.node, lines.vrfForwarding.match, lines.vrfForwarding.render(name));
  return undefined;
};

/** `no vrf forwarding [<vrf>]`: also removes the interface's addresses (with a notice). */
export const noVrfForwarding: ConfigHandler = (ctx, args) => {
  const given = optArg(args, 'vrf');
  const current = childValue(ctx.node, lines.vrfForwarding.match);
  if (given !== undefined && given !== current) return err(reasons.vrfNotExist(given));
  if (current === undefined) return undefined;
  if (clearAddresses(ctx.node)) ctx.info(messages.vrfRemovedClearsAddresses(interfaceOfMode(ctx), current));
  removeChildren(ctx.node, lines.vrfForwarding.match);
  return undefined;
};

/** The address and dotted mask of `ip address <ip> <mask>` or `ip address <prefix>`. */
function addressArgs(args: Args): { ip: string; mask: string } | undefined {
  const prefix = optArg(args, 'prefix');
  if (prefix !== undefined) {
    const [ip, len] = prefix.split('/') as [string, string];
    const l = Number(len);
    return { ip, mask: intToIpv4(l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0) };
  }
  const ip = optArg(args, 'ip');
  const mask = optArg(args, 'mask');
  return ip === undefined || mask === undefined ? undefined : { ip, mask };
}

/**
 * `ip address <ip> <mask>` / `ip address <ip>/<len>`: a host address (not the network or broadcast address of a
 * /0–/30), not overlapping another interface's subnet in the same VRF; replaces the previous address.
 */
export const ipAddress: ConfigHandler = (ctx, args) => {
  const a = addressArgs(args)!;
  const len = maskToLength(a.mask) ?? 32;
  const ipN = ipv4ToInt(a.ip);
  const maskN = ipv4ToInt(a.mask);
  const network = (ipN & maskN) >>> 0;
  const broadcast = (network | (~maskN >>> 0)) >>> 0;
  if (len === 0 || (len <= 30 && (ipN === network || ipN === broadcast))) return err(reasons.badAddress(a.ip, a.mask));
  const self = interfaceOfMode(ctx);
  const vrf = childValue(ctx.node, lines.vrfForwarding.match) ?? '';
  for (const other of interfaceBlocks(ctx.root)) {
    if (other.name === self || (childValue(other.node, lines.vrfForwarding.match) ?? '') !== vrf) continue;
    const addr = matchChildren(other.node, lines.ipAddress.match)[0];
    if (addr === undefined) continue;
    const otherMask = ipv4ToInt(addr.match[2]!);
    const common = (maskN & otherMask) >>> 0;
    if (((ipN & common) >>> 0) === ((ipv4ToInt(addr.match[1]!) & common) >>> 0)) return err(reasons.addressOverlaps(intToIpv4(network), other.name));
  }
  setChild(ctx.node, lines.ipAddress.match, lines.ipAddress.render(a.ip, a.mask));
  return undefined;
};

/** `no ip address [<ip> <mask> | <prefix>]`. */
export const noIpAddress: ConfigHandler = (ctx, args) => {
  const given = addressArgs(args);
  const current = matchChildren(ctx.node, lines.ipAddress.match)[0];
  if (given !== undefined && (current === undefined || current.match[1] !== given.ip)) return err(reasons.addressNotConfigured(given.ip));
  removeChildren(ctx.node, lines.ipAddress.match);
  return undefined;
};

/** `ipv6 address <ipv6>/<len>` (several allowed). */
export const ipv6Address: ConfigHandler = (ctx, args) => {
  ensureChild(ctx.node, lines.ipv6Address.render(strArg(args, 'ipv6Prefix')));
  return undefined;
};

/** `no ipv6 address [<ipv6>/<len>]`: one address, or all. */
export const noIpv6Address: ConfigHandler = (ctx, args) => {
  const given = optArg(args, 'ipv6Prefix');
  if (given === undefined) {
    removeChildren(ctx.node, lines.ipv6Address.match);
    return undefined;
  }
  if (removeChildren(ctx.node, lines.ipv6Address.render(given)) === 0) return err(reasons.addressNotConfigured(given));
  return undefined;
};

/** `mac-address <mac>` (the anycast gateway MAC). */
export const macAddress: ConfigHandler = (ctx, args) => {
  setChild(ctx.node, lines.macAddress.match, lines.macAddress.render(strArg(args, 'mac')));
  return undefined;
};

/** `no mac-address [<mac>]`. */
export const noMacAddress: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.macAddress.match);
  return undefined;
};

/** `anycast-gateway`. */
export const anycastGateway: ConfigHandler = (ctx) => {
  ensureChild(ctx.node, lines.anycastGateway.render());
  return undefined;
};

/** `no anycast-gateway`. */
export const noAnycastGateway: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.anycastGateway.match);
  return undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// NVE

/** `source-interface <iface>`: an existing Loopback interface. */
export function sourceInterface(name: string): ConfigHandler {
  return (ctx) => {
    if (typeOfInterface(name)?.kind !== 'loopback') return err(reasons.notLoopback(name));
    if (findChild(ctx.root, lines.iface.render(name)) === undefined) return err(reasons.ifNotExist(name));
    setChild(ctx.node, lines.sourceInterface.match, lines.sourceInterface.render(name));
    return undefined;
  };
}

/** `no source-interface [<iface>]`. */
export const noSourceInterface: ConfigHandler = (ctx) => {
  removeChildren(ctx.node, lines.sourceInterface.match);
  return undefined;
};

/** `member vni <vni>` (an L2 VNI, mapped to a VLAN) / `member vni <vni> associate-vrf` (an L3 VNI of a VRF). */
export function memberVni(l3: boolean): ConfigHandler {
  return (ctx, args) => {
    const vni = numArg(args, 'vni');
    const owner = vniOwner(ctx.root, vni);
    if (!l3 && owner?.kind !== 'vlan') return err(reasons.vniNotL2(vni));
    if (l3 && owner?.kind !== 'vrf') return err(reasons.vniNotL3(vni));
    setChild(ctx.node, new RegExp(`^member vni ${vni}( associate-vrf)?$`), lines.memberVni.render(vni, l3));
    return undefined;
  };
}

/** `no member vni <vni> [associate-vrf]`. */
export const noMemberVni: ConfigHandler = (ctx, args) => {
  removeChildren(ctx.node, new RegExp(`^member vni ${numArg(args, 'vni')}( associate-vrf)?$`));
  return undefined;
};
