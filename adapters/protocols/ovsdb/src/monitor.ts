/**
 * A client-side replica of monitored OVSDB tables, kept current from the monitor's initial reply and the
 * server's `update` (RFC 7047 §4.1.6) or `update2` (ovsdb-server(7) §4.1.14) notifications, with change events
 * per table.
 *
 * A {@link Monitor} is created by `OvsdbClient.monitor()`; the client re-issues it after a reconnect and the
 * replica is re-synced: rows that appeared, changed or vanished while the connection was down are reported as one
 * change event per table with `cause: 'resync'`.
 *
 * @packageDocumentation
 */
import { type InputProblem, InputError, type Logger } from '@netloom/ports';
import { type Atom, type OvsdbValue, type Row, type Uuid, compareAtoms, decodeDatum, decodeRow, isUuid, rowsEqual, throwIfReplyProblems } from './datum';
import { type Condition, encodeCondition } from './operations';
import type { BaseType, ColumnType, DatabaseSchema, TableSchema } from './schema';

/** Which kinds of change a monitored table reports (all true by default). */
export interface MonitorSelect {
  readonly initial?: boolean;
  readonly insert?: boolean;
  readonly delete?: boolean;
  readonly modify?: boolean;
}

/** What to monitor in one table. */
export interface MonitorTableRequest {
  /** Columns to replicate (default: all). `_uuid` is always known: it is the replica's key. */
  readonly columns?: readonly string[];
  readonly select?: MonitorSelect;
  /**
   * Only rows matching at least ONE of these conditions (a disjunction, as ovsdb-server defines `monitor_cond`);
   * `true`/`false` match every/no row. Absent or empty: every row. Needs `monitor_cond` (OVS 2.6+): giving a
   * `where` switches the monitor to it.
   */
  readonly where?: readonly (Condition | boolean)[];
}

/** Tables to monitor, by name. */
export type MonitorRequest = Readonly<Record<string, MonitorTableRequest>>;

/** A replicated row: a decoded row that always has its `_uuid`. */
export type StoredRow<R extends Row = Row> = R & { readonly _uuid: Uuid };

/** One modified row: the whole row before and after. */
export interface RowUpdate<R extends Row = Row> {
  readonly old: StoredRow<R>;
  readonly new: StoredRow<R>;
}

/** Why a change event fires. */
export type ChangeCause = 'initial' | 'update' | 'resync';

/**
 * The changes one notification (or the initial reply, or a re-sync) made to one table. Rows are whole (all
 * monitored columns), also for `deleted` and `updated.old`.
 */
export interface TableChange<R extends Row = Row> {
  readonly table: string;
  readonly cause: ChangeCause;
  readonly inserted: readonly StoredRow<R>[];
  readonly updated: readonly RowUpdate<R>[];
  readonly deleted: readonly StoredRow<R>[];
}

/** A change listener. Listeners run synchronously; an exception is logged and does not reach the others. */
export type ChangeListener<R extends Row = Row> = (change: TableChange<R>) => void;

/** Which notification protocol a monitor speaks. */
export type MonitorMethod = 'monitor' | 'monitor_cond';

type RowUpdateJson = { old?: unknown; new?: unknown; initial?: unknown; insert?: unknown; delete?: unknown; modify?: unknown };

const ZERO_UUID = '00000000-0000-0000-0000-000000000000' as Uuid;

