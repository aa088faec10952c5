/**
 * Keeping a live run inside what the target file allows: the kit's samples are remapped so every interface, VLAN
 * and VNI they use is one the lab device may be touched on (`allow` in the target file).
 *
 * Values the samples use that are already allowed stay; the others take the lowest allowed values still free, in
 * the order of the original values (deterministic, so a replay remaps exactly as the recording did). Keys built
 * from those values (a segment keyed by its VNI `10010`, a binding `Ethernet1/1:100`) and the per-capability
 * selections that name them follow. Invalid inputs (`badInputs`) are left alone: the adapter must refuse them
 * before any write, so they never reach the device.
 *
 * A sample that cannot fit (more distinct interfaces than allowed, a range too small, a kind of value the samples
 * use with no allowance at all) is an `InputError` before any write.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { InputError, stableStringify, type InputProblem } from '@netloom/ports';
import type { DeviceSamples, Selection } from '../samples/samples';
import type { Allow } from './recording';

const INTERFACE_FIELDS = new Set(['interface', 'interfaces', 'uplink', 'uplinks']);
const VLAN_FIELDS = new Set(['vlan', 'vlans', 'vlanId', 'accessVlan', 'nativeVlan']);
const VNI_FIELDS = new Set(['vni', 'l2Vni', 'l3Vni', 'vnis']);

type Kind = 'interface' | 'vlan' | 'vni';

function fieldKind(field: string): Kind | undefined {
  if (INTERFACE_FIELDS.has(field)) return 'interface';
  if (VLAN_FIELDS.has(field)) return 'vlan';
  if (VNI_FIELDS.has(field)) return 'vni';
  return undefined;
}

/** Every interface, VLAN and VNI a config (input form) uses, by kind. */
export function usedResources(config: unknown): { interfaces: Set<string>; vlans: Set<number>; vnis: Set<number> } {
  const out = { interfaces: new Set<string>(), vlans: new Set<number>(), vnis: new Set<number>() };
  const visit = (v: unknown, kind: Kind | undefined): void => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x, kind));
    if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) visit(x, fieldKind(k));
      return;
    }
    if (kind === 'interface' && typeof v === 'string') out.interfaces.add(v);
    if (kind === 'vlan' && typeof v === 'number') out.vlans.add(v);
    if (kind === 'vni' && typeof v === 'number') out.vnis.add(v);
  };
  visit(config, undefined);
  return out;
}

function numberMap(used: Set<number>, range: { from: number; to: number } | undefined, what: string, problems: InputProblem[]): Map<number, number> {
  const map = new Map<number, number>();
  if (used.size === 0) return map;
  if (range === undefined) {
    problems.push({ path: `allow.${what}`, reason: `the samples use ${what} ${[...used].sort((a, b) => a - b).join(', ')}; give the range the suite may use` });
    return map;
  }
  const inside = (n: number): boolean => n >= range.from && n <= range.to;
  const taken = new Set([...used].filter(inside));
  let next = range.from;
  for (const n of [...used].sort((a, b) => a - b)) {
    if (inside(n)) {
      map.set(n, n);
      continue;
    }
    while (taken.has(next) && next <= range.to) next++;
    if (next > range.to) {
      problems.push({ path: `allow.${what}`, reason: `${range.from}-${range.to} holds too few values: the samples need ${used.size} distinct ${what}` });
      return map;
    }
    map.set(n, next);
    taken.add(next);
  }
  return map;
}

function interfaceMap(used: Set<string>, allowed: readonly string[] | undefined, problems: InputProblem[]): Map<string, string> {
  const map = new Map<string, string>();
  if (used.size === 0) return map;
  if (allowed === undefined || allowed.length === 0) {
    problems.push({ path: 'allow.interfaces', reason: `the samples use interfaces ${[...used].sort().join(', ')}; list the interfaces the suite may use` });
    return map;
  }
  const free = allowed.filter((i) => !used.has(i));
  for (const name of [...used].sort()) {
    if (allowed.includes(name)) {
      map.set(name, name);
      continue;
    }
    const next = free.shift();
    if (next === undefined) {
      problems.push({ path: 'allow.interfaces', reason: `${allowed.length} interface(s) allowed, the samples need ${used.size} distinct ones` });
      return map;
    }
    map.set(name, next);
  }
  return map;
}

