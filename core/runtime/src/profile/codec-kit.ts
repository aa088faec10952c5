/**
 * Small io-ts combinators whose failures carry human messages, and the formatter that turns io-ts errors into
 * `path: reason` problems.
 *
 * Plain io-ts reports `Invalid value "x" supplied to : { a: string }/a: string`; a profile author needs
 * `inventory.devices[2].address: "10.0.0.300" is not an IPv4 address`. Every codec here fails with a message
 * (`t.failure(value, context, message)`), and {@link struct} reports missing and unknown keys (with a
 * did-you-mean suggestion) instead of silently ignoring them. The formatter also handles foreign codecs (an
 * adapter's `optionsCodec`): it skips the index keys io-ts adds for union/intersection members and falls back to
 * `expected <type>, got <value>`.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either';
import { closest } from './suggest';

/** One step of a path: a mapping key or a list index. */
export type Segment = string | number;

/** A problem with its path as segments (formatted later, and located in the YAML source). */
export interface LocatedProblem {
  readonly segments: readonly Segment[];
  readonly reason: string;
}

/** Formats segments as `a.b[2].c`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

/** Describes a value's kind without its content (for places that may hold a secret). */
export function describeKind(u: unknown): string {
  if (u === undefined) return 'nothing';
  if (u === null) return 'null';
  if (Array.isArray(u)) return 'a list';
  if (typeof u === 'object') return 'a mapping';
  if (typeof u === 'string') return 'text';
  if (typeof u === 'boolean') return 'true/false';
  return `a ${typeof u}`;
}

/** Describes a value with its content, JSON-quoted and cut short. Never use it on something that may be a secret. */
export function describe(u: unknown): string {
  if (typeof u === 'string') return JSON.stringify(u.length > 64 ? `${u.slice(0, 64)}...` : u);
  if (typeof u === 'number' || typeof u === 'boolean') return String(u);
  return describeKind(u);
}

function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/** A problem found by a {@link struct}'s own check, relative to the struct. */
export interface RelativeProblem {
  /** Segments below the struct (empty: the struct itself). */
  readonly at?: readonly Segment[];
  readonly reason: string;
}

function appendPath(c: t.Context, at: readonly Segment[], actual: unknown): t.Context {
  let ctx = c;
  for (const s of at) ctx = t.appendContext(ctx, String(s), t.unknown, actual);
  return ctx;
}

/** Flattens an intersection into one object type (readable hovers and declaration files). */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type StructOut<R extends t.Props, O extends t.Props> = Simplify<{ [K in keyof R]: t.TypeOf<R[K]> } & { [K in keyof O]?: t.TypeOf<O[K]> }>;

/** Options of {@link struct}. */
export interface StructOptions {
  /**
   * Checks on the raw mapping that involve several keys. Runs whether or not the keys decoded, so a problem here
   * is reported together with every field problem.
   */
  readonly check?: (raw: Record<string, unknown>) => readonly RelativeProblem[];
}

/**
 * A mapping with known keys. `required` keys must be present unless their codec accepts `undefined` (see
 * {@link withDefault}); `optional` keys may be absent. A key whose value is YAML `null` (`key:` with nothing
 * after it) counts as absent. Unknown keys are problems: `unknown field; did you mean "address"?`.
 */
export function struct<R extends t.Props, O extends t.Props = Record<never, never>>(
  name: string,
  required: R,
  optional?: O,
  opts: StructOptions = {},
): t.Type<StructOut<R, O>, StructOut<R, O>, unknown> {
  const opt: t.Props = optional ?? {};
  const known = [...Object.keys(required), ...Object.keys(opt)];
  return new t.Type<StructOut<R, O>, StructOut<R, O>, unknown>(
    name,
    (u): u is StructOut<R, O> => isRecord(u),
    (u, c) => {
      if (u === undefined || u === null) return t.failure(u, c, 'required');
      if (!isRecord(u)) return t.failure(u, c, `expected a mapping (key: value), got ${describeKind(u)}`);
      const errors: t.ValidationError[] = [];
      const out: Record<string, unknown> = {};
      const visit = (key: string, codec: t.Mixed, isRequired: boolean): void => {
        const raw = u[key] === null ? undefined : u[key];
        if (raw === undefined && !isRequired) return;
        const r = codec.validate(raw, t.appendContext(c, key, codec, raw));
        if (isLeft(r)) errors.push(...r.left);
        else if (r.right !== undefined) out[key] = r.right;
      };
      for (const [key, codec] of Object.entries(required)) visit(key, codec, true);
      for (const [key, codec] of Object.entries(opt)) visit(key, codec, false);
      for (const key of Object.keys(u)) {
        if (known.includes(key)) continue;
        const suggestion = closest(key, known);
        const hint = suggestion !== undefined ? `did you mean "${suggestion}"?` : `known fields: ${known.join(', ')}`;
        errors.push({ value: u[key], context: t.appendContext(c, key, t.never, u[key]), message: `unknown field; ${hint}` });
      }
      for (const p of opts.check?.(u) ?? []) {
        errors.push({ value: u, context: appendPath(c, p.at ?? [], u), message: p.reason });
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as StructOut<R, O>);
    },
    t.identity,
  );
}

