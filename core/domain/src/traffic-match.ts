/**
 * What traffic a rule matches: a protocol and, for TCP and UDP, destination ports. Shared by VFW policies,
 * security-group rules and peerings.
 * @packageDocumentation
 */
import { Invariant, InvariantError } from './errors';
import { checkArray, checkEnum, describe, violation, within, type Where } from './validation.helpers';

/** Smallest valid TCP/UDP port in a match. Port 0 is not a real destination port. */
export const PORT_MIN = 1;
/** Largest valid TCP/UDP port. */
export const PORT_MAX = 65_535;

/** IP protocols a rule can match. `any` matches every protocol (and then takes no ports). */
export type Protocol = 'tcp' | 'udp' | 'icmp' | 'any';
/** Every {@link Protocol}, for validation and UIs. */
export const PROTOCOLS: readonly Protocol[] = Object.freeze(['tcp', 'udp', 'icmp', 'any'] as const);

/** An inclusive range of TCP/UDP ports, `1 <= from <= to <= 65535`. A single port has `from === to`. */
export interface PortRange {
  /** First port (inclusive). */
  readonly from: number;
  /** Last port (inclusive), never below `from`. */
  readonly to: number;
}

/** How a port range may be written in an input: `443`, `'443'`, `'8000-8080'`, or `{ from, to }`. */
export type PortRangeInput = number | string | { readonly from: number; readonly to: number };

/**
 * A traffic match. `ports` is empty for "all ports" and for protocols without ports (`icmp`, `any`); it is only
 * allowed with `tcp` and `udp`. Ranges within one match never overlap.
 */
export interface TrafficMatch {
  /** The IP protocol. */
  readonly protocol: Protocol;
  /** Destination port ranges (TCP/UDP only); empty means every port. */
  readonly ports: readonly PortRange[];
}

/** Input of {@link createTrafficMatch}: `ports` may be omitted (all ports). */
export interface TrafficMatchInput {
  readonly protocol: Protocol;
  readonly ports?: readonly PortRangeInput[];
}

/** True if `n` is an integer in 1..65535. */
export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= PORT_MIN && n <= PORT_MAX;
}

/** Throws `InvariantError(port-range)` unless `n` is a port in 1..65535. `what` names the field. */
export function assertPort(n: unknown, what = 'port'): asserts n is number {
  if (!isPort(n)) {
    throw new InvariantError(Invariant.PORT_RANGE, `${what} ${describe(n)} is outside ${PORT_MIN}..${PORT_MAX}`, { details: { value: n } });
  }
}

const PORT_TEXT = /^(0|[1-9]\d{0,4})$/;

/**
 * Parses a port range: a number, `'443'`, `'8000-8080'` or `{ from, to }`.
 * @throws InvariantError `port-range` for a port outside 1..65535 or a malformed text, `range-invalid` if
 *   `from > to`.
 * @example parsePortRange('8000-8080') // { from: 8000, to: 8080 }
 */
export function parsePortRange(input: PortRangeInput): PortRange {
  let from: unknown;
  let to: unknown;
  if (typeof input === 'number') {
    from = to = input;
  } else if (typeof input === 'string') {
    const parts = input.split('-');
    if (parts.length > 2 || !parts.every((p) => PORT_TEXT.test(p))) {
      throw new InvariantError(Invariant.PORT_RANGE, `port range ${describe(input)} is not a port or "from-to" (e.g. 443 or 8000-8080)`, {
        details: { value: input },
      });
    }
    from = Number(parts[0]);
    to = Number(parts[1] ?? parts[0]);
  } else if (typeof input === 'object' && input !== null) {
    from = input.from;
    to = input.to;
  } else {
    throw new InvariantError(Invariant.PORT_RANGE, `port range ${describe(input)} is not a port or "from-to"`, { details: { value: input } });
  }
  assertPort(from, 'port');
  assertPort(to, 'port');
  if (from > to) {
    throw new InvariantError(Invariant.RANGE_INVALID, `port range ${from}-${to} starts after it ends`, { details: { value: input } });
  }
  return Object.freeze({ from, to });
}

/** Text of a port range: `443` or `8000-8080`. */
export function formatPortRange(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

/** True if `port` is inside one of the match's ranges (an empty range list matches every port). */
export function matchesPort(m: TrafficMatch, port: number): boolean {
  return m.ports.length === 0 || m.ports.some((r) => port >= r.from && port <= r.to);
}

/**
 * Validates a traffic match; used by the models that embed one. `where`/`field` name it in messages.
 * @throws InvariantError `value-invalid` (unknown protocol, ports with icmp/any), `port-range`, `range-invalid`,
 *   `duplicate` (two ranges overlap).
 */
export function createTrafficMatch(input: TrafficMatchInput, where: Where = { kind: 'match' }, field = 'match'): TrafficMatch {
  if (typeof input !== 'object' || input === null) {
    throw violation(Invariant.VALUE_INVALID, where, `${field} must be an object, got ${describe(input)}`, { field });
  }
  const protocol = checkEnum(input.protocol, PROTOCOLS, where, `${field}.protocol`);
  const raw = checkArray(input.ports, where, `${field}.ports`);
  if (raw.length > 0 && protocol !== 'tcp' && protocol !== 'udp') {
    throw violation(Invariant.VALUE_INVALID, where, `${field} protocol ${protocol} takes no ports (only tcp and udp do)`, { field, protocol });
  }
  const ports = raw.map((p, i) => within(where, `${field}.ports[${i}]`, () => parsePortRange(p as PortRangeInput)));
  const sorted = [...ports].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as PortRange;
    const cur = sorted[i] as PortRange;
    if (cur.from <= prev.to) {
      throw violation(Invariant.DUPLICATE, where, `${field} ports ${formatPortRange(prev)} and ${formatPortRange(cur)} overlap`, { field });
    }
  }
  return Object.freeze({ protocol, ports: Object.freeze(ports) });
}
