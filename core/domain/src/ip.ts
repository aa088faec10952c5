/**
 * IPv4 and IPv6 addresses, CIDR blocks and address ranges, with `bigint` arithmetic.
 *
 * Values are small frozen objects (`{ family, value }`, `{ family, network, prefix }`); the numeric part is a
 * `bigint` so that IPv4 and IPv6 share one code path. Parsing is strict (what a device would accept, no guessing):
 *
 * - IPv4: exactly four decimal octets 0..255, no leading zeros (`01.2.3.4` is rejected: some stacks read it as
 *   octal), no whitespace, no shorthand (`1.2.3`).
 * - IPv6: RFC 4291 text forms: eight groups of 1..4 hex digits, at most one `::` (standing for one or more zero
 *   groups), an optional trailing dotted IPv4 part (`::ffff:1.2.3.4`, `64:ff9b::192.0.2.1`); upper or lower case.
 *   Zone ids (`fe80::1%eth0`) are rejected: they name a host interface, not an address.
 *
 * Formatting is canonical: IPv4 dotted decimal; IPv6 per RFC 5952 (lowercase, no leading zeros, the longest run of
 * two or more zero groups compressed to `::`, the first such run on a tie, a single zero group never compressed).
 * Following RFC 5952 §5, IPv4-mapped addresses (`::ffff:0:0/96`) are written in mixed notation: `::ffff:1.2.3.4`.
 *
 * Every parse error is an `InvariantError` (`ip-invalid` or `cidr-invalid`) whose message quotes the input and
 * says what is wrong.
 *
 * @packageDocumentation
 */
import { Invariant, InvariantError } from './errors';

/** Address family: 4 for IPv4, 6 for IPv6. */
export type IpFamily = 4 | 6;

/** One IP address. `value` is the address as an unsigned integer: 0..2³²-1 for IPv4, 0..2¹²⁸-1 for IPv6. */
export interface IpAddress {
  /** 4 or 6. */
  readonly family: IpFamily;
  /** The address as an unsigned integer (network byte order read as one big-endian number). */
  readonly value: bigint;
}

/**
 * A CIDR block. `network` is the first address (all host bits zero); `prefix` is the number of leading network
 * bits: 0..32 for IPv4, 0..128 for IPv6.
 */
export interface Cidr {
  /** 4 or 6. */
  readonly family: IpFamily;
  /** The network address as an unsigned integer; its host bits are always zero. */
  readonly network: bigint;
  /** Prefix length in bits. */
  readonly prefix: number;
}

/**
 * An inclusive range of addresses of one family, `first <= last` (as in a subnet's exclude range
 * `10.0.0.1..10.0.0.9`). A single address is a range with `first === last`.
 */
export interface IpRange {
  /** 4 or 6. */
  readonly family: IpFamily;
  /** First address of the range (inclusive). */
  readonly first: bigint;
  /** Last address of the range (inclusive); never below `first`. */
  readonly last: bigint;
}

/** Number of bits in an IPv4 address. */
export const IPV4_BITS = 32;
/** Number of bits in an IPv6 address. */
export const IPV6_BITS = 128;

const MAX_V4 = (1n << 32n) - 1n;
const MAX_V6 = (1n << 128n) - 1n;
/** Longest IPv6 text we accept: eight 4-digit groups with a trailing dotted quad ("ffff:...:255.255.255.255"). */
const MAX_V6_TEXT = 45;

/** Address width of a family in bits: 32 for IPv4, 128 for IPv6. */
export function familyBits(family: IpFamily): 32 | 128 {
  return family === 4 ? IPV4_BITS : IPV6_BITS;
}

/** Largest address value of a family (2³²-1 or 2¹²⁸-1). */
function maxValue(family: IpFamily): bigint {
  return family === 4 ? MAX_V4 : MAX_V6;
}

