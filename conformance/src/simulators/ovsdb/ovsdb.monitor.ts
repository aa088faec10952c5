/**
 * Monitors (RFC 7047 §4.1.5; ovsdb-server(7) §4.1.12–4.1.15): parsing `monitor`, `monitor_cond` and
 * `monitor_cond_since` requests with ovsdb-server's error texts, the initial `<table-updates>`, and the updates a
 * commit produces, in the three notations:
 *
 * - `update` (monitor): `{"old": <changed columns before>, "new": <all monitored columns after>}`; an insert has
 *   only `new`, a delete only `old` (all columns);
 * - `update2`/`update3` (monitor_cond, monitor_cond_since): `{"initial"|"insert": <columns not at their default>}`,
 *   `{"modify": <per-column differences>}`, `{"delete": null}`; with a `where`, a row that starts (stops) matching is
 *   reported as an insert (delete).
 *
 * @packageDocumentation
 */
import { type OvsdbClause, matchesAny, parseConditions } from './ovsdb.condition';
import { type OvsdbCommitChanges, type OvsdbDatabase, type OvsdbRow, rowDatum } from './ovsdb.database';
import { datumDiff, datumToJson, datumsEqual, isDefaultDatum } from './ovsdb.datum';
import { OvsdbOpError, syntaxError } from './ovsdb.errors';
import { isJsonObject } from './ovsdb.json';
import { type OvsdbColumnSchema, type OvsdbTableSchema, ovsdbColumn } from './ovsdb.schema';

/** Which notification a monitor sends: 1 = `update`, 2 = `update2`, 3 = `update3`. */
export type OvsdbMonitorVersion = 1 | 2 | 3;

const INITIAL = 1;
const INSERT = 2;
const DELETE = 4;
const MODIFY = 8;
const SELECT_BITS: Readonly<Record<string, number>> = { initial: INITIAL, insert: INSERT, delete: DELETE, modify: MODIFY };

interface MonitoredColumn {
  readonly column: OvsdbColumnSchema;
  select: number;
}

interface MonitoredTable {
  readonly table: OvsdbTableSchema;
  readonly columns: MonitoredColumn[];
  /** Union of the columns' selections. */
  select: number;
  /** A disjunction; undefined = every row. */
  where: OvsdbClause[] | undefined;
  /** Columns the `where` reads that are not monitored: a change to one still counts as a modification. */
  conditionColumns: string[];
}

function conditionColumns(mt: MonitoredTable): string[] {
  const out = new Set<string>();
  for (const c of mt.where ?? []) if ('column' in c && !mt.columns.some((m) => m.column.name === c.column.name)) out.add(c.column.name);
  return [...out];
}

function parserError(json: unknown, label: string, message: string): OvsdbOpError {
  return syntaxError(json, `Parsing ${label} failed: ${message}`);
}

function checkMembers(json: Record<string, unknown>, label: string, allowed: readonly string[], kinds: Readonly<Record<string, 'array' | 'object' | 'boolean'>>): void {
  for (const [k, kind] of Object.entries(kinds)) {
    const v = json[k];
    if (v === undefined) continue;
    const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isJsonObject(v) : typeof v === 'boolean';
    if (!ok) throw parserError(json, label, `Type mismatch for member '${k}'.`);
  }
  for (const k of Object.keys(json)) if (!allowed.includes(k)) throw parserError(json, label, `Member '${k}' is present but not allowed here.`);
}

/**
 * Parses the `<monitor-requests>` object of a monitor request.
 *
 * @throws OvsdbOpError `syntax error` (unknown table or column, bad member), as ovsdb-server reports it.
 */
