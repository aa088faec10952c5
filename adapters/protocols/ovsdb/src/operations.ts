/**
 * The operations of an OVSDB `transact` (RFC 7047 §5.2), typed, with builders ({@link op}) that take plain
 * JavaScript values, the schema-driven encoder that checks every value before anything is sent, and the decoder
 * of per-operation results.
 *
 * @packageDocumentation
 */
import { InputError, type InputProblem } from '@netloom/ports';
import { type OvsdbValueInput, type Row, type RowInput, type Uuid, decodeAtom, decodeRow, encodeDatum, encodeRow, throwIfReplyProblems } from './datum';
import type { ColumnType, DatabaseSchema, TableSchema } from './schema';

/** Condition functions (RFC 7047 §5.1 `<condition>`). `<`…`>` apply to integer and real columns holding at most one value. */
export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';

/**
 * One condition of a `where` clause: `[column, function, value]`, the value in JavaScript form for the column's
 * type (`_uuid` compares with a {@link Uuid}).
 *
 * @example ['name', '==', 'br-int'] · ['tag', '<', 100] · ['external_ids', 'includes', { owner: 'netloom' }]
 */
export type Condition = readonly [column: string, fn: ConditionFunction, value: OvsdbValueInput];

/**
 * Mutators (RFC 7047 §5.1 `<mutation>`): arithmetic on integer/real columns (applied to every element of a
 * set), `insert`/`delete` of elements of sets and entries of maps (`delete` on a map also takes an array of keys).
 */
export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';

/** One mutation: `[column, mutator, value]`. @example ['bridges', 'insert', [namedUuid('br')]] */
export type Mutation = readonly [column: string, mutator: Mutator, value: OvsdbValueInput];

/** `insert`: adds a row; `uuidName` lets later operations of the same transaction refer to it. */
export interface InsertOperation {
  readonly op: 'insert';
  readonly table: string;
  readonly row: RowInput;
  readonly uuidName?: string;
}

/** `select`: reads the rows matching `where` (`columns`: only these; default all). `R` types the rows (unchecked). */
export interface SelectOperation<R extends Row = Row> {
  readonly op: 'select';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly columns?: readonly string[];
  /** Phantom field carrying the row type; never set. */
  readonly __row?: R;
}

/** `update`: sets columns of the rows matching `where`. */
export interface UpdateOperation {
  readonly op: 'update';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly row: RowInput;
}

/** `mutate`: changes columns of the rows matching `where` relative to their current value. */
export interface MutateOperation {
  readonly op: 'mutate';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly mutations: readonly Mutation[];
}

/** `delete`: deletes the rows matching `where`. */
export interface DeleteOperation {
  readonly op: 'delete';
  readonly table: string;
  readonly where: readonly Condition[];
}

/**
 * `wait`: blocks the transaction until the `columns` of the rows matching `where` are (`until: '=='`) or are not
 * (`'!='`) exactly `rows`; fails with `timed out` after `timeoutMs` (0 = check once; absent = wait forever).
 */
export interface WaitOperation {
  readonly op: 'wait';
  readonly table: string;
  readonly where: readonly Condition[];
  readonly columns: readonly string[];
  readonly until: '==' | '!=';
  readonly rows: readonly RowInput[];
  readonly timeoutMs?: number;
}

/** `commit`: with `durable: true`, the transaction succeeds only once written to disk. */
export interface CommitOperation {
  readonly op: 'commit';
  readonly durable: boolean;
}

/** `abort`: makes the transaction fail (error `aborted`) and change nothing. */
export interface AbortOperation {
  readonly op: 'abort';
}

/** `comment`: a text the server logs with the transaction. */
export interface CommentOperation {
  readonly op: 'comment';
  readonly comment: string;
}

/** `assert`: the transaction fails with `not owner` unless this session holds `lock`. */
export interface AssertOperation {
  readonly op: 'assert';
  readonly lock: string;
}

/** Any transact operation. */
export type Operation =
  | InsertOperation
  | SelectOperation<Row>
  | UpdateOperation
  | MutateOperation
  | DeleteOperation
  | WaitOperation
  | CommitOperation
  | AbortOperation
  | CommentOperation
  | AssertOperation;

/** Result of an `insert`: the new row's UUID. */
export interface InsertResult {
  readonly uuid: Uuid;
}

/** Result of a `select`. */
export interface SelectResult<R extends Row = Row> {
  readonly rows: readonly R[];
}

