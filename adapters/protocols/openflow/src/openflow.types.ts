/**
 * Small shared value types of the OpenFlow model (ports, masked values, 64-bit numbers) and their io-ts codecs.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { describeValue, intInRange, struct, typeMismatch } from '@netloom/ports';
import { OFPP_MAX, ReservedPort } from './openflow.constants';

/** Names of the reserved OpenFlow ports (`OFPP_IN_PORT`, `OFPP_NORMAL`, ...). */
export type ReservedPortName = keyof typeof ReservedPort;

/**
 * A port: its number (1..0xffffff00) or the name of a reserved port. Values read from a switch use the name for
 * every reserved number, so `'LOCAL'` (never `0xfffffffe`) is what comes back.
 *
 * @example const uplink: PortRef = 1; const toController: PortRef = 'CONTROLLER';
 */
export type PortRef = number | ReservedPortName;

const RESERVED_BY_NUMBER = new Map<number, ReservedPortName>(Object.entries(ReservedPort).map(([k, v]) => [v, k as ReservedPortName]));

/** The 32-bit wire number of a port. */
export function portToWire(p: PortRef): number {
  return typeof p === 'number' ? p : ReservedPort[p];
}

/** The port for a 32-bit wire number: the reserved name when there is one, else the number. */
export function portFromWire(n: number): PortRef {
  return RESERVED_BY_NUMBER.get(n) ?? n;
}

/** io-ts codec for {@link PortRef}: an integer 0..0xffffffff or a reserved port name; canonical (name for reserved numbers). */
export const PortRefCodec = new t.Type<PortRef, PortRef, unknown>(
  'PortRef',
  (u): u is PortRef => (typeof u === 'string' && Object.prototype.hasOwnProperty.call(ReservedPort, u)) || (typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= 0xffffffff),
  (u, c) => {
    if (typeof u === 'string') {
      return Object.prototype.hasOwnProperty.call(ReservedPort, u)
        ? t.success(u as ReservedPortName)
        : t.failure(u, c, `${describeValue(u)} is not a reserved port (one of ${Object.keys(ReservedPort).join(', ')})`);
    }
    if (typeof u !== 'number') return typeMismatch(u, c, `expected a port number or reserved port name, got ${describeValue(u)}`);
    if (!Number.isInteger(u) || u < 0 || u > 0xffffffff) return t.failure(u, c, `${u} is not a 32-bit port number`);
    return t.success(portFromWire(u));
  },
  t.identity,
);

/** True when `p` is a port a flow may output to or match on (a real port or a reserved one, not `ANY`). */
export function isUsablePort(p: PortRef): boolean {
  return typeof p === 'string' ? p !== 'ANY' : p >= 1 && p <= OFPP_MAX;
}

/**
 * A field value, exact or with a bit mask (1-bits are compared). Read-back values are canonical: a mask of all
 * ones is dropped (the value is exact) and the value has no 1-bits outside its mask.
 *
 * @example const subnet: Masked<string> = { value: '10.0.0.0', mask: '255.255.255.0' };
 */
export type Masked<T> = T | { readonly value: T; readonly mask: T };

/** True when a {@link Masked} value carries a mask. */
export function isMaskedValue<T>(v: Masked<T>): v is { readonly value: T; readonly mask: T } {
  return typeof v === 'object' && v !== null && 'mask' in v;
}

/** io-ts codec for {@link Masked} over `base`. */
export function maskedCodec<T>(name: string, base: t.Type<T, T, unknown>): t.Type<Masked<T>, Masked<T>, unknown> {
  return t.union([base, struct(`${name} with mask`, { value: base, mask: base })], `${base.name} or {value, mask}`) as unknown as t.Type<Masked<T>, Masked<T>, unknown>;
}

const U64_MAX = (1n << 64n) - 1n;

/** io-ts codec for an unsigned 64-bit integer, as a bigint (cookies, metadata, tunnel ids, counters). */
export const U64Codec = new t.Type<bigint, bigint, unknown>(
  'u64',
  (u): u is bigint => typeof u === 'bigint' && u >= 0n && u <= U64_MAX,
  (u, c) => {
    if (typeof u !== 'bigint') return typeMismatch(u, c, `expected a bigint (u64), got ${describeValue(u)}`);
    if (u < 0n || u > U64_MAX) return t.failure(u, c, `${u} is outside 0..2^64-1`);
    return t.success(u);
  },
  t.identity,
);

/** io-ts codec for an unsigned integer of up to 32 bits. */
export function uintCodec(bits: 8 | 16 | 32, name = `u${bits}`): t.Type<number, number, unknown> {
  return intInRange(name, 0, bits === 32 ? 0xffffffff : (1 << bits) - 1);
}

/** io-ts codec for lower-case hexadecimal text of whole bytes (possibly empty). */
export const HexCodec = new t.Type<string, string, unknown>(
  'hex',
  (u): u is string => typeof u === 'string' && /^([0-9a-f]{2})*$/.test(u),
  (u, c) => {
    if (typeof u !== 'string') return typeMismatch(u, c, `expected hex text, got ${describeValue(u)}`);
    if (!/^([0-9a-fA-F]{2})*$/.test(u)) return t.failure(u, c, `${describeValue(u)} is not hex text of whole bytes`);
    return t.success(u.toLowerCase());
  },
  t.identity,
);

/** io-ts codec for a table id a flow can be in (0..254). */
export const TableIdCodec = intInRange('table id', 0, 0xfe);