/** A codec for a value that is valid or not on its own: `check` returns the value or the reason it is invalid. */
export function leaf<A>(name: string, check: (u: unknown) => { ok: true; value: A } | { ok: false; reason: string }): t.Type<A, A, unknown> {
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => check(u).ok,
    (u, c) => {
      if (u === undefined || u === null) return t.failure(u, c, 'required');
      const r = check(u);
      return r.ok ? t.success(r.value) : t.failure(u, c, r.reason);
    },
    t.identity,
  );
}

/** Fills in `value` when the key is absent. */
export function withDefault<C extends t.Mixed>(codec: C, value: t.TypeOf<C>): t.Type<t.TypeOf<C>, t.TypeOf<C>, unknown> {
  return new t.Type<t.TypeOf<C>, t.TypeOf<C>, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> => codec.is(u),
    (u, c) => (u === undefined || u === null ? t.success(value) : codec.validate(u, c)),
    t.identity,
  );
}

/** For a mapping whose every key has a default: an absent mapping decodes as `{}` (all defaults). */
export function defaultedStruct<C extends t.Mixed>(codec: C): t.Type<t.TypeOf<C>, t.TypeOf<C>, unknown> {
  return new t.Type<t.TypeOf<C>, t.TypeOf<C>, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> => codec.is(u),
    (u, c) => codec.validate(u === undefined || u === null ? {} : u, c),
    t.identity,
  );
}

/** A list; each entry is decoded by `codec` (paths `field[i]`). */
export function listOf<C extends t.Mixed>(codec: C, opts: { minItems?: number; what?: string } = {}): t.Type<Array<t.TypeOf<C>>, Array<t.TypeOf<C>>, unknown> {
  const min = opts.minItems ?? 0;
  return new t.Type<Array<t.TypeOf<C>>, Array<t.TypeOf<C>>, unknown>(
    `Array<${codec.name}>`,
    (u): u is Array<t.TypeOf<C>> => Array.isArray(u) && u.every((e) => codec.is(e)),
    (u, c) => {
      if (u === undefined || u === null) return t.failure(u, c, 'required');
      if (!Array.isArray(u)) return t.failure(u, c, `expected a list${opts.what !== undefined ? ` of ${opts.what}` : ''}, got ${describeKind(u)}`);
      if (u.length < min) return t.failure(u, c, `must list at least ${min} ${opts.what ?? (min === 1 ? 'entry' : 'entries')}`);
      const errors: t.ValidationError[] = [];
      const out: Array<t.TypeOf<C>> = [];
      u.forEach((e: unknown, i) => {
        const r = codec.validate(e, t.appendContext(c, String(i), codec, e));
        if (isLeft(r)) errors.push(...r.left);
        else out.push(r.right);
      });
      return errors.length > 0 ? t.failures(errors) : t.success(out);
    },
    t.identity,
  );
}

/** A non-empty string (trimmed length > 0). */
export function text(what = 'text'): t.Type<string, string, unknown> {
  return leaf(what, (u) => {
    if (typeof u !== 'string') return { ok: false, reason: `expected ${what}, got ${describe(u)}` };
    if (u.trim() === '') return { ok: false, reason: 'must not be empty' };
    return { ok: true, value: u };
  });
}

/** A string matching `pattern`; `explain` says what a valid one looks like. */
export function patterned(what: string, pattern: RegExp, explain: string): t.Type<string, string, unknown> {
  return leaf(what, (u) => {
    if (typeof u !== 'string') return { ok: false, reason: `expected ${what}, got ${describe(u)}` };
    if (!pattern.test(u)) return { ok: false, reason: `${describe(u)} is not ${explain}` };
    return { ok: true, value: u };
  });
}

/** Exactly `value`. */
export function literal<V extends string>(value: V): t.Type<V, V, unknown> {
  return leaf(JSON.stringify(value), (u) =>
    u === value ? { ok: true, value } : { ok: false, reason: `must be ${JSON.stringify(value)}, got ${describe(u)}` },
  );
}