/** How sample values map to allowed ones. */
export interface ResourceMap {
  readonly interfaces: ReadonlyMap<string, string>;
  readonly vlans: ReadonlyMap<number, number>;
  readonly vnis: ReadonlyMap<number, number>;
}

/**
 * A key with the values it is built from remapped: tokens between `:` that are interfaces, a number after an
 * interface (a VLAN: `Ethernet1/1:100`), or another number that is a sample VNI (`10010`, `10020:192.0.2.1`).
 */
function mapKey(key: string, m: ResourceMap): string {
  const parts = key.split(':');
  return parts
    .map((p, i) => {
      const iface = m.interfaces.get(p);
      if (iface !== undefined) return iface;
      if (!/^\d+$/.test(p)) return p;
      const prev = parts[i - 1];
      if (prev !== undefined && m.interfaces.has(prev)) return String(m.vlans.get(Number(p)) ?? p);
      return String(m.vnis.get(Number(p)) ?? p);
    })
    .join(':');
}

function mapValue(v: unknown, kind: Kind | undefined, m: ResourceMap): unknown {
  if (Array.isArray(v)) return v.map((x) => mapValue(x, kind, m));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'key' && typeof x === 'string' ? mapKey(x, m) : mapValue(x, fieldKind(k), m)]));
  if (kind === 'interface' && typeof v === 'string') return m.interfaces.get(v) ?? v;
  if (kind === 'vlan' && typeof v === 'number') return m.vlans.get(v) ?? v;
  if (kind === 'vni' && typeof v === 'number') return m.vnis.get(v) ?? v;
  return v;
}

/** A config (input form: kind → key → object) with its values and keys remapped. */
export function remapConfig(config: unknown, m: ResourceMap): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [kind, objects] of Object.entries(config as Record<string, Record<string, unknown>>)) {
    out[kind] = {};
    for (const [key, object] of Object.entries(objects ?? {})) out[kind][mapKey(key, m)] = mapValue(object, undefined, m);
  }
  return out;
}

/**
 * The samples remapped into `allow`, and the map used.
 *
 * @throws InputError naming every resource kind that does not fit (before anything is written).
 * @example const { samples } = fitSamples(fabricSamples, { interfaces: ['10GE1/0/1', '10GE1/0/2'], vlans: { from: 100, to: 199 }, vnis: { from: 910000, to: 910999 } });
 */
export function fitSamples(samples: DeviceSamples, allow: Allow): { readonly samples: DeviceSamples; readonly map: ResourceMap } {
  const used = usedResources(samples.full());
  const problems: InputProblem[] = [];
  const map: ResourceMap = {
    interfaces: interfaceMap(used.interfaces, allow.interfaces, problems),
    vlans: numberMap(used.vlans, allow.vlans, 'vlans', problems),
    vnis: numberMap(used.vnis, allow.vnis, 'vnis', problems),
  };
  if (problems.length > 0) throw InputError.fromProblems('the samples do not fit the target file\'s allow', problems);
  const byCapability: Record<string, Selection> = {};
  for (const [cap, selection] of Object.entries(samples.byCapability)) {
    byCapability[cap] = Object.fromEntries(Object.entries(selection).map(([kind, keys]) => [kind, keys.map((k) => mapKey(k, map))]));
  }
  return { samples: { ...samples, full: () => remapConfig(samples.full(), map), byCapability }, map };
}

/** A digest of the samples a run uses (full config and selections), to tell a replay with other samples. */
export function samplesDigest(samples: DeviceSamples): string {
  return createHash('sha256').update(stableStringify({ full: samples.full(), byCapability: samples.byCapability })).digest('hex').slice(0, 16);
}

/** Every resource of `config` outside `allow` (empty when it stays inside). */
export function outsideAllow(config: unknown, allow: Allow): string[] {
  const used = usedResources(config);
  const out: string[] = [];
  for (const i of used.interfaces) if (!(allow.interfaces ?? []).includes(i)) out.push(`interface ${i}`);
  for (const v of used.vlans) if (allow.vlans === undefined || v < allow.vlans.from || v > allow.vlans.to) out.push(`VLAN ${v}`);
  for (const v of used.vnis) if (allow.vnis === undefined || v < allow.vnis.from || v > allow.vnis.to) out.push(`VNI ${v}`);
  return out;
}
