/**
 * The embedded store: one SQLite file (better-sqlite3), WAL mode, compare-and-set commits in `BEGIN IMMEDIATE`
 * transactions.
 *
 * Layout (schema version 1):
 * - `meta(name, value)`: `schema_version` and `revision`, the global revision counter. Every commit that writes
 *   takes the next value of the counter, so a key's revision never repeats, not even after delete and re-create.
 * - `kv(key, value, revision)`: value is JSON text.
 * - `journal(seq, at, type, data)`: `seq` is AUTOINCREMENT, so sequence numbers are never reused.
 *
 * Several processes may open the same file (WAL): commits serialise on SQLite's write lock (a writer waits up to
 * `busyTimeoutMs` for another one), and the checks of a commit are evaluated inside that lock, so compare-and-set
 * holds across processes. `watch` only sees commits made through the same {@link SqliteStore} instance (it is
 * in-process): another process's commits are visible to `get`/`list`/`readJournal`, not to watchers.
 *
 * The file must live on a local file system: WAL needs shared memory, which network file systems (NFS, SMB) do
 * not provide reliably. `synchronous = FULL`: a commit that returned survives a power loss, because allocations
 * are handed out only after they are committed.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import {
  NetloomError,
  StoreError,
  type CommitOptions,
  type CommitResult,
  type JournalRecord,
  type JsonValue,
  type ReadJournalOptions,
  type StoreCapabilities,
  type StoreCheck,
  type StoreEntry,
  type StorePort,
  type StoreWatchEvent,
  type ValidStoreCommit,
  assertStoreKey,
  assertStorePrefix,
  validateJournalQuery,
  validateStoreCommit,
} from '@netloom/ports';
import { DEFAULT_BUSY_TIMEOUT_MS, parseSqliteStoreOptions, type SqliteStoreOptions } from './sqlite.options';

/** The schema version this build writes. A file with a newer version is refused; older ones are migrated. */
export const SQLITE_SCHEMA_VERSION = 1;

/** Capabilities of the sqlite store: watch is in-process only; several processes may share the file. */
export const SQLITE_STORE_CAPABILITIES: StoreCapabilities = Object.freeze({ watch: true, multiProcess: true, leases: false });

const SCHEMA_V1 = `
  CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, revision INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);
  INSERT INTO meta (name, value) VALUES ('schema_version', 1), ('revision', 0);
`;

/** Above every character a key may contain: the exclusive upper bound of a prefix range scan. */
const KEY_CHAR_CEILING = '\u007f';

interface Watcher {
  readonly prefix: string;
  readonly listener: (event: StoreWatchEvent) => void;
}

interface Statements {
  readonly getRow: Database.Statement<[string], { value: string; revision: number }>;
  readonly getRevision: Database.Statement<[string], { revision: number }>;
  readonly listAll: Database.Statement<[], { key: string; value: string; revision: number }>;
  readonly listRange: Database.Statement<[string, string], { key: string; value: string; revision: number }>;
  readonly nextRevision: Database.Statement<[], { value: number }>;
  readonly upsert: Database.Statement<[string, string, number]>;
  readonly remove: Database.Statement<[string]>;
  readonly appendJournal: Database.Statement<[string, string, string]>;
  readonly journalAll: Database.Statement<[number, number], { seq: number; at: string; type: string; data: string }>;
  readonly journalTyped: Database.Statement<[number, string, number, string, number], { seq: number; at: string; type: string; data: string }>;
}

type TxResult = { result: CommitResult; events: StoreWatchEvent[] };

/**
 * A {@link StorePort} on one SQLite file.
 *
 * @example
 * const store = new SqliteStore({ path: '/var/lib/netloom/state.db' });
 * await store.commit({ checks: [{ key: 'a/b', revision: 0 }], puts: [{ key: 'a/b', value: { owner: 'x' } }] });
 * await store.close();
 */
export class SqliteStore implements StorePort {
  readonly capabilities: StoreCapabilities = SQLITE_STORE_CAPABILITIES;
  /** The database file as given (`:memory:` for an in-memory store). */
  readonly path: string;

