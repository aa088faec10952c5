/**
 * Subnet: an address block of one VPC, single- or dual-stack. Endpoint addresses come from a subnet (not from a
 * per-node CIDR); pods of one service sit in one subnet. On the fabric a subnet is one LS (L2 segment) with an
 * anycast gateway per family. Different VPCs may use overlapping CIDRs; subnets of one VPC may not overlap
 * (checked across the network by `checkNetwork`).
 *
 * Addresses are kept as canonical text (see `formatIp`/`formatCidr`) so that models are JSON-safe (a `bigint`
 * is not) and compare with `===`; parse them with `parseCidr`/`parseIp` (or {@link subnetCidrs}) for arithmetic.
 * @packageDocumentation
 */
import { Invariant } from './errors';
import {
  cidrContains,
  cidrContainsRange,
  cidrFirst,
  cidrLast,
  cidrSize,
  formatCidr,
  formatIp,
  formatIpRange,
  ipFromBigint,
  parseCidr,
  parseIpRange,
  type Cidr,
  type IpAddress,
  type IpFamily,
  type IpRange,
} from './ip';
import {
  checkArray,
  checkBoolean,
  checkCidr,
  checkIp,
  checkName,
  checkNameList,
  checkObject,
  compact,
  sealModel,
  familyName,
  violation,
  within,
  type Where,
} from './validation.helpers';

/** The addressing of one family (IPv4 or IPv6) of a subnet. */
export interface SubnetFamily {
  /** The CIDR block, canonical text (`10.0.0.0/24`, `fd00:0:0:1::/64`); host bits zero. */
  readonly cidr: string;
  /**
   * The gateway address (canonical text): the LS's anycast gateway on the leaf. Inside `cidr`; for IPv4 blocks of
   * /30 or larger it is neither the network nor the broadcast address. Never handed to an endpoint.
   */
  readonly gateway: string;
  /**
   * Ranges the allocator never hands out, canonical text: `first..last` (inclusive) or a single address. Each lies
   * inside `cidr`. Fixed IPs requested explicitly are not checked against them.
   */
  readonly excludeRanges: readonly string[];
}

/** A subnet. At least one of `ipv4` / `ipv6` is present; both for dual stack. */
export interface Subnet {
  /** Unique subnet name across the network (safe name; it names the LS and reaches devices). */
  readonly name: string;
  /** Name of the VPC the subnet belongs to. */
  readonly vpc: string;
  /** IPv4 addressing, if the subnet has an IPv4 CIDR. */
  readonly ipv4?: SubnetFamily;
  /** IPv6 addressing, if the subnet has an IPv6 CIDR. */
  readonly ipv6?: SubnetFamily;
  /**
   * Namespaces this subnet serves (each must belong to the subnet's VPC). Empty means every namespace of the VPC.
   */
  readonly namespaces: readonly string[];
  /**
   * True if this is the default subnet of the namespaces it serves: pods without a `netloom.io/subnet` annotation
   * get their address here. A namespace has at most one default subnet (checked by `checkNetwork`).
   */
  readonly default: boolean;
}

/**
 * Input of {@link createSubnet}, shaped like the `Subnet` CR: flat lists, families mixed, any valid text form.
 * @example { name: 'web', vpc: 'shop', cidrs: ['10.0.0.0/24', 'fd00::/64'], gateways: ['10.0.0.1'],
 *   excludeRanges: ['10.0.0.2..10.0.0.9'], namespaces: ['shop'], default: true }
 */
export interface SubnetInput {
  readonly name: string;
  readonly vpc: string;
  /** One CIDR, or one IPv4 and one IPv6 CIDR (dual stack). Host bits must be zero. */
  readonly cidrs: readonly string[];
  /**
   * At most one gateway per family, each matched to the CIDR of its family. A family without a gateway gets the
   * first address after the network address (`10.0.0.1`, `fd00::1`); a block too small for that needs an explicit
   * gateway.
   */
  readonly gateways?: readonly string[];
  /** Exclude ranges of either family: `a..b` or a single address. */
  readonly excludeRanges?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly default?: boolean;
}

