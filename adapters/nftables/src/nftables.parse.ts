/**
 * Observe's parser: the `nft -j list table <family> <table>` reply → the firewall config netloom owns.
 *
 * 1. The reply is validated with io-ts ({@link NftListingCodec}): the items netloom reads (`table`, `set`, `chain`,
 *    `rule`) with the fields it needs; the metadata nft adds (handles, `metainfo`, set policies) is dropped. Any
 *    other item (a map, a counter someone added) is ignored. A reply that is not JSON or does not validate is a
 *    `DeviceProtocolError` naming the path and the reason.
 * 2. Rules are turned back into {@link NftRule}s; sets into their elements.
 * 3. Objects are rebuilt by name (see `nftables.syntax.ts`) and kept only if the device holds exactly what netloom
 *    would render for them (every set, chain and rule, in order). An object that was edited by hand, or half
 *    deleted, is left out: plan then re-creates it, and a create repairs leftovers. If the rules of `forward` differ
 *    from what the observed objects need (a rule moved, added or removed by hand), every zone and policy is left out,
 *    for the same reason.
 * 4. The config is decoded with the firewall codec (canonical form); a config that does not decode (two zones
 *    claiming one interface by hand edits) is a `DeviceProtocolError`.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  DeviceProtocolError,
  configEquals,
  decodeProblems,
  firewallVocabulary,
  type AddressSet,
  type FirewallConfig,
  type Policy,
  type Zone,
} from '@netloom/ports';
import {
  addressSetSets,
  forwardRules,
  policyDispatchRules,
  policyMatchRules,
  policySets,
  zoneChainRules,
  zoneSets,
  type NftSetSpec,
  type PlainRange,
} from './nftables.model';
import {
  COMMENT_PATTERNS,
  FORWARD_CHAIN,
  L4PROTO,
  NAMES,
  NAME_PATTERNS,
  SET_INTERVAL,
  SET_MATCH_KEYS,
  SET_TYPE,
  type NftL4Proto,
  type NftMatch,
  type NftRule,
  type NftSetKind,
  type NftSetMatchKey,
  type NftVerdict,
} from './nftables.syntax';

// ---------------------------------------------------------------------------------------------------------------
// The reply, as io-ts codecs (t.type: nft's extra metadata keys are dropped, the ones read are required).

/** A set element as nft prints it: a value, a prefix, a range, or an element with its own comment or timeout. */
export const NftElementCodec = t.union([
  t.string,
  t.number,
  t.type({ prefix: t.type({ addr: t.string, len: t.number }) }),
  t.type({ range: t.tuple([t.union([t.string, t.number]), t.union([t.string, t.number])]) }),
  t.type({ elem: t.type({ val: t.unknown }) }),
]);
/** A set element as nft prints it. */
export type NftElement = t.TypeOf<typeof NftElementCodec>;

/** A `table` item. */
export const NftTableItemCodec = t.type({ table: t.type({ family: t.string, name: t.string }) });
/** A `set` item. */
export const NftSetItemCodec = t.type({
  set: t.intersection([
    t.type({ family: t.string, table: t.string, name: t.string, type: t.union([t.string, t.array(t.string)]) }),
    t.partial({ flags: t.array(t.string), elem: t.array(NftElementCodec), comment: t.string }),
  ]),
});
/** A `chain` item. */
export const NftChainItemCodec = t.type({
  chain: t.intersection([t.type({ family: t.string, table: t.string, name: t.string }), t.partial({ type: t.string, hook: t.string, prio: t.number, policy: t.string })]),
});
/** A `rule` item: its statements stay unknown records here and are read one by one ({@link ruleFromExpressions}). */
export const NftRuleItemCodec = t.type({
  rule: t.intersection([t.type({ family: t.string, table: t.string, chain: t.string, expr: t.array(t.UnknownRecord) }), t.partial({ comment: t.string, handle: t.number })]),
});
/** The whole reply of `nft -j list ...`. */
export const NftListingCodec = t.type({ nftables: t.array(t.UnknownRecord) });

/** A set as read: its kind-relevant facts and raw elements. */
export interface ObservedSet {
  readonly name: string;
  readonly type: string;
  readonly interval: boolean;
  readonly elements: readonly NftElement[];
}