/** Quotes an input for a message: JSON-escaped, cut at 64 characters so that garbage cannot flood a log. */
function quote(text: unknown): string {
  if (typeof text !== 'string') return `${typeof text} ${String(text).slice(0, 64)}`;
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

type Parsed = { ok: true; value: bigint } | { ok: false; reason: string };

const V4_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): Parsed {
  const m = V4_SHAPE.exec(text);
  if (!m) return { ok: false, reason: 'an IPv4 address has four decimal octets separated by dots (a.b.c.d)' };
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = m[i] as string;
    if (octet.length > 1 && octet.startsWith('0')) return { ok: false, reason: `octet "${octet}" has a leading zero` };
    const n = Number(octet);
    if (n > 255) return { ok: false, reason: `octet ${octet} is above 255` };
    value = (value << 8n) | BigInt(n);
  }
  return { ok: true, value };
}

const V6_CHARS = /^[0-9A-Fa-f:.]+$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseGroups(part: string): number[] | string {
  if (part === '') return [];
  const groups: number[] = [];
  for (const g of part.split(':')) {
    if (g === '') return 'empty group (a single ":" at the start or end, or ":::")';
    if (!HEX_GROUP.test(g)) return `group "${g}" is not 1-4 hex digits`;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

function parseV6(input: string): Parsed {
  if (input.includes('%')) return { ok: false, reason: 'zone ids (%...) are not allowed' };
  if (input.length > MAX_V6_TEXT) return { ok: false, reason: 'too long for an IPv6 address' };
  if (!V6_CHARS.test(input)) return { ok: false, reason: 'an IPv6 address has only hex digits, ":" and an optional trailing dotted IPv4 part' };
  let text = input;
  // A trailing dotted IPv4 part stands for the last two groups.
  let tail: number[] = [];
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    if (lastColon === -1) return { ok: false, reason: 'an IPv6 address has at least one ":"' };
    const head = text.slice(0, lastColon + 1);
    if (head.includes('.')) return { ok: false, reason: 'a dotted IPv4 part may only end the address' };
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4.ok) return { ok: false, reason: `embedded IPv4 part: ${v4.reason}` };
    tail = [Number(v4.value >> 16n), Number(v4.value & 0xffffn)];
    // Keep "::" intact ("::1.2.3.4" → "::"), drop a single trailing ":" ("1:...:6:1.2.3.4" → "1:...:6").
    text = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) return { ok: false, reason: '"::" may appear only once' };
  let groups: number[];
  if (dbl === -1) {
    const g = parseGroups(text);
    if (typeof g === 'string') return { ok: false, reason: g };
    groups = [...g, ...tail];
    if (groups.length !== 8) return { ok: false, reason: `has ${groups.length} groups, expected 8 (or use "::")` };
  } else {
    const left = parseGroups(text.slice(0, dbl));
    if (typeof left === 'string') return { ok: false, reason: left };
    const right = parseGroups(text.slice(dbl + 2));
    if (typeof right === 'string') return { ok: false, reason: right };
    const given = left.length + right.length + tail.length;
    // "::" stands for at least one zero group (RFC 4291 §2.2).
    if (given > 7) return { ok: false, reason: `has ${given} groups besides "::", at most 7 allowed` };
    groups = [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
  }
  // Combine in 32-bit words (fewer bigint operations than eight 16-bit steps).
  let value = 0n;
  for (let i = 0; i < 8; i += 2) value = (value << 32n) | BigInt(((groups[i] as number) * 0x10000 + (groups[i + 1] as number)));
  return { ok: true, value };
}

function parseAny(text: unknown): { ok: true; ip: IpAddress } | { ok: false; reason: string } {
  if (typeof text !== 'string') return { ok: false, reason: `expected a string, got ${typeof text}` };
  if (text.length === 0) return { ok: false, reason: 'empty' };
  if (text.includes(':')) {
    const r = parseV6(text);
    return r.ok ? { ok: true, ip: makeIp(6, r.value) } : { ok: false, reason: r.reason };
  }
  const r = parseV4(text);
  return r.ok ? { ok: true, ip: makeIp(4, r.value) } : { ok: false, reason: r.reason };
}

function makeIp(family: IpFamily, value: bigint): IpAddress {
  return Object.freeze({ family, value });
}

/**
 * Parses an IPv4 or IPv6 address (strict; see the module documentation).
 * @throws InvariantError `ip-invalid` naming the input and the reason.
 * @example parseIp('10.0.0.1') // { family: 4, value: 167772161n }
 * @example parseIp('::ffff:1.2.3.4') // { family: 6, value: 0xffff01020304n }
 */
export function parseIp(text: string): IpAddress {
  const r = parseAny(text);
  if (!r.ok) {
    throw new InvariantError(Invariant.IP_INVALID, `${quote(text)} is not an IP address: ${r.reason}`, { details: { value: text } });
  }
  return r.ip;
}

/** Like {@link parseIp}, but returns `undefined` instead of throwing. */
export function tryParseIp(text: string): IpAddress | undefined {
  const r = parseAny(text);
  return r.ok ? r.ip : undefined;
}

/** True if `text` is a valid IPv4 address in strict dotted-decimal form. */
export function isIpv4(text: string): boolean {
  return typeof text === 'string' && !text.includes(':') && parseV4(text).ok;
}

/** True if `text` is a valid IPv6 address (any RFC 4291 text form, no zone id). */
export function isIpv6(text: string): boolean {
  return typeof text === 'string' && text.includes(':') && parseV6(text).ok;
}

/**
 * Builds an address from its integer value.
 * @throws InvariantError `ip-invalid` if `family` is not 4 or 6, or `value` is not a bigint in the family's range.
 * @example formatIp(ipFromBigint(4, 0x0a000001n)) // '10.0.0.1'
 */
export function ipFromBigint(family: IpFamily, value: bigint): IpAddress {
  if (family !== 4 && family !== 6) {
    throw new InvariantError(Invariant.IP_INVALID, `IP family ${JSON.stringify(family)} is not 4 or 6`, { details: { family } });
  }
  if (typeof value !== 'bigint' || value < 0n || value > maxValue(family)) {
    throw new InvariantError(
      Invariant.IP_INVALID,
      `${String(value)} is outside the IPv${family} range 0..${maxValue(family)}`,
      { details: { family, value: String(value) } },
    );
  }
  return makeIp(family, value);
}

function formatV4(value: bigint): string {
  return `${(value >> 24n) & 0xffn}.${(value >> 16n) & 0xffn}.${(value >> 8n) & 0xffn}.${value & 0xffn}`;
}

function formatV6(value: bigint): string {
  // RFC 5952 §5: IPv4-mapped addresses in mixed notation.
  if (value >> 32n === 0xffffn) return `::ffff:${formatV4(value & MAX_V4)}`;
  // Four 32-bit words as numbers, then eight 16-bit groups (fewer bigint operations than eight shifts).
  const groups: number[] = [];
  for (let shift = 96n; shift >= 0n; shift -= 32n) {
    const word = Number((value >> shift) & 0xffffffffn);
    groups.push(word >>> 16, word & 0xffff);
  }
  // Longest run of zero groups, length >= 2, first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Canonical text of an address: dotted decimal for IPv4; RFC 5952 for IPv6 (see the module documentation).
 * @throws InvariantError `ip-invalid` if the object is not a valid address (wrong family or value out of range).
 * @example formatIp(parseIp('2001:DB8:0:0:0:0:0:1')) // '2001:db8::1'
 */
export function formatIp(ip: IpAddress): string {
  const checked = ipFromBigint(ip.family, ip.value);
  return checked.family === 4 ? formatV4(checked.value) : formatV6(checked.value);
}

/**
 * Orders addresses: every IPv4 address before every IPv6 address, then by numeric value.
 * @returns a negative number, zero or a positive number (-1, 0, 1), as `Array.prototype.sort` expects.
 */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** True if both are the same address (same family and value). */
export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

// ---------------------------------------------------------------------------------------------------------------
// CIDR

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(familyBits(family) - prefix)) - 1n;
}

