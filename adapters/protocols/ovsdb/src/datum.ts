/**
 * Conversion between OVSDB wire values (RFC 7047 §5.1: atoms, `["uuid", ..]`, `["named-uuid", ..]`,
 * `["set", [..]]`, `["map", [[k, v], ..]]`) and plain JavaScript values, driven by the column type.
 *
 * JavaScript side, by column type (see {@link ColumnType}):
 *
 * | column type            | JavaScript value                                   |
 * |------------------------|----------------------------------------------------|
 * | atom (`min 1, max 1`)  | `string`, `number`, `boolean` or {@link Uuid}       |
 * | optional (`min 0, max 1`) | the atom or `null`                              |
 * | set (`max > 1`)        | an array of atoms (decoded sorted)                 |
 * | map (`value` present)  | a `Map` (decoded sorted by key); encoding also takes a plain object |
 *
 * A reference to a row inserted earlier in the same transaction is a {@link NamedUuid} (`namedUuid('br')`).
 *
 * Encoding checks everything the schema says (type, integer/real ranges, string lengths in code points, enums,
 * set and map sizes, duplicates) and reports every problem with its path, before anything is sent. Decoding
 * checks the shape of what the server sent and throws DeviceProtocolError on a mismatch.
 *
 * @packageDocumentation
 */
import { DeviceProtocolError, type InputProblem, describeValue } from '@netloom/ports';
import type { BaseType, ColumnSchema, ColumnType, TableSchema } from './schema';

declare const uuidBrand: unique symbol;

/** A row UUID as the server wrote it (lower-case, 8-4-4-4-12 hex digits). A string at run time. */
export type Uuid = string & { readonly [uuidBrand]: true };

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UUID_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `s` is a UUID in the 8-4-4-4-12 hex form. */
export function isUuid(s: unknown): s is Uuid {
  return typeof s === 'string' && UUID_PATTERN.test(s);
}

/**
 * Brands a string as a {@link Uuid} (lower-cased).
 *
 * @throws TypeError when it is not in the 8-4-4-4-12 hex form.
 * @example asUuid('36bc0a1e-5d4f-4d6c-8f57-0e2d3c1f2a9b')
 */
export function asUuid(s: string): Uuid {
  if (!isUuid(s)) throw new TypeError(`${JSON.stringify(s)} is not a UUID`);
  return s.toLowerCase() as Uuid;
}

/**
 * A reference to the row that an `insert` with this `uuid-name` creates in the same transaction (wire form
 * `["named-uuid", name]`). Create with {@link namedUuid}.
 */
export class NamedUuid {
  constructor(readonly name: string) {}
  /** The wire form, so a NamedUuid inside JSON.stringify comes out right. */
  toJSON(): ['named-uuid', string] {
    return ['named-uuid', this.name];
  }
}

/**
 * Refers to a row inserted by the same transaction under `uuid-name` `name`.
 *
 * @throws TypeError when `name` is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`, as RFC 7047 requires).
 * @example
 * [op.insert('Interface', { name: 'p1' }, 'iface'), op.insert('Port', { name: 'p1', interfaces: [namedUuid('iface')] })]
 */
export function namedUuid(name: string): NamedUuid {
  if (!UUID_NAME_PATTERN.test(name)) throw new TypeError(`${JSON.stringify(name)} is not a valid uuid-name (letters, digits and _, not starting with a digit)`);
  return new NamedUuid(name);
}

/** One OVSDB atom in JavaScript. */
export type Atom = string | number | boolean | Uuid | NamedUuid;

/** A column value as decoded from the server (see the module table). */
export type OvsdbValue = Atom | null | readonly Atom[] | ReadonlyMap<Atom, Atom>;

/** A column value as accepted for encoding: a decoded value, or a map as a plain object, or a set as a `Set`. */
export type OvsdbValueInput = OvsdbValue | ReadonlySet<Atom> | { readonly [key: string]: Atom };

/** A row as decoded from the server: column name → value. Select results and replicas include `_uuid`. */
export interface Row {
  readonly [column: string]: OvsdbValue | undefined;
}

