/**
 * `@netloom/adapter-sqlite` — the embedded store: one SQLite file on the controller's disk (better-sqlite3, WAL).
 *
 * Profile: `store: { adapter: sqlite, options: { path: /var/lib/netloom/state.db } }`.
 * Watch is in-process only; several processes may share one file (commits serialise on SQLite's write lock);
 * leases (leader election) are not supported: use the etcd adapter for several controller replicas with a leader.
 *
 * @packageDocumentation
 */
import { defineAdapter, type StoreFactoryOptions } from '@netloom/ports';
import { SqliteStoreOptionsCodec } from './sqlite.options';
import { createSqliteStore } from './sqlite.store';

export { SqliteStore, createSqliteStore, SQLITE_SCHEMA_VERSION, SQLITE_STORE_CAPABILITIES } from './sqlite.store';
export { SqliteStoreOptionsCodec, checkSqliteStoreOptions, parseSqliteStoreOptions, DEFAULT_BUSY_TIMEOUT_MS, type SqliteStoreOptions } from './sqlite.options';

/** The adapter manifest (mirrored by the `"netloom"` field of package.json). */
export const adapter = defineAdapter({
  id: 'sqlite',
  vendor: 'SQLite',
  description: 'Embedded store: one SQLite file (WAL), compare-and-set commits, journal, in-process watch.',
  portApi: '^1.0.0',
  ports: { store: (opts: StoreFactoryOptions) => createSqliteStore(opts.options) },
  supports: { store: { watch: true, multiProcess: true, leases: false } },
  optionsCodec: SqliteStoreOptionsCodec,
});
