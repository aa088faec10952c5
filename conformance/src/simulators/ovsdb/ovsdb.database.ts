/**
 * One in-memory OVSDB database: its rows, and the working copy a transaction edits and then commits with
 * ovsdb-server's commit-time rules, in ovsdb-server's order (`ovsdb_txn_precommit`):
 *
 * 1. nothing changed → nothing is committed (no `_version` bump, no notification);
 * 2. referential integrity: a new or changed row may not hold a strong reference to a row that does not exist;
 *    a deleted row may not still be strongly referenced;
 * 3. garbage collection: rows of non-root tables that no strong reference reaches any more are deleted
 *    (cascading; rows that only reference each other survive, as in ovsdb-server);
 * 4. `maxRows`;
 * 5. weak references to rows that do not exist are removed (a column left below its minimum size fails);
 * 6. index uniqueness;
 * 7. changed rows get a new `_version`.
 *
 * @packageDocumentation
 */
import { type OvsdbDatum, datumToDisplay, datumsEqual, newUuid, sortedDatum } from './ovsdb.datum';
import { OvsdbOpError, constraintViolation } from './ovsdb.errors';
import type { OvsdbColumnSchema, OvsdbDatabaseSchema, OvsdbTableSchema } from './ovsdb.schema';

/** A stored row. Rows are immutable: a change replaces the object. */
export interface OvsdbRow {
  readonly uuid: string;
  readonly version: string;
  /** Every column of the table's schema (without `_uuid` and `_version`). */
  readonly fields: Readonly<Record<string, OvsdbDatum>>;
}

/** How one row changed in a commit: `old` absent for an insert, `new` absent for a delete. */
export interface OvsdbRowChange {
  readonly old?: OvsdbRow;
  readonly new?: OvsdbRow;
}

/** The changes of one commit: table → row UUID → change. Only rows that really changed. */
export type OvsdbCommitChanges = ReadonlyMap<string, ReadonlyMap<string, OvsdbRowChange>>;

/** Reads any column of a row, `_uuid` and `_version` included. */
export function rowDatum(row: OvsdbRow, column: string): OvsdbDatum {
  if (column === '_uuid') return { keys: [row.uuid] };
  if (column === '_version') return { keys: [row.version] };
  const d = row.fields[column];
  if (d === undefined) throw new Error(`internal: row ${row.uuid} has no column ${column}`);
  return d;
}

interface RefColumn {
  readonly column: OvsdbColumnSchema;
  /** Where the references are: in the keys, the values, or both. */
  readonly inKeys?: { readonly table: string; readonly weak: boolean };
  readonly inValues?: { readonly table: string; readonly weak: boolean };
}

function refColumns(table: OvsdbTableSchema): RefColumn[] {
  const out: RefColumn[] = [];
  for (const column of table.columns.values()) {
    const k = column.type.key.refTable;
    const v = column.type.value?.refTable;
    if (k === undefined && v === undefined) continue;
    out.push({
      column,
      ...(k !== undefined ? { inKeys: { table: k, weak: column.type.key.refType === 'weak' } } : {}),
      ...(v !== undefined ? { inValues: { table: v, weak: column.type.value!.refType === 'weak' } } : {}),
    });
  }
  return out;
}

/** Calls `visit` with every reference a row holds: (target table, target UUID, weak?, column). */
function forEachRef(row: OvsdbRow, refs: readonly RefColumn[], visit: (table: string, uuid: string, weak: boolean, column: string) => void): void {
  for (const r of refs) {
    const d = row.fields[r.column.name];
    if (d === undefined) continue;
    if (r.inKeys !== undefined) for (const k of d.keys) visit(r.inKeys.table, k as string, r.inKeys.weak, r.column.name);
    if (r.inValues !== undefined && d.values !== undefined) for (const v of d.values) visit(r.inValues.table, v as string, r.inValues.weak, r.column.name);
  }
}

/**
 * The working copy of one transaction: reads fall through to the committed rows; the first write to a table copies
 * that table's row map (rows themselves are immutable, so the copy is shallow).
 */
export class OvsdbWorkingCopy {
  private readonly copies = new Map<string, Map<string, OvsdbRow>>();
  /** Rows written (inserted, updated, deleted) per table, in order. */
  private readonly touched = new Map<string, Set<string>>();
  /** Rows deleted explicitly (by a `delete` operation), per table. */
  private readonly explicitlyDeleted = new Map<string, Set<string>>();

  constructor(readonly db: OvsdbDatabase) {}

  /** The rows of a table as this transaction sees them. */
  rows(table: string): ReadonlyMap<string, OvsdbRow> {
    return this.copies.get(table) ?? this.db.committedRows(table);
  }

