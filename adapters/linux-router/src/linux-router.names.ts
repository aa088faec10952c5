/**
 * How netloom objects are named and marked on a Linux router. Every name is derived from values the port's codecs
 * validated (safe names, VNIs, VLANs) and is checked against the Linux limits here, so nothing unchecked reaches `ip`.
 *
 * | object | device | name | ownership marker (interface alias) |
 * |---|---|---|---|
 * | `vrf` | a network namespace | `<prefix><vrf name>` (`<prefix><head>-<hash>` when longer than 64) | on the namespace's `lo`: `netloom:vrf:<name>,l3vni=<n>[,import=<rt>+<rt>][,export=<rt>]` |
 * | `segment` | a Linux bridge in its VRF's namespace (the router host's without `vrf`) | `nls<l2Vni>` | `netloom:segment:<l2Vni>,name=<name>[,mac=<anycast MAC>]` |
 * | `binding` | an 802.1Q sub-interface of the uplink (or a veth leg, with `ovs`) in the segment's namespace, a port of its bridge | `<uplink>.<vlan>` (`nlv<hash>.<vlan>` when longer than 15) | `netloom:binding:<interface>:<vlan>` |
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { InputError, type RouteTarget } from '@netloom/ports';

/** The longest interface alias the kernel keeps (IFALIASZ 256 with the NUL). */
export const MAX_ALIAS = 255;
/** The longest namespace name netloom derives. */
export const MAX_NETNS = 64;
/** The longest Linux interface name. */
export const MAX_IFNAME = 15;
/** Every marker starts with this. */
export const MARKER = 'netloom:';

