/**
 * VRB (virtual routing bridge, "service leaf"): joins a VPC to other resource pools, other fabrics or other sites,
 * by route targets (EVPN route leaking between VRFs) and/or BGP peers at the border.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { isIpv4, parseIp, formatIp } from './ip';
import { checkArray, checkEnum, checkInteger, checkIp, checkName, checkObject, sealModel, describe, violation, type Where } from './validation.helpers';

/** Largest 4-byte AS number. */
export const ASN_MAX = 4_294_967_295;

/** Which way a route target applies to the VPC's VRF. */
export type RouteTargetDirection = 'import' | 'export' | 'both';

/** A BGP extended-community route target on the VPC's VRF. */
export interface RouteTarget {
  /**
   * Canonical text, one of the RFC 4360 forms: `<2-byte ASN>:<0..4294967295>`, `<4-byte ASN>:<0..65535>`
   * (ASN above 65535) or `<IPv4>:<0..65535>`. Example: `65000:100`, `192.0.2.1:7`.
   */
  readonly value: string;
  /** `import`, `export` or `both`. */
  readonly direction: RouteTargetDirection;
}

/** A BGP peer at the border of the VRB (a router of another pool, fabric or site). */
export interface BorderPeer {
  /** Peer address, canonical text. */
  readonly address: string;
  /** Peer AS number, 1..4294967295. */
  readonly asn: number;
}

/** A virtual routing bridge. */
export interface Vrb {
  /** Unique VRB name (safe name). */
  readonly name: string;
  /** Name of the VPC it joins to the outside. */
  readonly vpc: string;
  /** Route targets (unique values). */
  readonly routeTargets: readonly RouteTarget[];
  /** Border BGP peers (unique addresses). */
  readonly borderPeers: readonly BorderPeer[];
}

/** Input of {@link createVrb}; omitted lists are empty. */
export interface VrbInput {
  readonly name: string;
  readonly vpc: string;
  readonly routeTargets?: readonly RouteTarget[];
  readonly borderPeers?: readonly BorderPeer[];
}

const UINT = /^(0|[1-9]\d*)$/;

/**
 * Parses a route target (see {@link RouteTarget.value}) and returns its canonical text, or `undefined` if it is not
 * one of the RFC 4360 forms.
 */
export function parseRouteTarget(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const colon = text.lastIndexOf(':');
  if (colon === -1) return undefined;
  const admin = text.slice(0, colon);
  const assigned = text.slice(colon + 1);
  if (!UINT.test(assigned)) return undefined;
  const nn = Number(assigned);
  if (isIpv4(admin)) return nn <= 65_535 ? `${formatIp(parseIp(admin))}:${nn}` : undefined;
  if (!UINT.test(admin)) return undefined;
  const asn = Number(admin);
  if (asn <= 65_535) return nn <= ASN_MAX ? `${asn}:${nn}` : undefined;
  return asn <= ASN_MAX && nn <= 65_535 ? `${asn}:${nn}` : undefined;
}

/**
 * Validates a VRB's own invariants and returns a frozen VRB.
 * @throws InvariantError `name-invalid`, `value-invalid` (route target form, direction, AS number),
 *   `ip-invalid` (peer address), `duplicate` (a route target or peer address twice).
 * @example createVrb({ name: 'shop-dci', vpc: 'shop', routeTargets: [{ value: '65000:100', direction: 'both' }] })
 */
export function createVrb(input: VrbInput): Vrb {
  const raw = checkObject(input, { kind: 'VRB' });
  const name = checkName(raw['name'], { kind: 'VRB' }, 'name');
  const where: Where = { kind: 'VRB', name };
  const vpc = checkName(raw['vpc'], where, 'vpc');
  const seenRt = new Set<string>();
  const routeTargets = checkArray(raw['routeTargets'], where, 'routeTargets').map((r, i): RouteTarget => {
    const field = `routeTargets[${i}]`;
    const rt = checkObject(r, { kind: `VRB "${name}" ${field}` });
    const value = parseRouteTarget(rt['value'] as string);
    if (value === undefined) {
      throw violation(
        Invariant.VALUE_INVALID,
        where,
        `route target ${describe(rt['value'])} is not ASN:nn (2-byte ASN with 32-bit nn, or 4-byte ASN with 16-bit nn) or IPv4:nn`,
        { field, value: rt['value'] },
      );
    }
    if (seenRt.has(value)) throw violation(Invariant.DUPLICATE, where, `lists route target ${value} twice`, { field, value });
    seenRt.add(value);
    return { value, direction: checkEnum<RouteTargetDirection>(rt['direction'], ['import', 'export', 'both'], where, `${field}.direction`) };
  });
  const seenPeer = new Set<string>();
  const borderPeers = checkArray(raw['borderPeers'], where, 'borderPeers').map((p, i): BorderPeer => {
    const field = `borderPeers[${i}]`;
    const peer = checkObject(p, { kind: `VRB "${name}" ${field}` });
    const address = checkIp(peer['address'], where, `${field}.address`).text;
    if (seenPeer.has(address)) throw violation(Invariant.DUPLICATE, where, `lists border peer ${address} twice`, { field, value: address });
    seenPeer.add(address);
    return { address, asn: checkInteger(peer['asn'], where, `${field}.asn`, 1, ASN_MAX) };
  });
  return sealModel({ name, vpc, routeTargets, borderPeers });
}
