/**
 * OVSDB database schemas (RFC 7047 §3.2) for the simulator: reading a `.ovsschema` file into a typed model, the
 * normalised JSON that ovsdb-server's `get_schema` returns, the English type names its error texts use, and the
 * schemas this package ships (`conformance/schemas/`, copied from Open vSwitch 3.1) plus ovsdb-server's own
 * `_Server` schema.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { InputError, type InputProblem, decodeOrThrow, struct } from '@netloom/ports';

/** The five OVSDB atomic types. */
export type OvsdbAtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

/** One OVSDB atom: integers and reals as numbers, UUIDs as their lower-case text. */
export type OvsdbAtom = string | number | boolean;

/** A base type with its constraints (RFC 7047 `<base-type>`). Absent constraints are unbounded. */
export interface OvsdbBaseType {
  readonly type: OvsdbAtomicType;
  /** The allowed values, sorted. */
  readonly enum?: readonly OvsdbAtom[];
  readonly minInteger?: number;
  readonly maxInteger?: number;
  readonly minReal?: number;
  readonly maxReal?: number;
  /** String length limits, in UTF-8 bytes as ovsdb-server counts them. */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** For UUIDs: the table referred to. */
  readonly refTable?: string;
  /** For references: `strong` (the default) or `weak`. */
  readonly refType?: 'strong' | 'weak';
}

/** A column type: a scalar, optional value, set or map, with `min`/`max` element counts (`max` may be Infinity). */
export interface OvsdbColumnType {
  readonly key: OvsdbBaseType;
  readonly value?: OvsdbBaseType;
  readonly min: number;
  readonly max: number;
}

/** A column. `_uuid` and `_version` are implicit (see {@link ovsdbColumn}). */
export interface OvsdbColumnSchema {
  readonly name: string;
  readonly type: OvsdbColumnType;
  readonly ephemeral: boolean;
  readonly mutable: boolean;
}

/** A table. `isRoot` is effective: true for every table of a schema that marks none (RFC 7047 §3.2). */
export interface OvsdbTableSchema {
  readonly name: string;
  /** The schema's columns in file order (without `_uuid` and `_version`). */
  readonly columns: ReadonlyMap<string, OvsdbColumnSchema>;
  readonly isRoot: boolean;
  readonly maxRows?: number;
  /** Column lists whose values must be unique across the table's rows. */
  readonly indexes: readonly (readonly string[])[];
}

/** A database schema. */
export interface OvsdbDatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly cksum?: string;
  readonly tables: ReadonlyMap<string, OvsdbTableSchema>;
}

const UUID_BASE: OvsdbBaseType = { type: 'uuid' };
const IMPLICIT: Readonly<Record<string, OvsdbColumnSchema>> = {
  _uuid: { name: '_uuid', type: { key: UUID_BASE, min: 1, max: 1 }, ephemeral: false, mutable: false },
  _version: { name: '_version', type: { key: UUID_BASE, min: 1, max: 1 }, ephemeral: false, mutable: false },
};

/** A column of `table` by name, including the implicit `_uuid` and `_version`; undefined when there is none. */
export function ovsdbColumn(table: OvsdbTableSchema, name: string): OvsdbColumnSchema | undefined {
  return table.columns.get(name) ?? (Object.prototype.hasOwnProperty.call(IMPLICIT, name) ? IMPLICIT[name] : undefined);
}

/** True when the type holds key/value pairs. */
export function isOvsdbMap(type: OvsdbColumnType): boolean {
  return type.value !== undefined;
}

/** True when the type is exactly one value (`min` = `max` = 1, no map). */
export function isOvsdbScalar(type: OvsdbColumnType): boolean {
  return type.value === undefined && type.min === 1 && type.max === 1;
}

/** True when the type is zero or one value. */
export function isOvsdbOptional(type: OvsdbColumnType): boolean {
  return type.value === undefined && type.min === 0 && type.max === 1;
}