const hash = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * The namespace of VRF `vrf`: `<prefix><vrf>`, or when that is longer than {@link MAX_NETNS}, the head of the name
 * and 8 hex digits of its SHA-256 (observe reads the VRF's name from the marker, never from the namespace name).
 * @example netnsForVrf('nlr-', 'vpc-shop') // 'nlr-vpc-shop'
 */
export function netnsForVrf(prefix: string, vrf: string): string {
  const plain = `${prefix}${vrf}`;
  if (plain.length <= MAX_NETNS) return plain;
  return `${prefix}${vrf.slice(0, MAX_NETNS - prefix.length - 9)}-${hash(vrf, 8)}`;
}

/** The bridge of the segment with L2 VNI `l2Vni`. @example bridgeForSegment(10010) // 'nls10010' */
export const bridgeForSegment = (l2Vni: number): string => `nls${l2Vni}`;

/**
 * The interface of the binding (`uplink`, `vlan`) in the segment's namespace: `<uplink>.<vlan>`, or
 * `nlv<5 hex>.<vlan>` when that is longer than 15 characters.
 * @example legForBinding('eth1', 100) // 'eth1.100'
 */
export function legForBinding(uplink: string, vlan: number): string {
  const plain = `${uplink}.${vlan}`;
  return plain.length <= MAX_IFNAME ? plain : `nlv${hash(uplink, 5)}.${vlan}`;
}

/**
 * With `ovs`: the outer end of a binding's veth pair, the OVS access port (in the router host's namespace):
 * `nlo<8 hex>` of the namespace prefix, uplink and VLAN, so routers sharing a host never collide.
 * @example ovsPortForBinding('nlr-', 'up0', 100) // 'nlo' + 8 hex digits
 */
export const ovsPortForBinding = (prefix: string, uplink: string, vlan: number): string => `nlo${hash(`${prefix}|${uplink}|${vlan}`, 8)}`;

/** What the marker of a VRF holds. */
export interface VrfMarker {
  readonly name: string;
  readonly l3Vni: number;
  readonly importRouteTargets?: readonly RouteTarget[] | readonly string[];
  readonly exportRouteTargets?: readonly RouteTarget[] | readonly string[];
}

/** The alias of a VRF namespace's `lo`. @example vrfAlias({ name: 'vpc-shop', l3Vni: 50001 }) // 'netloom:vrf:vpc-shop,l3vni=50001' */
export function vrfAlias(v: VrfMarker): string {
  const parts = [`${MARKER}vrf:${v.name}`, `l3vni=${v.l3Vni}`];
  if ((v.importRouteTargets?.length ?? 0) > 0) parts.push(`import=${v.importRouteTargets!.join('+')}`);
  if ((v.exportRouteTargets?.length ?? 0) > 0) parts.push(`export=${v.exportRouteTargets!.join('+')}`);
  return parts.join(',');
}

/** What the marker of a segment holds (its VRF is the namespace it is in, its addresses are the bridge's). */
export interface SegmentMarker {
  readonly l2Vni: number;
  readonly name: string;
  /** The anycast gateway MAC, when the segment names one (else the bridge keeps the MAC the kernel gave it). */
  readonly mac?: string;
}

/** The alias of a segment's bridge. @example segmentAlias({ l2Vni: 10010, name: 'ls-web' }) // 'netloom:segment:10010,name=ls-web' */
export const segmentAlias = (s: SegmentMarker): string => `${MARKER}segment:${s.l2Vni},name=${s.name}${s.mac === undefined ? '' : `,mac=${s.mac}`}`;

/** The alias of a binding's interface. @example bindingAlias('eth1:100') // 'netloom:binding:eth1:100' */
export const bindingAlias = (key: string): string => `${MARKER}binding:${key}`;

/** A parsed marker (not validated beyond its syntax: observe decodes the objects it builds from them). */
export type ParsedMarker =
  | { readonly kind: 'vrf'; readonly name: string; readonly l3Vni: number; readonly importRouteTargets?: string[]; readonly exportRouteTargets?: string[] }
  | { readonly kind: 'segment'; readonly l2Vni: number; readonly name: string; readonly mac?: string }
  | { readonly kind: 'binding'; readonly interface: string; readonly vlan: number };

const DIGITS = /^[0-9]{1,9}$/;

/** Reads an alias netloom wrote; undefined for any other text (a foreign or hand-edited alias). */
export function parseMarker(alias: string | undefined): ParsedMarker | undefined {
  if (alias === undefined || !alias.startsWith(MARKER)) return undefined;
  const rest = alias.slice(MARKER.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return undefined;
  const kind = rest.slice(0, colon);
  const body = rest.slice(colon + 1);
  if (kind === 'binding') {
    const m = /^([A-Za-z0-9][A-Za-z0-9._/-]{0,63}):([0-9]{1,4})$/.exec(body);
    return m === null ? undefined : { kind, interface: m[1]!, vlan: Number(m[2]) };
  }
  const [head = '', ...fields] = body.split(',');
  const values = new Map<string, string>();
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq <= 0 || values.has(f.slice(0, eq))) return undefined;
    values.set(f.slice(0, eq), f.slice(eq + 1));
  }
  const list = (k: string): string[] | undefined => (values.has(k) ? values.get(k)!.split('+') : undefined);
  if (kind === 'vrf') {
    const l3 = values.get('l3vni');
    if (head === '' || l3 === undefined || !DIGITS.test(l3) || [...values.keys()].some((k) => !['l3vni', 'import', 'export'].includes(k))) return undefined;
    const imports = list('import');
    const exports = list('export');
    return { kind, name: head, l3Vni: Number(l3), ...(imports === undefined ? {} : { importRouteTargets: imports }), ...(exports === undefined ? {} : { exportRouteTargets: exports }) };
  }
  if (kind === 'segment') {
    const name = values.get('name');
    const mac = values.get('mac');
    if (!DIGITS.test(head) || name === undefined || [...values.keys()].some((k) => !['name', 'mac'].includes(k))) return undefined;
    return { kind, l2Vni: Number(head), name, ...(mac === undefined ? {} : { mac }) };
  }
  return undefined;
}

/** Refuses an alias the kernel would cut. @throws InputError */
export function assertAliasFits(alias: string, where: string): void {
  if (Buffer.byteLength(alias) > MAX_ALIAS) {
    throw new InputError(`${where}: its marker ${JSON.stringify(alias.slice(0, 60))}... is ${Buffer.byteLength(alias)} bytes; a Linux interface alias holds at most ${MAX_ALIAS} (use fewer route targets)`, [
      { path: where, reason: `the marker needs ${Buffer.byteLength(alias)} bytes, at most ${MAX_ALIAS} fit` },
    ]);
  }
}
