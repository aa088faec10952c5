/**
 * The `transact` method (RFC 7047 §4.1.3, §5.2): parses and runs the operations one by one on a working copy, as
 * ovsdb-server does — the first failing operation ends the transaction (its error in its slot, `null` after it),
 * a commit-time failure is appended as one extra result, and nothing is applied unless everything succeeded.
 *
 * A `wait` whose condition does not hold yet (and whose timeout has not run out) makes the whole transaction
 * "blocked": the caller keeps it and runs it again from the start after the next commit or when the timeout is due.
 *
 * @packageDocumentation
 */
import { type OvsdbClause, matchesAll, parseConditions } from './ovsdb.condition';
import { type OvsdbDatabase, type OvsdbCommitChanges, type OvsdbRow, type OvsdbWorkingCopy, rowDatum } from './ovsdb.database';
import {
  type OvsdbDatum,
  type OvsdbSymbolTable,
  checkAtomConstraints,
  datumFromJson,
  datumSubtract,
  datumToJson,
  datumUnion,
  defaultDatum,
  isUuidText,
  newUuid,
  sortedDatum,
} from './ovsdb.datum';
import { OvsdbOpError, constraintViolation, syntaxError } from './ovsdb.errors';
import { isJsonObject, sortedJson } from './ovsdb.json';
import { type OvsdbColumnSchema, type OvsdbColumnType, type OvsdbTableSchema, isOvsdbMap, isOvsdbScalar, ovsdbColumn, ovsdbTypeToEnglish } from './ovsdb.schema';

/** What a transaction needs from the session that runs it. */
export interface TransactContext {
  /** True when the session holds the named lock (for `assert`). */
  ownsLock(lock: string): boolean;
  /** Milliseconds since the transaction was first tried (for `wait` timeouts). */
  readonly elapsedMs: number;
}

/** The outcome of one attempt. */
export type TransactOutcome =
  | {
      readonly kind: 'done';
      /** The `transact` result array. */
      readonly results: unknown[];
      /** True when some operation or the commit failed (then nothing changed). */
      readonly failed: boolean;
      /** What the commit changed (empty when nothing changed or it failed). */
      readonly changes: OvsdbCommitChanges;
    }
  | {
      readonly kind: 'blocked';
      /** When to try again at the latest (a `wait` timeout), or undefined to wait for the next commit only. */
      readonly retryInMs?: number;
    };

const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

type MemberKind = 'id' | 'string' | 'array' | 'object' | 'boolean' | 'integer';

/** Member access with ovsdb-server's `ovsdb_parser` errors ("Parsing ovsdb operation 1 of 2 failed: ..."). */
class OpParser {
  private readonly used = new Set<string>(['op']);

  constructor(
    readonly json: Record<string, unknown>,
    private readonly label: string,
  ) {}

  error(message: string): OvsdbOpError {
    return syntaxError(this.json, `Parsing ${this.label} failed: ${message}`);
  }

  member(name: string, kind: MemberKind, optional: true): unknown;
  member(name: string, kind: MemberKind, optional?: false): unknown;
  member(name: string, kind: MemberKind, optional = false): unknown {
    this.used.add(name);
    const v = this.json[name];
    if (v === undefined) {
      if (optional) return undefined;
      throw this.error(`Required '${name}' member is missing.`);
    }
    const ok =
      kind === 'id'
        ? typeof v === 'string' && ID.test(v)
        : kind === 'string'
          ? typeof v === 'string'
          : kind === 'array'
            ? Array.isArray(v)
            : kind === 'object'
              ? isJsonObject(v)
              : kind === 'boolean'
                ? typeof v === 'boolean'
                : typeof v === 'number' && Number.isInteger(v);
    if (!ok) throw this.error(`Type mismatch for member '${name}'.`);
    return v;
  }

  table(db: OvsdbDatabase): OvsdbTableSchema {
    const name = this.member('table', 'id') as string;
    const table = db.schema.tables.get(name);
    if (table === undefined) throw this.error(`No table named ${name}.`);
    return table;
  }