  private writable(table: string): Map<string, OvsdbRow> {
    let m = this.copies.get(table);
    if (m === undefined) {
      m = new Map(this.db.committedRows(table));
      this.copies.set(table, m);
    }
    return m;
  }

  private touch(table: string, uuid: string): void {
    let s = this.touched.get(table);
    if (s === undefined) this.touched.set(table, (s = new Set()));
    s.add(uuid);
  }

  /** True when a row with this UUID exists now or existed at the start of the transaction (ovsdb-server refuses to reuse either). */
  uuidTaken(table: string, uuid: string): boolean {
    return this.rows(table).has(uuid) || this.db.committedRows(table).has(uuid);
  }

  /** Adds a row (its `version` is replaced at commit). */
  insert(table: string, row: OvsdbRow): void {
    this.writable(table).set(row.uuid, row);
    this.touch(table, row.uuid);
  }

  /** Replaces a row's fields. */
  update(table: string, uuid: string, fields: Readonly<Record<string, OvsdbDatum>>): void {
    const m = this.writable(table);
    const row = m.get(uuid);
    if (row === undefined) return;
    m.set(uuid, { uuid, version: row.version, fields });
    this.touch(table, uuid);
  }

  /** Removes a row; `explicit` for a `delete` operation (as opposed to garbage collection). */
  remove(table: string, uuid: string, explicit: boolean): void {
    if (!this.writable(table).delete(uuid)) return;
    this.touch(table, uuid);
    if (explicit) {
      let s = this.explicitlyDeleted.get(table);
      if (s === undefined) this.explicitlyDeleted.set(table, (s = new Set()));
      s.add(uuid);
    }
  }

  /** @internal The changed rows, compared with the committed state (rows written back unchanged are left out). */
  changes(): Map<string, Map<string, OvsdbRowChange>> {
    const out = new Map<string, Map<string, OvsdbRowChange>>();
    for (const [table, uuids] of this.touched) {
      const before = this.db.committedRows(table);
      const after = this.rows(table);
      const schema = this.db.schema.tables.get(table)!;
      for (const uuid of uuids) {
        const o = before.get(uuid);
        const n = after.get(uuid);
        if (o === undefined && n === undefined) continue;
        if (o !== undefined && n !== undefined && fieldsEqual(schema, o, n)) continue;
        let m = out.get(table);
        if (m === undefined) out.set(table, (m = new Map()));
        m.set(uuid, { ...(o !== undefined ? { old: o } : {}), ...(n !== undefined ? { new: n } : {}) });
      }
    }
    return out;
  }

  /** @internal Rows deleted by `delete` operations. */
  deletedExplicitly(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.explicitlyDeleted;
  }

  /** @internal The tables this transaction copied. */
  copiedTables(): ReadonlyMap<string, Map<string, OvsdbRow>> {
    return this.copies;
  }
}

function fieldsEqual(schema: OvsdbTableSchema, a: OvsdbRow, b: OvsdbRow): boolean {
  for (const c of schema.columns.keys()) if (!datumsEqual(a.fields[c]!, b.fields[c]!)) return false;
  return true;
}

/**
 * An in-memory database of one schema. Rows change only through {@link OvsdbDatabase.commit} of a working copy.
 */
export class OvsdbDatabase {
  private readonly tables = new Map<string, Map<string, OvsdbRow>>();
  private readonly refs = new Map<string, RefColumn[]>();
  private readonly hasGarbageCollection: boolean;

  /**
   * @param schema the database schema.
   * @param reserved when set, clients may only read (the `_Server` database): the reason's text names the database.
   */
  constructor(
    readonly schema: OvsdbDatabaseSchema,
    readonly reserved = false,
  ) {
    for (const table of schema.tables.values()) {
      this.tables.set(table.name, new Map());
      this.refs.set(table.name, refColumns(table));
    }
    this.hasGarbageCollection = [...schema.tables.values()].some((t) => !t.isRoot);
  }

  /** The database name. */
  get name(): string {
    return this.schema.name;
  }

  /** The committed rows of a table (empty for an unknown table). */
  committedRows(table: string): ReadonlyMap<string, OvsdbRow> {
    return this.tables.get(table) ?? new Map();
  }

  /** A fresh working copy for one transaction. */
  begin(): OvsdbWorkingCopy {
    return new OvsdbWorkingCopy(this);
  }