const PREFIX_TEXT = /^(0|[1-9]\d{0,2})$/;

function cidrProblem(text: string, reason: string, details: Record<string, unknown> = {}): InvariantError {
  return new InvariantError(Invariant.CIDR_INVALID, `${quote(text)} is not a CIDR block: ${reason}`, { details: { value: text, ...details } });
}

function parseCidrResult(text: unknown, strict: boolean): { ok: true; cidr: Cidr } | { ok: false; error: () => InvariantError } {
  if (typeof text !== 'string') {
    return { ok: false, error: () => cidrProblem(String(text), `expected a string, got ${typeof text}`) };
  }
  const slash = text.indexOf('/');
  if (slash === -1) return { ok: false, error: () => cidrProblem(text, 'missing "/prefix"') };
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const addr = parseAny(addrText);
  if (!addr.ok) {
    const reason = addr.reason;
    return { ok: false, error: () => cidrProblem(text, `address ${quote(addrText)}: ${reason}`) };
  }
  const family = addr.ip.family;
  const bits = familyBits(family);
  if (!PREFIX_TEXT.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, error: () => cidrProblem(text, `prefix ${quote(prefixText)} is not a whole number in 0..${bits} without leading zeros`) };
  }
  const prefix = Number(prefixText);
  const host = addr.ip.value & hostMask(family, prefix);
  const network = addr.ip.value & ~hostMask(family, prefix) & maxValue(family);
  if (host !== 0n && strict) {
    const suggestion = `${formatIp(makeIp(family, network))}/${prefix}`;
    return {
      ok: false,
      error: () => cidrProblem(text, `host bits are set; the network is ${suggestion}`, { suggestion }),
    };
  }
  return { ok: true, cidr: Object.freeze({ family, network, prefix }) };
}