  finish(): void {
    for (const k of Object.keys(this.json)) if (!this.used.has(k)) throw this.error(`Member '${k}' is present but not allowed here.`);
  }
}

/** Thrown by a `wait` that must be retried later. */
class Blocked {
  constructor(readonly retryInMs: number | undefined) {}
}

class SymbolTable implements OvsdbSymbolTable {
  readonly symbols = new Map<string, { uuid: string; created: boolean }>();
  resolve(name: string): string {
    let s = this.symbols.get(name);
    if (s === undefined) this.symbols.set(name, (s = { uuid: newUuid(), created: false }));
    return s.uuid;
  }
}

interface Execution {
  readonly db: OvsdbDatabase;
  readonly txn: OvsdbWorkingCopy;
  readonly symtab: SymbolTable;
  readonly ctx: TransactContext;
}

function parseRow(json: Record<string, unknown>, table: OvsdbTableSchema, symtab: SymbolTable): Map<string, { column: OvsdbColumnSchema; datum: OvsdbDatum }> {
  const out = new Map<string, { column: OvsdbColumnSchema; datum: OvsdbDatum }>();
  for (const [name, value] of Object.entries(json)) {
    const column = ovsdbColumn(table, name);
    if (column === undefined) throw new OvsdbOpError('unknown column', `No column ${name} in table ${table.name}.`, sortedJson(json));
    out.set(name, { column, datum: datumFromJson(value, column.type, { symtab }) });
  }
  return out;
}

function parseColumnList(json: unknown, table: OvsdbTableSchema): OvsdbColumnSchema[] {
  const list = json as unknown[];
  const out: OvsdbColumnSchema[] = [];
  const seen = new Set<string>();
  for (const c of list) {
    if (typeof c !== 'string' || seen.has(c)) throw syntaxError(json, 'array of distinct column names expected');
    const column = ovsdbColumn(table, c);
    if (column === undefined) throw syntaxError(json, `${c} is not a valid column name`);
    seen.add(c);
    out.push(column);
  }
  return out;
}

function allColumns(table: OvsdbTableSchema): OvsdbColumnSchema[] {
  return [ovsdbColumn(table, '_uuid')!, ovsdbColumn(table, '_version')!, ...table.columns.values()];
}

function matching(x: Execution, table: OvsdbTableSchema, where: readonly OvsdbClause[]): OvsdbRow[] {
  return [...x.txn.rows(table.name).values()].filter((row) => matchesAll(where, (c) => rowDatum(row, c)));
}

/** A row as a select/wait sees it: the listed columns in the wire notation. */
export function rowToJson(row: OvsdbRow, columns: readonly OvsdbColumnSchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c.name] = datumToJson(rowDatum(row, c.name), c.type);
  return out;
}

