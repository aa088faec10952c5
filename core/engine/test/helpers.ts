/**
 * Test helpers: the stores the allocator tests run on (the in-memory store and the real SQLite store), and
 * assertions on netloom errors.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteStore } from '@netloom/adapter-sqlite';
import { MemoryStore, type MemoryStoreOptions } from '@netloom/engine';
import { isNetloomError, type NetloomError, type StorePort } from '@netloom/ports';

/** A backing store and a way to open more handles on it (another replica / process) or reopen it. */
export interface StoreHarness {
  readonly kind: 'memory' | 'sqlite';
  /** The first handle. */
  readonly store: StorePort;
  /** A further handle on the same data (sqlite: a new connection to the file; memory: the same instance). */
  open(): StorePort;
  /** The database file (sqlite only). */
  readonly file?: string;
  /** Closes every handle and deletes the files. */
  dispose(): Promise<void>;
}

/** Kinds every example test runs on. */
export const STORE_KINDS = ['memory', 'sqlite'] as const;

/** A fresh, empty store of `kind` (sqlite: a file in a new temp directory). */
export function createHarness(kind: 'memory' | 'sqlite', memoryOptions: MemoryStoreOptions = {}): StoreHarness {
  if (kind === 'memory') {
    const store = new MemoryStore(memoryOptions);
    return { kind, store, open: () => store, dispose: () => store.close() };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-engine-'));
  const file = path.join(dir, 'state.db');
  const handles: SqliteStore[] = [];
  const open = (): SqliteStore => {
    const s = new SqliteStore({ path: file, busyTimeoutMs: 20_000 });
    handles.push(s);
    return s;
  };
  const store = open();
  return {
    kind,
    store,
    open,
    file,
    dispose: async () => {
      for (const h of handles) await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Awaits `p`, asserts it rejects with a netloom error of `code` (and a message matching `message`). */
export async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<NetloomError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected a rejection with ${code}`);
  assert.ok(isNetloomError(err), `expected a NetloomError, got ${String(err)}`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}