/**
 * Parses `address/prefix`, IPv4 or IPv6. The prefix is required (a bare address is not a CIDR).
 *
 * With `strict` (the default) the host bits must be zero: `10.0.0.5/24` is rejected and the message suggests
 * `10.0.0.0/24` (also in `details.suggestion`). With `strict: false` the host bits are cleared instead.
 * @throws InvariantError `cidr-invalid`.
 * @example parseCidr('10.0.0.0/24') // { family: 4, network: 167772160n, prefix: 24 }
 * @example parseCidr('10.0.0.5/24', { strict: false }) // same as above
 */
export function parseCidr(text: string, opts: { strict?: boolean } = {}): Cidr {
  const r = parseCidrResult(text, opts.strict ?? true);
  if (!r.ok) throw r.error();
  return r.cidr;
}

/** Like {@link parseCidr} (strict), but returns `undefined` instead of throwing. */
export function tryParseCidr(text: string): Cidr | undefined {
  const r = parseCidrResult(text, true);
  return r.ok ? r.cidr : undefined;
}

/**
 * Builds a CIDR block from an address and a prefix length. With `strict` (default) the address must be the
 * network address; with `strict: false` its host bits are cleared (the block that contains `ip`).
 * @throws InvariantError `cidr-invalid` for a prefix outside 0..32 / 0..128 or (strict) host bits set.
 * @example formatCidr(makeCidr(parseIp('10.1.2.3'), 16, { strict: false })) // '10.1.0.0/16'
 */
export function makeCidr(ip: IpAddress, prefix: number, opts: { strict?: boolean } = {}): Cidr {
  const checked = ipFromBigint(ip.family, ip.value);
  const bits = familyBits(checked.family);
  const text = `${formatIp(checked)}/${String(prefix)}`;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw cidrProblem(text, `prefix ${String(prefix)} is not a whole number in 0..${bits}`);
  }
  const mask = hostMask(checked.family, prefix);
  const network = checked.value & ~mask & maxValue(checked.family);
  if ((checked.value & mask) !== 0n && (opts.strict ?? true)) {
    const suggestion = `${formatIp(makeIp(checked.family, network))}/${prefix}`;
    throw cidrProblem(text, `host bits are set; the network is ${suggestion}`, { suggestion });
  }
  return Object.freeze({ family: checked.family, network, prefix });
}

/**
 * Canonical text of a CIDR block: `network/prefix`, the address formatted by {@link formatIp}.
 * @throws InvariantError `cidr-invalid` if the object is malformed (prefix out of range, host bits set).
 * @example formatCidr(parseCidr('2001:DB8::/32')) // '2001:db8::/32'
 */