  /**
   * Applies the commit-time checks to `txn` and, when they pass, makes it the committed state.
   *
   * @returns the changes (empty when the transaction changed nothing).
   * @throws OvsdbOpError `referential integrity violation` or `constraint violation`; nothing is applied.
   */
  commit(txn: OvsdbWorkingCopy): OvsdbCommitChanges {
    if (txn.changes().size === 0) return new Map();
    this.checkReferences(txn);
    if (this.hasGarbageCollection) this.collectGarbage(txn);
    this.checkMaxRows(txn);
    this.removeDanglingWeakRefs(txn);
    const changes = txn.changes();
    this.checkIndexes(txn, changes);
    const committed = new Map<string, Map<string, OvsdbRowChange>>();
    for (const [table, rows] of changes) {
      const target = this.tables.get(table)!;
      const out = new Map<string, OvsdbRowChange>();
      for (const [uuid, change] of rows) {
        if (change.new === undefined) {
          target.delete(uuid);
          out.set(uuid, change);
          continue;
        }
        const fresh: OvsdbRow = { uuid, version: newUuid(), fields: change.new.fields };
        target.set(uuid, fresh);
        out.set(uuid, { ...(change.old !== undefined ? { old: change.old } : {}), new: fresh });
      }
      committed.set(table, out);
    }
    return committed;
  }

  private checkReferences(txn: OvsdbWorkingCopy): void {
    const changes = txn.changes();
    for (const [table, rows] of changes) {
      const refs = this.refs.get(table)!;
      for (const [uuid, change] of rows) {
        if (change.new === undefined) continue;
        // Only references the transaction added are looked up here; one a changed row kept to a deleted row is
        // reported below as "cannot delete", as ovsdb-server does.
        const kept = new Set<string>();
        if (change.old !== undefined) forEachRef(change.old, refs, (target, ref) => kept.add(`${target}\u0000${ref}`));
        forEachRef(change.new, refs, (target, ref, weak, column) => {
          if (weak || kept.has(`${target}\u0000${ref}`) || txn.rows(target).has(ref)) return;
          throw new OvsdbOpError('referential integrity violation', `Table ${table} column ${column} row ${uuid} references nonexistent row ${ref} in table ${target}.`);
        });
      }
    }
    // A row deleted on purpose may not still be referenced (garbage collection comes after this check).
    for (const [table, uuids] of txn.deletedExplicitly()) {
      if (uuids.size === 0) continue;
      const counts = new Map<string, number>();
      for (const [source, refs] of this.refs) {
        if (refs.length === 0) continue;
        for (const row of txn.rows(source).values()) {
          forEachRef(row, refs, (target, ref, weak) => {
            if (!weak && target === table && uuids.has(ref)) counts.set(ref, (counts.get(ref) ?? 0) + 1);
          });
        }
      }
      for (const uuid of uuids) {
        const n = counts.get(uuid) ?? 0;
        if (n > 0) throw new OvsdbOpError('referential integrity violation', `cannot delete ${table} row ${uuid} because of ${n} remaining reference(s)`);
      }
    }
  }

  private collectGarbage(txn: OvsdbWorkingCopy): void {
    const nonRoot = new Set([...this.schema.tables.values()].filter((t) => !t.isRoot).map((t) => t.name));
    const count = new Map<string, number>();
    const key = (table: string, uuid: string): string => `${table}\u0000${uuid}`;
    for (const [source, refs] of this.refs) {
      if (refs.length === 0) continue;
      for (const row of txn.rows(source).values()) {
        forEachRef(row, refs, (target, ref, weak) => {
          if (!weak && nonRoot.has(target)) count.set(key(target, ref), (count.get(key(target, ref)) ?? 0) + 1);
        });
      }
    }
    const queue: Array<[string, string]> = [];
    for (const table of nonRoot) for (const uuid of txn.rows(table).keys()) if ((count.get(key(table, uuid)) ?? 0) === 0) queue.push([table, uuid]);
    while (queue.length > 0) {
      const [table, uuid] = queue.shift()!;
      const row = txn.rows(table).get(uuid);
      if (row === undefined) continue;
      txn.remove(table, uuid, false);
      forEachRef(row, this.refs.get(table)!, (target, ref, weak) => {
        if (weak || !nonRoot.has(target)) return;
        const k = key(target, ref);
        const n = (count.get(k) ?? 0) - 1;
        count.set(k, n);
        if (n === 0) queue.push([target, ref]);
      });
    }
  }

  private checkMaxRows(txn: OvsdbWorkingCopy): void {
    for (const [table, rows] of txn.copiedTables()) {
      const max = this.schema.tables.get(table)!.maxRows;
      if (max !== undefined && rows.size > max) {
        throw constraintViolation(`transaction causes "${table}" table to contain ${rows.size} rows, greater than the schema-defined limit of ${max} row(s)`);
      }
    }
  }