export function parseMonitorRequests(db: OvsdbDatabase, json: unknown, version: OvsdbMonitorVersion): MonitoredTable[] {
  if (!isJsonObject(json)) throw syntaxError(json, 'monitor-requests must be object');
  const out: MonitoredTable[] = [];
  for (const [name, value] of Object.entries(json)) {
    const table = db.schema.tables.get(name);
    if (table === undefined) throw new OvsdbOpError('syntax error', `no table named ${name}`);
    const mt: MonitoredTable = { table, columns: [], select: 0, where: undefined, conditionColumns: [] };
    const requests = Array.isArray(value) ? value : [value];
    for (const [i, req] of requests.entries()) {
      const label = `table ${name}`;
      if (!isJsonObject(req)) throw syntaxError(req, `Parsing ${label} failed: Object expected.`);
      checkMembers(req, label, version === 1 ? ['columns', 'select'] : ['columns', 'select', 'where'], { columns: 'array', select: 'object', where: 'array' });
      let select = INITIAL | INSERT | DELETE | MODIFY;
      const sel = req['select'];
      if (isJsonObject(sel)) {
        const slabel = `table ${name} select`;
        checkMembers(sel, slabel, ['initial', 'insert', 'delete', 'modify'], { initial: 'boolean', insert: 'boolean', delete: 'boolean', modify: 'boolean' });
        for (const [k, bit] of Object.entries(SELECT_BITS)) if (sel[k] === false) select &= ~bit;
      }
      const columnsJson = req['columns'];
      let columns: OvsdbColumnSchema[];
      if (Array.isArray(columnsJson)) {
        columns = columnsJson.map((c) => {
          if (typeof c !== 'string') throw syntaxError(columnsJson, 'array of column names expected');
          const column = ovsdbColumn(table, c);
          if (column === undefined) throw syntaxError(columnsJson, `${c} is not a valid column name`);
          return column;
        });
      } else {
        // ovsdb-server monitors `_version` too when no columns are named (never `_uuid`: it is the row's key).
        columns = [ovsdbColumn(table, '_version')!, ...table.columns.values()];
      }
      for (const column of columns) {
        if (mt.columns.some((m) => m.column.name === column.name)) throw syntaxError(columnsJson, `column ${column.name} mentioned more than once`);
        mt.columns.push({ column, select });
      }
      mt.select |= select;
      // The first request of a table sets its condition; ovsdb-server ignores the `where` of later ones.
      const whereJson = req['where'];
      if (Array.isArray(whereJson)) {
        const clauses = parseConditions(whereJson, table);
        if (i === 0) mt.where = clauses;
      }
    }
    mt.conditionColumns = conditionColumns(mt);
    out.push(mt);
  }
  return out;
}

type RowUpdateJson = Record<string, unknown>;

/** One active monitor of one session. */
export class OvsdbMonitor {
  constructor(
    readonly db: OvsdbDatabase,
    /** The monitor id as the client gave it (any JSON value). */
    public id: unknown,
    readonly version: OvsdbMonitorVersion,
    private readonly tables: MonitoredTable[],
  ) {}

  private matches(mt: MonitoredTable, row: OvsdbRow): boolean {
    return mt.where === undefined || matchesAny(mt.where, (c) => rowDatum(row, c));
  }

