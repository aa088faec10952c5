/**
 * OVSDB database schemas (RFC 7047 §3.2): the io-ts codec that validates what `get_schema` returns, and the
 * normalised model the value conversions work from (every column type spelled out as key/value base types with
 * `min`/`max`, the implicit `_uuid` and `_version` columns added to every table).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { DeviceProtocolError, type InputProblem, problemsFromErrors, struct, typeMismatch, describeValue } from '@netloom/ports';

/** The five atomic types of OVSDB. */
export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

/** An atom allowed in an `enum` constraint. */
export type EnumAtom = string | number | boolean;

/** A base type: an atomic type and its constraints (RFC 7047 §3.2 `<base-type>`). */
export interface BaseType {
  readonly type: AtomicType;
  /** The only values allowed, when present. */
  readonly enum?: readonly EnumAtom[];
  readonly minInteger?: number;
  readonly maxInteger?: number;
  readonly minReal?: number;
  readonly maxReal?: number;
  /** Minimum string length, in Unicode code points. */
  readonly minLength?: number;
  /** Maximum string length, in Unicode code points. */
  readonly maxLength?: number;
  /** For `uuid`: the table the UUID refers to. */
  readonly refTable?: string;
  /** For `uuid` with `refTable`: `strong` (default; the referenced row must exist) or `weak`. */
  readonly refType?: 'strong' | 'weak';
}

/**
 * A column type (RFC 7047 §3.2 `<type>`), normalised. Its shape decides the JavaScript value of the column:
 * `min 1, max 1` → a single atom; `min 0, max 1` → the atom or `null`; larger `max` → an array (a set); with `value`
 * → a `Map` (a map).
 */
export interface ColumnType {
  readonly key: BaseType;
  readonly value?: BaseType;
  readonly min: number;
  readonly max: number | 'unlimited';
}

/** One column of a table. */
export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  /** Not persisted across server restarts. */
  readonly ephemeral: boolean;
  /** False for columns that may only be set on insert (`update` and `mutate` may not change them). */
  readonly mutable: boolean;
  /** True for `_uuid` and `_version`, which every table has and nobody writes. */
  readonly implicit: boolean;
}

/** One table of a database. */
export interface TableSchema {
  readonly name: string;
  /** Every column by name, including `_uuid` and `_version`. */
  readonly columns: ReadonlyMap<string, ColumnSchema>;
  readonly maxRows?: number;
  /**
   * Root tables keep their rows; rows of a non-root table that no other row references are deleted when a
   * transaction commits (garbage collection).
   */
  readonly isRoot: boolean;
  /** Column sets whose values must be unique across rows. */
  readonly indexes: readonly (readonly string[])[];
}

/** A database schema as `get_schema` describes it. */
export interface DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly cksum?: string;
  readonly tables: ReadonlyMap<string, TableSchema>;
}

// ---------------------------------------------------------------------------------------------------------------
// Wire codecs

const AtomicTypeCodec = t.keyof({ integer: null, real: null, boolean: null, string: null, uuid: null }, 'atomic-type');

const EnumAtomCodec = t.union([t.string, t.number, t.boolean], 'atom');

/** `enum` is an `<atom>` or `["set", [<atom>...]]`. */
const EnumCodec = new t.Type<readonly EnumAtom[], unknown, unknown>(
  'enum',
  (u): u is readonly EnumAtom[] => Array.isArray(u) && u.every((x) => EnumAtomCodec.is(x)),
  (u, c) => {
    if (EnumAtomCodec.is(u)) return t.success([u]);
    if (Array.isArray(u) && u.length === 2 && u[0] === 'set' && Array.isArray(u[1]) && (u[1] as unknown[]).every((x) => EnumAtomCodec.is(x))) return t.success(u[1] as EnumAtom[]);
    return typeMismatch(u, c, `expected an atom or ["set", [atoms]], got ${describeValue(u)}`);
  },
  (a) => ['set', a],
);

const BaseTypeObjectCodec = struct(
  'base-type',
  { type: AtomicTypeCodec },
  {
    enum: EnumCodec,
    minInteger: t.number,
    maxInteger: t.number,
    minReal: t.number,
    maxReal: t.number,
    minLength: t.number,
    maxLength: t.number,
    refTable: t.string,
    refType: t.keyof({ strong: null, weak: null }),
  },
  { unknownFields: 'strip' },
);

const BaseTypeCodec = t.union([AtomicTypeCodec, BaseTypeObjectCodec], 'base-type');

const MaxCodec = t.union([t.number, t.literal('unlimited')], 'max');

const TypeObjectCodec = struct('type', { key: BaseTypeCodec }, { value: BaseTypeCodec, min: t.number, max: MaxCodec }, { unknownFields: 'strip' });

const ColumnTypeCodec = t.union([AtomicTypeCodec, TypeObjectCodec], 'type');

const ColumnCodec = struct('column', { type: ColumnTypeCodec }, { ephemeral: t.boolean, mutable: t.boolean }, { unknownFields: 'strip' });

const TableCodec = struct(
  'table',
  { columns: t.record(t.string, ColumnCodec) },
  { maxRows: t.number, isRoot: t.boolean, indexes: t.array(t.array(t.string)) },
  { unknownFields: 'strip' },
);

/** The io-ts codec of a `get_schema` reply (RFC 7047 `<database-schema>`). Unknown fields are ignored. */
export const DatabaseSchemaCodec = struct('database-schema', { name: t.string, version: t.string, tables: t.record(t.string, TableCodec) }, { cksum: t.string }, { unknownFields: 'strip' });

