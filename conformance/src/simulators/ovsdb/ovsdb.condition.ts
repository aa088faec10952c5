/**
 * `where` conditions (RFC 7047 §5.1 `<condition>`; `true`/`false` clauses as ovsdb-server accepts them): parsing
 * with ovsdb-server's error texts, and evaluation against a row.
 *
 * @packageDocumentation
 */
import { type OvsdbDatum, type OvsdbSymbolTable, compareAtoms, datumFromJson, datumHas, datumsEqual } from './ovsdb.datum';
import { OvsdbOpError, syntaxError } from './ovsdb.errors';
import { sortedJson } from './ovsdb.json';
import { type OvsdbColumnSchema, type OvsdbColumnType, type OvsdbTableSchema, isOvsdbOptional, isOvsdbScalar, ovsdbColumn, ovsdbTypeToEnglish } from './ovsdb.schema';

/** The condition functions. */
export type OvsdbConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';

const FUNCTIONS: ReadonlySet<string> = new Set<OvsdbConditionFunction>(['<', '<=', '==', '!=', '>=', '>', 'includes', 'excludes']);

/** One parsed clause: a constant, or `[column, function, value]`. */
export type OvsdbClause = { readonly constant: boolean } | { readonly column: OvsdbColumnSchema; readonly fn: OvsdbConditionFunction; readonly arg: OvsdbDatum };

/** Reads a column of a row (including `_uuid` and `_version`). */
export type RowReader = (column: string) => OvsdbDatum;

/**
 * Parses the clauses of a `where` array (the caller has checked it is an array).
 *
 * @throws OvsdbOpError `syntax error`, `unknown column`, `unknown function` or `constraint violation`.
 */
export function parseConditions(where: readonly unknown[], table: OvsdbTableSchema, symtab?: OvsdbSymbolTable): OvsdbClause[] {
  return where.map((c) => parseClause(c, table, symtab));
}

function parseClause(json: unknown, table: OvsdbTableSchema, symtab: OvsdbSymbolTable | undefined): OvsdbClause {
  if (typeof json === 'boolean') return { constant: json };
  if (!Array.isArray(json) || json.length !== 3 || typeof json[0] !== 'string' || typeof json[1] !== 'string') throw syntaxError(json, 'Parse error in condition.');
  const [name, fn, value] = json as [string, string, unknown];
  const column = ovsdbColumn(table, name);
  if (column === undefined) throw new OvsdbOpError('unknown column', `No column ${name} in table ${table.name}.`, sortedJson(json));
  if (!FUNCTIONS.has(fn)) throw new OvsdbOpError('unknown function', `No function named ${fn}.`);
  const f = fn as OvsdbConditionFunction;
  let argType: OvsdbColumnType = column.type;
  if (f === '<' || f === '<=' || f === '>' || f === '>=') {
    const numeric = column.type.key.type === 'integer' || column.type.key.type === 'real';
    if (!numeric || !(isOvsdbScalar(column.type) || isOvsdbOptional(column.type))) {
      throw syntaxError(json, `Type mismatch: "${f}" operator may not be applied to column ${name} of type ${ovsdbTypeToEnglish(column.type)}.`);
    }
    argType = { key: column.type.key, min: 1, max: 1 };
  } else if ((f === 'includes' || f === 'excludes') && !isOvsdbScalar(column.type)) {
    argType = { ...column.type, min: 0, max: Infinity };
  }
  const arg = datumFromJson(value, argType, symtab === undefined ? {} : { symtab });
  return { column, fn: f, arg };
}

function includesAll(value: OvsdbDatum, arg: OvsdbDatum): boolean {
  return arg.keys.every((k, i) => datumHas(value, k, arg.values?.[i]));
}

function excludesAll(value: OvsdbDatum, arg: OvsdbDatum): boolean {
  return arg.keys.every((k, i) => !datumHas(value, k, arg.values?.[i]));
}

/** Evaluates one clause against a row. */
export function evaluateClause(clause: OvsdbClause, read: RowReader): boolean {
  if ('constant' in clause) return clause.constant;
  const value = read(clause.column.name);
  switch (clause.fn) {
    case '==':
      return datumsEqual(value, clause.arg);
    case '!=':
      return !datumsEqual(value, clause.arg);
    case 'includes':
      return includesAll(value, clause.arg);
    case 'excludes':
      return excludesAll(value, clause.arg);
    default: {
      // An optional column with no value satisfies no ordering.
      const a = value.keys[0];
      const b = clause.arg.keys[0];
      if (a === undefined || b === undefined) return false;
      const c = compareAtoms(a, b);
      return clause.fn === '<' ? c < 0 : clause.fn === '<=' ? c <= 0 : clause.fn === '>' ? c > 0 : c >= 0;
    }
  }
}

/** A transact `where`: every clause holds (an empty list matches every row). */
export function matchesAll(clauses: readonly OvsdbClause[], read: RowReader): boolean {
  return clauses.every((c) => evaluateClause(c, read));
}

/** A `monitor_cond` `where`: some clause holds (an empty list matches every row, as ovsdb-server has it). */
export function matchesAny(clauses: readonly OvsdbClause[], read: RowReader): boolean {
  return clauses.length === 0 || clauses.some((c) => evaluateClause(c, read));
}
