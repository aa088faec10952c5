/**
 * The renderer: a change list (from `diffConfig`) → the lines of ONE `nft -f -` script, which the kernel applies as
 * one transaction (all or nothing).
 *
 * Script layout:
 * 1. `add table`, `add chain ... forward { ...; policy drop; }` (no-ops when present; they re-assert the hook and
 *    the default-drop policy).
 * 2. Creates and updates in `diffConfig` order (zones, address sets, policies). A create is written so that it
 *    also repairs leftovers of an object with the same name (`add` then `flush` of every set and chain).
 * 3. `flush chain ... forward` and every rule of `forward` for the resulting config (base rules, policy blocks by
 *    priority, zone blocks), so the order of policies is always exactly the priority order.
 * 4. Deletes in `diffConfig` order (policies, address sets, zones): rules first, then chains, then sets.
 *
 * Before rendering, {@link renderableProblems} refuses what nftables cannot hold exactly (so that what is applied is
 * what observe reads back): overlapping prefixes or port ranges in one set, interface names longer than 15
 * characters, legs whose interface or uplink is not a Linux interface name, a policy that could never match.
 *
 * @packageDocumentation
 */
import {
  InputError,
  applyChanges,
  configEquals,
  firewallVocabulary,
  ipFamily,
  type AddressSet,
  type Change,
  type FirewallConfig,
  type InputProblem,
  type Policy,
  type PortRange,
  type Zone,
} from '@netloom/ports';
import { cidrsOverlap, tryParseCidr } from '@netloom/domain';
import { LINUX_IFNAME } from '@netloom/local-device';
import {
  addressSetSets,
  forwardRules,
  policyDispatchRules,
  policyMatchRules,
  policySets,
  zoneChainRules,
  zoneSets,
  type NftSetSpec,
} from './nftables.model';
import { FORWARD_CHAIN, NAMES, TOKEN_PATTERNS, type NftStatements } from './nftables.syntax';

/** The Linux limit on interface names (IFNAMSIZ - 1). */
export const MAX_IFNAME = 15;

function overlapping(cidrs: readonly string[]): [string, string] | undefined {
  const parsed = cidrs.map((c) => ({ text: c, cidr: tryParseCidr(c) }));
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const a = parsed[i]!;
      const b = parsed[j]!;
      if (a.cidr !== undefined && b.cidr !== undefined && cidrsOverlap(a.cidr, b.cidr)) return [a.text, b.text];
    }
  }
  return undefined;
}

function overlappingPorts(ports: readonly PortRange[]): [PortRange, PortRange] | undefined {
  const sorted = [...ports].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.from <= sorted[i - 1]!.to) return [sorted[i - 1]!, sorted[i]!];
  return undefined;
}

