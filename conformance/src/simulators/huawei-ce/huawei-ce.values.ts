/**
 * Value syntax of the Huawei CE CLI: IPv4 addresses and masks, route distinguishers and targets, MAC addresses in
 * `H-H-H` form, interface names. Each parser returns the canonical form the device renders, or undefined.
 *
 * Ranges follow PROTOCOLS §1.3 (BD 1–16777215, VNI 1–16000000 as accepted by the Ansible CE modules, VLAN 1–4094).
 *
 * @packageDocumentation
 */

/** BD ids (PROTOCOLS §1.3). */
export const BD_RANGE = { min: 1, max: 16777215 } as const;
/** VNIs as the CE modules accept them (PROTOCOLS §1.3). */
export const VNI_RANGE = { min: 1, max: 16000000 } as const;
/** dot1q VLAN ids (PROTOCOLS §1.3). */
export const VLAN_RANGE = { min: 1, max: 4094 } as const;
/** `commit trial` seconds (PROTOCOLS §1.2). */
export const TRIAL_RANGE = { min: 60, max: 65535, default: 600 } as const;
/** Sub-interface numbers. */
// UNVERIFIED: sub-interface numbers 1..4096 on CE.
export const SUBIF_RANGE = { min: 1, max: 4096 } as const;
/** LoopBack interface numbers. */
// UNVERIFIED: LoopBack 0..1023 on CE.
export const LOOPBACK_RANGE = { min: 0, max: 1023 } as const;
/** NVE interface numbers. */
// UNVERIFIED: CE supports a single NVE interface, Nve1.
export const NVE_RANGE = { min: 1, max: 1 } as const;
/** VPN instance names: 1..31 characters, no spaces (VRP). */
export const VPN_NAME = /^[^\s?]{1,31}$/;

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

