/**
 * The shared, pure, generic diff of two device configurations in one port's vocabulary. Adapters use it in `plan`;
 * the engine reuses it for drift reports; simulators and the fake adapter use {@link applyChanges} to carry a change
 * list out.
 *
 * ## Ordering rule
 *
 * {@link diffConfig} returns the changes in two phases:
 *
 * 1. **Creates and updates**, kind by kind in `order` (parents first: a VRF before the segments in it, a segment
 *    before its bindings); within one kind, by key ascending (code-unit order), creates and updates mixed.
 * 2. **Deletes**, kind by kind in **reverse** `order` (children first: bindings before their segments, segments
 *    before their VRF); within one kind, by key ascending.
 *
 * So every delete comes after every create and update, of every kind. This is the safe order for re-pointing: an
 * update that moves a segment from VRF `a` to VRF `b` runs after `b` is created and before `a` is deleted; a
 * device never holds a reference to an object that does not exist. The price is that old and new objects coexist
 * briefly (adapters of devices with tight limits may batch differently, but must keep this order visible in the
 * plan).
 *
 * Equality is structural and independent of property order; a property whose value is `undefined` counts as absent;
 * arrays compare in order (vocabulary codecs decode set-valued arrays sorted, so compare decoded configs). An
 * unchanged object yields no change, so `diffConfig({ desired: x, observed: x })` is empty and an adapter whose plan
 * is empty writes nothing.
 *
 * @packageDocumentation
 */
import { ConflictError, InputError, NotFoundError } from '@netloom/domain';
import type { Change, ConfigObject, DeviceConfig } from './device.port';

/** Options of {@link diffConfig}. */
export interface DiffOptions<C extends DeviceConfig> {
  /** What netloom wants (owned objects only). */
  readonly desired: C;
  /** What the device has (owned objects only). */
  readonly observed: C;
  /**
   * Every kind of the vocabulary, parents first (the port's `*_KIND_ORDER`). A kind present in either config but
   * missing here is an error; a kind listed here but absent from a config counts as empty.
   */
  readonly order: readonly (keyof C & string)[];
  /**
   * Whether an observed object already matches the desired one (default {@link configEquals}). Use it to ignore
   * fields a device cannot report (and say so in the adapter's docs).
   */
  readonly equals?: (desired: ConfigObject, observed: ConfigObject, kind: string) => boolean;
}

/** Code-unit order of keys: the same on every platform and locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObjectLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Deep structural equality of JSON-like values: objects compare by their defined properties whatever their order
 * (`{ a: 1, b: undefined }` equals `{ a: 1 }`), arrays item by item in order, primitives with `Object.is` except that
 * `0` equals `-0`.
 *
 * @example configEquals({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }) === true
 */
export function configEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (!isObjectLike(a) || !isObjectLike(b)) return false;
  const aArr = Array.isArray(a);
  if (aArr !== Array.isArray(b)) return false;
  if (aArr) {
    const bb = b as unknown as unknown[];
    const aa = a as unknown as unknown[];
    if (aa.length !== bb.length) return false;
    for (let i = 0; i < aa.length; i++) if (!configEquals(aa[i], bb[i])) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!configEquals(a[k], b[k])) return false;
  }
  return true;
}

function kindsOf(config: DeviceConfig): string[] {
  return Object.keys(config).filter((k) => config[k] !== undefined);
}

function checkKinds(order: readonly string[], configs: ReadonlyArray<[string, DeviceConfig]>): void {
  const known = new Set(order);
  const problems = [];
  for (const [name, config] of configs) {
    for (const kind of kindsOf(config)) {
      if (!known.has(kind)) problems.push({ path: `${name}.${kind}`, reason: `kind is not in the order (${order.join(', ')})` });
    }
  }
  if (problems.length > 0) throw InputError.fromProblems('diff', problems);
}

const entriesOf = (config: DeviceConfig, kind: string): Readonly<Record<string, ConfigObject>> => config[kind] ?? {};

/**
 * The changes that turn `observed` into `desired`, ordered as the module documentation says: creates and updates
 * kind by kind in `order`, then deletes in reverse `order`, by key ascending within a kind. Pure and deterministic:
 * the result depends only on the contents of the inputs, never on their property order.
 *
 * @throws InputError if a config holds a kind that `order` does not list.
 * @example
 * diffConfig({ order: FABRIC_KIND_ORDER,
 *   desired:  { vrf: { a: vrfA }, segment: { '10010': ls1 }, binding: {}, interconnect: {} },
 *   observed: { vrf: {}, segment: { '10020': ls2 }, binding: {}, interconnect: {} } })
 * // [ { op: 'create', kind: 'vrf', key: 'a', after: vrfA },
 * //   { op: 'create', kind: 'segment', key: '10010', after: ls1 },
 * //   { op: 'delete', kind: 'segment', key: '10020', before: ls2 } ]
 */