const rangeText = (r: PortRange): string => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`);
const familyOf = (cidr: string): 4 | 6 | undefined => ipFamily(cidr.slice(0, cidr.indexOf('/')));

/**
 * Everything about a (decoded, valid) firewall config that nftables cannot hold exactly. Empty when renderable.
 *
 * @example renderableProblems(config) // [{ path: 'zone["a"].cidrs', reason: '10.1.0.0/16 overlaps 10.0.0.0/8: ...' }]
 */
export function renderableProblems(config: FirewallConfig): InputProblem[] {
  const problems: InputProblem[] = [];
  const where = (kind: string, key: string, field: string): string => `${kind}[${JSON.stringify(key)}].${field}`;
  const checkCidrs = (path: string, cidrs: readonly string[] | undefined): void => {
    const pair = overlapping(cidrs ?? []);
    if (pair !== undefined) {
      problems.push({ path, reason: `${pair[1]} overlaps ${pair[0]}: one nftables interval set cannot hold overlapping prefixes (keep the larger one)` });
    }
  };
  for (const [key, z] of Object.entries(config.zone)) {
    z.interfaces.forEach((i, n) => {
      if (i.length > MAX_IFNAME) problems.push({ path: `${where('zone', key, 'interfaces')}[${n}]`, reason: `${JSON.stringify(i)} is longer than ${MAX_IFNAME} characters (the Linux interface name limit)` });
      else if (!TOKEN_PATTERNS.ifname.test(i)) problems.push({ path: `${where('zone', key, 'interfaces')}[${n}]`, reason: `${JSON.stringify(i)} is not a Linux interface name` });
    });
    (z.legs ?? []).forEach((l, n) => {
      const at = `${where('zone', key, 'legs')}[${n}]`;
      for (const field of ['interface', 'uplink'] as const) {
        if (!LINUX_IFNAME.test(l[field])) problems.push({ path: `${at}.${field}`, reason: `${JSON.stringify(l[field])} is not a Linux interface name (1-15 letters, digits, '.', '_' or '-', starting with a letter or digit)` });
      }
      if (l.interface === l.uplink) problems.push({ path: `${at}.interface`, reason: `${JSON.stringify(l.interface)} is also the leg's uplink` });
    });
    checkCidrs(where('zone', key, 'cidrs'), z.cidrs);
  }
  for (const [key, s] of Object.entries(config.addressSet)) checkCidrs(where('addressSet', key, 'addresses'), s.addresses);
  for (const [key, p] of Object.entries(config.policy)) {
    checkCidrs(where('policy', key, 'sourceAddresses'), p.sourceAddresses);
    checkCidrs(where('policy', key, 'destinationAddresses'), p.destinationAddresses);
    const ports = overlappingPorts(p.ports ?? []);
    if (ports !== undefined) problems.push({ path: where('policy', key, 'ports'), reason: `${rangeText(ports[1])} overlaps ${rangeText(ports[0])}: one nftables interval set cannot hold overlapping ranges` });
    if ((p.sourceAddressSets ?? []).length === 0 && (p.destinationAddressSets ?? []).length === 0 && (p.sourceAddresses ?? []).length > 0 && (p.destinationAddresses ?? []).length > 0) {
      const src = new Set((p.sourceAddresses ?? []).map(familyOf));
      const dst = new Set((p.destinationAddresses ?? []).map(familyOf));
      if (![...src].some((f) => dst.has(f))) {
        problems.push({ path: where('policy', key, 'destinationAddresses'), reason: 'the source addresses and the destination addresses have no address family in common: the policy could never match' });
      }
    }
  }
  return problems;
}

/**
 * Throws `InputError` listing {@link renderableProblems} of `config`, if any.
 * @throws InputError
 */
export function assertRenderable(config: FirewallConfig, subject: string): void {
  const problems = renderableProblems(config);
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
}

// NOTE: `add set` / `add chain` of an existing object is a no-op that keeps its elements and rules (nftables 1.0.6);
// a create therefore flushes what it adds, so leftovers of an object with the same name cannot survive it.
function createSets(s: NftStatements, sets: readonly NftSetSpec[]): string[] {
  return sets.flatMap((set) => [s.addSet(set.name, set.kind), s.flushSet(set.name), ...(set.elements.length > 0 ? [s.addElements(set.name, set.kind, set.elements)] : [])]);
}

function refillChangedSets(s: NftStatements, before: readonly NftSetSpec[], after: readonly NftSetSpec[]): string[] {
  const lines: string[] = [];
  for (const set of after) {
    const old = before.find((b) => b.name === set.name);
    if (old === undefined) lines.push(...createSets(s, [set]));
    else if (!configEquals(old.elements, set.elements)) {
      lines.push(s.flushSet(set.name));
      if (set.elements.length > 0) lines.push(s.addElements(set.name, set.kind, set.elements));
    }
  }
  return lines;
}

function zoneLines(s: NftStatements, c: Change): string[] {
  const after = c.after as Zone | undefined;
  const before = c.before as Zone | undefined;
  if (c.op === 'create' && after !== undefined) {
    const chain = NAMES.zoneChain(after.name);
    return [...createSets(s, zoneSets(after)), s.addChain(chain), s.flushChain(chain), ...zoneChainRules(after).map((r) => s.addRule(r))];
  }
  if (c.op === 'update' && after !== undefined && before !== undefined) {
    const lines = refillChangedSets(s, zoneSets(before), zoneSets(after));
    if (before.vpc !== after.vpc) lines.push(s.flushChain(NAMES.zoneChain(after.name)), ...zoneChainRules(after).map((r) => s.addRule(r)));
    return lines;
  }
  const gone = before!;
  const chain = NAMES.zoneChain(gone.name);
  return [s.flushChain(chain), s.deleteChain(chain), ...zoneSets(gone).map((set) => s.deleteSet(set.name))];
}

