/**
 * Validation helpers shared by every port vocabulary (and reusable by the runtime's profile validation).
 *
 * - {@link decodeOrThrow} decodes with an io-ts codec and turns every failure into one {@link InputProblem} with a
 *   readable path (`segment["10010"].l2Vni: 0 is outside 1..16777215`), all of them, not just the first.
 * - {@link problemsFromErrors} is the formatter on its own (for callers that collect problems from several inputs).
 * - Combinators that keep paths readable and decoded values canonical: {@link struct} (closed objects: unknown
 *   fields are an error), {@link keyedRecord} (maps whose keys must equal the derived key of each object),
 *   {@link setOf} (set-valued arrays, decoded sorted and without duplicates), {@link refined} (branded values with a
 *   reason per failure), {@link discriminated} (tagged unions), {@link withChecks} (cross-field rules).
 *
 * Path syntax: properties as `.name` (the first without the dot), array items as `[2]`, map entries as `["key"]`,
 * union and intersection branches invisible. A failure inside a union whose every branch failed reports the branch
 * that came closest (the one that failed deepest inside the value, preferring a matching discriminant, then the
 * fewest failures); when every branch rejected the value itself, one problem at the union's path says what was
 * expected.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { InputError, type InputProblem } from '@netloom/domain';
import { quoteText } from './errors';

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes `value` with `codec` and returns the decoded value, or throws an `InputError` whose `problems` list every
 * failing leaf with its path. `subject` names the input in the message (`desired fabric config of leaf1`).
 *
 * Pure and idempotent: decoding the same value twice gives equal results. Decoding is where values become canonical
 * (sets sorted, IPv6 compressed, MACs lower-case, absent optional fields dropped).
 *
 * @throws InputError (code `INPUT.INVALID`) listing every problem.
 * @example
 * decodeOrThrow(FabricConfigCodec, { vrf: {}, segment: { '10010': { key: '10010', name: 'ls-a', l2Vni: 0 } },
 *   binding: {}, interconnect: {} }, 'desired config of leaf1');
 * // InputError: desired config of leaf1 is invalid (2 problems):
 * //   segment["10010"].key: ...
 * //   segment["10010"].l2Vni: 0 is outside 1..16777215
 */
export function decodeOrThrow<A, O>(codec: t.Type<A, O, unknown>, value: unknown, subject: string): A {
  const result = codec.decode(value);
  if (result._tag === 'Right') return result.right;
  throw InputError.fromProblems(subject, problemsFromErrors(result.left));
}

/** Like {@link decodeOrThrow} but returns the problems instead of throwing (empty array and the value when valid). */
export function decodeProblems<A, O>(codec: t.Type<A, O, unknown>, value: unknown): { value?: A; problems: InputProblem[] } {
  const result = codec.decode(value);
  if (result._tag === 'Right') return { value: result.right, problems: [] };
  return { problems: problemsFromErrors(result.left) };
}

// ---------------------------------------------------------------------------------------------------------------
// Problem formatting

/**
 * How a codec names its children in a path. Codecs built here carry it as `netloomPathStyle`; plain io-ts codecs
 * are recognised by their `_tag`.
 * - `property`: `.name` (or `["odd name"]`)
 * - `index`: `[2]`
 * - `record`: `["key"]`
 * - `branch`: invisible (union and intersection members)
 */
export type PathStyle = 'property' | 'index' | 'record' | 'branch';

interface StyledType {
  readonly netloomPathStyle?: PathStyle;
  readonly _tag?: string;
  readonly type?: unknown;
}

function styleOf(decoder: unknown): PathStyle {
  let ty = decoder as StyledType | undefined;
  for (let i = 0; i < 32 && ty !== undefined; i++) {
    if (ty.netloomPathStyle !== undefined) return ty.netloomPathStyle;
    switch (ty._tag) {
      case 'RefinementType':
      case 'ReadonlyType':
      case 'ExactType':
      case 'RecursiveType':
        ty = ty.type as StyledType | undefined;
        continue;
      case 'UnionType':
      case 'IntersectionType':
        return 'branch';
      case 'ArrayType':
      case 'ReadonlyArrayType':
      case 'TupleType':
        return 'index';
      case 'DictionaryType':
        return 'record';
      default:
        return 'property';
    }
  }
  return 'property';
}