/** UINT_MAX, which ovsdb-server prints for "unlimited" in its texts. */
const UINT_MAX = 4294967295;

/** The count ovsdb-server prints for `max` (`unlimited` is UINT_MAX). */
export function printedMax(type: OvsdbColumnType): number {
  return type.max === Infinity ? UINT_MAX : type.max;
}

/**
 * The English name of a type as ovsdb-server's messages print it (`ovsdb_type_to_english`).
 *
 * @example ovsdbTypeToEnglish({ key: { type: 'uuid' }, min: 1, max: Infinity }) // 'set of 1 or more uuids'
 */
export function ovsdbTypeToEnglish(type: OvsdbColumnType): string {
  if (isOvsdbScalar(type)) return type.key.type;
  let s = type.value === undefined ? 'set' : 'map';
  if (type.max === Infinity) s += type.min > 0 ? ` of ${type.min} or more` : ' of';
  else if (type.min > 0) s += ` of ${type.min} to ${type.max}`;
  else s += ` of up to ${type.max}`;
  return type.value === undefined ? `${s} ${type.key.type}s` : `${s} (${type.key.type}, ${type.value.type}) pairs`;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const ATOMIC = t.keyof({ integer: null, real: null, boolean: null, string: null, uuid: null });
const BaseTypeObject = struct(
  'base type',
  { type: ATOMIC },
  {
    enum: t.unknown,
    minInteger: t.number,
    maxInteger: t.number,
    minReal: t.number,
    maxReal: t.number,
    minLength: t.number,
    maxLength: t.number,
    refTable: t.string,
    refType: t.keyof({ strong: null, weak: null }),
  },
);
const BaseTypeJson = t.union([ATOMIC, BaseTypeObject]);
const TypeJson = t.union([ATOMIC, struct('column type', { key: BaseTypeJson }, { value: BaseTypeJson, min: t.number, max: t.union([t.number, t.literal('unlimited')]) })]);
const ColumnJson = struct('column', { type: TypeJson }, { ephemeral: t.boolean, mutable: t.boolean });
const TableJson = struct('table', { columns: t.record(t.string, ColumnJson) }, { maxRows: t.number, isRoot: t.boolean, indexes: t.array(t.array(t.string)) });
const SchemaJson = struct('schema', { name: t.string, version: t.string, tables: t.record(t.string, TableJson) }, { cksum: t.string });

type BaseTypeInput = t.TypeOf<typeof BaseTypeJson>;

const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isUint(n: number | undefined): boolean {
  return n === undefined || (Number.isInteger(n) && n >= 0);
}

function parseBase(input: BaseTypeInput, at: string, problems: InputProblem[]): OvsdbBaseType {
  if (typeof input === 'string') return { type: input };
  const base: { -readonly [K in keyof OvsdbBaseType]: OvsdbBaseType[K] } = { type: input.type };
  const only = (fields: readonly (keyof typeof input)[], types: readonly OvsdbAtomicType[]): void => {
    for (const f of fields) if (input[f] !== undefined && !types.includes(input.type)) problems.push({ path: `${at}.${f}`, reason: `not allowed for a ${input.type}` });
  };
  only(['minInteger', 'maxInteger'], ['integer']);
  only(['minReal', 'maxReal'], ['real']);
  only(['minLength', 'maxLength'], ['string']);
  only(['refTable', 'refType'], ['uuid']);
  if (input.minInteger !== undefined) base.minInteger = input.minInteger;
  if (input.maxInteger !== undefined) base.maxInteger = input.maxInteger;
  if (input.minReal !== undefined) base.minReal = input.minReal;
  if (input.maxReal !== undefined) base.maxReal = input.maxReal;
  if (input.minLength !== undefined) base.minLength = input.minLength;
  if (input.maxLength !== undefined) base.maxLength = input.maxLength;
  if (!isUint(input.minLength) || !isUint(input.maxLength)) problems.push({ path: `${at}.minLength`, reason: 'lengths must be non-negative integers' });
  for (const [lo, hi] of [
    [base.minInteger, base.maxInteger],
    [base.minReal, base.maxReal],
    [base.minLength, base.maxLength],
  ] as const) {
    if (lo !== undefined && hi !== undefined && lo > hi) problems.push({ path: at, reason: `minimum ${lo} is greater than maximum ${hi}` });
  }
  if (input.refTable !== undefined) {
    base.refTable = input.refTable;
    base.refType = input.refType ?? 'strong';
  } else if (input.refType !== undefined) problems.push({ path: `${at}.refType`, reason: 'refType needs refTable' });
  if (input.enum !== undefined) {
    const raw = input.enum;
    const atoms = Array.isArray(raw) && raw.length === 2 && raw[0] === 'set' && Array.isArray(raw[1]) ? (raw[1] as unknown[]) : [raw];
    const ok = atoms.every((a) =>
      input.type === 'integer' ? Number.isInteger(a) : input.type === 'real' ? typeof a === 'number' : input.type === 'boolean' ? typeof a === 'boolean' : input.type === 'string' ? typeof a === 'string' : false,
    );
    if (!ok || atoms.length === 0) problems.push({ path: `${at}.enum`, reason: `expected a ${input.type} or ["set", [...]] of them` });
    else base.enum = [...new Set(atoms as OvsdbAtom[])].sort(compareSchemaAtoms);
  }
  return base;
}

function compareSchemaAtoms(a: OvsdbAtom, b: OvsdbAtom): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Reads and checks a schema (the parsed JSON of a `.ovsschema` file or of a `get_schema` reply).
 *
 * @throws InputError listing every problem with its path (`tables.Port.columns.tag.type.min: ...`).
 * @example
 * const schema = parseOvsdbSchema(JSON.parse(fs.readFileSync(VSWITCH_OVSSCHEMA, 'utf8')));
 * schema.tables.get('Bridge')!.indexes; // [['name']]
 */
export function parseOvsdbSchema(json: unknown, source = 'OVSDB schema'): OvsdbDatabaseSchema {
  const decoded = decodeOrThrow(SchemaJson, json, source);
  const problems: InputProblem[] = [];
  if (!ID.test(decoded.name)) problems.push({ path: 'name', reason: `${JSON.stringify(decoded.name)} is not an identifier` });
  if (!/^\d+\.\d+\.\d+$/.test(decoded.version)) problems.push({ path: 'version', reason: `${JSON.stringify(decoded.version)} is not <major>.<minor>.<patch>` });
  const tables = new Map<string, OvsdbTableSchema>();
  const anyRoot = Object.values(decoded.tables).some((tbl) => tbl.isRoot === true);
  for (const [tableName, tbl] of Object.entries(decoded.tables)) {
    const at = `tables.${tableName}`;
    if (!ID.test(tableName) || tableName.startsWith('_')) problems.push({ path: at, reason: 'table names are identifiers not starting with "_"' });
    const columns = new Map<string, OvsdbColumnSchema>();
    for (const [columnName, col] of Object.entries(tbl.columns)) {
      const cat = `${at}.columns.${columnName}`;
      if (!ID.test(columnName) || columnName.startsWith('_')) problems.push({ path: cat, reason: 'column names are identifiers not starting with "_"' });
      let type: OvsdbColumnType;
      if (typeof col.type === 'string') type = { key: { type: col.type }, min: 1, max: 1 };
      else {
        const min = col.type.min ?? 1;
        const max = col.type.max === 'unlimited' ? Infinity : (col.type.max ?? 1);
        if (min !== 0 && min !== 1) problems.push({ path: `${cat}.type.min`, reason: `must be 0 or 1, got ${min}` });
        if (!(max === Infinity || (Number.isInteger(max) && max >= 1)) || max < min) problems.push({ path: `${cat}.type.max`, reason: `must be a positive integer ≥ min or "unlimited"` });
        const key = parseBase(col.type.key, `${cat}.type.key`, problems);
        const value = col.type.value === undefined ? undefined : parseBase(col.type.value, `${cat}.type.value`, problems);
        type = value === undefined ? { key, min, max } : { key, value, min, max };
      }
      // ovsdb-server makes an ephemeral column that holds references persistent (and reports it so).
      const holdsRefs = type.key.refTable !== undefined || type.value?.refTable !== undefined;
      columns.set(columnName, { name: columnName, type, ephemeral: (col.ephemeral ?? false) && !holdsRefs, mutable: col.mutable ?? true });
    }
    const indexes = (tbl.indexes ?? []).map((index, i) => {
      if (index.length === 0) problems.push({ path: `${at}.indexes[${i}]`, reason: 'an index needs at least one column' });
      for (const c of index) if (!columns.has(c)) problems.push({ path: `${at}.indexes[${i}]`, reason: `${JSON.stringify(c)} is not a column of ${tableName}` });
      return [...index];
    });
    if (tbl.maxRows !== undefined && !(Number.isInteger(tbl.maxRows) && tbl.maxRows >= 1)) problems.push({ path: `${at}.maxRows`, reason: 'must be a positive integer' });
    tables.set(tableName, {
      name: tableName,
      columns,
      // A schema written before isRoot existed has no garbage collection: every table is a root.
      isRoot: anyRoot ? tbl.isRoot === true : true,
      ...(tbl.maxRows !== undefined ? { maxRows: tbl.maxRows } : {}),
      indexes,
    });
  }
  for (const table of tables.values()) {
    for (const col of table.columns.values()) {
      for (const base of [col.type.key, col.type.value]) {
        if (base?.refTable !== undefined && !tables.has(base.refTable)) problems.push({ path: `tables.${table.name}.columns.${col.name}`, reason: `refers to unknown table ${JSON.stringify(base.refTable)}` });
      }
    }
  }
  if (problems.length > 0) throw InputError.fromProblems(source, problems);
  return { name: decoded.name, version: decoded.version, ...(decoded.cksum !== undefined ? { cksum: decoded.cksum } : {}), tables };
}

/**
 * Reads a `.ovsschema` file.
 *
 * @throws InputError when the file cannot be read, is not JSON, or is not a valid schema.
 */
export function loadOvsdbSchema(file: string): OvsdbDatabaseSchema {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw InputError.fromProblems(`OVSDB schema file ${file}`, [{ path: '', reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw InputError.fromProblems(`OVSDB schema file ${file}`, [{ path: '', reason: `is not JSON (${e instanceof Error ? e.message : String(e)})` }]);
  }
  return parseOvsdbSchema(json, `OVSDB schema file ${file}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Normalised JSON (what get_schema returns)

function baseHasConstraints(b: OvsdbBaseType): boolean {
  return b.enum !== undefined || b.minInteger !== undefined || b.maxInteger !== undefined || b.minReal !== undefined || b.maxReal !== undefined || b.minLength !== undefined || b.maxLength !== undefined || b.refTable !== undefined;
}

function baseToJson(b: OvsdbBaseType): unknown {
  if (!baseHasConstraints(b)) return b.type;
  const out: Record<string, unknown> = { type: b.type };
  if (b.enum !== undefined) out['enum'] = b.enum.length === 1 ? b.enum[0] : ['set', [...b.enum]];
  if (b.minInteger !== undefined) out['minInteger'] = b.minInteger;
  if (b.maxInteger !== undefined) out['maxInteger'] = b.maxInteger;
  if (b.minReal !== undefined) out['minReal'] = b.minReal;
  if (b.maxReal !== undefined) out['maxReal'] = b.maxReal;
  if (b.minLength !== undefined) out['minLength'] = b.minLength;
  if (b.maxLength !== undefined) out['maxLength'] = b.maxLength;
  if (b.refTable !== undefined) {
    out['refTable'] = b.refTable;
    if (b.refType === 'weak') out['refType'] = 'weak';
  }
  return out;
}

function typeToJson(type: OvsdbColumnType): unknown {
  if (isOvsdbScalar(type) && !baseHasConstraints(type.key)) return type.key.type;
  const out: Record<string, unknown> = { key: baseToJson(type.key) };
  if (type.value !== undefined) out['value'] = baseToJson(type.value);
  if (type.min !== 1) out['min'] = type.min;
  if (type.max === Infinity) out['max'] = 'unlimited';
  else if (type.max !== 1) out['max'] = type.max;
  return out;
}

/**
 * The schema as ovsdb-server's `get_schema` returns it: defaults left out (`min`/`max` of 1, strong `refType`,
 * unbounded limits), constraint-free base types as plain strings, one-value enums as a bare atom.
 */
export function ovsdbSchemaToJson(schema: OvsdbDatabaseSchema): Record<string, unknown> {
  const tables: Record<string, unknown> = {};
  // When every table is a root, `isRoot` is the default and ovsdb-server leaves it out.
  const allRoots = [...schema.tables.values()].every((t) => t.isRoot);
  for (const table of schema.tables.values()) {
    const columns: Record<string, unknown> = {};
    for (const col of table.columns.values()) {
      const c: Record<string, unknown> = { type: typeToJson(col.type) };
      if (col.ephemeral) c['ephemeral'] = true;
      if (!col.mutable) c['mutable'] = false;
      columns[col.name] = c;
    }
    const tj: Record<string, unknown> = { columns };
    if (table.maxRows !== undefined) tj['maxRows'] = table.maxRows;
    if (table.isRoot && !allRoots) tj['isRoot'] = true;
    if (table.indexes.length > 0) tj['indexes'] = table.indexes.map((i) => [...i]);
    tables[table.name] = tj;
  }
  return { name: schema.name, version: schema.version, ...(schema.cksum !== undefined ? { cksum: schema.cksum } : {}), tables };
}

// ---------------------------------------------------------------------------------------------------------------
// Shipped schemas

/**
 * The folder holding the schema files this package ships (`conformance/schemas/`). Resolved from this module's
 * location, which is `src/simulators/ovsdb/` or `dist/simulators/ovsdb/`: both three levels below the package root.
 */
export const OVSDB_SCHEMA_DIR: string = path.resolve(__dirname, '..', '..', '..', 'schemas');

/** The `Open_vSwitch` schema (vswitch.ovsschema 8.3.1, Open vSwitch 3.1), shipped with this package. */
export const VSWITCH_OVSSCHEMA: string = path.join(OVSDB_SCHEMA_DIR, 'vswitch.ovsschema');

/** The `hardware_vtep` schema (vtep.ovsschema 1.7.0, Open vSwitch 3.1), shipped with this package. */
export const VTEP_OVSSCHEMA: string = path.join(OVSDB_SCHEMA_DIR, 'vtep.ovsschema');

/** ovsdb-server's `_Server` database schema (ovsdb/_server.ovsschema 1.2.0 of Open vSwitch 3.1). */
export const OVSDB_SERVER_SCHEMA_JSON = {
  name: '_Server',
  version: '1.2.0',
  cksum: '3009684573 744',
  tables: {
    Database: {
      columns: {
        name: { type: 'string' },
        model: { type: { key: { type: 'string', enum: ['set', ['clustered', 'relay', 'standalone']] } } },
        connected: { type: 'boolean' },
        leader: { type: 'boolean' },
        schema: { type: { key: 'string', min: 0 } },
        sid: { type: { key: 'uuid', min: 0 } },
        cid: { type: { key: 'uuid', min: 0 } },
        index: { type: { key: 'integer', min: 0 } },
      },
    },
  },
} as const;