function addressSetLines(s: NftStatements, c: Change): string[] {
  const after = c.after as AddressSet | undefined;
  const before = c.before as AddressSet | undefined;
  if (c.op === 'create' && after !== undefined) return createSets(s, addressSetSets(after));
  if (c.op === 'update' && after !== undefined && before !== undefined) return refillChangedSets(s, addressSetSets(before), addressSetSets(after));
  return addressSetSets(before!).map((set) => s.deleteSet(set.name));
}

function policyRules(s: NftStatements, p: Policy): string[] {
  return [...policyMatchRules(p), ...policyDispatchRules(p)].map((r) => s.addRule(r));
}

function policyLines(s: NftStatements, c: Change): string[] {
  const after = c.after as Policy | undefined;
  const before = c.before as Policy | undefined;
  if (c.op === 'create' && after !== undefined) {
    const mt = NAMES.policyMatch(after.name);
    const dz = NAMES.policyDispatch(after.name);
    return [...createSets(s, policySets(after)), s.addChain(mt), s.flushChain(mt), s.addChain(dz), s.flushChain(dz), ...policyRules(s, after)];
  }
  const old = before!;
  const dz = NAMES.policyDispatch(old.name);
  const mt = NAMES.policyMatch(old.name);
  // Rules go first: a set or chain that a rule still references cannot be deleted.
  const flush = [s.flushChain(dz), s.flushChain(mt)];
  if (c.op === 'update' && after !== undefined) {
    const oldSets = policySets(old);
    const newSets = policySets(after);
    const dropped = oldSets.filter((o) => !newSets.some((n) => n.name === o.name)).map((o) => s.deleteSet(o.name));
    return [...flush, ...refillChangedSets(s, oldSets, newSets), ...dropped, ...policyRules(s, after)];
  }
  return [...flush, s.deleteChain(dz), s.deleteChain(mt), ...policySets(old).map((set) => s.deleteSet(set.name))];
}

const KIND_LINES: Readonly<Record<string, (s: NftStatements, c: Change) => string[]>> = { zone: zoneLines, addressSet: addressSetLines, policy: policyLines };

/**
 * The lines of one change on its own: its sets, chains and rules, without the table, the base chain or the rules
 * of `forward` (those are {@link renderChanges}'s).
 *
 * @throws InputError for an unknown kind
 */
export function renderChangeLines(statements: NftStatements, change: Change): string[] {
  const f = KIND_LINES[change.kind];
  if (f === undefined) throw new InputError(`cannot render a change of kind ${JSON.stringify(change.kind)} (firewall kinds: ${firewallVocabulary.order.join(', ')})`);
  return f(statements, change);
}

/** What {@link renderChanges} needs. */
export interface RenderOptions {
  /** The table's statements (family and name). */
  readonly statements: NftStatements;
  /** The changes, in `diffConfig` order. */
  readonly changes: readonly Change[];
  /** The config the changes lead to (for the rules of `forward`). */
  readonly next: FirewallConfig;
}

/**
 * The lines of the one script that carries out `changes` (see the module documentation). Empty for no changes.
 *
 * @throws InputError if a change has an unknown kind or a name fails the allowlist
 * @example
 * renderChanges({ statements: new NftStatements('inet', 'netloom'), changes, next })
 * // ['add table inet netloom', 'add chain inet netloom forward { type filter hook forward priority 0; policy drop; }', ...]
 */
export function renderChanges(opts: RenderOptions): string[] {
  const { statements: s, changes, next } = opts;
  if (changes.length === 0) return [];
  const lines = [s.addTable(), s.addForwardChain()];
  const render = (c: Change): string[] => renderChangeLines(s, c);
  for (const c of changes) if (c.op !== 'delete') lines.push(...render(c));
  lines.push(s.flushChain(FORWARD_CHAIN), ...forwardRules(next).map((r) => s.addRule(r)));
  for (const c of changes) if (c.op === 'delete') lines.push(...render(c));
  return lines;
}

/**
 * The script that turns `from` into `to` (both valid, decoded configs) via `diffConfig`: what the conformance
 * harness uses to edit the table out of band, and a convenience for callers outside a session.
 */
export function renderTransition(statements: NftStatements, changes: readonly Change[], from: FirewallConfig): string[] {
  return renderChanges({ statements, changes, next: applyChanges(from, changes) });
}