export function formatCidr(c: Cidr): string {
  const ip = ipFromBigint(c.family, c.network);
  const bits = familyBits(c.family);
  if (!Number.isInteger(c.prefix) || c.prefix < 0 || c.prefix > bits) {
    throw cidrProblem(`${formatIp(ip)}/${String(c.prefix)}`, `prefix is not a whole number in 0..${bits}`);
  }
  if ((c.network & hostMask(c.family, c.prefix)) !== 0n) {
    throw cidrProblem(`${formatIp(ip)}/${c.prefix}`, 'host bits are set');
  }
  return `${formatIp(ip)}/${c.prefix}`;
}

/** First address of the block (the network address), as an integer. */
export function cidrFirst(c: Cidr): bigint {
  return c.network;
}

/** Last address of the block (for IPv4 the broadcast address), as an integer. */
export function cidrLast(c: Cidr): bigint {
  return c.network | hostMask(c.family, c.prefix);
}

/** Number of addresses in the block: 2^(bits - prefix). `/32` and `/128` hold one address. */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(familyBits(c.family) - c.prefix);
}

/** True if `ip` lies inside `c`. Always false when the families differ. */
export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  return c.family === ip.family && ip.value >= cidrFirst(c) && ip.value <= cidrLast(c);
}

/** True if every address of `inner` lies inside `outer` (a block contains itself). False across families. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && cidrFirst(inner) >= cidrFirst(outer) && cidrLast(inner) <= cidrLast(outer);
}

/**
 * True if the two blocks share at least one address. Two CIDR blocks overlap exactly when one contains the other.
 * Symmetric; always false when the families differ.
 */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && cidrFirst(a) <= cidrLast(b) && cidrFirst(b) <= cidrLast(a);
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges

function rangeProblem(text: string, reason: string, invariant: Invariant = Invariant.IP_INVALID): InvariantError {
  return new InvariantError(invariant, `${quote(text)} is not an IP range: ${reason}`, { details: { value: text } });
}

/**
 * Parses an inclusive address range `first..last` (both ends of one family) or a single address.
 * @throws InvariantError `ip-invalid` for a bad address, `family-mismatch` if the ends differ in family,
 *   `range-invalid` if `first` is after `last`.
 * @example parseIpRange('10.0.0.10..10.0.0.20') // { family: 4, first: 167772170n, last: 167772180n }
 * @example parseIpRange('fd00::5') // a one-address range
 */
export function parseIpRange(text: string): IpRange {
  if (typeof text !== 'string') throw rangeProblem(String(text), `expected a string, got ${typeof text}`);
  const sep = text.indexOf('..');
  if (sep === -1) {
    const r = parseAny(text);
    if (!r.ok) throw rangeProblem(text, r.reason);
    return Object.freeze({ family: r.ip.family, first: r.ip.value, last: r.ip.value });
  }
  const a = parseAny(text.slice(0, sep));
  if (!a.ok) throw rangeProblem(text, `start: ${a.reason}`);
  const b = parseAny(text.slice(sep + 2));
  if (!b.ok) throw rangeProblem(text, `end: ${b.reason}`);
  if (a.ip.family !== b.ip.family) throw rangeProblem(text, 'start and end are of different IP families', Invariant.FAMILY_MISMATCH);
  if (a.ip.value > b.ip.value) throw rangeProblem(text, 'start is after end', Invariant.RANGE_INVALID);
  return Object.freeze({ family: a.ip.family, first: a.ip.value, last: b.ip.value });
}

/** Canonical text of a range: `first..last` with canonical addresses, or the single address when `first === last`. */
export function formatIpRange(r: IpRange): string {
  const first = formatIp({ family: r.family, value: r.first });
  return r.first === r.last ? first : `${first}..${formatIp({ family: r.family, value: r.last })}`;
}

/** Number of addresses in the range (`last - first + 1`). */
export function ipRangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n;
}

/** True if `ip` lies inside the range. False across families. */
export function ipRangeContains(r: IpRange, ip: IpAddress): boolean {
  return r.family === ip.family && ip.value >= r.first && ip.value <= r.last;
}

/** True if the whole range lies inside the CIDR block. False across families. */
export function cidrContainsRange(c: Cidr, r: IpRange): boolean {
  return c.family === r.family && r.first >= cidrFirst(c) && r.last <= cidrLast(c);
}