function defaultAtom(base: BaseType): Atom {
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

/** The value OVSDB gives a column nobody set (RFC 7047: the default of its type). */
export function defaultValue(type: ColumnType): OvsdbValue {
  if (type.value !== undefined) return type.min === 0 ? new Map() : new Map([[defaultAtom(type.key), defaultAtom(type.value)]]);
  if (type.max === 1) return type.min === 0 ? null : defaultAtom(type.key);
  return type.min === 0 ? [] : [defaultAtom(type.key)];
}

/** Applies an `update2` modify difference (ovsdb-server(7) §4.1.14) of one column to its old value. */
export function applyDiff(type: ColumnType, old: OvsdbValue, diff: OvsdbValue): OvsdbValue {
  if (type.value !== undefined) {
    const out = new Map(old as ReadonlyMap<Atom, Atom>);
    for (const [k, v] of diff as ReadonlyMap<Atom, Atom>) {
      // A pair whose key and value both match is a removal; a known key with another value is a change.
      if (out.has(k) && out.get(k) === v) out.delete(k);
      else out.set(k, v);
    }
    return new Map([...out.entries()].sort((a, b) => compareAtoms(a[0], b[0])));
  }
  // A column holding at most one value (also an optional one) carries its new value, not a difference.
  if (type.max === 1) return diff;
  // Sets: the difference holds the elements present in exactly one of old and new.
  const members = new Set<Atom>(old === null ? [] : Array.isArray(old) ? (old as Atom[]) : [old as Atom]);
  const changes = diff === null ? [] : Array.isArray(diff) ? (diff as Atom[]) : [diff as Atom];
  for (const a of changes) {
    if (members.has(a)) members.delete(a);
    else members.add(a);
  }
  return [...members].sort(compareAtoms);
}

/** A set type with no size limits, for decoding `update2` set differences. */
function diffType(type: ColumnType): ColumnType {
  if (type.value !== undefined || type.max === 1) return type;
  return { key: type.key, min: 0, max: 'unlimited' };
}

interface TableState {
  readonly schema: TableSchema;
  readonly columns: readonly string[];
  readonly rows: Map<Uuid, StoredRow>;
}

/** Internal hooks between a Monitor and its client. */
export interface MonitorHost {
  cancelMonitor(monitor: Monitor): Promise<void>;
  readonly logger: Logger;
}

/**
 * A live replica of monitored tables. Read with {@link Monitor.rows} / {@link Monitor.get}, listen with
 * {@link Monitor.onChange}, stop with {@link Monitor.cancel}.
 *
 * @example
 * const mon = await client.monitor('Open_vSwitch', { Bridge: { columns: ['name', 'ports'] }, Port: {} });
 * mon.onChange('Bridge', (c) => console.log(c.inserted.map((r) => r['name'])));
 * [...mon.rows('Bridge').values()].map((r) => r['name']);
 * await mon.cancel();
 */
export class Monitor {
  private readonly tables = new Map<string, TableState>();
  private readonly listeners = new Set<{ table: string | undefined; listener: ChangeListener }>();
  private queue: Array<{ method: string; updates: unknown }> | undefined = [];
  private canceled = false;

  /** @internal Created by OvsdbClient.monitor(). */
  constructor(
    /** The monitored database. */
    readonly database: string,
    /** The monitor id on the wire (unique per client). */
    readonly id: string,
    /** `monitor` or `monitor_cond`. */
    readonly method: MonitorMethod,
    /** What is monitored, as requested. */
    readonly request: MonitorRequest,
    schema: DatabaseSchema,
    private readonly host: MonitorHost,
  ) {
    this.setSchema(schema);
  }

  /** False once canceled (or the server canceled it). */
  get active(): boolean {
    return !this.canceled;
  }

  /** The names of the monitored tables. */
  get tableNames(): readonly string[] {
    return [...this.tables.keys()];
  }

  /**
   * The current rows of a monitored table, by UUID: a live, read-only view (it changes as updates arrive; row
   * objects themselves are replaced, never changed in place). `R` types the rows (unchecked; values are validated
   * against the schema at run time).
   *
   * @throws InputError when the table is not monitored.
   */
  rows<R extends Row = Row>(table: string): ReadonlyMap<Uuid, StoredRow<R>> {
    return this.state(table).rows as unknown as ReadonlyMap<Uuid, StoredRow<R>>;
  }

  /** One row by UUID, or undefined. */
  get<R extends Row = Row>(table: string, uuid: Uuid | string): StoredRow<R> | undefined {
    return this.state(table).rows.get(uuid as Uuid) as StoredRow<R> | undefined;
  }

  /** The rows of a table for which `predicate` holds. */
  find<R extends Row = Row>(table: string, predicate: (row: StoredRow<R>) => boolean): StoredRow<R>[] {
    return [...this.rows<R>(table).values()].filter(predicate);
  }

  /**
   * Subscribes to changes of one table (or of every table when `table` is omitted). Returns the unsubscribe
   * function.
   */
  onChange<R extends Row = Row>(table: string, listener: ChangeListener<R>): () => void;
  onChange(listener: ChangeListener): () => void;
  onChange<R extends Row = Row>(a: string | ChangeListener, b?: ChangeListener<R>): () => void {
    const entry = typeof a === 'string' ? { table: a, listener: b as unknown as ChangeListener } : { table: undefined, listener: a };
    if (entry.table !== undefined) this.state(entry.table);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Stops the monitor (`monitor_cancel`); the replica keeps its last contents. Idempotent. */
  async cancel(): Promise<void> {
    if (this.canceled) return;
    this.canceled = true;
    this.queue = undefined;
    await this.host.cancelMonitor(this);
  }

  private state(table: string): TableState {
    const s = this.tables.get(table);
    if (s === undefined) throw InputError.fromProblems(`monitor ${this.id} on ${this.database}`, [{ path: 'table', reason: `${JSON.stringify(table)} is not monitored (monitored: ${[...this.tables.keys()].join(', ')})` }]);
    return s;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Client side (internal)

  /** @internal Sets (or, after a reconnect, refreshes) the schema; validates the request against it. */
  setSchema(schema: DatabaseSchema): void {
    const problems: InputProblem[] = [];
    const next = new Map<string, TableState>();
    for (const [name, req] of Object.entries(this.request)) {
      const table = schema.tables.get(name);
      if (table === undefined) {
        problems.push({ path: name, reason: `not a table of ${schema.name}` });
        continue;
      }
      const columns = req.columns ?? [...table.columns.keys()].filter((c) => !c.startsWith('_'));
      for (const c of columns) if (!table.columns.has(c)) problems.push({ path: `${name}.columns`, reason: `${JSON.stringify(c)} is not a column of ${name}` });
      next.set(name, { schema: table, columns, rows: this.tables.get(name)?.rows ?? new Map() });
    }
    if (problems.length > 0) throw InputError.fromProblems(`monitor request on ${schema.name}`, problems);
    this.tables.clear();
    for (const [k, v] of next) this.tables.set(k, v);
  }

  /** @internal The params of the `monitor`/`monitor_cond` request. */
  requestParams(): unknown[] {
    const problems: InputProblem[] = [];
    const requests: Record<string, unknown> = {};
    for (const [name, req] of Object.entries(this.request)) {
      const state = this.state(name);
      const one: Record<string, unknown> = { columns: state.columns.filter((c) => !c.startsWith('_')) };
      if (req.select !== undefined) one['select'] = req.select;
      if (this.method === 'monitor_cond' && req.where !== undefined) one['where'] = encodeMonitorWhere(state.schema, req.where, `${name}.where`, problems);
      requests[name] = this.method === 'monitor_cond' ? [one] : one;
    }
    if (problems.length > 0) throw InputError.fromProblems(`monitor request on ${this.database}`, problems);
    return [this.database, this.id, requests];
  }

  /** @internal Starts queueing notifications (a (re)issued request is on its way). */
  beginSync(): void {
    if (!this.canceled) this.queue = [];
  }

  /** @internal A notification for this monitor; queued while the initial reply is awaited. */
  handleNotification(method: string, updates: unknown): void {
    if (this.canceled) return;
    if (this.queue !== undefined) {
      this.queue.push({ method, updates });
      return;
    }
    this.apply(method === 'update2' ? this.parseUpdates2(updates) : this.parseUpdates(updates), 'update');
  }

  /**
   * @internal Applies the reply to the (re)issued request: replaces the replica, reports the difference (all
   * rows as inserted for the first sync, the real difference on a re-sync), then the queued notifications.
   */
  completeSync(result: unknown, cause: 'initial' | 'resync'): void {
    if (this.canceled) return;
    const fresh = this.method === 'monitor_cond' ? this.parseUpdates2(result) : this.parseUpdates(result);
    const changes: TableChange[] = [];
    for (const [name, state] of this.tables) {
      const incoming = fresh.get(name) ?? new Map<Uuid, RowChangeParsed>();
      const rows = new Map<Uuid, StoredRow>();
      for (const [uuid, change] of incoming) {
        if (change.kind === 'delete') continue;
        rows.set(uuid, this.completeRow(state, uuid, change.row, undefined));
      }
      const inserted: StoredRow[] = [];
      const updated: RowUpdate[] = [];
      const deleted: StoredRow[] = [];
      for (const [uuid, row] of rows) {
        const before = state.rows.get(uuid);
        if (before === undefined) inserted.push(row);
        else if (!rowsEqual(before, row)) updated.push({ old: before, new: row });
      }
      for (const [uuid, row] of state.rows) if (!rows.has(uuid)) deleted.push(row);
      // Refill the same Map, so a view obtained from rows() stays live across a re-sync.
      state.rows.clear();
      for (const [uuid, row] of rows) state.rows.set(uuid, row);
      if (inserted.length + updated.length + deleted.length > 0) changes.push({ table: name, cause, inserted, updated, deleted });
    }
    const queued = this.queue ?? [];
    this.queue = undefined;
    for (const c of changes) this.emit(c);
    for (const q of queued) this.handleNotification(q.method, q.updates);
  }

  /** @internal The server canceled the monitor (`monitor_canceled`) or it could not be re-issued. */
  markCanceled(): void {
    this.canceled = true;
    this.queue = undefined;
  }

  private completeRow(state: TableState, uuid: Uuid, partial: Row, base: StoredRow | undefined): StoredRow {
    const out: Record<string, OvsdbValue> = {};
    for (const c of state.columns) {
      const v = Object.prototype.hasOwnProperty.call(partial, c) ? partial[c] : base !== undefined && Object.prototype.hasOwnProperty.call(base, c) ? base[c] : undefined;
      // update2 rows omit columns that hold their default value.
      out[c] = v !== undefined ? v : defaultValue(state.schema.columns.get(c)!.type);
    }
    out['_uuid'] = uuid;
    return out as StoredRow;
  }

  private apply(parsed: Map<string, Map<Uuid, RowChangeParsed>>, cause: ChangeCause): void {
    for (const [name, changes] of parsed) {
      const state = this.tables.get(name);
      if (state === undefined) continue;
      const inserted: StoredRow[] = [];
      const updated: RowUpdate[] = [];
      const deleted: StoredRow[] = [];
      for (const [uuid, change] of changes) {
        const before = state.rows.get(uuid);
        if (change.kind === 'delete') {
          if (before !== undefined) {
            state.rows.delete(uuid);
            deleted.push(before);
          }
          continue;
        }
        let after: StoredRow;
        if (change.kind === 'diff') {
          if (before === undefined) {
            this.host.logger.warn({ database: this.database, table: name, uuid }, 'ovsdb update2 modifies a row the replica does not have');
            continue;
          }
          const merged: Record<string, OvsdbValue | undefined> = { ...before };
          for (const [c, diff] of Object.entries(change.row)) {
            const column = state.schema.columns.get(c);
            if (column === undefined || diff === undefined) continue;
            merged[c] = applyDiff(column.type, before[c] ?? defaultValue(column.type), diff);
          }
          after = this.completeRow(state, uuid, merged as Row, before);
        } else {
          after = this.completeRow(state, uuid, change.row, change.kind === 'new' ? before : undefined);
        }
        state.rows.set(uuid, after);
        if (before === undefined) inserted.push(after);
        else updated.push({ old: before, new: after });
      }
      if (inserted.length + updated.length + deleted.length > 0) this.emit({ table: name, cause, inserted, updated, deleted });
    }
  }

  private emit(change: TableChange): void {
    for (const { table, listener } of [...this.listeners]) {
      if (table !== undefined && table !== change.table) continue;
      try {
        listener(change);
      } catch (e) {
        this.host.logger.error({ database: this.database, table: change.table, err: e instanceof Error ? e.message : String(e) }, 'ovsdb monitor listener failed');
      }
    }
  }

  /** Parses `<table-updates>` (monitor): `{table: {uuid: {old?, new?}}}`. */
  private parseUpdates(json: unknown): Map<string, Map<Uuid, RowChangeParsed>> {
    return this.parseTables(json, (state, uuid, u, path, problems) => {
      if (u.new === undefined || u.new === null) return { kind: 'delete' };
      const row = decodeRow(state.schema, u.new, `${path}.new`, problems);
      // In `monitor`, "new" carries every monitored column except on some servers that trim defaults; the
      // previous row fills what is missing.
      return row === undefined ? undefined : { kind: 'new', row };
    });
  }

  /** Parses `<table-updates2>` (monitor_cond): `{table: {uuid: {initial|insert|modify|delete}}}`. */
  private parseUpdates2(json: unknown): Map<string, Map<Uuid, RowChangeParsed>> {
    return this.parseTables(json, (state, uuid, u, path, problems) => {
      if ('delete' in u) return { kind: 'delete' };
      const full = u.initial ?? u.insert;
      if (full !== undefined) {
        const row = decodeRow(state.schema, full, `${path}.${u.initial !== undefined ? 'initial' : 'insert'}`, problems);
        return row === undefined ? undefined : { kind: 'full', row };
      }
      if (u.modify !== undefined) {
        if (typeof u.modify !== 'object' || u.modify === null || Array.isArray(u.modify)) {
          problems.push({ path: `${path}.modify`, reason: 'expected a row object' });
          return undefined;
        }
        const diff: Record<string, OvsdbValue> = {};
        for (const [c, v] of Object.entries(u.modify as Record<string, unknown>)) {
          const column = state.schema.columns.get(c);
          if (column === undefined) {
            problems.push({ path: `${path}.modify.${c}`, reason: `the server sent a column that the schema of ${state.schema.name} does not have` });
            continue;
          }
          const d = decodeDatum(diffType(column.type), v, `${path}.modify.${c}`, problems);
          if (d !== undefined) diff[c] = d;
        }
        return { kind: 'diff', row: diff };
      }
      problems.push({ path, reason: 'expected one of initial, insert, modify, delete' });
      return undefined;
    });
  }

  private parseTables(
    json: unknown,
    parseRow: (state: TableState, uuid: Uuid, u: RowUpdateJson, path: string, problems: InputProblem[]) => RowChangeParsed | undefined,
  ): Map<string, Map<Uuid, RowChangeParsed>> {
    const problems: InputProblem[] = [];
    const out = new Map<string, Map<Uuid, RowChangeParsed>>();
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      problems.push({ path: '', reason: 'expected an object of table updates' });
    } else {
      for (const [name, rows] of Object.entries(json as Record<string, unknown>)) {
        const state = this.tables.get(name);
        if (state === undefined) continue; // not ours (a server may send more than asked); ignore
        if (typeof rows !== 'object' || rows === null || Array.isArray(rows)) {
          problems.push({ path: name, reason: 'expected an object of row updates by UUID' });
          continue;
        }
        const changes = new Map<Uuid, RowChangeParsed>();
        for (const [uuid, u] of Object.entries(rows as Record<string, unknown>)) {
          const path = `${name}["${uuid}"]`;
          if (!isUuid(uuid)) {
            problems.push({ path, reason: 'the row key is not a UUID' });
            continue;
          }
          if (typeof u !== 'object' || u === null || Array.isArray(u)) {
            problems.push({ path, reason: 'expected a row update object' });
            continue;
          }
          const parsed = parseRow(state, uuid.toLowerCase() as Uuid, u as RowUpdateJson, path, problems);
          if (parsed !== undefined) changes.set(uuid.toLowerCase() as Uuid, parsed);
        }
        out.set(name, changes);
      }
    }
    throwIfReplyProblems(problems, `OVSDB monitor ${this.id} update on ${this.database}`, { database: this.database, monitor: this.id });
    return out;
  }
}

type RowChangeParsed = { kind: 'delete' } | { kind: 'new'; row: Row } | { kind: 'full'; row: Row } | { kind: 'diff'; row: Row };

function encodeMonitorWhere(table: TableSchema, where: readonly (Condition | boolean)[], path: string, problems: InputProblem[]): unknown[] {
  if (!Array.isArray(where)) {
    problems.push({ path, reason: 'expected an array of conditions and booleans' });
    return [];
  }
  return where.map((c, i) => (typeof c === 'boolean' ? c : encodeCondition(table, c, `${path}[${i}]`, problems)));
}
