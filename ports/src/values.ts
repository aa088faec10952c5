/**
 * Branded value codecs shared by the port vocabularies: names that reach a device, VLAN and VNI ranges, IP
 * addresses, CIDRs, MACs, route targets, L4 ports.
 *
 * Every codec gives a reason per failure (`5000 is outside 1..4094`, `"bd1\nquit" is not a safe name: ...`) and
 * decodes to a canonical form where the text of a value has several spellings (IPv6 compressed and lower-case per
 * RFC 5952, MAC lower-case with colons), so that a desired and an observed value compare equal when they mean the
 * same thing. Decoded values are branded (`SafeName`, `Vni`, ...): a value of the type has been validated.
 *
 * The IP checks here are deliberately simple (syntax, octets, prefix length, host bits); address arithmetic lives in
 * `@netloom/domain`.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  VLAN_MAX,
  VLAN_MIN,
  VNI_MAX,
  VNI_MIN,
  formatCidr,
  formatIp,
  isIpv4 as domainIsIpv4,
  isIpv6 as domainIsIpv6,
  isSafeName,
  makeCidr,
  tryParseIp,
} from '@netloom/domain';
import { describeValue, refined, struct, withChecks } from './codec';

const intReason = (n: number, min: number, max: number): string | undefined =>
  !Number.isInteger(n) ? `${n} is not an integer` : n < min || n > max ? `${n} is outside ${min}..${max}` : undefined;

// --- names --------------------------------------------------------------------------------------------------------

/** Brand of {@link SafeName}. */
export interface SafeNameBrand {
  readonly SafeName: unique symbol;
}
/** A name that may reach a device: matches `SAFE_NAME` of `@netloom/domain` (1-63 of `[A-Za-z0-9._-]`, first alnum). */
export type SafeName = t.Branded<string, SafeNameBrand>;
/**
 * io-ts codec for {@link SafeName}. Rejects whitespace, control characters, quotes and command separators, so a
 * name can never smuggle a second command into a CLI line.
 * @example SafeNameCodec.decode('ls-web_1.a') // right; SafeNameCodec.decode('bd1\nquit') // left
 */