  private fullRow(mt: MonitoredTable, row: OvsdbRow, type: number, skipDefaults: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const c of mt.columns) {
      if ((c.select & type) === 0) continue;
      const d = rowDatum(row, c.column.name);
      if (skipDefaults && isDefaultDatum(d, c.column.type)) continue;
      out[c.column.name] = datumToJson(d, c.column.type);
    }
    return out;
  }

  /** The initial `<table-updates>` (or `<table-updates2>`): every matching row, as the monitor request selected. */
  initial(): Record<string, Record<string, RowUpdateJson>> {
    const out: Record<string, Record<string, RowUpdateJson>> = {};
    for (const mt of this.tables) {
      if ((mt.select & INITIAL) === 0) continue;
      const rows: Record<string, RowUpdateJson> = {};
      for (const row of this.db.committedRows(mt.table.name).values()) {
        if (!this.matches(mt, row)) continue;
        rows[row.uuid] = this.version === 1 ? { new: this.fullRow(mt, row, INITIAL, false) } : { initial: this.fullRow(mt, row, INITIAL, true) };
      }
      if (Object.keys(rows).length > 0) out[mt.table.name] = rows;
    }
    return out;
  }

  /** The updates one commit produces for this monitor, or undefined when it has nothing to report. */
  updates(changes: OvsdbCommitChanges): Record<string, Record<string, RowUpdateJson>> | undefined {
    let out: Record<string, Record<string, RowUpdateJson>> | undefined;
    for (const mt of this.tables) {
      const tableChanges = changes.get(mt.table.name);
      if (tableChanges === undefined) continue;
      for (const [uuid, change] of tableChanges) {
        const u = this.rowUpdate(mt, change.old, change.new);
        if (u === undefined) continue;
        out ??= {};
        (out[mt.table.name] ??= {})[uuid] = u;
      }
    }
    return out;
  }

  private rowUpdate(mt: MonitoredTable, oldRow: OvsdbRow | undefined, newRow: OvsdbRow | undefined): RowUpdateJson | undefined {
    let type = oldRow === undefined ? INSERT : newRow === undefined ? DELETE : MODIFY;
    if (this.version !== 1 && mt.where !== undefined) {
      const was = oldRow !== undefined && this.matches(mt, oldRow);
      const is = newRow !== undefined && this.matches(mt, newRow);
      if (!was && !is) return undefined;
      if (was && !is) type = DELETE;
      else if (!was && is) type = INSERT;
    }
    if ((mt.select & type) === 0) return undefined;
    const changed = new Set<string>();
    if (type === MODIFY) {
      for (const name of [...mt.columns.map((c) => c.column.name), ...mt.conditionColumns]) if (!datumsEqual(rowDatum(oldRow!, name), rowDatum(newRow!, name))) changed.add(name);
      // A change to a column only the condition reads is reported as an empty modification, as ovsdb-server does.
      if (changed.size === 0) return undefined;
    }
    if (this.version === 1) {
      const out: RowUpdateJson = {};
      if (type === DELETE || type === MODIFY) {
        const old: Record<string, unknown> = {};
        for (const c of mt.columns) {
          if ((c.select & type) === 0) continue;
          if (type === DELETE || changed.has(c.column.name)) old[c.column.name] = datumToJson(rowDatum(oldRow!, c.column.name), c.column.type);
        }
        out['old'] = old;
      }
      if (type !== DELETE) out['new'] = this.fullRow(mt, newRow!, type, false);
      return out;
    }
    if (type === DELETE) return { delete: null };
    if (type === INSERT) return { insert: this.fullRow(mt, newRow!, INSERT, true) };
    const diff: Record<string, unknown> = {};
    for (const c of mt.columns) {
      if ((c.select & MODIFY) === 0 || !changed.has(c.column.name)) continue;
      diff[c.column.name] = datumToJson(datumDiff(rowDatum(oldRow!, c.column.name), rowDatum(newRow!, c.column.name), c.column.type), c.column.type);
    }
    return { modify: diff };
  }

  /**
   * `monitor_cond_change`: replaces the `where` of the named tables and returns the `<table-updates2>` that bring the
   * client's replica in line (rows leaving the condition deleted, rows entering it inserted), or undefined.
   *
   * @throws OvsdbOpError `syntax error` for a table this monitor does not watch or a bad condition.
   */
  changeConditions(requests: unknown): Record<string, Record<string, RowUpdateJson>> | undefined {
    if (!isJsonObject(requests)) throw syntaxError(requests, 'monitor-cond-change-requests must be object');
    const next = new Map<MonitoredTable, OvsdbClause[] | undefined>();
    for (const [name, value] of Object.entries(requests)) {
      const mt = this.tables.find((m) => m.table.name === name);
      if (mt === undefined) throw new OvsdbOpError('syntax error', `no table named ${name}`);
      const list = Array.isArray(value) ? value : [value];
      let where: OvsdbClause[] | undefined;
      for (const [i, req] of list.entries()) {
        if (!isJsonObject(req)) throw syntaxError(req, `Parsing table ${name} failed: Object expected.`);
        checkMembers(req, `table ${name}`, ['columns', 'where'], { columns: 'array', where: 'array' });
        const w = req['where'];
        const clauses = Array.isArray(w) ? parseConditions(w, mt.table) : undefined;
        if (i === 0) where = clauses;
      }
      next.set(mt, where);
    }
    let out: Record<string, Record<string, RowUpdateJson>> | undefined;
    for (const [mt, where] of next) {
      const before = new Set([...this.db.committedRows(mt.table.name).values()].filter((r) => this.matches(mt, r)).map((r) => r.uuid));
      mt.where = where;
      mt.conditionColumns = conditionColumns(mt);
      for (const row of this.db.committedRows(mt.table.name).values()) {
        const now = this.matches(mt, row);
        const was = before.has(row.uuid);
        if (now === was) continue;
        const u = now ? { insert: this.fullRow(mt, row, INSERT, true) } : { delete: null };
        out ??= {};
        (out[mt.table.name] ??= {})[row.uuid] = u;
      }
    }
    return out;
  }
}
