/**
 * OVSDB values inside the simulator: atoms and datums (RFC 7047 §5.1), parsed from and rendered to the wire
 * notation with ovsdb-server's rules and error texts, type constraints, defaults, ordering, and the set/map
 * arithmetic that mutations and `update2` differences need.
 *
 * A datum is kept sorted by key with no duplicate key, as ovsdb-server keeps it, so equality is element-wise and
 * rendering is deterministic.
 *
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { OvsdbOpError, constraintViolation, syntaxError } from './ovsdb.errors';
import { type OvsdbAtom, type OvsdbBaseType, type OvsdbColumnType, isOvsdbMap, printedMax } from './ovsdb.schema';

/** A column value: sorted keys (sets, maps, single values alike) and, for maps, the values in the same order. */
export interface OvsdbDatum {
  readonly keys: readonly OvsdbAtom[];
  readonly values?: readonly OvsdbAtom[];
}

/** Resolves `["named-uuid", name]` within one transaction (creating the UUID on first use). */
export interface OvsdbSymbolTable {
  resolve(name: string): string;
}

/** The all-zero UUID, the default of a UUID atom. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

const UUID_TEXT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True for the text of a UUID (either case). */
export function isUuidText(s: unknown): s is string {
  return typeof s === 'string' && UUID_TEXT.test(s);
}