/** A row as accepted for encoding. `undefined` values are left out (the column is not written). */
export interface RowInput {
  readonly [column: string]: OvsdbValueInput | undefined;
}

/** A wire atom or datum (JSON). */
export type WireValue = string | number | boolean | readonly unknown[];

/** How strictly to encode (mutation and condition arguments relax what RFC 7047 relaxes). */
export interface EncodeMode {
  /** Check the base types' constraints (enum, ranges, lengths). Default true. */
  readonly constraints?: boolean;
  /** Check the number of elements against `min`/`max`. Default true. */
  readonly size?: boolean;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function atomText(v: unknown): string {
  if (v instanceof NamedUuid) return `namedUuid(${JSON.stringify(v.name)})`;
  return describeValue(v);
}

/**
 * Encodes one atom of `base`. Pushes a problem (at `path`) and returns undefined when it does not fit.
 */
export function encodeAtom(base: BaseType, value: unknown, path: string, problems: InputProblem[], mode: EncodeMode = {}): WireValue | undefined {
  const constraints = mode.constraints ?? true;
  const fail = (reason: string): undefined => {
    problems.push({ path, reason });
    return undefined;
  };
  let wire: WireValue;
  switch (base.type) {
    case 'integer': {
      if (typeof value !== 'number') return fail(`expected an integer, got ${atomText(value)}`);
      if (!Number.isInteger(value)) return fail(`${value} is not an integer`);
      if (!Number.isSafeInteger(value)) return fail(`${value} is beyond ±2^53 and would lose precision`);
      if (constraints) {
        const min = base.minInteger;
        const max = base.maxInteger;
        if ((min !== undefined && value < min) || (max !== undefined && value > max)) return fail(`${value} is outside ${min ?? '-∞'}..${max ?? '∞'}`);
      }
      wire = value;
      break;
    }
    case 'real': {
      if (typeof value !== 'number') return fail(`expected a real number, got ${atomText(value)}`);
      if (!Number.isFinite(value)) return fail(`${value} is not a finite number`);
      if (constraints) {
        const min = base.minReal;
        const max = base.maxReal;
        if ((min !== undefined && value < min) || (max !== undefined && value > max)) return fail(`${value} is outside ${min ?? '-∞'}..${max ?? '∞'}`);
      }
      wire = value;
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`expected a boolean, got ${atomText(value)}`);
      wire = value;
      break;
    case 'string': {
      if (typeof value !== 'string') return fail(`expected a string, got ${atomText(value)}`);
      if (constraints) {
        const n = codePoints(value);
        if (base.minLength !== undefined && n < base.minLength) return fail(`${describeValue(value)} is shorter than ${base.minLength} characters`);
        if (base.maxLength !== undefined && n > base.maxLength) return fail(`${describeValue(value)} is longer than ${base.maxLength} characters`);
      }
      wire = value;
      break;
    }
    case 'uuid': {
      if (value instanceof NamedUuid) return ['named-uuid', value.name];
      if (typeof value !== 'string') return fail(`expected a UUID or namedUuid(...), got ${atomText(value)}`);
      if (!UUID_PATTERN.test(value)) return fail(`${describeValue(value)} is not a UUID (use namedUuid(name) for a row inserted in this transaction)`);
      wire = ['uuid', value.toLowerCase()];
      break;
    }
  }
  if (constraints && base.enum !== undefined && !base.enum.includes(value as string | number | boolean)) {
    return fail(`${atomText(value)} is not one of ${base.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  return wire;
}

/** Turns a plain-object map key (always a string) into an atom of the key type, or undefined if it cannot be. */
function keyFromText(base: BaseType, key: string): unknown {
  switch (base.type) {
    case 'integer':
    case 'real':
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(key) ? Number(key) : key;
    case 'boolean':
      return key === 'true' ? true : key === 'false' ? false : key;
    default:
      return key;
  }
}

function isPlainObject(u: unknown): u is Record<string, unknown> {
  if (typeof u !== 'object' || u === null || Array.isArray(u) || u instanceof Map || u instanceof Set || u instanceof NamedUuid) return false;
  const proto = Object.getPrototypeOf(u) as unknown;
  return proto === Object.prototype || proto === null;
}

function atomKey(wire: WireValue): string {
  return JSON.stringify(wire);
}

function sizeText(type: ColumnType): string {
  if (type.max === 'unlimited') return `at least ${type.min}`;
  return type.min === type.max ? `exactly ${type.min}` : `${type.min} to ${type.max}`;
}

/**
 * Encodes a column value of `type`. Pushes every problem (at `path`, with `[i]` and `["key"]` below it) and
 * returns undefined when the value does not fit.
 *
 * @example
 * const problems: InputProblem[] = [];
 * encodeDatum({ key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 4096 }, [10, 20], 'Port.trunks', problems);
 * // ['set', [10, 20]]
 */
export function encodeDatum(type: ColumnType, value: unknown, path: string, problems: InputProblem[], mode: EncodeMode = {}): WireValue | undefined {
  const checkSize = mode.size ?? true;
  const before = problems.length;
  if (type.value !== undefined) {
    const valueType = type.value;
    let entries: Array<[unknown, unknown, string]>;
    if (value instanceof Map) entries = [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [k, v, typeof k === 'string' ? k : String(k)]);
    else if (isPlainObject(value)) entries = Object.entries(value).map(([k, v]) => [keyFromText(type.key, k), v, k]);
    else {
      problems.push({ path, reason: `expected a map (Map or plain object), got ${atomText(value)}` });
      return undefined;
    }
    const pairs: Array<[WireValue, WireValue]> = [];
    const seen = new Set<string>();
    for (const [k, v, label] of entries) {
      const at = `${path}[${JSON.stringify(label)}]`;
      const keyProblems: InputProblem[] = [];
      const wk = encodeAtom(type.key, k, at, keyProblems, mode);
      for (const p of keyProblems) problems.push({ path: p.path, reason: `map key: ${p.reason}` });
      const wv = encodeAtom(valueType, v, at, problems, mode);
      if (wk === undefined || wv === undefined) continue;
      const id = atomKey(wk);
      if (seen.has(id)) {
        problems.push({ path: at, reason: 'duplicate key' });
        continue;
      }
      seen.add(id);
      pairs.push([wk, wv]);
    }
    if (checkSize && !fitsSize(type, entries.length)) problems.push({ path, reason: `a map of ${entries.length} entries does not fit (${sizeText(type)} allowed)` });
    return problems.length > before ? undefined : ['map', pairs];
  }
  const single = type.min === 1 && type.max === 1;
  if (single && !Array.isArray(value) && !(value instanceof Set)) {
    if (value === null || value === undefined) {
      problems.push({ path, reason: 'required (the column holds exactly one value)' });
      return undefined;
    }
    return encodeAtom(type.key, value, path, problems, mode);
  }
  if (!single && type.max === 1 && !Array.isArray(value) && !(value instanceof Set)) {
    // An optional column: null is the empty set, anything else a single atom (written bare, a 1-element set).
    if (value === null) return ['set', []];
    return encodeAtom(type.key, value, path, problems, mode);
  }
  let items: unknown[];
  if (Array.isArray(value)) items = value as unknown[];
  else if (value instanceof Set) items = [...(value as Set<unknown>)];
  else {
    problems.push({ path, reason: `expected a set (array), got ${atomText(value)}` });
    return undefined;
  }
  const atoms: WireValue[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const w = encodeAtom(type.key, item, `${path}[${i}]`, problems, mode);
    if (w === undefined) return;
    const id = atomKey(w);
    if (seen.has(id)) {
      problems.push({ path: `${path}[${i}]`, reason: `duplicate element ${atomText(item)}` });
      return;
    }
    seen.add(id);
    atoms.push(w);
  });
  if (checkSize && !fitsSize(type, items.length)) problems.push({ path, reason: `a set of ${items.length} elements does not fit (${sizeText(type)} allowed)` });
  if (problems.length > before) return undefined;
  return ['set', atoms];
}

function fitsSize(type: ColumnType, n: number): boolean {
  return n >= type.min && (type.max === 'unlimited' || n <= type.max);
}

/** Options of {@link encodeRow}. */
export interface EncodeRowOptions extends EncodeMode {
  /** Refuse immutable columns (`update`): true. Insert may set them. */
  readonly rejectImmutable?: boolean;
  /** Path prefix (default the table name). */
  readonly path?: string;
}

/**
 * Encodes a row of `table`: every defined value must belong to a known, writable column and fit its type.
 *
 * @returns the wire row, or undefined when a problem was pushed.
 */
export function encodeRow(table: TableSchema, row: RowInput, problems: InputProblem[], options: EncodeRowOptions = {}): Record<string, WireValue> | undefined {
  const prefix = options.path ?? table.name;
  if (!isPlainObject(row)) {
    problems.push({ path: prefix, reason: `expected a row (plain object of column values), got ${atomText(row)}` });
    return undefined;
  }
  const before = problems.length;
  const out: Record<string, WireValue> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value === undefined) continue;
    const at = `${prefix}.${name}`;
    const column = table.columns.get(name);
    if (column === undefined) {
      problems.push({ path: at, reason: `unknown column (table ${table.name} has ${[...table.columns.keys()].filter((c) => !c.startsWith('_')).join(', ')})` });
      continue;
    }
    if (column.implicit) {
      problems.push({ path: at, reason: `${name} is set by the server and cannot be written` });
      continue;
    }
    if (options.rejectImmutable === true && !column.mutable) {
      problems.push({ path: at, reason: 'the column is immutable: it can only be set when the row is inserted' });
      continue;
    }
    const wire = encodeDatum(column.type, value, at, problems, options);
    if (wire !== undefined) Object.defineProperty(out, name, { value: wire, enumerable: true, writable: true, configurable: true });
  }
  return problems.length > before ? undefined : out;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding (server → JavaScript)

/** Orders atoms for sorted sets and maps: numbers numerically, booleans false first, strings by code unit. */
export function compareAtoms(a: Atom, b: Atom): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = a instanceof NamedUuid ? a.name : String(a);
  const sb = b instanceof NamedUuid ? b.name : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Decodes one atom; pushes a problem and returns undefined when the JSON is not an atom of `base`. */
export function decodeAtom(base: BaseType, json: unknown, path: string, problems: InputProblem[]): Atom | undefined {
  const fail = (): undefined => {
    const expected = base.type === 'uuid' ? '["uuid", <uuid>]' : base.type === 'integer' ? 'an integer' : `a ${base.type}`;
    problems.push({ path, reason: `expected ${expected}, got ${describeWire(json)}` });
    return undefined;
  };
  switch (base.type) {
    case 'integer':
      return typeof json === 'number' && Number.isInteger(json) ? json : fail();
    case 'real':
      return typeof json === 'number' ? json : fail();
    case 'boolean':
      return typeof json === 'boolean' ? json : fail();
    case 'string':
      return typeof json === 'string' ? json : fail();
    case 'uuid':
      if (Array.isArray(json) && json.length === 2 && json[0] === 'uuid' && isUuid(json[1])) return (json[1] as string).toLowerCase() as Uuid;
      return fail();
  }
}

function describeWire(json: unknown): string {
  if (Array.isArray(json)) {
    const text = JSON.stringify(json) ?? '';
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
  return describeValue(json);
}

/** Splits a wire datum that may be a set into its atoms (a bare atom is a 1-element set). */
function setMembers(json: unknown): unknown[] {
  if (Array.isArray(json) && json.length === 2 && json[0] === 'set' && Array.isArray(json[1])) return json[1] as unknown[];
  return [json];
}

/**
 * Decodes a column value of `type` from the wire. Pushes a problem and returns undefined when the JSON does not
 * have the shape of the type (sizes and constraints are the server's business and not re-checked).
 */
export function decodeDatum(type: ColumnType, json: unknown, path: string, problems: InputProblem[]): OvsdbValue | undefined {
  const before = problems.length;
  if (type.value !== undefined) {
    if (!(Array.isArray(json) && json.length === 2 && json[0] === 'map' && Array.isArray(json[1]))) {
      problems.push({ path, reason: `expected ["map", [[key, value], ...]], got ${describeWire(json)}` });
      return undefined;
    }
    const pairs: Array<[Atom, Atom]> = [];
    (json[1] as unknown[]).forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        problems.push({ path: `${path}[${i}]`, reason: `expected a [key, value] pair, got ${describeWire(pair)}` });
        return;
      }
      const k = decodeAtom(type.key, pair[0], `${path}[${i}][0]`, problems);
      const v = decodeAtom(type.value!, pair[1], `${path}[${i}][1]`, problems);
      if (k !== undefined && v !== undefined) pairs.push([k, v]);
    });
    if (problems.length > before) return undefined;
    pairs.sort((a, b) => compareAtoms(a[0], b[0]));
    return new Map(pairs);
  }
  const members = setMembers(json);
  const atoms: Atom[] = [];
  members.forEach((m, i) => {
    const a = decodeAtom(type.key, m, members.length === 1 && members[0] === json ? path : `${path}[${i}]`, problems);
    if (a !== undefined) atoms.push(a);
  });
  if (problems.length > before) return undefined;
  if (type.max === 1) {
    if (atoms.length > 1) {
      problems.push({ path, reason: `expected at most one value, got ${atoms.length}` });
      return undefined;
    }
    if (atoms.length === 0) {
      if (type.min === 1) {
        problems.push({ path, reason: 'expected a value, got an empty set' });
        return undefined;
      }
      return null;
    }
    return atoms[0]!;
  }
  atoms.sort(compareAtoms);
  return atoms;
}

/**
 * Decodes a row of `table` from the wire (all its columns, or the subset the server sent).
 *
 * @returns the row, or undefined when a problem was pushed.
 */
export function decodeRow(table: TableSchema, json: unknown, path: string, problems: InputProblem[]): Row | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.push({ path, reason: `expected a row object, got ${describeWire(json)}` });
    return undefined;
  }
  const before = problems.length;
  const out: Record<string, OvsdbValue> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    const column: ColumnSchema | undefined = table.columns.get(name);
    if (column === undefined) {
      problems.push({ path: `${path}.${name}`, reason: `the server sent a column that the schema of ${table.name} does not have` });
      continue;
    }
    const v = decodeDatum(column.type, value, `${path}.${name}`, problems);
    if (v !== undefined) Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return problems.length > before ? undefined : out;
}

/** Throws DeviceProtocolError for problems found while decoding a server reply (`subject` names the reply). */
export function throwIfReplyProblems(problems: readonly InputProblem[], subject: string, details: Record<string, unknown> = {}): void {
  if (problems.length === 0) return;
  const lines = problems.slice(0, 20).map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
  const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : '';
  throw new DeviceProtocolError(`${subject} is malformed (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}${more}`, {
    details: { ...details, problems },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Equality (replica diffs)

/** True when two decoded values are equal (sets and maps compared by content, whatever their order). */
export function valuesEqual(a: OvsdbValue | undefined, b: OvsdbValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const sa = [...(a as Atom[])].sort(compareAtoms);
    const sb = [...(b as Atom[])].sort(compareAtoms);
    return sa.every((x, i) => atomsEqual(x, sb[i]!));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a as Map<Atom, Atom>) {
      if (!(b as Map<Atom, Atom>).has(k) || !atomsEqual(v, (b as Map<Atom, Atom>).get(k)!)) return false;
    }
    return true;
  }
  return atomsEqual(a as Atom, b as Atom);
}

function atomsEqual(a: Atom, b: Atom): boolean {
  if (a instanceof NamedUuid && b instanceof NamedUuid) return a.name === b.name;
  return a === b;
}

/** True when two rows have the same columns with equal values. */
export function rowsEqual(a: Row, b: Row): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && valuesEqual(a[k], b[k]));
}