/** Result of `update`, `mutate` and `delete`: how many rows matched. */
export interface CountResult {
  readonly count: number;
}

/** Result of `wait`, `commit`, `abort`, `comment` and `assert`. */
export type EmptyResult = Readonly<Record<string, never>>;

/** The result type of one operation. */
export type ResultOf<O> = O extends InsertOperation
  ? InsertResult
  : O extends SelectOperation<infer R>
    ? SelectResult<R>
    : O extends UpdateOperation | MutateOperation | DeleteOperation
      ? CountResult
      : EmptyResult;

/** The result types of a list of operations, position by position. */
export type ResultsOf<O extends readonly Operation[]> = { -readonly [K in keyof O]: ResultOf<O[K]> };

/**
 * Builders of transact operations from plain JavaScript values.
 *
 * @example
 * await client.transact('Open_vSwitch', [
 *   op.insert('Interface', { name: 'p1', type: 'internal' }, 'iface'),
 *   op.insert('Port', { name: 'p1', interfaces: [namedUuid('iface')], tag: 10 }, 'port'),
 *   op.insert('Bridge', { name: 'br0', ports: [namedUuid('port')] }, 'br'),
 *   op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('br')]]]),
 * ] as const);
 */
export const op = {
  /** `insert` a row (`uuidName`: name it for later operations of this transaction). */
  insert(table: string, row: RowInput, uuidName?: string): InsertOperation {
    return uuidName === undefined ? { op: 'insert', table, row } : { op: 'insert', table, row, uuidName };
  },
  /** `select` rows (all columns unless `columns` is given). `R` types the result rows; it is not checked. */
  select<R extends Row = Row>(table: string, where: readonly Condition[] = [], columns?: readonly string[]): SelectOperation<R> {
    return columns === undefined ? { op: 'select', table, where } : { op: 'select', table, where, columns };
  },
  /** `update` columns of the matching rows. */
  update(table: string, where: readonly Condition[], row: RowInput): UpdateOperation {
    return { op: 'update', table, where, row };
  },
  /** `mutate` columns of the matching rows. */
  mutate(table: string, where: readonly Condition[], mutations: readonly Mutation[]): MutateOperation {
    return { op: 'mutate', table, where, mutations };
  },
  /** `delete` the matching rows. */
  delete(table: string, where: readonly Condition[]): DeleteOperation {
    return { op: 'delete', table, where };
  },
  /** `wait` until the matching rows' `columns` equal (or differ from) `rows`. */
  wait(table: string, where: readonly Condition[], columns: readonly string[], until: '==' | '!=', rows: readonly RowInput[], timeoutMs?: number): WaitOperation {
    return timeoutMs === undefined ? { op: 'wait', table, where, columns, until, rows } : { op: 'wait', table, where, columns, until, rows, timeoutMs };
  },
  /** `commit` (durable: wait for the disk). */
  commit(durable: boolean): CommitOperation {
    return { op: 'commit', durable };
  },
  /** `abort` the transaction. */
  abort(): AbortOperation {
    return { op: 'abort' };
  },
  /** `comment` logged with the transaction. */
  comment(comment: string): CommentOperation {
    return { op: 'comment', comment };
  },
  /** `assert` that this session holds `lock` (else the transaction fails with LockedError). */
  assert(lock: string): AssertOperation {
    return { op: 'assert', lock };
  },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** RFC 7047 `<id>`: uuid-names and lock names. */
const UUID_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function relaxed(type: ColumnType): ColumnType {
  return { ...type, min: 0, max: 'unlimited' };
}

function tableOf(schema: DatabaseSchema, name: unknown, path: string, problems: InputProblem[]): TableSchema | undefined {
  if (typeof name !== 'string') {
    problems.push({ path: `${path}.table`, reason: `expected a table name, got ${typeof name}` });
    return undefined;
  }
  const table = schema.tables.get(name);
  if (table === undefined) problems.push({ path: `${path}.table`, reason: `${JSON.stringify(name)} is not a table of ${schema.name}` });
  return table;
}

function encodeWhere(table: TableSchema, where: readonly Condition[], path: string, problems: InputProblem[]): unknown[] {
  if (!Array.isArray(where)) {
    problems.push({ path, reason: 'expected an array of [column, function, value] conditions' });
    return [];
  }
  return where.map((condition, i) => encodeCondition(table, condition, `${path}[${i}]`, problems));
}

/**
 * Encodes one `[column, function, value]` condition for `table` (used by `where` clauses and `monitor_cond`).
 * Pushes problems at `at` and returns null when it does not fit.
 */
export function encodeCondition(table: TableSchema, condition: Condition, at: string, problems: InputProblem[]): unknown {
  if (!Array.isArray(condition) || condition.length !== 3) {
    problems.push({ path: at, reason: 'expected [column, function, value]' });
    return null;
  }
  const [name, fn, value] = condition;
  const column = table.columns.get(name);
  if (column === undefined) {
    problems.push({ path: `${at}.${String(name)}`, reason: `unknown column of ${table.name}` });
    return null;
  }
  const type = column.type;
  const colPath = `${table.name}.${name}`;
  switch (fn) {
    case '<':
    case '<=':
    case '>':
    case '>=':
      if ((type.key.type !== 'integer' && type.key.type !== 'real') || type.value !== undefined || type.max !== 1) {
        problems.push({ path: `${at}.${name}`, reason: `"${fn}" applies only to integer or real columns holding at most one value; ${colPath} is not one` });
        return null;
      }
      return [name, fn, encodeDatum(type, value, `${at}.${name}`, problems)];
    case '==':
    case '!=':
      return [name, fn, encodeDatum(type, value, `${at}.${name}`, problems)];
    case 'includes':
    case 'excludes':
      // RFC 7047: the value may have fewer elements than the column's minimum.
      return [name, fn, encodeDatum(relaxed(type), value, `${at}.${name}`, problems, { size: false })];
    default:
      problems.push({ path: at, reason: `${JSON.stringify(fn)} is not a condition function (<, <=, ==, !=, >=, >, includes, excludes)` });
      return null;
  }
}

function encodeMutations(table: TableSchema, mutations: readonly Mutation[], path: string, problems: InputProblem[]): unknown[] {
  if (!Array.isArray(mutations)) {
    problems.push({ path, reason: 'expected an array of [column, mutator, value] mutations' });
    return [];
  }
  return mutations.map((mutation, i) => {
    const at = `${path}[${i}]`;
    if (!Array.isArray(mutation) || mutation.length !== 3) {
      problems.push({ path: at, reason: 'expected [column, mutator, value]' });
      return null;
    }
    const [name, mutator, value] = mutation;
    const column = table.columns.get(name);
    const vPath = `${at}.${name}`;
    if (column === undefined) {
      problems.push({ path: vPath, reason: `unknown column of ${table.name}` });
      return null;
    }
    if (column.implicit || !column.mutable) {
      problems.push({ path: vPath, reason: 'the column is immutable: it can only be set when the row is inserted' });
      return null;
    }
    const type = column.type;
    switch (mutator) {
      case '+=':
      case '-=':
      case '*=':
      case '/=':
      case '%=': {
        const numeric = type.key.type === 'integer' || (type.key.type === 'real' && mutator !== '%=');
        if (!numeric || type.value !== undefined) {
          problems.push({ path: vPath, reason: `"${mutator}" applies only to integer${mutator === '%=' ? '' : ' or real'} columns (and sets of them), not to ${describeType(type)}` });
          return null;
        }
        if ((mutator === '/=' || mutator === '%=') && value === 0) {
          problems.push({ path: vPath, reason: 'division by zero' });
          return null;
        }
        // The argument is one atom; the result is checked against the constraints by the server.
        const arg = encodeDatum({ key: { type: type.key.type }, min: 1, max: 1 }, value, vPath, problems);
        return [name, mutator, arg];
      }
      case 'insert':
      case 'delete': {
        if (type.value === undefined && type.min === 1 && type.max === 1) {
          problems.push({ path: vPath, reason: `"${mutator}" applies only to sets and maps; ${table.name}.${name} holds exactly one value (use update)` });
          return null;
        }
        if (mutator === 'delete' && type.value !== undefined && (Array.isArray(value) || value instanceof Set)) {
          // Deleting map entries by key: the argument is a set of keys.
          return [name, mutator, encodeDatum({ key: type.key, min: 0, max: 'unlimited' }, value, vPath, problems, { size: false })];
        }
        const argType = relaxed(type);
        const wire = encodeDatum(argType, value, vPath, problems, { size: false });
        // A set argument is always sent in set form, even with one element, so it cannot be read as a map.
        return [name, mutator, wire];
      }
      default:
        problems.push({ path: at, reason: `${JSON.stringify(mutator)} is not a mutator (+=, -=, *=, /=, %=, insert, delete)` });
        return null;
    }
  });
}

function describeType(type: ColumnType): string {
  if (type.value !== undefined) return `a map of ${type.key.type} to ${type.value.type}`;
  if (type.max === 1) return type.min === 1 ? `a ${type.key.type}` : `an optional ${type.key.type}`;
  return `a set of ${type.key.type}`;
}

function encodeColumns(table: TableSchema, columns: readonly string[], path: string, problems: InputProblem[]): string[] {
  if (!Array.isArray(columns)) {
    problems.push({ path, reason: 'expected an array of column names' });
    return [];
  }
  columns.forEach((c, i) => {
    if (!table.columns.has(c)) problems.push({ path: `${path}[${i}]`, reason: `${JSON.stringify(c)} is not a column of ${table.name}` });
  });
  return [...columns];
}

/**
 * Encodes transact operations for `schema`, checking every table, column and value.
 *
 * @throws InputError listing every problem as `ops[i].<Table>.<column>: <reason>` (nothing has been sent).
 */
export function encodeOperations(schema: DatabaseSchema, operations: readonly Operation[]): unknown[] {
  const problems: InputProblem[] = [];
  const names = new Set<string>();
  const wire = operations.map((operation, i): unknown => {
    const p = `ops[${i}]`;
    if (typeof operation !== 'object' || operation === null) {
      problems.push({ path: p, reason: 'expected an operation object' });
      return null;
    }
    switch (operation.op) {
      case 'insert': {
        const table = tableOf(schema, operation.table, p, problems);
        const out: Record<string, unknown> = { op: 'insert', table: operation.table };
        if (table !== undefined) out['row'] = encodeRow(table, operation.row, problems, { path: `${p}.${table.name}` }) ?? {};
        if (operation.uuidName !== undefined) {
          if (!UUID_NAME_PATTERN.test(operation.uuidName)) problems.push({ path: `${p}.uuidName`, reason: `${JSON.stringify(operation.uuidName)} is not an identifier` });
          else if (names.has(operation.uuidName)) problems.push({ path: `${p}.uuidName`, reason: `${JSON.stringify(operation.uuidName)} is already used by an earlier insert` });
          names.add(operation.uuidName);
          out['uuid-name'] = operation.uuidName;
        }
        return out;
      }
      case 'select': {
        const table = tableOf(schema, operation.table, p, problems);
        if (table === undefined) return null;
        const out: Record<string, unknown> = { op: 'select', table: table.name, where: encodeWhere(table, operation.where, `${p}.${table.name}.where`, problems) };
        if (operation.columns !== undefined) out['columns'] = encodeColumns(table, operation.columns, `${p}.${table.name}.columns`, problems);
        return out;
      }
      case 'update': {
        const table = tableOf(schema, operation.table, p, problems);
        if (table === undefined) return null;
        return {
          op: 'update',
          table: table.name,
          where: encodeWhere(table, operation.where, `${p}.${table.name}.where`, problems),
          row: encodeRow(table, operation.row, problems, { path: `${p}.${table.name}`, rejectImmutable: true }) ?? {},
        };
      }
      case 'mutate': {
        const table = tableOf(schema, operation.table, p, problems);
        if (table === undefined) return null;
        return {
          op: 'mutate',
          table: table.name,
          where: encodeWhere(table, operation.where, `${p}.${table.name}.where`, problems),
          mutations: encodeMutations(table, operation.mutations, `${p}.${table.name}.mutations`, problems),
        };
      }
      case 'delete': {
        const table = tableOf(schema, operation.table, p, problems);
        if (table === undefined) return null;
        return { op: 'delete', table: table.name, where: encodeWhere(table, operation.where, `${p}.${table.name}.where`, problems) };
      }
      case 'wait': {
        const table = tableOf(schema, operation.table, p, problems);
        if (table === undefined) return null;
        const columns = encodeColumns(table, operation.columns, `${p}.${table.name}.columns`, problems);
        if (operation.until !== '==' && operation.until !== '!=') problems.push({ path: `${p}.until`, reason: `expected "==" or "!=", got ${JSON.stringify(operation.until)}` });
        const rows = (Array.isArray(operation.rows) ? operation.rows : []).map((row, r) => {
          const extra = Object.keys(row).filter((k) => row[k] !== undefined && !columns.includes(k));
          for (const k of extra) problems.push({ path: `${p}.${table.name}.rows[${r}].${k}`, reason: 'not among the waited-for columns' });
          return encodeRow(table, row, problems, { path: `${p}.${table.name}.rows[${r}]` }) ?? {};
        });
        const out: Record<string, unknown> = { op: 'wait', table: table.name, where: encodeWhere(table, operation.where, `${p}.${table.name}.where`, problems), columns, until: operation.until, rows };
        if (operation.timeoutMs !== undefined) {
          if (!Number.isInteger(operation.timeoutMs) || operation.timeoutMs < 0) problems.push({ path: `${p}.timeoutMs`, reason: `${operation.timeoutMs} is not a non-negative integer` });
          out['timeout'] = operation.timeoutMs;
        }
        return out;
      }
      case 'commit':
        if (typeof operation.durable !== 'boolean') problems.push({ path: `${p}.durable`, reason: 'expected a boolean' });
        return { op: 'commit', durable: operation.durable };
      case 'abort':
        return { op: 'abort' };
      case 'comment':
        if (typeof operation.comment !== 'string') problems.push({ path: `${p}.comment`, reason: 'expected a string' });
        return { op: 'comment', comment: operation.comment };
      case 'assert':
        if (typeof operation.lock !== 'string' || !UUID_NAME_PATTERN.test(operation.lock)) {
          problems.push({ path: `${p}.lock`, reason: `${JSON.stringify(operation.lock)} is not a lock name (an <id>: letters, digits and _, not starting with a digit)` });
        }
        return { op: 'assert', lock: operation.lock };
      default:
        problems.push({ path: `${p}.op`, reason: `${JSON.stringify((operation as { op?: unknown }).op)} is not an operation (insert, select, update, mutate, delete, wait, commit, abort, comment, assert)` });
        return null;
    }
  });
  // Every named-uuid must name an insert of this transaction (the server would say "referential integrity").
  const referenced = new Set<string>();
  JSON.stringify(wire, (_k, v: unknown) => {
    if (Array.isArray(v) && v.length === 2 && v[0] === 'named-uuid' && typeof v[1] === 'string') referenced.add(v[1]);
    return v;
  });
  for (const name of referenced) {
    if (!names.has(name)) problems.push({ path: 'ops', reason: `namedUuid(${JSON.stringify(name)}) is used but no insert of this transaction has uuidName ${JSON.stringify(name)}` });
  }
  if (problems.length > 0) throw InputError.fromProblems(`OVSDB transaction on ${schema.name}`, problems);
  return wire;
}

// ---------------------------------------------------------------------------------------------------------------
// Results

/** An error entry of a transact result (RFC 7047 §5.2: `{"error": ..., "details": ...}`). */
export interface OperationError {
  readonly error: string;
  readonly details?: string;
  readonly syntax?: string;
}

/** True when a result entry is an error entry. */
export function isOperationError(u: unknown): u is OperationError {
  return typeof u === 'object' && u !== null && typeof (u as { error?: unknown }).error === 'string';
}

/**
 * Decodes the successful result of operation `operation` (position `index`) against the schema.
 *
 * @throws DeviceProtocolError when the result does not have the shape the operation defines.
 */
export function decodeResult(schema: DatabaseSchema, operation: Operation, index: number, json: unknown): unknown {
  const problems: InputProblem[] = [];
  const path = `result[${index}]`;
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  const obj = isObject ? (json as Record<string, unknown>) : {};
  let out: unknown = {};
  if (!isObject) problems.push({ path, reason: `expected an object, got ${JSON.stringify(json)}` });
  else {
    switch (operation.op) {
      case 'insert': {
        const uuid = decodeAtom({ type: 'uuid' }, obj['uuid'], `${path}.uuid`, problems);
        out = { uuid };
        break;
      }
      case 'select': {
        const table = schema.tables.get(operation.table);
        const rows = obj['rows'];
        if (table === undefined || !Array.isArray(rows)) problems.push({ path: `${path}.rows`, reason: 'expected an array of rows' });
        else out = { rows: rows.map((r, i) => decodeRow(table, r, `${path}.rows[${i}]`, problems)) };
        break;
      }
      case 'update':
      case 'mutate':
      case 'delete': {
        const count = obj['count'];
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) problems.push({ path: `${path}.count`, reason: `expected a row count, got ${JSON.stringify(count)}` });
        out = { count };
        break;
      }
      default:
        out = {};
    }
  }
  throwIfReplyProblems(problems, `OVSDB transact reply on ${schema.name}`, { database: schema.name, opIndex: index });
  return out;
}
