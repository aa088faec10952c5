/**
 * The options of the sqlite store adapter, as written in the deployment profile (`store: { adapter: sqlite,
 * options: { path: /var/lib/netloom/state.db } }`), and their validation.
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { InputError, type InputProblem } from '@netloom/ports';

/** Default time a writer waits for another process's write lock before failing with StoreError. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file. Its parent directory is created if missing. `:memory:` keeps the store in memory (one
   * store instance only, gone on close: for tests).
   */
  readonly path: string;
  /**
   * How long a commit waits for another connection's write lock before it fails with StoreError (default
   * 5000 ms). While it waits, the calling thread is blocked (better-sqlite3 is synchronous).
   */
  readonly busyTimeoutMs?: number;
}

const KNOWN_KEYS = ['path', 'busyTimeoutMs'] as const;

/** Every problem with sqlite adapter options (empty when valid). Unknown keys are problems too. */
export function checkSqliteStoreOptions(u: unknown): InputProblem[] {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return [{ path: '', reason: 'must be an object with a "path"' }];
  const o = u as Record<string, unknown>;
  const problems: InputProblem[] = [];
  if (typeof o.path !== 'string' || o.path.trim() === '') problems.push({ path: 'path', reason: 'required: the database file (or ":memory:")' });
  else if (o.path.includes('\0')) problems.push({ path: 'path', reason: 'must not contain a NUL character' });
  if (o.busyTimeoutMs !== undefined && !(typeof o.busyTimeoutMs === 'number' && Number.isInteger(o.busyTimeoutMs) && o.busyTimeoutMs >= 0 && o.busyTimeoutMs <= 600_000)) {
    problems.push({ path: 'busyTimeoutMs', reason: `${JSON.stringify(o.busyTimeoutMs)} is not an integer number of milliseconds in 0..600000` });
  }
  for (const k of Object.keys(o)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(k)) problems.push({ path: k, reason: `unknown option (known: ${KNOWN_KEYS.join(', ')})` });
  }
  return problems;
}

/**
 * io-ts codec of the adapter options (the manifest's `optionsCodec`). Rejects unknown keys, so a typo in the
 * profile (`pth:`) is reported instead of silently ignored.
 */
export const SqliteStoreOptionsCodec = new t.Type<SqliteStoreOptions, SqliteStoreOptions, unknown>(
  'SqliteStoreOptions',
  (u): u is SqliteStoreOptions => checkSqliteStoreOptions(u).length === 0,
  (u, c) => {
    const problems = checkSqliteStoreOptions(u);
    if (problems.length === 0) return t.success(u as SqliteStoreOptions);
    return t.failures(problems.map((p) => ({ value: u, context: [...c, { key: p.path, type: t.unknown, actual: u }], message: `${p.path === '' ? '(root)' : p.path}: ${p.reason}` })));
  },
  t.identity,
);

/** Validates adapter options; throws InputError listing every problem. */
export function parseSqliteStoreOptions(u: unknown, subject = 'sqlite store options'): SqliteStoreOptions {
  const problems = checkSqliteStoreOptions(u);
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
  return u as SqliteStoreOptions;
}