/** True if IPv4 `c` has a network and a broadcast address that must not be used (prefix /30 or shorter). */
function hasV4NetworkAndBroadcast(c: Cidr): boolean {
  return c.family === 4 && c.prefix <= 30;
}

/**
 * Why `ip` may not be given to an endpoint of this subnet family, or `undefined` if it may: it is the gateway, or
 * (IPv4, /30 or larger) the network or broadcast address. Exclude ranges are not considered here.
 */
export function subnetReservedReason(family: SubnetFamily, ip: IpAddress): 'gateway' | 'network address' | 'broadcast address' | undefined {
  const cidr = parseCidr(family.cidr);
  if (cidr.family !== ip.family) return undefined;
  if (formatIp(ip) === family.gateway) return 'gateway';
  if (hasV4NetworkAndBroadcast(cidr)) {
    if (ip.value === cidrFirst(cidr)) return 'network address';
    if (ip.value === cidrLast(cidr)) return 'broadcast address';
  }
  return undefined;
}

/** The subnet's families, IPv4 first. */
export function subnetFamilies(s: Subnet): readonly SubnetFamily[] {
  return [s.ipv4, s.ipv6].filter((f): f is SubnetFamily => f !== undefined);
}

/** The subnet's family `family`, if it has one. */
export function subnetFamily(s: Subnet, family: IpFamily): SubnetFamily | undefined {
  return family === 4 ? s.ipv4 : s.ipv6;
}

/** The subnet's CIDR blocks, parsed, IPv4 first. */
export function subnetCidrs(s: Subnet): readonly Cidr[] {
  return subnetFamilies(s).map((f) => parseCidr(f.cidr));
}

/** The subnet family's exclude ranges, parsed. */
export function subnetExcludeRanges(f: SubnetFamily): readonly IpRange[] {
  return f.excludeRanges.map((r) => parseIpRange(r));
}

/**
 * Validates a subnet's own invariants and returns a frozen, canonical subnet.
 * @throws InvariantError
 *   - `name-invalid`: name, vpc or a namespace is not a safe name;
 *   - `cidr-invalid`: a CIDR is malformed or has host bits set (the message suggests the network);
 *   - `value-invalid`: no CIDR, more than two, or a block too small for a default gateway;
 *   - `duplicate`: two CIDRs or two gateways of one family, a namespace listed twice;
 *   - `ip-invalid`: a gateway or exclude address is malformed;
 *   - `family-mismatch`: a gateway or exclude range of a family the subnet has no CIDR for;
 *   - `gateway-outside-cidr`: a gateway outside its CIDR, or the IPv4 network/broadcast address;
 *   - `exclude-outside-cidr`: an exclude range not inside its CIDR;
 *   - `range-invalid`: an exclude range whose start is after its end.
 * @example createSubnet({ name: 'web', vpc: 'shop', cidrs: ['10.0.0.0/24'] }).ipv4?.gateway // '10.0.0.1'
 */