/** A chain as read: its rules in order (`undefined` for a rule netloom cannot read: it never writes such rules). */
export interface ObservedChain {
  readonly name: string;
  readonly rules: readonly (NftRule | undefined)[];
}

/** The owned table as read. */
export interface ObservedTable {
  readonly sets: ReadonlyMap<string, ObservedSet>;
  readonly chains: ReadonlyMap<string, ObservedChain>;
}

function protocolError(subject: string, path: string, reason: string, cause?: unknown): DeviceProtocolError {
  return new DeviceProtocolError(`${subject}: ${path === '' ? '' : `${path}: `}${reason}`, { ...(cause === undefined ? {} : { cause }), details: { path, reason } });
}

function decodeItem<A>(codec: t.Type<A, unknown, unknown>, value: unknown, subject: string, path: string): A {
  const r = decodeProblems(codec, value);
  if (r.value !== undefined) return r.value;
  const first = r.problems[0];
  throw protocolError(subject, `${path}${first === undefined || first.path === '' ? '' : `.${first.path}`}`, first?.reason ?? 'invalid');
}

// ---------------------------------------------------------------------------------------------------------------
// Statements → NftRule

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const L4PROTO_VALUES = Object.values(L4PROTO) as readonly string[];

function matchFrom(m: Record<string, unknown>): NftMatch | undefined {
  const { op, left, right } = m;
  if ((op !== '==' && op !== 'in') || !isRecord(left)) return undefined;
  const setRef = typeof right === 'string' && right.startsWith('@') ? right.slice(1) : undefined;
  let key: string | undefined;
  if (isRecord(left['meta']) && typeof left['meta']['key'] === 'string') {
    const metaKey = left['meta']['key'];
    if (metaKey === 'l4proto') return typeof right === 'string' && L4PROTO_VALUES.includes(right) ? { kind: 'l4proto', proto: right as NftL4Proto } : undefined;
    key = metaKey;
  } else if (isRecord(left['payload']) && typeof left['payload']['protocol'] === 'string' && typeof left['payload']['field'] === 'string') {
    key = `${left['payload']['protocol']} ${left['payload']['field']}`;
  } else if (isRecord(left['ct']) && left['ct']['key'] === 'state') {
    const states = typeof right === 'string' ? [right] : Array.isArray(right) && right.every((s) => typeof s === 'string') ? (right as string[]) : undefined;
    return states === undefined ? undefined : { kind: 'ctstate', states };
  }
  if (key === undefined || setRef === undefined || !(SET_MATCH_KEYS as readonly string[]).includes(key)) return undefined;
  return { kind: 'set', key: key as NftSetMatchKey, set: setRef };
}

/**
 * Reads one rule's statements back into an {@link NftRule}; `undefined` when a statement is not one netloom writes
 * (so the rule is not netloom's as written).
 */
export function ruleFromExpressions(chain: string, expr: readonly Record<string, unknown>[], comment: string | undefined): NftRule | undefined {
  const matches: NftMatch[] = [];
  let logPrefix: string | undefined;
  let verdict: NftVerdict | undefined;
  for (const e of expr) {
    const keys = Object.keys(e);
    if (keys.length !== 1 || verdict !== undefined) return undefined;
    const k = keys[0]!;
    const v = e[k];
    if (k === 'match' && isRecord(v)) {
      const m = matchFrom(v);
      if (m === undefined) return undefined;
      matches.push(m);
    } else if (k === 'log' && isRecord(v) && logPrefix === undefined) {
      if (typeof v['prefix'] !== 'string' || Object.keys(v).length !== 1) return undefined;
      logPrefix = v['prefix'];
    } else if (k === 'accept' || k === 'drop') {
      verdict = { kind: k };
    } else if (k === 'jump' && isRecord(v) && typeof v['target'] === 'string') {
      verdict = { kind: 'jump', chain: v['target'] };
    } else return undefined;
  }
  if (verdict === undefined) return undefined;
  return { chain, matches, ...(logPrefix === undefined ? {} : { logPrefix }), verdict, ...(comment === undefined ? {} : { comment }) };
}

/**
 * Validates a `nft -j list table` reply and keeps the sets and chains of `family table`.
 *
 * @throws DeviceProtocolError (not JSON, or not the shape nft gives)
 */