/** A fresh random (version 4) UUID, as ovsdb-server gives new rows and versions. */
export function newUuid(): string {
  return randomUUID();
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True when `n` is an integer within int64 (as far as a double can tell). */
export function isInt64(n: number): boolean {
  return Number.isInteger(n) && BigInt(n) >= INT64_MIN && BigInt(n) <= INT64_MAX;
}

/** Orders two atoms of the same type as ovsdb-server does (numbers numerically, false < true, text bytewise). */
export function compareAtoms(a: OvsdbAtom, b: OvsdbAtom): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses one atom of `base` from JSON (no constraint check). UUIDs are `["uuid", text]`, or `["named-uuid", name]`
 * when `symtab` is given.
 *
 * @throws OvsdbOpError `syntax error` with ovsdb-server's text (`expected integer`, `"x" is not a valid UUID`, ...).
 */
export function atomFromJson(json: unknown, base: OvsdbBaseType, symtab?: OvsdbSymbolTable): OvsdbAtom {
  switch (base.type) {
    case 'integer':
      if (typeof json === 'number' && isInt64(json)) return json;
      throw syntaxError(json, 'expected integer');
    case 'real':
      if (typeof json === 'number' && Number.isFinite(json)) return json;
      throw syntaxError(json, 'expected real');
    case 'boolean':
      if (typeof json === 'boolean') return json;
      throw syntaxError(json, 'expected boolean');
    case 'string':
      if (typeof json === 'string') return json;
      throw syntaxError(json, 'expected string');
    case 'uuid':
      if (Array.isArray(json) && json.length === 2 && typeof json[0] === 'string' && typeof json[1] === 'string') {
        if (json[0] === 'uuid') {
          if (!isUuidText(json[1])) throw syntaxError(json, `"${json[1]}" is not a valid UUID`);
          return json[1].toLowerCase();
        }
        if (json[0] === 'named-uuid') {
          if (symtab === undefined) throw syntaxError(json, 'unexpected named-uuid');
          return symtab.resolve(json[1]);
        }
      }
      throw syntaxError(json, 'expected ["uuid", <string>]');
  }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Checks an atom against its base type's constraints, with ovsdb-server's `constraint violation` texts.
 *
 * @throws OvsdbOpError `constraint violation`.
 */
export function checkAtomConstraints(atom: OvsdbAtom, base: OvsdbBaseType): void {
  if (base.enum !== undefined) {
    if (!base.enum.some((e) => compareAtoms(e, atom) === 0)) {
      throw constraintViolation(`${atomToDisplay(atom, base)} is not one of the allowed values ([${base.enum.map((e) => atomToDisplay(e, base)).join(', ')}])`);
    }
    return;
  }
  if (base.type === 'integer' || base.type === 'real') {
    const n = atom as number;
    const min = base.type === 'integer' ? base.minInteger : base.minReal;
    const max = base.type === 'integer' ? base.maxInteger : base.maxReal;
    if ((min === undefined || n >= min) && (max === undefined || n <= max)) return;
    const show = (x: number): string => atomToDisplay(x, base);
    if (min !== undefined && max !== undefined) throw constraintViolation(`${show(n)} is not in the valid range ${show(min)} to ${show(max)} (inclusive)`);
    if (min !== undefined) throw constraintViolation(`${show(n)} is less than minimum allowed value ${show(min)}`);
    throw constraintViolation(`${show(n)} is greater than maximum allowed value ${show(max!)}`);
  }
  if (base.type === 'string') {
    const len = utf8Length(atom as string);
    if (base.minLength !== undefined && len < base.minLength) throw constraintViolation(`"${String(atom)}" length ${len} is less than minimum allowed length ${base.minLength}`);
    if (base.maxLength !== undefined && len > base.maxLength) throw constraintViolation(`"${String(atom)}" length ${len} is greater than maximum allowed length ${base.maxLength}`);
  }
}

/** Sorts a datum and rejects duplicate keys (`ovsdb error`, as ovsdb-server reports them). */
export function sortedDatum(keys: readonly OvsdbAtom[], values: readonly OvsdbAtom[] | undefined): OvsdbDatum {
  const idx = keys.map((_, i) => i).sort((i, j) => compareAtoms(keys[i]!, keys[j]!));
  for (let i = 1; i < idx.length; i++) {
    if (compareAtoms(keys[idx[i - 1]!]!, keys[idx[i]!]!) === 0) throw new OvsdbOpError('ovsdb error', values === undefined ? 'set contains duplicate' : 'map contains duplicate key');
  }
  const k = idx.map((i) => keys[i]!);
  return values === undefined ? { keys: k } : { keys: k, values: idx.map((i) => values[i]!) };
}

/** Options of {@link datumFromJson}. */
export interface DatumParseOptions {
  readonly symtab?: OvsdbSymbolTable;
  /** Check enum/range/length constraints of every atom (default true). */
  readonly constraints?: boolean;
}

/**
 * Parses a datum of `type` from the wire notation: `["map", [[k, v], ...]]` for maps, `["set", [...]]` or one bare
 * atom otherwise; element counts and (unless turned off) constraints are checked.
 *
 * @throws OvsdbOpError `syntax error`, `constraint violation` or `ovsdb error` (duplicates) with ovsdb-server's texts.
 */
export function datumFromJson(json: unknown, type: OvsdbColumnType, options: DatumParseOptions = {}): OvsdbDatum {
  const check = options.constraints !== false;
  const map = isOvsdbMap(type);
  const atom = (j: unknown, base: OvsdbBaseType): OvsdbAtom => {
    const a = atomFromJson(j, base, options.symtab);
    if (check) checkAtomConstraints(a, base);
    return a;
  };
  if (map || (Array.isArray(json) && json.length > 0 && json[0] === 'set')) {
    const cls = map ? 'map' : 'set';
    if (!Array.isArray(json) || json.length !== 2 || json[0] !== cls || !Array.isArray(json[1])) throw syntaxError(json, `expected ["${cls}", <array>]`);
    const inner = json[1] as unknown[];
    if (inner.length < type.min || inner.length > type.max) {
      throw syntaxError(json, type.min === 1 && type.max === 1 ? `${cls} must have exactly one member but ${inner.length} are present` : `${cls} must have ${type.min} to ${printedMax(type)} members but ${inner.length} are present`);
    }
    const keys: OvsdbAtom[] = [];
    const values: OvsdbAtom[] = [];
    for (const element of inner) {
      if (map) {
        if (!Array.isArray(element) || element.length !== 2) throw syntaxError(element, 'expected 2-element array');
        keys.push(atom(element[0], type.key));
        values.push(atom(element[1], type.value!));
      } else keys.push(atom(element, type.key));
    }
    return sortedDatum(keys, map ? values : undefined);
  }
  return { keys: [atom(json, type.key)] };
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** One atom in the wire notation. */
export function atomToJson(atom: OvsdbAtom, base: OvsdbBaseType): unknown {
  return base.type === 'uuid' ? ['uuid', atom] : atom;
}

/** A datum in the wire notation as ovsdb-server writes it: maps as `["map", ...]`, one-element sets bare. */
export function datumToJson(datum: OvsdbDatum, type: OvsdbColumnType): unknown {
  if (isOvsdbMap(type)) return ['map', datum.keys.map((k, i) => [atomToJson(k, type.key), atomToJson(datum.values![i]!, type.value!)])];
  if (datum.keys.length === 1) return atomToJson(datum.keys[0]!, type.key);
  return ['set', datum.keys.map((k) => atomToJson(k, type.key))];
}

function needsQuotes(s: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(s)) return true;
  return s === 'true' || s === 'false' || isUuidText(s);
}

/** An atom as ovsdb-server prints it in messages (`ovsdb_atom_to_string`: strings bare when they can be). */
export function atomToDisplay(atom: OvsdbAtom, base: OvsdbBaseType): string {
  if (base.type === 'string') return needsQuotes(atom as string) ? JSON.stringify(atom) : (atom as string);
  if (base.type === 'real') return String(Number((atom as number).toPrecision(15)));
  return String(atom);
}

/** A datum as ovsdb-server prints it in messages (`[a, b]`, `{k=v}`, or a bare scalar). */
export function datumToDisplay(datum: OvsdbDatum, type: OvsdbColumnType): string {
  const map = isOvsdbMap(type);
  const parts = datum.keys.map((k, i) => (map ? `${atomToDisplay(k, type.key)}=${atomToDisplay(datum.values![i]!, type.value!)}` : atomToDisplay(k, type.key)));
  const bracket = type.max > 1 || datum.keys.length === 0;
  return bracket ? `${map ? '{' : '['}${parts.join(', ')}${map ? '}' : ']'}` : parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// Defaults, equality, set arithmetic

function defaultAtom(base: OvsdbBaseType): OvsdbAtom {
  switch (base.type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
  }
}

/** The value a column gets when an insert does not name it (RFC 7047: empty, or the default atom when min is 1). */
export function defaultDatum(type: OvsdbColumnType): OvsdbDatum {
  if (type.min === 0) return isOvsdbMap(type) ? { keys: [], values: [] } : { keys: [] };
  return isOvsdbMap(type) ? { keys: [defaultAtom(type.key)], values: [defaultAtom(type.value!)] } : { keys: [defaultAtom(type.key)] };
}

/** Element-wise equality of two datums of one type. */
export function datumsEqual(a: OvsdbDatum, b: OvsdbDatum): boolean {
  if (a.keys.length !== b.keys.length) return false;
  for (let i = 0; i < a.keys.length; i++) if (compareAtoms(a.keys[i]!, b.keys[i]!) !== 0) return false;
  if (a.values === undefined || b.values === undefined) return a.values === b.values;
  for (let i = 0; i < a.values.length; i++) if (compareAtoms(a.values[i]!, b.values[i]!) !== 0) return false;
  return true;
}

/** True when the datum is its type's default (update2 rows leave such columns out). */
export function isDefaultDatum(datum: OvsdbDatum, type: OvsdbColumnType): boolean {
  return datumsEqual(datum, defaultDatum(type));
}

function indexOfKey(datum: OvsdbDatum, key: OvsdbAtom): number {
  let lo = 0;
  let hi = datum.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareAtoms(datum.keys[mid]!, key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** True when `datum` has `key` (and, for a map, `value` under it when `value` is given). */
export function datumHas(datum: OvsdbDatum, key: OvsdbAtom, value?: OvsdbAtom): boolean {
  const i = indexOfKey(datum, key);
  if (i < 0) return false;
  return value === undefined || datum.values === undefined || compareAtoms(datum.values[i]!, value) === 0;
}

/** `dst ∪ arg`; for maps, a key already in `dst` keeps its value (the `insert` mutator). */
export function datumUnion(dst: OvsdbDatum, arg: OvsdbDatum): OvsdbDatum {
  const keys = [...dst.keys];
  const values = dst.values === undefined ? undefined : [...dst.values];
  arg.keys.forEach((k, i) => {
    if (indexOfKey(dst, k) >= 0) return;
    keys.push(k);
    if (values !== undefined) values.push(arg.values![i]!);
  });
  return sortedDatum(keys, values);
}

/**
 * `dst − arg` (the `delete` mutator): for sets, the listed elements; for maps, the pairs of a map `arg` whose key
 * and value both match, or the keys of a set `arg`.
 */
export function datumSubtract(dst: OvsdbDatum, arg: OvsdbDatum): OvsdbDatum {
  const keys: OvsdbAtom[] = [];
  const values: OvsdbAtom[] | undefined = dst.values === undefined ? undefined : [];
  dst.keys.forEach((k, i) => {
    const j = indexOfKey(arg, k);
    const drop = j >= 0 && (arg.values === undefined || dst.values === undefined || compareAtoms(arg.values[j]!, dst.values[i]!) === 0);
    if (drop) return;
    keys.push(k);
    values?.push(dst.values![i]!);
  });
  return values === undefined ? { keys } : { keys, values };
}

/**
 * The `update2` difference of one column (ovsdb-server(7) §4.1.14, `ovsdb_datum_diff`): the new value for a column
 * of at most one element; the symmetric difference for a set; for a map, the removed pairs (old value), added pairs
 * and changed pairs (new value).
 */
export function datumDiff(oldDatum: OvsdbDatum, newDatum: OvsdbDatum, type: OvsdbColumnType): OvsdbDatum {
  if (type.max <= 1) return newDatum;
  const keys: OvsdbAtom[] = [];
  const values: OvsdbAtom[] = [];
  const map = isOvsdbMap(type);
  for (let i = 0; i < oldDatum.keys.length; i++) {
    const k = oldDatum.keys[i]!;
    const j = indexOfKey(newDatum, k);
    if (j < 0) {
      keys.push(k);
      if (map) values.push(oldDatum.values![i]!);
    } else if (map && compareAtoms(oldDatum.values![i]!, newDatum.values![j]!) !== 0) {
      keys.push(k);
      values.push(newDatum.values![j]!);
    }
  }
  for (let j = 0; j < newDatum.keys.length; j++) {
    const k = newDatum.keys[j]!;
    if (indexOfKey(oldDatum, k) < 0) {
      keys.push(k);
      if (map) values.push(newDatum.values![j]!);
    }
  }
  return sortedDatum(keys, map ? values : undefined);
}