/** A prefix length as a dotted mask (`24` → `255.255.255.0`). */
export function lengthToMask(length: number): string {
  const bits = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/** The prefix length of a dotted mask, or undefined when the mask is not contiguous. */
export function maskToLength(mask: string): number | undefined {
  const n = ipv4ToInt(mask);
  for (let len = 0; len <= 32; len++) if ((len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0) === n) return len;
  return undefined;
}

/** Parses a mask given dotted (`255.255.255.0`) or as a length (`24`); canonical form: dotted. */
export function parseMask(raw: string): string | undefined {
  if (/^\d{1,2}$/.test(raw)) {
    const len = Number(raw);
    return len <= 32 ? lengthToMask(len) : undefined;
  }
  const ip = parseIpv4(raw);
  if (ip === undefined) return undefined;
  return maskToLength(ip) === undefined ? undefined : ip;
}

/**
 * Parses a route distinguisher or route target: `ASN:nn` (2-byte ASN with a 4-byte number, or 4-byte ASN with a
 * 2-byte number), `a.b.c.d:nn` (2-byte number). Canonical form without leading zeros.
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
 * Parses a MAC address in `H-H-H` form (each H 1–4 hex digits, zero-padded on the left); canonical lower-case
 * `00e0-fc12-3456`. All-zero, broadcast and multicast addresses are refused.
 */
export function parseMac(raw: string): string | undefined {
  const m = /^([0-9a-fA-F]{1,4})-([0-9a-fA-F]{1,4})-([0-9a-fA-F]{1,4})$/.exec(raw);
  if (m === null) return undefined;
  const groups = m.slice(1).map((g) => g.toLowerCase().padStart(4, '0'));
  const first = parseInt(groups[0]!.slice(0, 2), 16);
  const all = groups.join('');
  if (all === '000000000000' || (first & 1) === 1) return undefined;
  return groups.join('-');
}

/** What kind of interface a name denotes. */
export type InterfaceKind = 'physical' | 'subif' | 'vbdif' | 'nve' | 'loopback';

/** A parsed interface name. */
export interface InterfaceName {
  readonly kind: InterfaceKind;
  /** Canonical name (`100GE1/0/2.1`, `Vbdif10`). */
  readonly name: string;
  /** For sub-interfaces: the main interface (`100GE1/0/2`). */
  readonly parent?: string;
  /** The number after the type (`10` of `Vbdif10`), or the sub-interface number. */
  readonly number: number;
}

const PHYSICAL_TYPES = ['GE', '10GE', '25GE', '40GE', '100GE', '400GE'] as const;

/** Rank of a physical interface type in renderings (slower ports first). */
export function physicalTypeRank(type: string): number {
  const i = (PHYSICAL_TYPES as readonly string[]).indexOf(type);
  return i < 0 ? PHYSICAL_TYPES.length : i;
}

/**
 * Parses an interface name case-insensitively (`vbdif10`, `100ge1/0/2.1`, `LoopBack0`, `nve1`) against the port
 * inventory. Physical ports (and parents of sub-interfaces) must be in `inventory`.
 */
export function parseInterfaceName(raw: string, inventory: ReadonlySet<string>): InterfaceName | undefined {
  const m = /^(\d*[A-Za-z][A-Za-z-]*?)(\d+(?:\/\d+)*)(?:\.(\d+))?$/.exec(raw);
  if (m === null) return undefined;
  const typeRaw = m[1]!.toLowerCase();
  const num = m[2]!;
  const sub = m[3];
  const inRange = (n: number, r: { min: number; max: number }): boolean => n >= r.min && n <= r.max;
  const single = /^\d+$/.test(num) ? Number(num) : undefined;
  if (typeRaw === 'vbdif') {
    if (sub !== undefined || single === undefined || !inRange(single, { min: 1, max: 16777215 })) return undefined;
    return { kind: 'vbdif', name: `Vbdif${single}`, number: single };
  }
  if (typeRaw === 'nve') {
    if (sub !== undefined || single === undefined || !inRange(single, NVE_RANGE)) return undefined;
    return { kind: 'nve', name: `Nve${single}`, number: single };
  }
  if (typeRaw === 'loopback') {
    if (sub !== undefined || single === undefined || !inRange(single, LOOPBACK_RANGE)) return undefined;
    return { kind: 'loopback', name: `LoopBack${single}`, number: single };
  }
  const type = PHYSICAL_TYPES.find((t) => t.toLowerCase() === typeRaw);
  if (type === undefined) return undefined;
  const main = `${type}${num}`;
  if (!inventory.has(main)) return undefined;
  if (sub === undefined) return { kind: 'physical', name: main, number: Number(num.split('/').pop()) };
  const subNo = Number(sub);
  if (!inRange(subNo, SUBIF_RANGE)) return undefined;
  return { kind: 'subif', name: `${main}.${subNo}`, parent: main, number: subNo };
}

/** Sort key parts of an interface name: type rank, then the numbers. */
export function interfaceSortKey(name: string): number[] {
  const m = /^(\d*[A-Za-z][A-Za-z-]*?)(\d+(?:\/\d+)*)(?:\.(\d+))?$/.exec(name);
  if (m === null) return [99];
  const type = m[1]!;
  const nums = m[2]!.split('/').map(Number);
  const sub = m[3] === undefined ? -1 : Number(m[3]);
  // UNVERIFIED: VRP renders Vbdif before physical ports, then LoopBack and Nve.
  const kindRank = type === 'Vbdif' ? 0 : type === 'LoopBack' ? 2 : type === 'Nve' ? 3 : 1;
  return [kindRank, physicalTypeRank(type), ...nums, sub];
}

/** Compares two strings with embedded numbers naturally (`bd2` before `bd10`). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Compares number arrays lexicographically. */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -Infinity) - (b[i] ?? -Infinity);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return 0;
}

/** The default port inventory: `10GE1/0/1`..`10GE1/0/48` and `100GE1/0/1`..`100GE1/0/6` (a CE6881-48S6CQ). */
export function defaultPorts(): string[] {
  return [...portRange('10GE1/0/', 1, 48), ...portRange('100GE1/0/', 1, 6)];
}

/**
 * Port names `prefix + n` for n in `from..to`.
 *
 * @example portRange('10GE1/0/', 1, 3) // ['10GE1/0/1', '10GE1/0/2', '10GE1/0/3']
 */
export function portRange(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${i}`);
  return out;
}
