/**
 * Every nftables string the adapter writes, in one place: the names of the objects netloom keeps in its table, the
 * comments that mark them, the rule shapes (as data: {@link NftRule}) and the script statements.
 *
 * Layout of the owned table (`inet netloom` by default):
 *
 * | object | nft objects |
 * |---|---|
 * | zone `Z` | sets `zone_Z_if` (ifname), `zone_Z_v4`, `zone_Z_v6` (interval); chain `zone_Z_in` (intra-zone accept) |
 * | address set `A` | sets `as_A_v4`, `as_A_v6` (interval) |
 * | policy `P` | chains `pol_P_dz` (destination zone) and `pol_P_mt` (match); sets `pol_P_sa4`/`sa6`/`da4`/`da6` (its own addresses), `pol_P_dpt` (ports) when used |
 * | (base) | chain `forward` `{ type filter hook forward priority 0; policy drop; }` |
 *
 * The prefixes (`zone_`, `as_`, `pol_`) and the fixed-length suffixes keep two objects' names apart whatever the
 * netloom names are, and let a name that starts with a digit become an nft identifier.
 *
 * Every text produced here passes an allowlist first ({@link assertNftToken}): a value that could break out of its
 * token (quote, space, `;`, `{`, newline) is refused with `InputError` before any byte reaches `nft`.
 *
 * @packageDocumentation
 */
import { InputError } from '@netloom/ports';

/** The parts of a zone's interface and network sets. */
export const ZONE_SET_PARTS = ['if', 'v4', 'v6'] as const;
/** A part of a zone's sets. */
export type ZoneSetPart = (typeof ZONE_SET_PARTS)[number];
/** The parts of an address set's sets. */
export const ADDRESS_SET_PARTS = ['v4', 'v6'] as const;
/** A part of an address set's sets. */
export type AddressSetPart = (typeof ADDRESS_SET_PARTS)[number];
/** The sets a policy may own: source/destination literal addresses per family, destination ports. */
export const POLICY_SET_PARTS = ['sa4', 'sa6', 'da4', 'da6', 'dpt'] as const;
/** A part of a policy's own sets. */
export type PolicySetPart = (typeof POLICY_SET_PARTS)[number];

/** What a set holds (and so its nft type). */
export type NftSetKind = 'ifname' | 'ipv4' | 'ipv6' | 'port';

/** The nft set declaration of each kind. */
export const SET_DECLARATION: { readonly [K in NftSetKind]: string } = {
  ifname: '{ type ifname; }',
  ipv4: '{ type ipv4_addr; flags interval; }',
  ipv6: '{ type ipv6_addr; flags interval; }',
  port: '{ type inet_service; flags interval; }',
};

/** The nft type name of each set kind (as `nft -j` reports it). */
export const SET_TYPE: { readonly [K in NftSetKind]: string } = { ifname: 'ifname', ipv4: 'ipv4_addr', ipv6: 'ipv6_addr', port: 'inet_service' };

/** Whether a set kind carries `flags interval`. */
export const SET_INTERVAL: { readonly [K in NftSetKind]: boolean } = { ifname: false, ipv4: true, ipv6: true, port: true };

/** The kind of each zone set part. */
export const ZONE_SET_KIND: { readonly [P in ZoneSetPart]: NftSetKind } = { if: 'ifname', v4: 'ipv4', v6: 'ipv6' };
/** The kind of each address set part. */
export const ADDRESS_SET_KIND: { readonly [P in AddressSetPart]: NftSetKind } = { v4: 'ipv4', v6: 'ipv6' };
/** The kind of each policy set part. */
export const POLICY_SET_KIND: { readonly [P in PolicySetPart]: NftSetKind } = { sa4: 'ipv4', sa6: 'ipv6', da4: 'ipv4', da6: 'ipv6', dpt: 'port' };

/** The base chain every rule hangs off. */
export const FORWARD_CHAIN = 'forward';
/** The base chain's declaration: default deny for everything forwarded. */
export const FORWARD_DECLARATION = '{ type filter hook forward priority 0; policy drop; }';

/** Names of the objects in the owned table. */
export const NAMES = {
  zoneSet: (zone: string, part: ZoneSetPart): string => `zone_${zone}_${part}`,
  zoneChain: (zone: string): string => `zone_${zone}_in`,
  addressSet: (name: string, part: AddressSetPart): string => `as_${name}_${part}`,
  policySet: (policy: string, part: PolicySetPart): string => `pol_${policy}_${part}`,
  policyDispatch: (policy: string): string => `pol_${policy}_dz`,
  policyMatch: (policy: string): string => `pol_${policy}_mt`,
} as const;