  private readonly db: Database.Database;
  private readonly st: Statements;
  private readonly commitTx: Database.Transaction<(c: ValidStoreCommit) => TxResult>;
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  /**
   * Opens (creating if missing) the store file: creates the parent directory, switches to WAL, creates or checks
   * the schema.
   * @throws InputError (bad options), StoreError (cannot open, not a netloom store, written by a newer version)
   */
  constructor(options: SqliteStoreOptions) {
    const opts = parseSqliteStoreOptions(options);
    this.path = opts.path;
    const inMemory = opts.path === ':memory:';
    let db: Database.Database | undefined;
    try {
      if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(opts.path)), { recursive: true });
      db = new Database(opts.path, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
      if (!inMemory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db, opts.path);
      this.db = db;
      this.st = prepare(db);
    } catch (e) {
      db?.close();
      throw wrap(e, opts.path, 'open');
    }
    this.commitTx = this.db.transaction((c: ValidStoreCommit) => this.commitInTx(c));
  }

  /** @inheritDoc */
  async get(opts: { readonly key: string }): Promise<StoreEntry | undefined> {
    this.assertOpen('get');
    assertStoreKey(opts.key);
    const row = this.run('get', () => this.st.getRow.get(opts.key));
    return row === undefined ? undefined : { key: opts.key, value: this.parse(row.value, opts.key), revision: row.revision };
  }

  /** @inheritDoc */
  async list(opts: { readonly prefix: string }): Promise<StoreEntry[]> {
    this.assertOpen('list');
    assertStorePrefix(opts.prefix);
    const rows = this.run('list', () => (opts.prefix === '' ? this.st.listAll.all() : this.st.listRange.all(opts.prefix, opts.prefix + KEY_CHAR_CEILING)));
    return rows.filter((r) => r.key.startsWith(opts.prefix)).map((r) => ({ key: r.key, value: this.parse(r.value, r.key), revision: r.revision }));
  }

  /** @inheritDoc */
  async commit(opts: CommitOptions): Promise<CommitResult> {
    this.assertOpen('commit');
    const valid = validateStoreCommit(opts);
    const { result, events } = this.run('commit', () => this.commitTx.immediate(valid));
    this.emit(events);
    return result;
  }

  /** @inheritDoc */
  async readJournal(opts?: ReadJournalOptions): Promise<JournalRecord[]> {
    this.assertOpen('readJournal');
    const q = validateJournalQuery(opts);
    const rows = this.run('readJournal', () =>
      q.type === undefined ? this.st.journalAll.all(q.afterSeq, q.limit) : this.st.journalTyped.all(q.afterSeq, q.type, q.type.length + 1, `${q.type}.`, q.limit),
    );
    return rows.map((r) => ({ seq: r.seq, at: r.at, type: r.type, data: this.parse(r.data, `journal #${r.seq}`) }));
  }

  /**
   * Calls `listener` after every later commit **of this instance** that puts or deletes a key under `prefix`
   * (in-process only: commits of another process or another instance on the same file are not seen). Listeners
   * run synchronously after the transaction has committed; an exception in a listener is reported as a process
   * warning and does not affect the commit.
   * @throws StoreError after close
   */
  watch(opts: { readonly prefix: string }, listener: (event: StoreWatchEvent) => void): () => void {
    this.assertOpen('watch');
    assertStorePrefix(opts.prefix);
    const w: Watcher = { prefix: opts.prefix, listener };
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
    };
  }

  /** Closes the database. Idempotent; every later call (other than close) fails with StoreError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    try {
      this.db.close();
    } catch (e) {
      throw wrap(e, this.path, 'close');
    }
  }

  private commitInTx(c: ValidStoreCommit): TxResult {
    const failed: StoreCheck[] = [];
    for (const check of c.checks) {
      const found = this.st.getRevision.get(check.key)?.revision ?? 0;
      if (found !== check.revision) failed.push({ key: check.key, revision: found });
    }
    if (failed.length > 0) return { result: { ok: false, failed }, events: [] };
    const revisions: Record<string, number> = {};
    const events: StoreWatchEvent[] = [];
    if (c.puts.length > 0 || c.deletes.length > 0) {
      const row = this.st.nextRevision.get();
      if (row === undefined) throw new StoreError(`sqlite store ${this.path}: the revision counter is missing (the file is damaged)`);
      const revision = row.value;
      for (const p of c.puts) {
        this.st.upsert.run(p.key, p.json, revision);
        revisions[p.key] = revision;
        events.push({ type: 'put', key: p.key, value: p.value, revision });
      }
      for (const key of c.deletes) {
        if (this.st.remove.run(key).changes > 0) events.push({ type: 'delete', key, revision });
      }
    }
    if (c.journal !== undefined) this.st.appendJournal.run(new Date().toISOString(), c.journal.type, c.journal.data);
    return { result: { ok: true, revisions }, events };
  }

  private emit(events: readonly StoreWatchEvent[]): void {
    if (this.watchers.size === 0) return;
    for (const event of events) {
      for (const w of [...this.watchers]) {
        if (!event.key.startsWith(w.prefix)) continue;
        try {
          w.listener(event);
        } catch (e) {
          process.emitWarning(`netloom sqlite store: a watch listener threw: ${e instanceof Error ? e.message : String(e)}`, 'NetloomStoreWarning');
        }
      }
    }
  }

  private parse(text: string, where: string): JsonValue {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      throw new StoreError(`sqlite store ${this.path}: the stored value of ${where} is not valid JSON (the file is damaged)`, { cause: e });
    }
  }

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw wrap(e, this.path, what);
    }
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new StoreError(`sqlite store ${this.path}: ${what} after close`, { details: { path: this.path } });
  }
}

/** Creates the schema in a new file, checks (and one day migrates) it in an existing one. */
function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    if (!tables.has('meta')) {
      const foreign = [...tables].filter((n) => !n.startsWith('sqlite_'));
      if (foreign.length > 0) {
        throw new StoreError(`sqlite store ${file}: the file holds other tables (${foreign.slice(0, 5).join(', ')}) and is not a netloom store; point the store at a new file`, {
          details: { path: file },
        });
      }
      db.exec(SCHEMA_V1);
      return;
    }
    const row = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE name = 'schema_version'").get();
    const version = row?.value;
    if (typeof version !== 'number') throw new StoreError(`sqlite store ${file}: the meta table has no schema version (the file is damaged)`, { details: { path: file } });
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new StoreError(
        `sqlite store ${file}: the file has schema version ${version}, written by a newer netloom; this build knows versions up to ${SQLITE_SCHEMA_VERSION}. Upgrade netloom, or point the store at another file`,
        { details: { path: file, schemaVersion: version, supported: SQLITE_SCHEMA_VERSION } },
      );
    }
    // Version 1 is the first version: nothing to migrate yet. Future migrations go here, one step per version.
  }).immediate();
}