export function createSubnet(input: SubnetInput): Subnet {
  const raw = checkObject(input, { kind: 'subnet' });
  const name = checkName(raw['name'], { kind: 'subnet' }, 'name');
  const where: Where = { kind: 'subnet', name };
  const vpc = checkName(raw['vpc'], where, 'vpc');

  const cidrTexts = checkArray(raw['cidrs'], where, 'cidrs', false);
  if (cidrTexts.length === 0 || cidrTexts.length > 2) {
    throw violation(Invariant.VALUE_INVALID, where, `cidrs must hold one CIDR or one IPv4 and one IPv6 CIDR, got ${cidrTexts.length}`, {
      field: 'cidrs',
      value: cidrTexts,
    });
  }
  const cidrs = new Map<IpFamily, Cidr>();
  cidrTexts.forEach((text, i) => {
    const { cidr } = checkCidr(text, where, `cidrs[${i}]`);
    const other = cidrs.get(cidr.family);
    if (other) {
      throw violation(
        Invariant.DUPLICATE,
        where,
        `cidrs has two ${familyName(cidr.family)} CIDRs (${formatCidr(other)}, ${formatCidr(cidr)}); a subnet has at most one per family`,
        { field: 'cidrs', value: cidrTexts },
      );
    }
    cidrs.set(cidr.family, cidr);
  });

  const gateways = new Map<IpFamily, IpAddress>();
  checkArray(raw['gateways'], where, 'gateways').forEach((text, i) => {
    const field = `gateways[${i}]`;
    const { ip, text: gw } = checkIp(text, where, field);
    const cidr = cidrs.get(ip.family);
    if (!cidr) {
      throw violation(Invariant.FAMILY_MISMATCH, where, `gateway ${gw} is ${familyName(ip.family)} but the subnet has no ${familyName(ip.family)} CIDR`, {
        field,
        value: gw,
      });
    }
    if (gateways.has(ip.family)) {
      throw violation(Invariant.DUPLICATE, where, `has two ${familyName(ip.family)} gateways; give at most one per family`, { field, value: gw });
    }
    if (!cidrContains(cidr, ip)) {
      throw violation(Invariant.GATEWAY_OUTSIDE_CIDR, where, `gateway ${gw} is outside ${formatCidr(cidr)}`, { field, value: gw, cidr: formatCidr(cidr) });
    }
    if (hasV4NetworkAndBroadcast(cidr) && (ip.value === cidrFirst(cidr) || ip.value === cidrLast(cidr))) {
      const what = ip.value === cidrFirst(cidr) ? 'network' : 'broadcast';
      throw violation(Invariant.GATEWAY_OUTSIDE_CIDR, where, `gateway ${gw} is the ${what} address of ${formatCidr(cidr)}`, {
        field,
        value: gw,
        cidr: formatCidr(cidr),
      });
    }
    gateways.set(ip.family, ip);
  });
  for (const [family, cidr] of cidrs) {
    if (gateways.has(family)) continue;
    const minSize = family === 4 ? 4n : 2n;
    if (cidrSize(cidr) < minSize) {
      throw violation(Invariant.VALUE_INVALID, where, `${formatCidr(cidr)} is too small for a default gateway; give one in gateways`, {
        field: 'gateways',
        cidr: formatCidr(cidr),
      });
    }
    gateways.set(family, ipFromBigint(family, cidrFirst(cidr) + 1n));
  }

  const excludes = new Map<IpFamily, string[]>();
  checkArray(raw['excludeRanges'], where, 'excludeRanges').forEach((text, i) => {
    const field = `excludeRanges[${i}]`;
    const range = within(where, field, () => parseIpRange(text as string));
    const shown = formatIpRange(range);
    const cidr = cidrs.get(range.family);
    if (!cidr) {
      throw violation(
        Invariant.FAMILY_MISMATCH,
        where,
        `exclude range ${shown} is ${familyName(range.family)} but the subnet has no ${familyName(range.family)} CIDR`,
        { field, value: shown },
      );
    }
    if (!cidrContainsRange(cidr, range)) {
      throw violation(Invariant.EXCLUDE_OUTSIDE_CIDR, where, `exclude range ${shown} is outside ${formatCidr(cidr)}`, {
        field,
        value: shown,
        cidr: formatCidr(cidr),
      });
    }
    const list = excludes.get(range.family) ?? [];
    list.push(shown);
    excludes.set(range.family, list);
  });

  const family = (f: IpFamily): SubnetFamily | undefined => {
    const cidr = cidrs.get(f);
    const gw = gateways.get(f);
    if (!cidr || !gw) return undefined;
    return { cidr: formatCidr(cidr), gateway: formatIp(gw), excludeRanges: excludes.get(f) ?? [] };
  };

  return sealModel(
    compact<Subnet>({
      name,
      vpc,
      ipv4: family(4),
      ipv6: family(6),
      namespaces: checkNameList(raw['namespaces'], where, 'namespaces'),
      default: checkBoolean(raw['default'], where, 'default', false),
    }),
  );
}