/** Patterns that map an object name back to the netloom name and the part. */
export const NAME_PATTERNS = {
  zoneSet: /^zone_(.+)_(if|v4|v6)$/,
  zoneChain: /^zone_(.+)_in$/,
  addressSet: /^as_(.+)_(v4|v6)$/,
  policySet: /^pol_(.+)_(sa4|sa6|da4|da6|dpt)$/,
  policyChain: /^pol_(.+)_(dz|mt)$/,
} as const;

/** Rule comments: the ownership and identity markers observe maps rules back with. */
export const COMMENTS = {
  base: 'netloom:base',
  zone: (zone: string): string => `netloom:zone:${zone}`,
  // NOTE: nft refuses comments over 128 characters (nftables 1.0.6); zone and VPC names of 63 each would not fit in
  // one. A set's comment cannot carry the VPC either: `add set` of an existing set leaves its comment unchanged.
  /** On a zone's intra-zone rules when the zone names its VPC. */
  vpc: (vpc: string): string => `netloom:vpc:${vpc}`,
  policy: (policy: string, priority: number): string => `netloom:policy:${policy}:${priority}`,
} as const;

/** Patterns of the comments. */
export const COMMENT_PATTERNS = {
  vpc: /^netloom:vpc:(.+)$/,
  policy: /^netloom:policy:(.+):([0-9]{1,5})$/,
} as const;

/** The log prefix of a policy with `log: true`. */
export const logPrefix = (policy: string): string => `netloom ${policy} `;

/** The nft `meta l4proto` value of each matchable protocol. */
export const L4PROTO = { tcp: 'tcp', udp: 'udp', sctp: 'sctp', icmp: 'icmp', icmpv6: 'ipv6-icmp' } as const;
/** An nft `meta l4proto` value netloom writes. */
export type NftL4Proto = (typeof L4PROTO)[keyof typeof L4PROTO];

/** A match on a named set: `iifname @zone_a_if`, `ip saddr @as_x_v4`, `tcp dport @pol_p_dpt`. */
export interface NftSetMatch {
  readonly kind: 'set';
  readonly key: NftSetMatchKey;
  readonly set: string;
}
/** What a set match compares. */
export type NftSetMatchKey = 'iifname' | 'oifname' | 'ip saddr' | 'ip daddr' | 'ip6 saddr' | 'ip6 daddr' | 'tcp dport' | 'udp dport' | 'sctp dport';
/** The set match keys (for parsing). */
export const SET_MATCH_KEYS: readonly NftSetMatchKey[] = ['iifname', 'oifname', 'ip saddr', 'ip daddr', 'ip6 saddr', 'ip6 daddr', 'tcp dport', 'udp dport', 'sctp dport'];

/** One match of a rule. */
export type NftMatch =
  | NftSetMatch
  | { readonly kind: 'l4proto'; readonly proto: NftL4Proto }
  | { readonly kind: 'ctstate'; readonly states: readonly string[] };

/** What a rule does when it matches. */
export type NftVerdict = { readonly kind: 'accept' } | { readonly kind: 'drop' } | { readonly kind: 'jump'; readonly chain: string };