  private removeDanglingWeakRefs(txn: OvsdbWorkingCopy): void {
    for (const [table, refs] of this.refs) {
      const weakCols = refs.filter((r) => r.inKeys?.weak === true || r.inValues?.weak === true);
      if (weakCols.length === 0) continue;
      for (const row of [...txn.rows(table).values()]) {
        let fields: Record<string, OvsdbDatum> | undefined;
        for (const r of weakCols) {
          const d = row.fields[r.column.name]!;
          const keep = (i: number): boolean =>
            (r.inKeys?.weak !== true || txn.rows(r.inKeys.table).has(d.keys[i] as string)) && (r.inValues?.weak !== true || txn.rows(r.inValues.table).has(d.values![i] as string));
          const kept = d.keys.map((_, i) => i).filter(keep);
          if (kept.length === d.keys.length) continue;
          const removed = d.keys.length - kept.length;
          if (kept.length < r.column.type.min) {
            const inserted = !this.committedRows(table).has(row.uuid);
            throw constraintViolation(
              `Deletion of ${removed} weak reference(s) to deleted (or never-existing) rows from column "${r.column.name}" in "${table}" row ${row.uuid} ${inserted ? '(inserted by this transaction) ' : ''}caused this column to become empty, but constraints on this column disallow an empty column.`,
            );
          }
          fields ??= { ...row.fields };
          fields[r.column.name] = sortedDatum(
            kept.map((i) => d.keys[i]!),
            d.values === undefined ? undefined : kept.map((i) => d.values![i]!),
          );
        }
        if (fields !== undefined) txn.update(table, row.uuid, fields);
      }
    }
  }

  private checkIndexes(txn: OvsdbWorkingCopy, changes: ReadonlyMap<string, ReadonlyMap<string, OvsdbRowChange>>): void {
    for (const table of changes.keys()) {
      const schema = this.schema.tables.get(table)!;
      for (const index of schema.indexes) {
        const seen = new Map<string, OvsdbRow>();
        for (const row of txn.rows(table).values()) {
          const k = JSON.stringify(index.map((c) => [row.fields[c]!.keys, row.fields[c]!.values ?? null]));
          const other = seen.get(k);
          if (other === undefined) {
            seen.set(k, row);
            continue;
          }
          throw constraintViolation(this.indexConflictText(schema, index, other, row));
        }
      }
    }
  }

  private indexConflictText(schema: OvsdbTableSchema, index: readonly string[], a: OvsdbRow, b: OvsdbRow): string {
    const committed = this.committedRows(schema.name);
    // ovsdb-server names a row that was already there first.
    const [first, second] = committed.has(b.uuid) && !committed.has(a.uuid) ? [b, a] : [a, b];
    const values = index.map((c) => datumToDisplay(first.fields[c]!, schema.columns.get(c)!.type)).join(', ');
    const columns =
      index.length === 1
        ? `column "${index[0]}"`
        : `columns ${index.map((c, i) => `${i === index.length - 1 ? 'and ' : ''}"${c}"`).join(', ')}`;
    const describe = (which: string, row: OvsdbRow): string => {
      const old = committed.get(row.uuid);
      if (old === undefined) return `${which} row, with UUID ${row.uuid}, was inserted by this transaction.`;
      if (index.every((c) => datumsEqual(old.fields[c]!, row.fields[c]!))) return `${which} row, with UUID ${row.uuid}, existed in the database before this transaction and was not modified by the transaction.`;
      const before = index.map((c) => datumToDisplay(old.fields[c]!, schema.columns.get(c)!.type)).join(', ');
      return `${which} row, with UUID ${row.uuid}, had the following index values before the transaction: ${before}.`;
    };
    return `Transaction causes multiple rows in "${schema.name}" table to have identical values (${values}) for index on ${columns}.  ${describe('First', first)}  ${describe('Second', second)}`;
  }

  /**
   * Replaces the whole contents (used to seed the `_Server` database). Rows must fit the schema; no check is made.
   *
   * @internal
   */
  seed(table: string, rows: readonly { readonly uuid?: string; readonly fields: Readonly<Record<string, OvsdbDatum>> }[]): void {
    const m = this.tables.get(table);
    if (m === undefined) throw new Error(`internal: no table ${table} in ${this.name}`);
    m.clear();
    for (const r of rows) {
      const uuid = r.uuid ?? newUuid();
      m.set(uuid, { uuid, version: newUuid(), fields: r.fields });
    }
  }
}