/** One of `values` (with a did-you-mean for near misses). */
export function oneOf<V extends string>(values: readonly V[]): t.Type<V, V, unknown> {
  return leaf(values.join(' | '), (u) => {
    if (typeof u === 'string' && (values as readonly string[]).includes(u)) return { ok: true, value: u as V };
    const suggestion = typeof u === 'string' ? closest(u, values) : undefined;
    return {
      ok: false,
      reason: `${describe(u)} is not one of ${values.join(', ')}${suggestion !== undefined ? `; did you mean "${suggestion}"?` : ''}`,
    };
  });
}

/** A whole number in `min..max`. */
export function intIn(min: number, max: number): t.Type<number, number, unknown> {
  return leaf(`integer ${min}..${max}`, (u) => {
    if (typeof u !== 'number' || Number.isNaN(u)) return { ok: false, reason: `expected a whole number in ${min}..${max}, got ${describe(u)}` };
    if (!Number.isInteger(u)) return { ok: false, reason: `${u} is not a whole number` };
    if (u < min || u > max) return { ok: false, reason: `${u} is outside ${min}..${max}` };
    return { ok: true, value: u };
  });
}

/** `true` or `false` (YAML booleans; `"yes"` is text, not a boolean). */
export const bool: t.Type<boolean, boolean, unknown> = leaf('boolean', (u) =>
  typeof u === 'boolean' ? { ok: true, value: u } : { ok: false, reason: `must be true or false, got ${describe(u)}` },
);

/** Anything (validated elsewhere, e.g. by an adapter's options codec). */
export const anything: t.Type<unknown, unknown, unknown> = new t.Type<unknown, unknown, unknown>('unknown', (_u): _u is unknown => true, (u) => t.success(u), t.identity);

// ---------------------------------------------------------------------------------------------------------------
// Formatting io-ts errors

const TRANSPARENT = new Set(['RefinementType', 'ExactType', 'ReadonlyType', 'RecursiveType', 'StrictType']);

function unwrap(type: unknown): unknown {
  let cur = type as { _tag?: string; type?: unknown } | undefined;
  for (let i = 0; i < 20 && cur !== undefined && cur._tag !== undefined && TRANSPARENT.has(cur._tag); i++) {
    cur = cur.type as { _tag?: string; type?: unknown } | undefined;
  }
  return cur;
}

function segmentsOf(context: t.Context): Segment[] {
  const out: Segment[] = [];
  for (let i = 1; i < context.length; i++) {
    const entry = context[i];
    const parent = unwrap(context[i - 1]?.type) as { _tag?: string } | undefined;
    if (entry === undefined || entry.key === '') continue;
    if (parent?._tag === 'UnionType' || parent?._tag === 'IntersectionType') continue;
    out.push(/^\d+$/.test(entry.key) ? Number(entry.key) : entry.key);
  }
  return out;
}

/**
 * Turns io-ts errors into problems with paths below `prefix`. Duplicates (a union reports once per member) are
 * dropped. A message that repeats its own path (`path: required`, as some codecs write) is not repeated.
 */
export function problemsFromErrors(errors: t.Errors, prefix: readonly Segment[] = []): LocatedProblem[] {
  const seen = new Set<string>();
  const out: LocatedProblem[] = [];
  for (const e of errors) {
    const rel = segmentsOf(e.context);
    let reason: string;
    if (e.message !== undefined && e.message !== '') {
      reason = e.message;
      const relPath = formatPath(rel);
      for (const p of [relPath, '(root)']) {
        if (p !== '' && reason.startsWith(`${p}: `)) reason = reason.slice(p.length + 2);
      }
    } else if (e.value === undefined) {
      reason = 'required';
    } else {
      const last = e.context[e.context.length - 1];
      reason = `expected ${last?.type.name ?? 'another value'}, got ${describe(e.value)}`;
    }
    const segments = [...prefix, ...rel];
    const key = `${formatPath(segments)}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ segments, reason });
  }
  return out;
}

/**
 * Decodes `value` with any codec (an adapter's options codec) and returns the decoded value or the problems, with
 * paths below `prefix`.
 */
export function decodeAt<C extends t.Mixed>(codec: C, value: unknown, prefix: readonly Segment[]): { ok: true; value: t.TypeOf<C> } | { ok: false; problems: LocatedProblem[] } {
  const r = codec.validate(value, [{ key: '', type: codec, actual: value }]);
  if (isLeft(r)) return { ok: false, problems: problemsFromErrors(r.left, prefix) };
  return { ok: true, value: r.right as t.TypeOf<C> };
}