export function diffConfig<C extends DeviceConfig>(opts: DiffOptions<C>): Change[] {
  const { desired, observed, order } = opts;
  const equals = opts.equals ?? ((d: ConfigObject, o: ConfigObject) => configEquals(d, o));
  checkKinds(order, [
    ['desired', desired],
    ['observed', observed],
  ]);
  const upserts: Change[] = [];
  for (const kind of order) {
    const want = entriesOf(desired, kind);
    const have = entriesOf(observed, kind);
    for (const key of Object.keys(want).sort(compareKeys)) {
      const after = want[key]!;
      const before = Object.prototype.hasOwnProperty.call(have, key) ? have[key] : undefined;
      if (before === undefined) upserts.push({ op: 'create', kind, key, after });
      else if (!equals(after, before, kind)) upserts.push({ op: 'update', kind, key, before, after });
    }
  }
  const deletes: Change[] = [];
  for (const kind of [...order].reverse()) {
    const want = entriesOf(desired, kind);
    const have = entriesOf(observed, kind);
    for (const key of Object.keys(have).sort(compareKeys)) {
      if (!Object.prototype.hasOwnProperty.call(want, key) || want[key] === undefined) deletes.push({ op: 'delete', kind, key, before: have[key]! });
    }
  }
  return [...upserts, ...deletes];
}

function setEntry(map: Record<string, ConfigObject>, key: string, value: ConfigObject): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Options of {@link applyChanges}. */
export interface ApplyChangesOptions {
  /**
   * Check that each update's and delete's `before` equals the object currently held (default true), so a change
   * list planned against a stale observation is refused instead of silently overwriting.
   */
  readonly checkBefore?: boolean;
}

/**
 * Carries out `changes` on `config` and returns the new config. Pure: `config` is not modified (untouched kinds and
 * objects are shared with it). Changes apply in list order.
 *
 * @throws ConflictError (a create of an existing key; an update/delete whose `before` differs from what is held),
 *   NotFoundError (an update or delete of a missing key), InputError (a create/update without `after`, or an
 *   `after` whose key differs from the change's key).
 * @example
 * applyChanges(observed, diffConfig({ desired, observed, order })) // deep-equals desired
 */
export function applyChanges<C extends DeviceConfig>(config: C, changes: readonly Change[], options: ApplyChangesOptions = {}): C {
  const checkBefore = options.checkBefore ?? true;
  const out: Record<string, Record<string, ConfigObject>> = {};
  for (const kind of kindsOf(config)) out[kind] = config[kind] as Record<string, ConfigObject>;
  const copied = new Set<string>();
  const mutable = (kind: string): Record<string, ConfigObject> => {
    if (!copied.has(kind)) {
      out[kind] = { ...(out[kind] ?? {}) };
      copied.add(kind);
    }
    return out[kind]!;
  };
  const where = (c: Change) => `${c.op} ${c.kind} ${JSON.stringify(c.key)}`;
  for (const c of changes) {
    const held = Object.prototype.hasOwnProperty.call(out[c.kind] ?? {}, c.key) ? out[c.kind]![c.key] : undefined;
    if (c.op !== 'delete') {
      if (c.after === undefined) throw new InputError(`${where(c)}: a ${c.op} needs "after"`);
      if (c.after.key !== c.key) throw new InputError(`${where(c)}: "after" has key ${JSON.stringify(c.after.key)}`);
    }
    if (c.op === 'create') {
      if (held !== undefined) throw new ConflictError(`${where(c)}: the object already exists`, { details: { kind: c.kind, key: c.key } });
      setEntry(mutable(c.kind), c.key, c.after!);
      continue;
    }
    if (held === undefined) throw new NotFoundError(`${where(c)}: no such object`, { details: { kind: c.kind, key: c.key } });
    if (checkBefore && c.before !== undefined && !configEquals(c.before, held)) {
      throw new ConflictError(`${where(c)}: the object changed since it was observed`, { details: { kind: c.kind, key: c.key } });
    }
    if (c.op === 'update') setEntry(mutable(c.kind), c.key, c.after!);
    else delete mutable(c.kind)[c.key];
  }
  return out as unknown as C;
}