function prepare(db: Database.Database): Statements {
  return {
    getRow: db.prepare('SELECT value, revision FROM kv WHERE key = ?'),
    getRevision: db.prepare('SELECT revision FROM kv WHERE key = ?'),
    listAll: db.prepare('SELECT key, value, revision FROM kv ORDER BY key'),
    listRange: db.prepare('SELECT key, value, revision FROM kv WHERE key >= ? AND key < ? ORDER BY key'),
    nextRevision: db.prepare("UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value"),
    upsert: db.prepare('INSERT INTO kv (key, value, revision) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, revision = excluded.revision'),
    remove: db.prepare('DELETE FROM kv WHERE key = ?'),
    appendJournal: db.prepare('INSERT INTO journal (at, type, data) VALUES (?, ?, ?)'),
    journalAll: db.prepare('SELECT seq, at, type, data FROM journal WHERE seq > ? ORDER BY seq LIMIT ?'),
    journalTyped: db.prepare('SELECT seq, at, type, data FROM journal WHERE seq > ? AND (type = ? OR substr(type, 1, ?) = ?) ORDER BY seq LIMIT ?'),
  };
}

/** Wraps a low-level error in StoreError (netloom errors pass through unchanged). */
function wrap(e: unknown, file: string, what: string): NetloomError {
  if (e instanceof NetloomError) return e;
  const code = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : undefined;
  const hint =
    code === 'SQLITE_BUSY'
      ? ' (another process held the write lock longer than busyTimeoutMs)'
      : code === 'SQLITE_NOTADB'
        ? ' (the file is not an SQLite database)'
        : code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || (e as { code?: unknown })?.code === 'EACCES'
          ? ' (check the path and its permissions)'
          : '';
  const message = e instanceof Error ? e.message : String(e);
  return new StoreError(`sqlite store ${file}: ${what} failed: ${message}${hint}`, { cause: e, details: { path: file, ...(code === undefined ? {} : { sqliteCode: code }) } });
}

/** Opens a {@link SqliteStore}: the factory the adapter manifest registers for the store port. */
export function createSqliteStore(options: unknown): SqliteStore {
  return new SqliteStore(parseSqliteStoreOptions(options));
}
