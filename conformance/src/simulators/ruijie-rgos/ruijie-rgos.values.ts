/**
 * Value syntax of the simulated RGOS CLI: VLAN ids and lists, VNIs, IPv4/IPv6 addresses and masks, route
 * distinguishers and targets, Cisco-style MAC addresses, interface names. Each parser returns the canonical form the
 * device renders, or undefined when the word does not fit (the dialect then prints an invalid-input caret under it).
 *
 * @packageDocumentation
 */
import { isIPv6 } from 'node:net';
import { interfaceTypes, PHYSICAL_NUMBER, type InterfaceType } from './ruijie-rgos.strings';

/** 802.1Q VLAN ids. */
export const VLAN_RANGE = { min: 1, max: 4094 } as const;
/** VNIs (24 bits). UNVERIFIED: RGOS's accepted VNI range. */
export const VNI_RANGE = { min: 1, max: 16777215 } as const;
/** VRF names. UNVERIFIED: RGOS's VRF name rules (IOS: up to 32 characters). */
export const VRF_NAME = /^[A-Za-z0-9_.:-]{1,31}$/;
/** VLAN names: one word. UNVERIFIED: length limit 32 (IOS). */
export const VLAN_NAME = /^[\x21-\x7e]{1,32}$/;
/** Host names. UNVERIFIED: RGOS's limit (63 characters here). */
export const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** Description lengths. UNVERIFIED: 80 characters (a conservative guess; IOS allows 240). */
export const DESCRIPTION_MAX = 80;

/** Parses a dotted IPv4 address; canonical form without leading zeros. */
export function parseIpv4(raw: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(raw);
  if (m === null) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts.join('.') : undefined;
}

/** An IPv4 address as a 32-bit unsigned number. */
export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);
}

/** A 32-bit unsigned number as a dotted IPv4 address. */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** A prefix length as a dotted mask (`24` → `255.255.255.0`). */
export function lengthToMask(length: number): string {
  return intToIpv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);
}

/** The prefix length of a dotted mask, or undefined when the mask is not contiguous. */
export function maskToLength(mask: string): number | undefined {
  const n = ipv4ToInt(mask);
  for (let len = 0; len <= 32; len++) if (ipv4ToInt(lengthToMask(len)) === n) return len;
  return undefined;
}

/** Parses a mask given dotted (`255.255.255.0`) or as a length (`24`); canonical form: dotted. */
export function parseMask(raw: string): string | undefined {
  if (/^\d{1,2}$/.test(raw)) {
    const len = Number(raw);
    return len <= 32 ? lengthToMask(len) : undefined;
  }
  const ip = parseIpv4(raw);
  return ip === undefined || maskToLength(ip) === undefined ? undefined : ip;
}

/** Parses `a.b.c.d/len`; canonical form `a.b.c.d/len` (the dialect splits it into address and dotted mask). */
export function parseIpv4Prefix(raw: string): string | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(raw);
  if (m === null) return undefined;
  const ip = parseIpv4(m[1]!);
  const len = Number(m[2]);
  return ip === undefined || len > 32 ? undefined : `${ip}/${len}`;
}

/** Parses `<ipv6>/<len>` (length 1..128); canonical form lower-case. */
export function parseIpv6Prefix(raw: string): string | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(raw);
  if (m === null || !isIPv6(m[1]!)) return undefined;
  const len = Number(m[2]);
  return len >= 1 && len <= 128 ? `${m[1]!.toLowerCase()}/${len}` : undefined;
}

/**
 * Parses a route distinguisher or route target: `ASN:nn` (2-byte ASN with a 4-byte number, or 4-byte ASN with a
 * 2-byte number) or `a.b.c.d:nn` (2-byte number). Canonical form without leading zeros.
 */
export function parseRouteValue(raw: string): string | undefined {
  const asn = /^(\d{1,10}):(\d{1,10})$/.exec(raw);
  if (asn !== null) {
    const a = Number(asn[1]);
    const n = Number(asn[2]);
    const ok = (a <= 65535 && n <= 4294967295) || (a <= 4294967295 && n <= 65535);
    return ok ? `${a}:${n}` : undefined;
  }
  const ipForm = /^([\d.]+):(\d{1,5})$/.exec(raw);
  if (ipForm !== null) {
    const ip = parseIpv4(ipForm[1]!);
    const n = Number(ipForm[2]);
    return ip !== undefined && n <= 65535 ? `${ip}:${n}` : undefined;
  }
  return undefined;
}

/**
 * Parses a MAC address in Cisco form `H.H.H` (each H 1–4 hex digits); canonical lower-case `0000.5e00.0101`.
 * All-zero and multicast (group bit set) addresses are refused. UNVERIFIED: that RGOS uses the dotted form.
 */