export function readListing(text: string, family: string, table: string, subject = `nft -j list table ${family} ${table}`): ObservedTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw protocolError(subject, '', `the reply is not JSON (${cause instanceof Error ? cause.message : String(cause)})`, cause);
  }
  const listing = decodeItem(NftListingCodec, json, subject, '');
  const sets = new Map<string, ObservedSet>();
  const chains = new Map<string, { name: string; rules: (NftRule | undefined)[] }>();
  const ours = (o: { family: string; table: string }): boolean => o.family === family && o.table === table;
  listing.nftables.forEach((item, i) => {
    const path = `nftables[${i}]`;
    if ('set' in item) {
      const s = decodeItem(NftSetItemCodec, item, subject, path).set;
      if (ours(s)) sets.set(s.name, { name: s.name, type: Array.isArray(s.type) ? s.type.join(' . ') : s.type, interval: (s.flags ?? []).includes('interval'), elements: s.elem ?? [] });
    } else if ('chain' in item) {
      const c = decodeItem(NftChainItemCodec, item, subject, path).chain;
      if (ours(c) && !chains.has(c.name)) chains.set(c.name, { name: c.name, rules: [] });
    } else if ('rule' in item) {
      const r = decodeItem(NftRuleItemCodec, item, subject, path).rule;
      if (!ours(r)) return;
      const chain = chains.get(r.chain) ?? { name: r.chain, rules: [] };
      chains.set(r.chain, chain);
      chain.rules.push(ruleFromExpressions(r.chain, r.expr, r.comment));
    } else if ('table' in item) {
      decodeItem(NftTableItemCodec, item, subject, path);
    }
    // Other items (metainfo, maps, counters, flowtables ...) carry nothing netloom reads.
  });
  return { sets, chains };
}

// ---------------------------------------------------------------------------------------------------------------
// Sets → values

function addressOf(e: NftElement): string | undefined {
  if (typeof e === 'string') {
    if (/^[0-9.]+$/.test(e)) return `${e}/32`;
    if (e.includes(':')) return `${e}/128`;
    return undefined;
  }
  if (typeof e === 'object' && 'prefix' in e) return `${e.prefix.addr}/${e.prefix.len}`;
  if (typeof e === 'object' && 'elem' in e) return NftElementCodec.is(e.elem.val) ? addressOf(e.elem.val) : undefined;
  return undefined;
}

function portOf(e: NftElement): PlainRange | undefined {
  if (typeof e === 'number') return { from: e, to: e };
  if (typeof e === 'object' && 'range' in e && typeof e.range[0] === 'number' && typeof e.range[1] === 'number') return { from: e.range[0], to: e.range[1] };
  if (typeof e === 'object' && 'elem' in e) return NftElementCodec.is(e.elem.val) ? portOf(e.elem.val) : undefined;
  return undefined;
}

function ifnameOf(e: NftElement): string | undefined {
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && 'elem' in e) return typeof e.elem.val === 'string' ? e.elem.val : undefined;
  return undefined;
}