function refuseReserved(x: Execution, op: string): void {
  if (x.db.reserved) throw new OvsdbOpError('not allowed', `${op} operation not allowed on table in reserved database ${x.db.name}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Operations

function opInsert(x: Execution, p: OpParser): unknown {
  const table = p.table(x.db);
  refuseReserved(x, 'insert');
  const rowJson = p.member('row', 'object') as Record<string, unknown>;
  const uuidName = p.member('uuid-name', 'id', true) as string | undefined;
  const uuidJson = p.member('uuid', 'string', true) as string | undefined;
  let uuid: string;
  if (uuidJson !== undefined) {
    if (!isUuidText(uuidJson)) throw syntaxError(uuidJson, 'bad uuid');
    uuid = uuidJson.toLowerCase();
    if (x.txn.uuidTaken(table.name, uuid)) {
      throw new OvsdbOpError('duplicate uuid', 'This UUID would duplicate a UUID already present within the table or deleted within the same transaction.', sortedJson(uuidJson));
    }
  } else uuid = newUuid();
  if (uuidName !== undefined) {
    const symbol = x.symtab.symbols.get(uuidName);
    if (symbol?.created === true) throw new OvsdbOpError('duplicate uuid-name', 'This "uuid-name" appeared on an earlier "insert" operation.', sortedJson(uuidName));
    if (symbol !== undefined && uuidJson === undefined) uuid = symbol.uuid;
    x.symtab.symbols.set(uuidName, { uuid, created: true });
  }
  const parsed = parseRow(rowJson, table, x.symtab);
  const fields: Record<string, OvsdbDatum> = {};
  for (const column of table.columns.values()) fields[column.name] = parsed.get(column.name)?.datum ?? defaultDatum(column.type);
  x.txn.insert(table.name, { uuid, version: newUuid(), fields });
  return { uuid: ['uuid', uuid] };
}

function opSelect(x: Execution, p: OpParser): unknown {
  const table = p.table(x.db);
  const whereJson = p.member('where', 'array') as unknown[];
  const columnsJson = p.member('columns', 'array', true);
  const where = parseConditions(whereJson, table, x.symtab);
  const columns = columnsJson === undefined ? allColumns(table) : parseColumnList(columnsJson, table);
  return { rows: matching(x, table, where).map((r) => rowToJson(r, columns)) };
}

function opUpdate(x: Execution, p: OpParser): unknown {
  const table = p.table(x.db);
  refuseReserved(x, 'update');
  const whereJson = p.member('where', 'array') as unknown[];
  const rowJson = p.member('row', 'object') as Record<string, unknown>;
  const parsed = parseRow(rowJson, table, x.symtab);
  for (const { column } of parsed.values()) {
    if (!column.mutable) throw new OvsdbOpError('constraint violation', `Cannot update immutable column ${column.name} in table ${table.name}.`, sortedJson(p.json));
  }
  const where = parseConditions(whereJson, table, x.symtab);
  const rows = matching(x, table, where);
  for (const row of rows) {
    const fields = { ...row.fields };
    for (const [name, { datum }] of parsed) fields[name] = datum;
    x.txn.update(table.name, row.uuid, fields);
  }
  return { count: rows.length };
}

type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
const MUTATORS: ReadonlySet<string> = new Set<Mutator>(['+=', '-=', '*=', '/=', '%=', 'insert', 'delete']);

interface Mutation {
  readonly column: OvsdbColumnSchema;
  readonly mutator: Mutator;
  readonly arg: OvsdbDatum;
}

function parseMutation(json: unknown, table: OvsdbTableSchema, symtab: SymbolTable): Mutation {
  if (!Array.isArray(json) || json.length !== 3 || typeof json[0] !== 'string' || typeof json[1] !== 'string') throw syntaxError(json, 'Parse error in mutation.');
  const [name, mutatorName, value] = json as [string, string, unknown];
  const column = ovsdbColumn(table, name);
  if (column === undefined) throw new OvsdbOpError('unknown column', `No column ${name} in table ${table.name}.`, sortedJson(json));
  if (!column.mutable) throw new OvsdbOpError('constraint violation', `Cannot mutate immutable column ${name} in table ${table.name}.`, sortedJson(json));
  if (!MUTATORS.has(mutatorName)) throw new OvsdbOpError('unknown mutator', `No mutator named ${mutatorName}.`);
  const mutator = mutatorName as Mutator;
  const type = column.type;
  const mismatch = (): OvsdbOpError => syntaxError(json, `Type mismatch: "${mutator}" operator may not be applied to column ${name} of type ${ovsdbTypeToEnglish(type)}.`);
  if (mutator === 'insert' || mutator === 'delete') {
    if (isOvsdbScalar(type)) throw mismatch();
    const argType: OvsdbColumnType = { ...type, min: 0, max: mutator === 'delete' ? Infinity : type.max };
    try {
      return { column, mutator, arg: datumFromJson(value, argType, { symtab }) };
    } catch (e) {
      if (mutator !== 'delete' || !isOvsdbMap(type)) throw e;
      // `delete` on a map also takes a set of keys.
      return { column, mutator, arg: datumFromJson(value, { key: type.key, min: 0, max: Infinity }, { symtab }) };
    }
  }
  const numeric = type.key.type === 'integer' || (type.key.type === 'real' && mutator !== '%=');
  if (!numeric || isOvsdbMap(type)) throw mismatch();
  // The argument of arithmetic is one plain number: the column's range applies to the result, not to it.
  const arg = datumFromJson(value, { key: { type: type.key.type }, min: 1, max: 1 }, { symtab });
  return { column, mutator, arg };
}

function arithmetic(mutator: Mutator, a: number, b: number, integer: boolean): number {
  const outOfRange = (): OvsdbOpError => new OvsdbOpError('range error', `Result of "${mutator}" operation is out of range.`);
  if ((mutator === '/=' || mutator === '%=') && b === 0) throw new OvsdbOpError('domain error', 'Division by zero.');
  if (integer) {
    const x = BigInt(a);
    const y = BigInt(b);
    const r = mutator === '+=' ? x + y : mutator === '-=' ? x - y : mutator === '*=' ? x * y : mutator === '/=' ? x / y : x % y;
    if (r < -(2n ** 63n) || r > 2n ** 63n - 1n) throw outOfRange();
    return Number(r);
  }
  const r = mutator === '+=' ? a + b : mutator === '-=' ? a - b : mutator === '*=' ? a * b : a / b;
  if (!Number.isFinite(r)) throw outOfRange();
  return r;
}

function applyMutation(m: Mutation, dst: OvsdbDatum): OvsdbDatum {
  const type = m.column.type;
  if (m.mutator === 'insert' || m.mutator === 'delete') {
    const out = m.mutator === 'insert' ? datumUnion(dst, m.arg) : datumSubtract(dst, m.arg);
    if (out.keys.length < type.min || out.keys.length > type.max) throw constraintViolation(`Attempted to store ${out.keys.length} elements in ${ovsdbTypeToEnglish(type)}.`);
    return out;
  }
  const b = m.arg.keys[0] as number;
  const keys = dst.keys.map((a) => {
    const r = arithmetic(m.mutator, a as number, b, type.key.type === 'integer');
    checkAtomConstraints(r, type.key);
    return r;
  });
  try {
    return sortedDatum(keys, undefined);
  } catch {
    throw constraintViolation(`Result of "${m.mutator}" operation contains duplicates.`);
  }
}

function opMutate(x: Execution, p: OpParser): unknown {
  const table = p.table(x.db);
  refuseReserved(x, 'mutate');
  const whereJson = p.member('where', 'array') as unknown[];
  const mutationsJson = p.member('mutations', 'array') as unknown[];
  const mutations = mutationsJson.map((m) => parseMutation(m, table, x.symtab));
  const where = parseConditions(whereJson, table, x.symtab);
  const rows = matching(x, table, where);
  for (const row of rows) {
    const fields = { ...row.fields };
    for (const m of mutations) fields[m.column.name] = applyMutation(m, fields[m.column.name] ?? rowDatum(row, m.column.name));
    x.txn.update(table.name, row.uuid, fields);
  }
  return { count: rows.length };
}

function opDelete(x: Execution, p: OpParser): unknown {
  const table = p.table(x.db);
  refuseReserved(x, 'delete');
  const where = parseConditions(p.member('where', 'array') as unknown[], table, x.symtab);
  const rows = matching(x, table, where);
  for (const row of rows) x.txn.remove(table.name, row.uuid, true);
  return { count: rows.length };
}

function opWait(x: Execution, p: OpParser): unknown {
  const table = p.table(x.db);
  const whereJson = p.member('where', 'array') as unknown[];
  const columnsJson = p.member('columns', 'array', true);
  const until = p.member('until', 'string') as string;
  const rowsJson = p.member('rows', 'array') as unknown[];
  const timeout = p.member('timeout', 'integer', true) as number | undefined;
  const where = parseConditions(whereJson, table, x.symtab);
  const columns = columnsJson === undefined ? allColumns(table) : parseColumnList(columnsJson, table);
  if (until !== '==' && until !== '!=') throw syntaxError(until, '"until" must be "==" or "!="');
  const project = (get: (c: string) => OvsdbDatum): string => JSON.stringify(columns.map((c) => datumToJson(get(c.name), c.type)));
  // Rows compare as sets: ovsdb-server hashes both sides and drops duplicates.
  const expected = new Set<string>();
  for (const r of rowsJson) {
    if (!isJsonObject(r)) throw syntaxError(r, 'row must be JSON object');
    const parsed = parseRow(r, table, x.symtab);
    expected.add(
      project((c) => {
        const v = parsed.get(c);
        if (v !== undefined) return v.datum;
        const col = ovsdbColumn(table, c)!;
        return defaultDatum(col.type);
      }),
    );
  }
  const actual = new Set(matching(x, table, where).map((row) => project((c) => rowDatum(row, c))));
  const equal = expected.size === actual.size && [...expected].every((e) => actual.has(e));
  if ((until === '==') === equal) return {};
  const limit = timeout ?? Infinity;
  if (x.ctx.elapsedMs >= limit) {
    throw new OvsdbOpError('timed out', limit === 0 ? '"where" clause test failed' : `"wait" timed out after ${x.ctx.elapsedMs} ms`);
  }
  throw new Blocked(limit === Infinity ? undefined : limit - x.ctx.elapsedMs);
}

function opCommit(_x: Execution, p: OpParser): unknown {
  p.member('durable', 'boolean');
  return {};
}

function opAbort(): unknown {
  throw new OvsdbOpError('aborted', 'aborted by request');
}

function opComment(_x: Execution, p: OpParser): unknown {
  p.member('comment', 'string');
  return {};
}

function opAssert(x: Execution, p: OpParser): unknown {
  const lock = p.member('lock', 'id') as string;
  if (!x.ctx.ownsLock(lock)) throw new OvsdbOpError('not owner', `Asserted lock ${lock} not held.`);
  return {};
}

const OPERATIONS: Readonly<Record<string, (x: Execution, p: OpParser) => unknown>> = {
  insert: opInsert,
  select: opSelect,
  update: opUpdate,
  mutate: opMutate,
  delete: opDelete,
  wait: opWait,
  commit: opCommit,
  abort: opAbort,
  comment: opComment,
  assert: opAssert,
};

/**
 * Runs one attempt of a transaction on `db`.
 *
 * @param operations the `transact` params after the database name (raw JSON).
 * @param dryRun run the operations but never commit (for injected failures).
 */
export function runTransaction(db: OvsdbDatabase, operations: readonly unknown[], ctx: TransactContext, dryRun = false): TransactOutcome {
  const x: Execution = { db, txn: db.begin(), symtab: new SymbolTable(), ctx };
  const results: unknown[] = [];
  const n = operations.length;
  for (let i = 0; i < n; i++) {
    const json = operations[i];
    try {
      if (!isJsonObject(json)) throw new OvsdbOpError('syntax error', `Parsing ovsdb operation ${i + 1} of ${n} failed: Object expected.`);
      const p = new OpParser(json, `ovsdb operation ${i + 1} of ${n}`);
      if (json['op'] === undefined) throw p.error(`Required 'op' member is missing.`);
      if (typeof json['op'] !== 'string' || !ID.test(json['op'])) throw p.error(`Type mismatch for member 'op'.`);
      const run = Object.prototype.hasOwnProperty.call(OPERATIONS, json['op']) ? OPERATIONS[json['op']] : undefined;
      if (run === undefined) throw p.error(`No operation "${json['op']}"`);
      const result = run(x, p);
      p.finish();
      results.push(result);
    } catch (e) {
      if (e instanceof Blocked) return e.retryInMs === undefined ? { kind: 'blocked' } : { kind: 'blocked', retryInMs: e.retryInMs };
      if (!(e instanceof OvsdbOpError)) throw e;
      results.push(e.toJson());
      for (let j = i + 1; j < n; j++) results.push(null);
      return { kind: 'done', results, failed: true, changes: new Map() };
    }
  }
  if (dryRun) return { kind: 'done', results, failed: false, changes: new Map() };
  try {
    const changes = db.commit(x.txn);
    return { kind: 'done', results, failed: false, changes };
  } catch (e) {
    if (!(e instanceof OvsdbOpError)) throw e;
    results.push(e.toJson());
    return { kind: 'done', results, failed: true, changes: new Map() };
  }
}