function isUnion(decoder: unknown): boolean {
  let ty = decoder as StyledType | undefined;
  for (let i = 0; i < 32 && ty !== undefined; i++) {
    if (ty.netloomPathStyle !== undefined) return false;
    if (ty._tag === 'UnionType') return true;
    if (ty._tag === 'RefinementType' || ty._tag === 'ReadonlyType' || ty._tag === 'ExactType' || ty._tag === 'RecursiveType') {
      ty = ty.type as StyledType | undefined;
      continue;
    }
    return false;
  }
  return false;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function renderPath(context: t.Context): string {
  let out = '';
  for (let j = 1; j < context.length; j++) {
    const entry = context[j]!;
    const style = styleOf(context[j - 1]!.type);
    switch (style) {
      case 'branch':
        break;
      case 'index':
        out += `[${entry.key}]`;
        break;
      case 'record':
        out += `[${quoteText(entry.key)}]`;
        break;
      default:
        out += IDENTIFIER.test(entry.key) ? (out === '' ? entry.key : `.${entry.key}`) : `[${quoteText(entry.key)}]`;
    }
  }
  return out;
}

const MAX_VALUE_TEXT = 80;

/**
 * A short, log-safe description of a value for error messages: strings quoted with {@link quoteText} (so control
 * characters, C1 controls such as NEL, U+2028 / U+2029 and other non-printables show as escapes like `\n` or
 * `\u2028`, never raw), long texts cut, objects and arrays summarised.
 */
export function describeValue(u: unknown): string {
  if (u === undefined) return 'nothing';
  if (u === null) return 'null';
  if (typeof u === 'string') return quoteText(u, MAX_VALUE_TEXT);
  if (typeof u === 'number' || typeof u === 'boolean' || typeof u === 'bigint') return String(u);
  if (Array.isArray(u)) return `an array of ${u.length}`;
  if (typeof u === 'object') return 'an object';
  return `a ${typeof u}`;
}

function reasonOf(error: t.ValidationError): string {
  if (error.message !== undefined && error.message !== '') return error.message;
  const ctx = error.context;
  const last = ctx[ctx.length - 1];
  const parent = ctx.length >= 2 ? ctx[ctx.length - 2] : undefined;
  if (error.value === undefined && parent !== undefined && (styleOf(parent.type) === 'property' || styleOf(parent.type) === 'index')) return 'required';
  return `expected ${last?.type.name ?? 'a valid value'}, got ${describeValue(error.value)}`;
}

/** Failures that only say "this is not even the right type" (so a union prefers a branch with a real reason). */
const typeMismatches = new WeakSet<t.ValidationError>();

/**
 * A failure meaning "wrong type altogether" (not an object, not a number, ...). Inside a union, a branch failing
 * this way ranks below a branch that accepted the type but rejected the value.
 */
export function typeMismatch<A>(u: unknown, c: t.Context, message: string): t.Validation<A> {
  const e: t.ValidationError = { value: u, context: c, message };
  typeMismatches.add(e);
  return t.failures([e]);
}

const keyOf = (ctx: t.Context, upTo: number): string => JSON.stringify(ctx.slice(0, upTo + 1).map((e) => e.key));

/** Where the first union at or after `from` sits in this error's context (index of the union's entry), if any. */
function firstUnion(error: t.ValidationError, from: number): number | undefined {
  const ctx = error.context;
  for (let j = from; j < ctx.length - 1; j++) if (isUnion(ctx[j]!.type)) return j;
  return undefined;
}

function isLiteralish(decoder: unknown): boolean {
  const tag = (decoder as StyledType | undefined)?._tag;
  return tag === 'LiteralType' || tag === 'KeyofType';
}

/** Rank of one union branch's failures: lower is closer to what the author meant. */
function branchRank(errors: readonly t.ValidationError[], u: number): [number, number, number] {
  const root = u + 1; // index of the branch entry
  const deeper = errors.some((e) => e.context.length - 1 > root);
  if (deeper) {
    const tagMismatches = errors.filter((e) => e.context.length - 1 === root + 1 && isLiteralish(e.context[root + 1]!.type)).length;
    return [0, tagMismatches, errors.length];
  }
  const custom = errors.some((e) => e.message !== undefined && e.message !== '' && !typeMismatches.has(e));
  return [custom ? 1 : 2, 0, errors.length];
}

function compareRank(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function resolveUnions(errors: readonly t.ValidationError[], from: number): t.ValidationError[] {
  const out: t.ValidationError[] = [];
  // Group by the first union found at or after `from`; errors without one pass through.
  const groups = new Map<string, { u: number; errors: t.ValidationError[] }>();
  const order: Array<t.ValidationError | string> = [];
  for (const e of errors) {
    const u = firstUnion(e, from);
    if (u === undefined) {
      order.push(e);
      continue;
    }
    const id = keyOf(e.context, u);
    let g = groups.get(id);
    if (g === undefined) {
      g = { u, errors: [] };
      groups.set(id, g);
      order.push(id);
    }
    g.errors.push(e);
  }
  for (const item of order) {
    if (typeof item !== 'string') {
      out.push(item);
      continue;
    }
    const g = groups.get(item)!;
    const branches = new Map<string, t.ValidationError[]>();
    for (const e of g.errors) {
      const b = e.context[g.u + 1]!.key;
      const list = branches.get(b) ?? [];
      list.push(e);
      branches.set(b, list);
    }
    let best: { rank: [number, number, number]; errors: t.ValidationError[] } | undefined;
    for (const list of branches.values()) {
      const rank = branchRank(list, g.u);
      if (best === undefined || compareRank(rank, best.rank) < 0) best = { rank, errors: list };
    }
    if (best === undefined) continue;
    if (best.rank[0] === 2) {
      // Every branch rejected the value itself: one problem at the union's path.
      const first = g.errors[0]!;
      const unionEntry = first.context[g.u]!;
      out.push({ value: unionEntry.actual, context: first.context.slice(0, g.u + 1), message: `expected ${unionEntry.type.name}, got ${describeValue(unionEntry.actual)}` });
      continue;
    }
    out.push(...resolveUnions(best.errors, g.u + 1));
  }
  return out;
}

/**
 * Turns io-ts validation errors into problems, one per failing leaf, each with a readable path and reason. Unions
 * are resolved to the closest branch (see the module documentation). Duplicates are removed; order follows the
 * input.
 *
 * @example
 * problemsFromErrors(errors) // [{ path: 'segment["10010"].l2Vni', reason: '0 is outside 1..16777215' }]
 */
export function problemsFromErrors(errors: readonly t.ValidationError[]): InputProblem[] {
  const seen = new Set<string>();
  const problems: InputProblem[] = [];
  for (const e of resolveUnions(errors, 0)) {
    const p = { path: renderPath(e.context), reason: reasonOf(e) };
    const id = `${p.path}\u0000${p.reason}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(p);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** One step of a path handed to {@link failureAt}: a property name, an array index, or a map key. */
export type PathSegment = string | number | { readonly key: string };

const pathTypes: Record<PathStyle, t.Decoder<unknown, unknown>> = {
  property: Object.assign(new t.Type<unknown>('property', (_u): _u is unknown => true, t.success, t.identity), { netloomPathStyle: 'property' as const }),
  index: Object.assign(new t.Type<unknown>('index', (_u): _u is unknown => true, t.success, t.identity), { netloomPathStyle: 'index' as const }),
  record: Object.assign(new t.Type<unknown>('record', (_u): _u is unknown => true, t.success, t.identity), { netloomPathStyle: 'record' as const }),
  branch: Object.assign(new t.Type<unknown>('branch', (_u): _u is unknown => true, t.success, t.identity), { netloomPathStyle: 'branch' as const }),
};

const segmentStyle = (s: PathSegment): PathStyle => (typeof s === 'number' ? 'index' : typeof s === 'string' ? 'property' : 'record');

/**
 * A validation error at `path` below the context `c`, with `message` as its reason. The first segment must be of
 * the kind the codec owning `c` names its children with (a property for {@link struct}, a key for
 * {@link keyedRecord}); later segments may be anything. Used by cross-field checks.
 */
export function failureAt(c: t.Context, path: readonly PathSegment[], actual: unknown, message: string): t.ValidationError {
  const ctx: t.ContextEntry[] = [...c];
  for (let i = 0; i < path.length; i++) {
    const s = path[i]!;
    const next = path[i + 1];
    const key = typeof s === 'object' ? s.key : String(s);
    ctx.push({ key, type: next === undefined ? pathTypes.property : pathTypes[segmentStyle(next)], actual: i === path.length - 1 ? actual : undefined });
  }
  return { value: actual, context: ctx, message };
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/**
 * Sets an own property, also for the key `__proto__` (which plain assignment would treat as the prototype). Only
 * that key needs defineProperty: it is the one accessor plain objects inherit, and defineProperty on every key turns
 * objects into slow dictionaries.
 */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function isPlainRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

type Simplify<T> = { [K in keyof T]: T[K] } & unknown;

/** The decoded type of a {@link struct}. */
export type StructOf<R extends t.Props, O extends t.Props> = Simplify<{ readonly [K in keyof R]: t.TypeOf<R[K]> } & { readonly [K in keyof O]?: t.TypeOf<O[K]> }>;
/** The encoded (input) type of a {@link struct}. */
export type StructInputOf<R extends t.Props, O extends t.Props> = Simplify<{ readonly [K in keyof R]: t.OutputOf<R[K]> } & { readonly [K in keyof O]?: t.OutputOf<O[K]> }>;

/** A codec made by {@link struct}: keeps its props for introspection. */
export interface StructCodec<R extends t.Props, O extends t.Props> extends t.Type<StructOf<R, O>, StructInputOf<R, O>, unknown> {
  readonly required: R;
  readonly optional: O;
  readonly netloomPathStyle: 'property';
}

/** Options of {@link struct}. */
export interface StructOptions {
  /**
   * What to do with fields the codec does not know: `reject` (default: each is a problem `unknown field`, so typos
   * surface) or `strip` (drop them silently: for replies of systems that return more than netloom reads).
   */
  readonly unknownFields?: 'reject' | 'strip';
}

/**
 * A closed object codec: `required` fields must be present (a missing one is the problem `required`), `optional`
 * ones may be absent (`undefined` counts as absent and is dropped from the result), any other field is a problem
 * `unknown field` (or dropped with `unknownFields: 'strip'`). The decoded object has only the known fields.
 *
 * @example
 * const Pair = struct('Pair', { a: t.string }, { b: t.number });
 * decodeOrThrow(Pair, { a: 'x', c: 1 }, 'pair'); // InputError: c: unknown field
 */
export function struct<R extends t.Props, O extends t.Props = Record<never, never>>(
  name: string,
  required: R,
  optional?: O,
  options: StructOptions = {},
): StructCodec<R, O> {
  const opt = (optional ?? {}) as O;
  const reject = (options.unknownFields ?? 'reject') === 'reject';
  const is = (u: unknown): u is StructOf<R, O> => {
    if (!isPlainRecord(u)) return false;
    for (const [k, codec] of Object.entries(required)) if (!hasOwn(u, k) || !codec.is(u[k])) return false;
    for (const [k, codec] of Object.entries(opt)) if (hasOwn(u, k) && u[k] !== undefined && !codec.is(u[k])) return false;
    if (reject) for (const k of Object.keys(u)) if (!hasOwn(required, k) && !hasOwn(opt, k)) return false;
    return true;
  };
  const validate = (u: unknown, c: t.Context): t.Validation<StructOf<R, O>> => {
    if (!isPlainRecord(u)) return typeMismatch(u, c, `expected an object (${name}), got ${describeValue(u)}`);
    const errors: t.ValidationError[] = [];
    const out: Record<string, unknown> = {};
    const field = (k: string, codec: t.Mixed, isRequired: boolean): void => {
      const v = hasOwn(u, k) ? u[k] : undefined;
      if (v === undefined) {
        if (isRequired) errors.push({ value: v, context: t.appendContext(c, k, codec, v), message: 'required' });
        return;
      }
      const r = codec.validate(v, t.appendContext(c, k, codec, v));
      if (r._tag === 'Left') errors.push(...r.left);
      else setOwn(out, k, r.right);
    };
    for (const [k, codec] of Object.entries(required)) field(k, codec, true);
    for (const [k, codec] of Object.entries(opt)) field(k, codec, false);
    if (reject) {
      for (const k of Object.keys(u)) {
        if (!hasOwn(required, k) && !hasOwn(opt, k)) errors.push({ value: u[k], context: t.appendContext(c, k, t.unknown, u[k]), message: 'unknown field' });
      }
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out as StructOf<R, O>);
  };
  const encode = (a: StructOf<R, O>): StructInputOf<R, O> => {
    const out: Record<string, unknown> = {};
    const src = a as Record<string, unknown>;
    for (const [k, codec] of Object.entries(required)) setOwn(out, k, codec.encode(src[k]));
    for (const [k, codec] of Object.entries(opt)) if (src[k] !== undefined) setOwn(out, k, codec.encode(src[k]));
    return out as StructInputOf<R, O>;
  };
  const codec = new t.Type<StructOf<R, O>, StructInputOf<R, O>, unknown>(name, is, validate, encode);
  return Object.assign(codec, { required, optional: opt, netloomPathStyle: 'property' as const });
}

/** Compares two canonical values: numbers numerically, strings by code unit, anything else by its sorted JSON. */
export function compareCanonical(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : stableStringify(a);
  const sb = typeof b === 'string' ? b : stableStringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** JSON with object keys sorted at every level (`undefined` properties omitted): a canonical text of a value. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** Options of {@link setOf}. */
export interface SetOfOptions {
  /** Fewest items allowed (default 0). */
  readonly minItems?: number;
  /** Most items allowed (default unlimited). */
  readonly maxItems?: number;
}

/**
 * A set-valued array: every item is validated (paths `[i]`), the decoded array is sorted ({@link compareCanonical})
 * and free of duplicates, so two sets with the same members decode equal whatever their order.
 *
 * @example decodeOrThrow(setOf(VlanCodec), [30, 10, 30], 'vlans') // [10, 30]
 */
export function setOf<A, O>(item: t.Type<A, O, unknown>, options: SetOfOptions = {}, name = `Set<${item.name}>`): t.Type<readonly A[], readonly O[], unknown> {
  const validate = (u: unknown, c: t.Context): t.Validation<readonly A[]> => {
    if (!Array.isArray(u)) return typeMismatch(u, c, `expected a list (${name}), got ${describeValue(u)}`);
    const errors: t.ValidationError[] = [];
    const items: A[] = [];
    u.forEach((ui, i) => {
      const r = item.validate(ui, t.appendContext(c, String(i), item, ui));
      if (r._tag === 'Left') errors.push(...r.left);
      else items.push(r.right);
    });
    if (errors.length > 0) return t.failures(errors);
    items.sort(compareCanonical);
    const unique = items.filter((v, i) => i === 0 || compareCanonical(items[i - 1], v) !== 0);
    if (options.minItems !== undefined && unique.length < options.minItems) return t.failure(u, c, `must have at least ${options.minItems} item${options.minItems === 1 ? '' : 's'}`);
    if (options.maxItems !== undefined && unique.length > options.maxItems) return t.failure(u, c, `must have at most ${options.maxItems} items`);
    return t.success(unique);
  };
  const codec = new t.Type<readonly A[], readonly O[], unknown>(
    name,
    (u): u is readonly A[] => Array.isArray(u) && u.every((x) => item.is(x)),
    validate,
    (a) => a.map((x) => item.encode(x)),
  );
  return Object.assign(codec, { netloomPathStyle: 'index' as const });
}

/**
 * A branded value: `base` must validate, then `check` must return no reason. `normalize` (optional) makes the value
 * canonical (e.g. lower-case MAC). The reason `check` returns is the problem's text, so write it as a sentence
 * about the value: `0 is outside 1..16777215`.
 *
 * @example
 * interface EvenBrand { readonly Even: unique symbol }
 * const Even = refined<number, number, EvenBrand>('Even', t.number, (n) => (n % 2 === 0 ? undefined : `${n} is odd`));
 */
export function refined<A, O, B>(
  name: string,
  base: t.Type<A, O, unknown>,
  check: (a: A) => string | undefined,
  normalize: (a: A) => A = (a) => a,
): t.Type<t.Branded<A, B>, O, unknown> {
  return new t.Type<t.Branded<A, B>, O, unknown>(
    name,
    (u): u is t.Branded<A, B> => base.is(u) && check(u) === undefined,
    (u, c) => {
      const r = base.validate(u, c);
      if (r._tag === 'Left') return typeMismatch(u, c, `expected ${name}, got ${describeValue(u)}`);
      const reason = check(r.right);
      return reason === undefined ? t.success(normalize(r.right) as t.Branded<A, B>) : t.failure(u, c, reason);
    },
    (a) => base.encode(a),
  );
}

/** A cross-field problem found by a {@link withChecks} rule. */
export interface CheckProblem {
  /** Path below the checked value (see {@link failureAt}). */
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** The offending value (for logs). */
  readonly value?: unknown;
}

/**
 * Adds cross-field rules to a codec: after `codec` validates, `check` inspects the decoded value and returns every
 * problem with its path below the value. Paths and names of `codec` are kept. The rules run only on a value that
 * `codec` accepted, so an input with both kinds of problems first reports the per-field ones; fixing them reveals
 * the cross-field ones.
 *
 * @example
 * const Range = withChecks(struct('Range', { from: t.number, to: t.number }),
 *   (r) => (r.from <= r.to ? [] : [{ path: ['to'], message: `${r.to} is below from (${r.from})` }]));
 */
export function withChecks<A, O>(codec: t.Type<A, O, unknown>, check: (a: A) => readonly CheckProblem[], name = codec.name): t.Type<A, O, unknown> {
  const wrapped = new t.Type<A, O, unknown>(
    name,
    (u): u is A => codec.is(u) && check(u).length === 0,
    (u, c) => {
      const r = codec.validate(u, c);
      if (r._tag === 'Left') return r;
      const problems = check(r.right);
      if (problems.length === 0) return r;
      return t.failures(problems.map((p) => failureAt(c, p.path, p.value, p.message)));
    },
    (a) => codec.encode(a),
  );
  return Object.assign(wrapped, { netloomPathStyle: styleOf(codec) });
}

/** A map codec made by {@link keyedRecord}. */
export type KeyedRecordCodec<A, O> = t.Type<{ readonly [key: string]: A }, { readonly [key: string]: O }, unknown>;

/**
 * A map from key to object where every object carries its own `key`, equal to its map key and to
 * `deriveKey(object)` (the key is a function of the object's identity fields, so a key can never disagree with the
 * object it names). Paths are `["key"].field`. The decoded map is sorted by key.
 *
 * @example
 * keyedRecord('segments', L2SegmentCodec, (s) => String(s.l2Vni))
 * // { '10010': { key: '10010', name: 'ls-a', l2Vni: 10010 } } is valid; key '10011' for l2Vni 10010 is not.
 */
export function keyedRecord<A extends { readonly key: string }, O>(
  name: string,
  item: t.Type<A, O, unknown>,
  deriveKey: (a: A) => string,
  describeKey = 'the object',
): KeyedRecordCodec<A, O> {
  const validate = (u: unknown, c: t.Context): t.Validation<{ readonly [key: string]: A }> => {
    if (!isPlainRecord(u)) return typeMismatch(u, c, `expected a map of ${item.name} by key, got ${describeValue(u)}`);
    const errors: t.ValidationError[] = [];
    const out: Record<string, A> = {};
    for (const k of Object.keys(u).sort()) {
      const v = u[k];
      const r = item.validate(v, t.appendContext(c, k, item, v));
      if (r._tag === 'Left') {
        errors.push(...r.left);
        continue;
      }
      const a = r.right;
      const derived = deriveKey(a);
      if (a.key !== derived) errors.push(failureAt(c, [{ key: k }, 'key'], a.key, `is ${describeValue(a.key)} but ${describeKey} gives ${describeValue(derived)}`));
      else if (k !== a.key) errors.push(failureAt(c, [{ key: k }, 'key'], a.key, `is ${describeValue(a.key)} but the map key is ${describeValue(k)}`));
      else setOwn(out, k, a);
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  };
  const codec = new t.Type<{ readonly [key: string]: A }, { readonly [key: string]: O }, unknown>(
    name,
    (u): u is { readonly [key: string]: A } => isPlainRecord(u) && Object.entries(u).every(([k, v]) => item.is(v) && v.key === k && deriveKey(v) === k),
    validate,
    (a) => {
      const out: Record<string, O> = {};
      for (const [k, v] of Object.entries(a)) setOwn(out, k, item.encode(v));
      return out;
    },
  );
  return Object.assign(codec, { netloomPathStyle: 'record' as const });
}

/** The decoded union of a {@link discriminated} codec. */
export type DiscriminatedOf<M extends Record<string, t.Mixed>> = { [K in keyof M]: t.TypeOf<M[K]> }[keyof M];
/** The encoded union of a {@link discriminated} codec. */
export type DiscriminatedInputOf<M extends Record<string, t.Mixed>> = { [K in keyof M]: t.OutputOf<M[K]> }[keyof M];

/**
 * A tagged union: the field `tag` selects the member codec (each member must itself require `tag` as a literal).
 * An unknown tag is one problem at `<path>.<tag>` listing the allowed values; otherwise the chosen member's
 * problems are reported with ordinary paths.
 *
 * @example
 * discriminated('Attachment', 'type', { vlan: VlanAttachmentCodec, tunnel: TunnelAttachmentCodec })
 */
export function discriminated<M extends Record<string, t.Mixed>>(name: string, tag: string, members: M): t.Type<DiscriminatedOf<M>, DiscriminatedInputOf<M>, unknown> {
  const tags = Object.keys(members);
  const allowed = tags.map((x) => quoteText(x)).join(' | ');
  const pick = (u: unknown): t.Mixed | undefined => {
    if (!isPlainRecord(u)) return undefined;
    const v = u[tag];
    return typeof v === 'string' && hasOwn(members, v) ? members[v] : undefined;
  };
  const codec = new t.Type<DiscriminatedOf<M>, DiscriminatedInputOf<M>, unknown>(
    name,
    (u): u is DiscriminatedOf<M> => pick(u)?.is(u) ?? false,
    (u, c) => {
      if (!isPlainRecord(u)) return typeMismatch(u, c, `expected an object (${name}), got ${describeValue(u)}`);
      const member = pick(u);
      if (member === undefined) {
        const v = u[tag];
        return t.failures([failureAt(c, [tag], v, v === undefined ? `required (one of ${allowed})` : `expected ${allowed}, got ${describeValue(v)}`)]);
      }
      return member.validate(u, c) as t.Validation<DiscriminatedOf<M>>;
    },
    (a) => {
      const member = pick(a);
      if (member === undefined) throw new Error(`${name}: no member for ${describeValue((a as Record<string, unknown>)[tag])}`);
      return member.encode(a) as DiscriminatedInputOf<M>;
    },
  );
  return Object.assign(codec, { netloomPathStyle: 'property' as const });
}

/** An integer in `min..max` (inclusive), with the reason `<n> is outside <min>..<max>`. Not branded. */
export function intInRange(name: string, min: number, max: number): t.Type<number, number, unknown> {
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      if (typeof u !== 'number') return typeMismatch(u, c, `expected a number (${name}), got ${describeValue(u)}`);
      if (!Number.isInteger(u)) return t.failure(u, c, `${u} is not an integer`);
      if (u < min || u > max) return t.failure(u, c, `${u} is outside ${min}..${max}`);
      return t.success(u);
    },
    t.identity,
  );
}