/** The elements of a set of `kind`, or `undefined` when the set is missing, of another type, or holds an element netloom does not write (an address range). */
function elementsOf(table: ObservedTable, name: string, kind: NftSetKind): (string | PlainRange)[] | undefined {
  const set = table.sets.get(name);
  if (set === undefined || set.type !== SET_TYPE[kind] || set.interval !== SET_INTERVAL[kind]) return undefined;
  const read = kind === 'port' ? portOf : kind === 'ifname' ? ifnameOf : addressOf;
  const out: (string | PlainRange)[] = [];
  for (const e of set.elements) {
    const v = read(e);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

const textsOf = (table: ObservedTable, name: string, kind: NftSetKind): string[] | undefined => elementsOf(table, name, kind) as string[] | undefined;

function sameRules(table: ObservedTable, chain: string, expected: readonly NftRule[]): boolean {
  const c = table.chains.get(chain);
  return c !== undefined && c.rules.every((r) => r !== undefined) && configEquals(c.rules, expected);
}

const sortSets = (sets: readonly NftSetSpec[]): NftSetSpec[] => [...sets].sort((a, b) => (a.name < b.name ? -1 : 1));

/** True if every set of `expected` is on the device with exactly these elements (order aside). */
function sameSets(table: ObservedTable, expected: readonly NftSetSpec[]): boolean {
  return sortSets(expected).every((s) => {
    const have = elementsOf(table, s.name, s.kind);
    if (have === undefined) return false;
    const key = (v: string | PlainRange): string => (typeof v === 'string' ? v : `${v.from}-${v.to}`);
    return configEquals(have.map(key).sort(), s.elements.map(key).sort());
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

type Input = Record<string, unknown> & { key: string };

/** What {@link observedConfig} found besides the config: objects it left out, and why. */
export interface ObservedReport {
  readonly config: FirewallConfig;
  /** `kind "key": reason` for each object on the device that netloom could not map exactly (left out). */
  readonly skipped: readonly string[];
}

function candidates(table: ObservedTable): { zones: Set<string>; addressSets: Set<string>; policies: Set<string> } {
  const zones = new Set<string>();
  const addressSets = new Set<string>();
  const policies = new Set<string>();
  for (const name of table.sets.keys()) {
    const z = NAME_PATTERNS.zoneSet.exec(name);
    if (z !== null) zones.add(z[1]!);
    const a = NAME_PATTERNS.addressSet.exec(name);
    if (a !== null) addressSets.add(a[1]!);
  }
  for (const name of table.chains.keys()) {
    const z = NAME_PATTERNS.zoneChain.exec(name);
    if (z !== null) zones.add(z[1]!);
    const p = NAME_PATTERNS.policyChain.exec(name);
    if (p !== null) policies.add(p[1]!);
  }
  return { zones, addressSets, policies };
}

function readZone(table: ObservedTable, name: string): Input | string {
  const ifs = textsOf(table, NAMES.zoneSet(name, 'if'), 'ifname');
  const v4 = textsOf(table, NAMES.zoneSet(name, 'v4'), 'ipv4');
  const v6 = textsOf(table, NAMES.zoneSet(name, 'v6'), 'ipv6');
  if (ifs === undefined || v4 === undefined || v6 === undefined) return 'its sets are missing or hold elements netloom does not write';
  const chain = table.chains.get(NAMES.zoneChain(name));
  if (chain === undefined) return `chain ${NAMES.zoneChain(name)} is missing`;
  const vpc = chain.rules.map((r) => (r?.comment === undefined ? undefined : COMMENT_PATTERNS.vpc.exec(r.comment)?.[1])).find((v) => v !== undefined);
  const zone = { key: name, name, ...(vpc === undefined ? {} : { vpc }), interfaces: [...ifs].sort(), cidrs: [...v4, ...v6].sort() };
  if (!sameRules(table, NAMES.zoneChain(name), zoneChainRules(zone as unknown as Zone))) return `the rules of chain ${NAMES.zoneChain(name)} are not the ones netloom writes`;
  return zone;
}

function readAddressSet(table: ObservedTable, name: string): Input | string {
  const v4 = textsOf(table, NAMES.addressSet(name, 'v4'), 'ipv4');
  const v6 = textsOf(table, NAMES.addressSet(name, 'v6'), 'ipv6');
  if (v4 === undefined || v6 === undefined) return 'its sets are missing or hold elements netloom does not write';
  if (v4.length + v6.length === 0) return 'it holds no address';
  return { key: name, name, addresses: [...v4, ...v6].sort() };
}

const zoneOfSet = (set: string): string | undefined => NAME_PATTERNS.zoneSet.exec(set)?.[1];

/** The one zone a block of zone-alternative rules names, if they all agree. */
function zoneOfBlock(rules: readonly NftRule[]): string | undefined {
  const zones = new Set(rules.flatMap((r) => r.matches.map((m) => (m.kind === 'set' ? zoneOfSet(m.set) : undefined))));
  const only = [...zones];
  return only.length === 1 ? only[0] : undefined;
}

const INVERSE_L4PROTO: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(L4PROTO).map(([k, v]) => [v, k]));

function readPolicy(table: ObservedTable, name: string, forward: readonly (NftRule | undefined)[]): Input | string {
  const dz = table.chains.get(NAMES.policyDispatch(name));
  const mt = table.chains.get(NAMES.policyMatch(name));
  if (dz === undefined || mt === undefined) return 'one of its chains is missing';
  const jumps = forward.filter((r): r is NftRule => r !== undefined && r.verdict.kind === 'jump' && r.verdict.chain === NAMES.policyDispatch(name));
  const priorityText = jumps[0]?.comment === undefined ? undefined : COMMENT_PATTERNS.policy.exec(jumps[0].comment)?.[2];
  if (priorityText === undefined) return `no rule of ${FORWARD_CHAIN} with its comment jumps to it`;
  const srcZone = zoneOfBlock(jumps);
  const dstZone = zoneOfBlock(dz.rules.filter((r): r is NftRule => r !== undefined));
  if (srcZone === undefined || dstZone === undefined) return 'its source or destination zone cannot be read';
  const rules = mt.rules;
  if (rules.length === 0 || rules.some((r) => r === undefined)) return `chain ${NAMES.policyMatch(name)} holds no rule or a rule netloom does not write`;
  const first = rules[0]!;
  const sourceAddressSets = new Set<string>();
  const destinationAddressSets = new Set<string>();
  let protocol = 'any';
  let withPorts = false;
  for (const m of first.matches) {
    if (m.kind === 'l4proto') protocol = INVERSE_L4PROTO[m.proto] ?? m.proto;
    else if (m.kind === 'set' && m.key.endsWith(' dport')) {
      protocol = m.key.slice(0, m.key.indexOf(' '));
      withPorts = true;
    }
  }
  for (const r of rules as NftRule[]) {
    for (const m of r.matches) {
      if (m.kind !== 'set') continue;
      const addressSet = NAME_PATTERNS.addressSet.exec(m.set)?.[1];
      if (addressSet !== undefined) (m.key.endsWith('saddr') ? sourceAddressSets : destinationAddressSets).add(addressSet);
    }
  }
  // A policy's own addresses are read from its sets, not from the rules: a family without a partner on the other
  // side has no rule (it could never match) but still belongs to the policy.
  const literal = (parts: readonly ['sa4' | 'da4', 'sa6' | 'da6']): string[] | undefined => {
    const out: string[] = [];
    for (const [i, part] of parts.entries()) {
      const set = NAMES.policySet(name, part);
      if (!table.sets.has(set)) continue;
      const values = textsOf(table, set, i === 0 ? 'ipv4' : 'ipv6');
      if (values === undefined) return undefined;
      out.push(...values);
    }
    return out.sort();
  };
  const sourceAddresses = literal(['sa4', 'sa6']);
  const destinationAddresses = literal(['da4', 'da6']);
  const ports = withPorts ? (elementsOf(table, NAMES.policySet(name, 'dpt'), 'port') as PlainRange[] | undefined) : [];
  if (sourceAddresses === undefined || destinationAddresses === undefined || ports === undefined) return 'one of its sets is missing or holds elements netloom does not write';
  const policy = {
    key: name,
    name,
    priority: Number(priorityText),
    srcZone,
    dstZone,
    protocol,
    action: first.verdict.kind === 'accept' ? 'allow' : 'deny',
    ...(sourceAddresses.length > 0 ? { sourceAddresses } : {}),
    ...(sourceAddressSets.size > 0 ? { sourceAddressSets: [...sourceAddressSets].sort() } : {}),
    ...(destinationAddresses.length > 0 ? { destinationAddresses } : {}),
    ...(destinationAddressSets.size > 0 ? { destinationAddressSets: [...destinationAddressSets].sort() } : {}),
    ...(withPorts ? { ports: [...ports].sort((a, b) => a.from - b.from) } : {}),
    ...(first.logPrefix !== undefined ? { log: true } : {}),
  };
  // The policy as read must render to exactly what the device holds (rules, their order, its own sets).
  const typed = policy as unknown as Policy;
  if (!sameRules(table, NAMES.policyMatch(name), policyMatchRules(typed)) || !sameRules(table, NAMES.policyDispatch(name), policyDispatchRules(typed))) {
    return 'its rules are not the ones netloom writes for it';
  }
  if (!sameSets(table, policySets(typed))) return 'its sets do not match its rules';
  return policy;
}

/**
 * Rebuilds the owned firewall config from a table as read (see the module documentation). `checkForward: false`
 * skips the check of `forward` (for a table without one, such as the conformance harness's foreign table).
 *
 * @throws DeviceProtocolError when the objects read do not form a valid config
 */
export function observedConfig(table: ObservedTable, subject: string, options: { readonly checkForward?: boolean } = {}): ObservedReport {
  const skipped: string[] = [];
  const found = candidates(table);
  const zone: Record<string, Input> = {};
  const addressSet: Record<string, Input> = {};
  const policy: Record<string, Input> = {};
  for (const name of [...found.zones].sort()) {
    const z = readZone(table, name);
    if (typeof z === 'string') skipped.push(`zone ${JSON.stringify(name)}: ${z}`);
    else zone[name] = z;
  }
  for (const name of [...found.addressSets].sort()) {
    const a = readAddressSet(table, name);
    if (typeof a === 'string') skipped.push(`addressSet ${JSON.stringify(name)}: ${a}`);
    else addressSet[name] = a;
  }
  const forward = table.chains.get(FORWARD_CHAIN)?.rules ?? [];
  for (const name of [...found.policies].sort()) {
    const p = readPolicy(table, name, forward);
    if (typeof p === 'string') {
      skipped.push(`policy ${JSON.stringify(name)}: ${p}`);
      continue;
    }
    const refs = [p['srcZone'], p['dstZone']].filter((z) => zone[z as string] === undefined);
    const sets = [...((p['sourceAddressSets'] as string[] | undefined) ?? []), ...((p['destinationAddressSets'] as string[] | undefined) ?? [])].filter((s) => addressSet[s] === undefined);
    if (refs.length + sets.length > 0) skipped.push(`policy ${JSON.stringify(name)}: it refers to ${[...refs, ...sets].map((x) => JSON.stringify(x)).join(', ')}, which netloom cannot read`);
    else policy[name] = p;
  }
  // Zones' sets must also hold exactly their elements (readZone built them from the sets, so this is the type check).
  for (const [name, z] of Object.entries(zone)) {
    if (!sameSets(table, zoneSets(z as unknown as Zone))) {
      skipped.push(`zone ${JSON.stringify(name)}: its sets are not the ones netloom writes`);
      delete zone[name];
    }
  }
  for (const [name, a] of Object.entries(addressSet)) {
    if (!sameSets(table, addressSetSets(a as unknown as AddressSet))) {
      skipped.push(`addressSet ${JSON.stringify(name)}: its sets are not the ones netloom writes`);
      delete addressSet[name];
    }
  }
  const input = { zone, addressSet, policy };
  const decoded = decodeProblems(firewallVocabulary.configCodec, input);
  if (decoded.value === undefined) {
    const shown = decoded.problems.slice(0, 3).map((p) => `${p.path}: ${p.reason}`);
    throw protocolError(subject, '', `the objects in the table do not form a valid firewall config (edited by hand?): ${shown.join('; ')}`);
  }
  let config = decoded.value;
  // Jumps to the chains of objects left out above are theirs (the next apply rewrites forward without them); every
  // other rule of forward must be exactly what the observed zones and policies need.
  const observedChains = new Set([...Object.keys(config.policy).map(NAMES.policyDispatch), ...Object.keys(config.zone).map(NAMES.zoneChain)]);
  const ofLeftOut = (r: NftRule | undefined): boolean =>
    r !== undefined && r.verdict.kind === 'jump' && (NAME_PATTERNS.policyChain.test(r.verdict.chain) || NAME_PATTERNS.zoneChain.test(r.verdict.chain)) && !observedChains.has(r.verdict.chain);
  const actualForward = table.chains.get(FORWARD_CHAIN)?.rules.filter((r) => !ofLeftOut(r));
  const hasObjects = observedChains.size > 0;
  if (options.checkForward !== false && hasObjects && (actualForward === undefined || actualForward.some((r) => r === undefined) || !configEquals(actualForward, forwardRules(config)))) {
    skipped.push(`chain ${FORWARD_CHAIN}: its rules are not the ones netloom writes for the zones and policies it holds; they are all left out so that plan rewrites them`);
    config = { ...config, zone: {}, policy: {} };
  }
  return { config, skipped };
}

/**
 * `readListing` then `observedConfig`: the owned config in a `nft -j list table` reply.
 *
 * @throws DeviceProtocolError
 * @example parseOwnedTable(stdout, 'inet', 'netloom').config // { zone: {...}, addressSet: {...}, policy: {...} }
 */
export function parseOwnedTable(text: string, family: string, table: string, options: { readonly checkForward?: boolean } = {}): ObservedReport {
  const subject = `nft -j list table ${family} ${table}`;
  return observedConfig(readListing(text, family, table, subject), subject, options);
}