/** One rule, as data. Its text is {@link ruleText}; observe turns `nft -j` rules back into this shape. */
export interface NftRule {
  readonly chain: string;
  readonly matches: readonly NftMatch[];
  /** `log prefix "<text>"` before the verdict. */
  readonly logPrefix?: string;
  readonly verdict: NftVerdict;
  readonly comment?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Allowlists: the last line of defence before text reaches nft (the vocabulary codecs are the first).

/** The tokens a script may contain, by what they are. */
export const TOKEN_PATTERNS = {
  /** Table, chain and set names. */
  identifier: /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/,
  /** Interface names (the kernel's limit is 15 characters). */
  ifname: /^[A-Za-z0-9][A-Za-z0-9._/-]{0,14}$/,
  /** IPv4 or IPv6 prefixes. */
  prefix: /^[0-9A-Fa-f:.]{2,45}\/[0-9]{1,3}$/,
  /** A port or a port range. */
  port: /^[0-9]{1,5}(-[0-9]{1,5})?$/,
  /** Comments (nft allows 128 characters). */
  comment: /^[A-Za-z0-9:._-]{1,128}$/,
  /** Log prefixes (nft allows 127 characters). */
  logPrefix: /^[A-Za-z0-9:._ -]{1,127}$/,
  /** Connection tracking states. */
  ctState: /^(established|related|invalid|new|untracked)$/,
} as const;

/** A token kind of {@link TOKEN_PATTERNS}. */
export type NftTokenKind = keyof typeof TOKEN_PATTERNS;

/**
 * Throws `InputError` unless `value` is a `kind` token (no quote, space, `;`, brace or newline can pass).
 * @example assertNftToken('identifier', 'zone_vpc-a_if') // ok; assertNftToken('identifier', 'a;b') // InputError
 */
export function assertNftToken(kind: NftTokenKind, value: string): string {
  if (typeof value !== 'string' || !TOKEN_PATTERNS[kind].test(value)) {
    throw new InputError(`refusing to render ${JSON.stringify(value)} into an nft script: it is not a valid ${kind}`, [{ path: kind, reason: `${JSON.stringify(value)} does not match ${TOKEN_PATTERNS[kind].source}` }]);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Texts

/** The text of one set element. */
export function elementText(kind: NftSetKind, value: string | { readonly from: number; readonly to: number }): string {
  if (kind === 'port') {
    if (typeof value === 'string') throw new InputError(`a port set element must be a range, got ${JSON.stringify(value)}`);
    const text = value.from === value.to ? String(value.from) : `${value.from}-${value.to}`;
    return assertNftToken('port', text);
  }
  if (typeof value !== 'string') throw new InputError(`a ${kind} set element must be text`);
  return kind === 'ifname' ? `"${assertNftToken('ifname', value)}"` : assertNftToken('prefix', value);
}

function matchText(m: NftMatch): string {
  switch (m.kind) {
    case 'set':
      return `${m.key} @${assertNftToken('identifier', m.set)}`;
    case 'l4proto':
      return `meta l4proto ${m.proto}`;
    case 'ctstate':
      return `ct state ${m.states.map((s) => assertNftToken('ctState', s)).join(',')}`;
  }
}

function verdictText(v: NftVerdict): string {
  return v.kind === 'jump' ? `jump ${assertNftToken('identifier', v.chain)}` : v.kind;
}

/**
 * The text of a rule after `add rule <family> <table> <chain>`.
 * @example ruleText({ chain: 'forward', matches: [{ kind: 'ctstate', states: ['invalid'] }], verdict: { kind: 'drop' }, comment: 'netloom:base' })
 * // 'ct state invalid drop comment "netloom:base"'
 */
export function ruleText(rule: NftRule): string {
  const parts = rule.matches.map(matchText);
  if (rule.logPrefix !== undefined) parts.push(`log prefix "${assertNftToken('logPrefix', rule.logPrefix)}"`);
  parts.push(verdictText(rule.verdict));
  if (rule.comment !== undefined) parts.push(`comment "${assertNftToken('comment', rule.comment)}"`);
  return parts.join(' ');
}

/** Builds the statements of an nft script for one table. Every method returns one line. */
export class NftStatements {
  readonly family: string;
  readonly table: string;
  readonly #prefix: string;

  constructor(family: string, table: string) {
    this.family = assertNftToken('identifier', family);
    this.table = assertNftToken('identifier', table);
    this.#prefix = `${this.family} ${this.table}`;
  }

  /** `add table inet netloom` (a no-op when it exists). */
  addTable(): string {
    return `add table ${this.#prefix}`;
  }

  /** `delete table inet netloom`. */
  deleteTable(): string {
    return `delete table ${this.#prefix}`;
  }

  /** The base chain with its hook and default-drop policy (re-asserts the policy when it exists). */
  addForwardChain(): string {
    return `add chain ${this.#prefix} ${FORWARD_CHAIN} ${FORWARD_DECLARATION}`;
  }

  /** `add chain` of a regular chain. */
  addChain(name: string): string {
    return `add chain ${this.#prefix} ${assertNftToken('identifier', name)}`;
  }

  /** `flush chain`: removes the chain's rules. */
  flushChain(name: string): string {
    return `flush chain ${this.#prefix} ${assertNftToken('identifier', name)}`;
  }

  /** `delete chain`. */
  deleteChain(name: string): string {
    return `delete chain ${this.#prefix} ${assertNftToken('identifier', name)}`;
  }

  /** `add set` of a set of `kind`. */
  addSet(name: string, kind: NftSetKind): string {
    return `add set ${this.#prefix} ${assertNftToken('identifier', name)} ${SET_DECLARATION[kind]}`;
  }

  /** `flush set`: removes the set's elements. */
  flushSet(name: string): string {
    return `flush set ${this.#prefix} ${assertNftToken('identifier', name)}`;
  }

  /** `delete set`. */
  deleteSet(name: string): string {
    return `delete set ${this.#prefix} ${assertNftToken('identifier', name)}`;
  }

  /** `add element` of every element (the caller skips empty lists: `{ }` is not valid nft). */
  addElements(name: string, kind: NftSetKind, elements: readonly (string | { readonly from: number; readonly to: number })[]): string {
    return `add element ${this.#prefix} ${assertNftToken('identifier', name)} { ${elements.map((e) => elementText(kind, e)).join(', ')} }`;
  }

  /** `add rule` (appends to the chain). */
  addRule(rule: NftRule): string {
    return `add rule ${this.#prefix} ${assertNftToken('identifier', rule.chain)} ${ruleText(rule)}`;
  }
}