type WireBaseType = t.TypeOf<typeof BaseTypeCodec>;

function normaliseBase(b: WireBaseType): BaseType {
  if (typeof b === 'string') return { type: b };
  const out: { -readonly [K in keyof BaseType]: BaseType[K] } = { type: b.type };
  if (b.enum !== undefined) out.enum = b.enum;
  if (b.minInteger !== undefined) out.minInteger = b.minInteger;
  if (b.maxInteger !== undefined) out.maxInteger = b.maxInteger;
  if (b.minReal !== undefined) out.minReal = b.minReal;
  if (b.maxReal !== undefined) out.maxReal = b.maxReal;
  if (b.minLength !== undefined) out.minLength = b.minLength;
  if (b.maxLength !== undefined) out.maxLength = b.maxLength;
  if (b.refTable !== undefined) {
    out.refTable = b.refTable;
    out.refType = b.refType ?? 'strong';
  }
  return out;
}

const IMPLICIT_UUID: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };

/**
 * Validates a `get_schema` reply and returns the normalised schema.
 *
 * @throws DeviceProtocolError listing every problem as `path: reason` (a malformed schema, a `min` other than 0
 *   or 1, `min > max`, a `refTable` that names no table).
 * @example
 * const schema = parseSchema(await rpc.request('get_schema', ['Open_vSwitch']));
 * schema.tables.get('Port')?.columns.get('tag')?.type // { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 }
 */
export function parseSchema(json: unknown): DatabaseSchema {
  const decoded = DatabaseSchemaCodec.decode(json);
  if (decoded._tag === 'Left') throw schemaError(json, problemsFromErrors(decoded.left));
  const wire = decoded.right;
  const problems: InputProblem[] = [];
  const tables = new Map<string, TableSchema>();
  for (const [tableName, table] of Object.entries(wire.tables)) {
    const columns = new Map<string, ColumnSchema>();
    columns.set('_uuid', { name: '_uuid', type: IMPLICIT_UUID, ephemeral: false, mutable: false, implicit: true });
    columns.set('_version', { name: '_version', type: IMPLICIT_UUID, ephemeral: false, mutable: false, implicit: true });
    for (const [columnName, column] of Object.entries(table.columns)) {
      const path = `tables.${tableName}.columns.${columnName}.type`;
      const wt = column.type;
      const type: ColumnType =
        typeof wt === 'string'
          ? { key: { type: wt }, min: 1, max: 1 }
          : { key: normaliseBase(wt.key), ...(wt.value !== undefined ? { value: normaliseBase(wt.value) } : {}), min: wt.min ?? 1, max: wt.max ?? 1 };
      if (type.min !== 0 && type.min !== 1) problems.push({ path: `${path}.min`, reason: `${type.min} is not 0 or 1` });
      if (type.max !== 'unlimited' && (!Number.isInteger(type.max) || type.max < 1)) problems.push({ path: `${path}.max`, reason: `${type.max} is not a positive integer or "unlimited"` });
      else if (type.max !== 'unlimited' && type.min > type.max) problems.push({ path: `${path}.max`, reason: `${type.max} is below min ${type.min}` });
      if (columnName.startsWith('_')) problems.push({ path: `tables.${tableName}.columns.${columnName}`, reason: 'column names starting with "_" are reserved' });
      columns.set(columnName, { name: columnName, type, ephemeral: column.ephemeral ?? false, mutable: column.mutable ?? true, implicit: false });
    }
    tables.set(tableName, {
      name: tableName,
      columns,
      ...(table.maxRows !== undefined ? { maxRows: table.maxRows } : {}),
      isRoot: table.isRoot ?? false,
      indexes: table.indexes ?? [],
    });
  }
  for (const table of tables.values()) {
    for (const column of table.columns.values()) {
      for (const [part, base] of [
        ['key', column.type.key],
        ['value', column.type.value],
      ] as const) {
        if (base?.refTable !== undefined && !tables.has(base.refTable)) {
          problems.push({ path: `tables.${table.name}.columns.${column.name}.type.${part}.refTable`, reason: `${JSON.stringify(base.refTable)} is not a table of this database` });
        }
      }
    }
  }
  if (problems.length > 0) throw schemaError(json, problems);
  return { name: wire.name, version: wire.version, ...(wire.cksum !== undefined ? { cksum: wire.cksum } : {}), tables };
}

function schemaError(json: unknown, problems: readonly InputProblem[]): DeviceProtocolError {
  const name = typeof json === 'object' && json !== null && typeof (json as { name?: unknown }).name === 'string' ? (json as { name: string }).name : '(unnamed)';
  const lines = problems.map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
  return new DeviceProtocolError(`OVSDB schema of database ${name} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
    details: { database: name, problems },
  });
}

/** True when the column holds a map. */
export function isMapType(type: ColumnType): boolean {
  return type.value !== undefined;
}

/** True when the column holds exactly one atom (`min 1, max 1`, no value type). */
export function isScalarType(type: ColumnType): boolean {
  return type.value === undefined && type.min === 1 && type.max === 1;
}

/** True when the column holds zero or one atom (`min 0, max 1`, no value type): JavaScript `atom | null`. */
export function isOptionalType(type: ColumnType): boolean {
  return type.value === undefined && type.min === 0 && type.max === 1;
}

/** True when the column holds a set of more than one possible atom: a JavaScript array. */
export function isSetType(type: ColumnType): boolean {
  return type.value === undefined && (type.max === 'unlimited' || type.max > 1);
}