export const SafeNameCodec = refined<string, string, SafeNameBrand>('SafeName', t.string, (s) =>
  isSafeName(s) ? undefined : `${describeValue(s)} is not a safe name: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
);

/** Brand of {@link InterfaceName}. */
export interface InterfaceNameBrand {
  readonly InterfaceName: unique symbol;
}
/** A device interface name (`Ethernet1/1`, `10GE1/0/1`, `eth0`, `Port-Channel10`): 1-64 of `[A-Za-z0-9._/-]`, first alnum. */
export type InterfaceName = t.Branded<string, InterfaceNameBrand>;
/** The pattern of {@link InterfaceName}. No `:` (it separates the interface from the VLAN in binding keys). */
export const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
/** io-ts codec for {@link InterfaceName}. @example InterfaceNameCodec.decode('Ethernet1/1') */
export const InterfaceNameCodec = refined<string, string, InterfaceNameBrand>('InterfaceName', t.string, (s) =>
  INTERFACE_NAME.test(s) ? undefined : `${describeValue(s)} is not an interface name: use 1-64 letters, digits, '.', '_', '/' or '-', starting with a letter or digit`,
);

/** Brand of {@link PortName}. */
export interface PortNameBrand {
  readonly PortName: unique symbol;
}
/** A virtual-switch port or bridge name: a {@link SafeName} of at most 15 characters (the Linux interface limit). */
export type PortName = t.Branded<string, PortNameBrand>;
/** io-ts codec for {@link PortName}. @example PortNameCodec.decode('veth3f2a1b') */
export const PortNameCodec = refined<string, string, PortNameBrand>('PortName', t.string, (s) =>
  !isSafeName(s)
    ? `${describeValue(s)} is not a safe name: use 1-15 letters, digits, '.', '_' or '-', starting with a letter or digit`
    : s.length > 15
      ? `${describeValue(s)} is longer than 15 characters (the Linux interface name limit)`
      : undefined,
);

/** Brand of {@link ObjectId}. */
export interface ObjectIdBrand {
  readonly ObjectId: unique symbol;
}
/**
 * An identifier written into a device as data, never as a command (an endpoint id, a Kubernetes uid, `ns/pod`):
 * 1-253 of `[A-Za-z0-9._:/-]`, first alnum.
 */
export type ObjectId = t.Branded<string, ObjectIdBrand>;
/** The pattern of {@link ObjectId}. */
export const OBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,252}$/;
/** io-ts codec for {@link ObjectId}. @example ObjectIdCodec.decode('shop/web-0') */
export const ObjectIdCodec = refined<string, string, ObjectIdBrand>('ObjectId', t.string, (s) =>
  OBJECT_ID.test(s) ? undefined : `${describeValue(s)} is not an id: use 1-253 letters, digits, '.', '_', ':', '/' or '-', starting with a letter or digit`,
);

/** Brand of {@link KubeName}. */
export interface KubeNameBrand {
  readonly KubeName: unique symbol;
}
/** A Kubernetes object name (DNS-1123 subdomain: lower-case alnum, `-`, `.`, at most 253). */
export type KubeName = t.Branded<string, KubeNameBrand>;
/** The DNS-1123 subdomain pattern. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** io-ts codec for {@link KubeName}. @example KubeNameCodec.decode('web-0') */
export const KubeNameCodec = refined<string, string, KubeNameBrand>('KubeName', t.string, (s) =>
  s.length <= 253 && DNS1123_SUBDOMAIN.test(s) ? undefined : `${describeValue(s)} is not a Kubernetes name (DNS-1123 subdomain)`,
);

// --- numbers ------------------------------------------------------------------------------------------------------

/** Brand of {@link Vni}. */
export interface VniBrand {
  readonly Vni: unique symbol;
}
/** A VXLAN network identifier, 1..16777215. */
export type Vni = t.Branded<number, VniBrand>;
/** io-ts codec for {@link Vni}. @example VniCodec.decode(10010) // right; VniCodec.decode(0) // left: 0 is outside 1..16777215 */
export const VniCodec = refined<number, number, VniBrand>('Vni', t.number, (n) => intReason(n, VNI_MIN, VNI_MAX));

/** Brand of {@link Vlan}. */
export interface VlanBrand {
  readonly Vlan: unique symbol;
}
/** An 802.1Q VLAN id, 1..4094. */
export type Vlan = t.Branded<number, VlanBrand>;
/** io-ts codec for {@link Vlan}. @example VlanCodec.decode(100) // right; VlanCodec.decode(5000) // left: 5000 is outside 1..4094 */
export const VlanCodec = refined<number, number, VlanBrand>('Vlan', t.number, (n) => intReason(n, VLAN_MIN, VLAN_MAX));

/** Brand of {@link L4Port}. */
export interface L4PortBrand {
  readonly L4Port: unique symbol;
}
/** A TCP/UDP/SCTP port, 1..65535. */
export type L4Port = t.Branded<number, L4PortBrand>;
/** io-ts codec for {@link L4Port}. @example L4PortCodec.decode(443) */
export const L4PortCodec = refined<number, number, L4PortBrand>('L4Port', t.number, (n) => intReason(n, 1, 65535));

/** Brand of {@link Asn}. */
export interface AsnBrand {
  readonly Asn: unique symbol;
}
/** A BGP autonomous system number, 1..4294967295. */
export type Asn = t.Branded<number, AsnBrand>;
/** io-ts codec for {@link Asn}. @example AsnCodec.decode(65001) */
export const AsnCodec = refined<number, number, AsnBrand>('Asn', t.number, (n) => intReason(n, 1, 4_294_967_295));

// --- addresses ----------------------------------------------------------------------------------------------------

/** True if `s` is a dotted-quad IPv4 address (no leading zeros). */
export const isIpv4 = (s: string): boolean => domainIsIpv4(s);

/** True if `s` is an IPv6 address (any valid spelling, no zone id). */
export const isIpv6 = (s: string): boolean => domainIsIpv6(s);

/** The RFC 5952 canonical text of an IPv6 address, or undefined if `s` is not one. @example canonicalIpv6('2001:DB8:0:0::1') === '2001:db8::1' */
export function canonicalIpv6(s: string): string | undefined {
  const ip = tryParseIp(s);
  return ip?.family === 6 ? formatIp(ip) : undefined;
}

/** Brand of {@link Ipv4Address}. */
export interface Ipv4AddressBrand {
  readonly Ipv4Address: unique symbol;
}
/** A dotted-quad IPv4 address. */
export type Ipv4Address = t.Branded<string, Ipv4AddressBrand>;
/** io-ts codec for {@link Ipv4Address}. @example Ipv4AddressCodec.decode('10.0.0.1') */
export const Ipv4AddressCodec = refined<string, string, Ipv4AddressBrand>('Ipv4Address', t.string, (s) => (isIpv4(s) ? undefined : `${describeValue(s)} is not an IPv4 address`));

/** Brand of {@link Ipv6Address}. */
export interface Ipv6AddressBrand {
  readonly Ipv6Address: unique symbol;
}
/** An IPv6 address in RFC 5952 canonical text. */
export type Ipv6Address = t.Branded<string, Ipv6AddressBrand>;
/** io-ts codec for {@link Ipv6Address}; decodes to the canonical text. @example Ipv6AddressCodec.decode('2001:DB8::0:1') // '2001:db8::1' */
export const Ipv6AddressCodec = refined<string, string, Ipv6AddressBrand>(
  'Ipv6Address',
  t.string,
  (s) => (isIpv6(s) ? undefined : `${describeValue(s)} is not an IPv6 address`),
  (s) => canonicalIpv6(s) ?? s,
);

/** Brand of {@link IpAddress}. */
export interface IpAddressBrand {
  readonly IpAddress: unique symbol;
}
/** An IPv4 or IPv6 address (IPv6 canonical). */
export type IpAddress = t.Branded<string, IpAddressBrand>;
/** io-ts codec for {@link IpAddress}. @example IpAddressCodec.decode('fd00::a') */
export const IpAddressCodec = refined<string, string, IpAddressBrand>(
  'IpAddress',
  t.string,
  (s) => (isIpv4(s) || isIpv6(s) ? undefined : `${describeValue(s)} is not an IP address`),
  (s) => (isIpv4(s) ? s : (canonicalIpv6(s) ?? s)),
);

/** The family of an address text: 4, 6 or undefined. */
export function ipFamily(s: string): 4 | 6 | undefined {
  return tryParseIp(s)?.family;
}

interface ParsedPrefix {
  readonly family: 4 | 6;
  /** `address/length` with the address canonical (host bits kept). */
  readonly canonical: string;
  /** The network `address/length` (host bits cleared). */
  readonly network: string;
  readonly hostBitsSet: boolean;
}

function parsePrefix(s: string, family?: 4 | 6): ParsedPrefix | string {
  const slash = s.indexOf('/');
  if (slash < 0) return `${describeValue(s)} has no prefix length (address/length)`;
  const ip = tryParseIp(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (ip === undefined || (family !== undefined && ip.family !== family)) return `${describeValue(s)} is not an ${family === undefined ? 'IP' : `IPv${family}`} prefix`;
  const max = ip.family === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText) || Number(lenText) > max) return `${describeValue(s)}: prefix length must be 0..${max}`;
  const length = Number(lenText);
  const network = makeCidr(ip, length, { strict: false });
  return { family: ip.family, canonical: `${formatIp(ip)}/${length}`, network: formatCidr(network), hostBitsSet: network.network !== ip.value };
}

const cidrCodec = <B>(name: string, family: 4 | 6 | undefined) =>
  refined<string, string, B>(
    name,
    t.string,
    (s) => {
      const p = parsePrefix(s, family);
      if (typeof p === 'string') return p;
      return p.hostBitsSet ? `${describeValue(s)} has host bits set (the network is ${p.network})` : undefined;
    },
    (s) => {
      const p = parsePrefix(s, family);
      return typeof p === 'string' ? s : p.canonical;
    },
  );

const interfaceAddressCodec = <B>(name: string, family: 4 | 6 | undefined) =>
  refined<string, string, B>(
    name,
    t.string,
    (s) => {
      const p = parsePrefix(s, family);
      return typeof p === 'string' ? p : undefined;
    },
    (s) => {
      const p = parsePrefix(s, family);
      return typeof p === 'string' ? s : p.canonical;
    },
  );

/** Brand of {@link Cidr}. */
export interface CidrBrand {
  readonly Cidr: unique symbol;
}
/** A network prefix `address/length` (IPv4 or IPv6) with no host bits set: `10.1.0.0/16`, `fd00:1::/64`. */
export type Cidr = t.Branded<string, CidrBrand>;
/** io-ts codec for {@link Cidr}. @example CidrCodec.decode('10.1.0.0/16') // right; CidrCodec.decode('10.1.0.1/16') // left: host bits set */
export const CidrCodec = cidrCodec<CidrBrand>('Cidr', undefined);

/** Brand of {@link Ipv4Cidr}. */
export interface Ipv4CidrBrand {
  readonly Ipv4Cidr: unique symbol;
}
/** An IPv4 network prefix. */
export type Ipv4Cidr = t.Branded<string, Ipv4CidrBrand>;
/** io-ts codec for {@link Ipv4Cidr}. @example Ipv4CidrCodec.decode('10.1.0.0/16') */
export const Ipv4CidrCodec = cidrCodec<Ipv4CidrBrand>('Ipv4Cidr', 4);

/** Brand of {@link Ipv6Cidr}. */
export interface Ipv6CidrBrand {
  readonly Ipv6Cidr: unique symbol;
}
/** An IPv6 network prefix (canonical text). */
export type Ipv6Cidr = t.Branded<string, Ipv6CidrBrand>;
/** io-ts codec for {@link Ipv6Cidr}. @example Ipv6CidrCodec.decode('fd00:1::/64') */
export const Ipv6CidrCodec = cidrCodec<Ipv6CidrBrand>('Ipv6Cidr', 6);

/** Brand of {@link Ipv4InterfaceAddress}. */
export interface Ipv4InterfaceAddressBrand {
  readonly Ipv4InterfaceAddress: unique symbol;
}
/** An IPv4 address with its prefix length, host bits allowed (a gateway address `10.1.0.1/24`). */
export type Ipv4InterfaceAddress = t.Branded<string, Ipv4InterfaceAddressBrand>;
/** io-ts codec for {@link Ipv4InterfaceAddress}. @example Ipv4InterfaceAddressCodec.decode('10.1.0.1/24') */
export const Ipv4InterfaceAddressCodec = interfaceAddressCodec<Ipv4InterfaceAddressBrand>('Ipv4InterfaceAddress', 4);

/** Brand of {@link Ipv6InterfaceAddress}. */
export interface Ipv6InterfaceAddressBrand {
  readonly Ipv6InterfaceAddress: unique symbol;
}
/** An IPv6 address with its prefix length, host bits allowed (canonical text). */
export type Ipv6InterfaceAddress = t.Branded<string, Ipv6InterfaceAddressBrand>;
/** io-ts codec for {@link Ipv6InterfaceAddress}. @example Ipv6InterfaceAddressCodec.decode('fd00:1::1/64') */
export const Ipv6InterfaceAddressCodec = interfaceAddressCodec<Ipv6InterfaceAddressBrand>('Ipv6InterfaceAddress', 6);

/** Brand of {@link MacAddress}. */
export interface MacAddressBrand {
  readonly MacAddress: unique symbol;
}
/** A 48-bit MAC address, lower-case, colon-separated (`00:00:5e:00:01:01`). */
export type MacAddress = t.Branded<string, MacAddressBrand>;
const MAC = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;
/** io-ts codec for {@link MacAddress}; accepts `:` or `-` separators and either case, decodes to lower-case with `:`. @example MacAddressCodec.decode('00-00-5E-00-01-01') // '00:00:5e:00:01:01' */
export const MacAddressCodec = refined<string, string, MacAddressBrand>(
  'MacAddress',
  t.string,
  (s) => (MAC.test(s) ? undefined : `${describeValue(s)} is not a MAC address (six hex pairs separated by ':')`),
  (s) => s.toLowerCase().replace(/-/g, ':'),
);

/** Brand of {@link RouteTarget}. */
export interface RouteTargetBrand {
  readonly RouteTarget: unique symbol;
}
/**
 * A BGP route target: `<2-byte ASN>:<32-bit number>`, `<4-byte ASN>:<16-bit number>` or `<IPv4>:<16-bit number>`
 * (RFC 4360 types 0, 2, 1): `65000:10010`, `4200000000:1`, `10.0.0.1:5`.
 */
export type RouteTarget = t.Branded<string, RouteTargetBrand>;
const U32 = 4_294_967_295;
function routeTargetReason(s: string): string | undefined {
  const bad = `${describeValue(s)} is not a route target (ASN:number or IPv4:number)`;
  const i = s.lastIndexOf(':');
  if (i < 0) return bad;
  const admin = s.slice(0, i);
  const num = s.slice(i + 1);
  if (!/^(0|[1-9][0-9]{0,9})$/.test(num)) return bad;
  const n = Number(num);
  if (isIpv4(admin)) return n <= 65535 ? undefined : `${describeValue(s)}: the number after an IPv4 address must be 0..65535`;
  if (!/^(0|[1-9][0-9]{0,9})$/.test(admin)) return bad;
  const asn = Number(admin);
  if (asn > U32 || n > U32) return bad;
  if (asn > 65535 && n > 65535) return `${describeValue(s)}: with a 4-byte ASN the number must be 0..65535`;
  return undefined;
}
/** io-ts codec for {@link RouteTarget}. @example RouteTargetCodec.decode('65000:10010') */
export const RouteTargetCodec = refined<string, string, RouteTargetBrand>('RouteTarget', t.string, routeTargetReason);

// --- matches ------------------------------------------------------------------------------------------------------

/** An inclusive L4 port range; `from <= to`. A single port is `{ from: 443, to: 443 }`. */
export const PortRangeCodec = withChecks(struct('PortRange', { from: L4PortCodec, to: L4PortCodec }), (r) =>
  r.from <= r.to ? [] : [{ path: ['to'], value: r.to, message: `${r.to} is below from (${r.from})` }],
);
/** An inclusive L4 port range. */
export type PortRange = t.TypeOf<typeof PortRangeCodec>;

/** IP protocols a rule can match. `any` matches every protocol. */
export const RuleProtocolCodec = t.keyof({ any: null, tcp: null, udp: null, sctp: null, icmp: null, icmpv6: null }, '"any" | "tcp" | "udp" | "sctp" | "icmp" | "icmpv6"');
/** An IP protocol a rule can match. */
export type RuleProtocol = t.TypeOf<typeof RuleProtocolCodec>;

/** Protocols that have ports. */
export const PROTOCOLS_WITH_PORTS: readonly RuleProtocol[] = ['tcp', 'udp', 'sctp'];

// The value rules of @netloom/domain these codecs apply, re-exported so adapters need only @netloom/ports.
export { SAFE_NAME, VLAN_MAX, VLAN_MIN, VNI_MAX, VNI_MIN, isSafeName, isVlan, isVni } from '@netloom/domain';