export function parseMac(raw: string): string | undefined {
  const m = /^([0-9a-fA-F]{1,4})\.([0-9a-fA-F]{1,4})\.([0-9a-fA-F]{1,4})$/.exec(raw);
  if (m === null) return undefined;
  const groups = m.slice(1).map((g) => g.toLowerCase().padStart(4, '0'));
  const first = parseInt(groups[0]!.slice(0, 2), 16);
  if (groups.join('') === '000000000000' || (first & 1) === 1) return undefined;
  return groups.join('.');
}

/** Parses a VLAN list `10,20,30-40` into sorted unique ids, or undefined when malformed or out of range. */
export function parseVlanList(raw: string): number[] | undefined {
  if (!/^\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*$/.test(raw)) return undefined;
  const out = new Set<number>();
  for (const part of raw.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const lo = a;
    const hi = b ?? a;
    if (lo < VLAN_RANGE.min || hi > VLAN_RANGE.max || lo > hi) return undefined;
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

/** Formats VLAN ids as a compressed list: `[10, 20, 21, 22]` → `10,20-22`. */
export function formatVlanList(vlans: Iterable<number>): string {
  const sorted = [...new Set(vlans)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

// ---------------------------------------------------------------------------------------------------------------
// Interface names

/** A parsed interface name. */
export interface ParsedInterface {
  readonly type: InterfaceType;
  /** Canonical name: type, one space, number (`TenGigabitEthernet 0/1`, `VLAN 10`). */
  readonly name: string;
  /** The number part (`0/1`, `10`). */
  readonly number: string;
}

/** The interface type a (possibly abbreviated, case-insensitive) type word names, if exactly one. */
export function resolveInterfaceType(word: string): InterfaceType | undefined {
  const lower = word.toLowerCase();
  if (lower.length === 0) return undefined;
  const exact = interfaceTypes.find((t) => t.name.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const hits = interfaceTypes.filter((t) => t.name.toLowerCase().startsWith(lower));
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * Validates the number part for `type`: physical ports must be in `inventory` (canonical names), virtual numbers in
 * the type's range. Returns the canonical interface or undefined.
 */
export function interfaceOf(type: InterfaceType, number: string, inventory: ReadonlySet<string>): ParsedInterface | undefined {
  if (type.kind === 'physical') {
    if (!PHYSICAL_NUMBER.test(number)) return undefined;
    const canonical = number
      .split('/')
      .map((n) => String(Number(n)))
      .join('/');
    const name = `${type.name} ${canonical}`;
    return inventory.has(name) ? { type, name, number: canonical } : undefined;
  }
  if (!/^\d{1,10}$/.test(number)) return undefined;
  const n = Number(number);
  if (n < (type.min ?? 0) || n > (type.max ?? Number.MAX_SAFE_INTEGER)) return undefined;
  return { type, name: `${type.name} ${n}`, number: String(n) };
}

/** Parses an interface name written joined (`te0/1`, `vlan10`, `TenGigabitEthernet0/1`) or canonical (`VLAN 10`). */
export function parseInterfaceName(raw: string, inventory: ReadonlySet<string>): ParsedInterface | undefined {
  const m = /^([A-Za-z][A-Za-z-]*)\s*(\d[\d/]*)$/.exec(raw.trim());
  if (m === null) return undefined;
  const type = resolveInterfaceType(m[1]!);
  return type === undefined ? undefined : interfaceOf(type, m[2]!, inventory);
}

/** Sort key of an interface name: type position in {@link interfaceTypes}, then the numbers. */
export function interfaceSortKey(name: string): number[] {
  const space = name.indexOf(' ');
  const typeName = space < 0 ? name : name.slice(0, space);
  const rank = interfaceTypes.findIndex((t) => t.name === typeName);
  const nums = space < 0 ? [] : name.slice(space + 1).split('/').map(Number);
  return [rank < 0 ? interfaceTypes.length : rank, ...nums];
}

/** Compares number arrays lexicographically (shorter first on a tie). */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Compares two strings with embedded numbers naturally (`vrf2` before `vrf10`). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * Port names `prefix + n` for n in `from..to`.
 *
 * @example ruijieRgosPortRange('TenGigabitEthernet 0/', 1, 3)
 * // ['TenGigabitEthernet 0/1', 'TenGigabitEthernet 0/2', 'TenGigabitEthernet 0/3']
 */
export function ruijieRgosPortRange(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${i}`);
  return out;
}

/**
 * The default port inventory: `TenGigabitEthernet 0/1..48` and `HundredGigabitEthernet 0/49..56` (an
 * RG-S6510-48VS8CQ-like leaf). UNVERIFIED: the numbering of the 100G ports.
 */
export function ruijieRgosDefaultPorts(): string[] {
  return [...ruijieRgosPortRange('TenGigabitEthernet 0/', 1, 48), ...ruijieRgosPortRange('HundredGigabitEthernet 0/', 49, 56)];
}
