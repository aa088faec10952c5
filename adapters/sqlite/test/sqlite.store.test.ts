import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { adapter, SqliteStore, SqliteStoreOptionsCodec, SQLITE_SCHEMA_VERSION, createSqliteStore } from '@netloom/adapter-sqlite';
import { AdapterPackageFieldCodec, compareAdapterPackageField, ErrorCode, isNetloomError, type StorePort } from '@netloom/ports';
import { runStoreConformance } from '@netloom/conformance';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-sqlite-'));
}

// The shared store kit (@netloom/conformance), in memory and on a real file (with close and reopen).
runStoreConformance({ adapter, label: 'sqlite (:memory:)', create: () => new SqliteStore({ path: ':memory:' }) });

describe('sqlite on a real file', () => {
  const dirs: string[] = [];
  const files = new WeakMap<StorePort, string>();
  after(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  runStoreConformance({
    adapter,
    label: 'sqlite (file)',
    create: () => {
      const d = tempDir();
      dirs.push(d);
      const file = path.join(d, 'contract.db');
      const store = new SqliteStore({ path: file });
      files.set(store, file);
      return store;
    },
    reopen: (previous) => new SqliteStore({ path: files.get(previous)! }),
  });
});

describe('SqliteStore on a file', () => {
  let dir: string;
  let file: string;
  const open: StorePort[] = [];
  const openStore = (p = file, busyTimeoutMs?: number): SqliteStore => {
    const s = new SqliteStore(busyTimeoutMs === undefined ? { path: p } : { path: p, busyTimeoutMs });
    open.push(s);
    return s;
  };
  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, 'state.db');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent directory and uses WAL mode', async () => {
    const nested = path.join(dir, 'a', 'b', 'state.db');
    const s = openStore(nested);
    await s.commit({ puts: [{ key: 'k', value: 1 }] });
    assert.ok(fs.existsSync(nested));
    const raw = new Database(nested, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  it('keeps data, revisions and the journal across close and reopen; revisions and seq keep growing', async () => {
    const a = openStore();
    const c = await a.commit({ puts: [{ key: 'p/1', value: { owner: 'x' } }, { key: 'p/2', value: [1, 2] }], journal: { type: 't.one', data: 'first' } });
    assert.ok(c.ok);
    await a.commit({ deletes: ['p/2'], journal: { type: 't.two', data: 'second' } });
    await a.close();
    const b = openStore();
    assert.deepEqual(await b.list({ prefix: 'p/' }), [{ key: 'p/1', value: { owner: 'x' }, revision: c.revisions['p/1'] }]);
    const d = await b.commit({ checks: [{ key: 'p/2', revision: 0 }], puts: [{ key: 'p/2', value: 'again' }], journal: { type: 't.three', data: null } });
    assert.ok(d.ok);
    assert.ok(d.revisions['p/2']! > c.revisions['p/2']! + 1, 'the revision counter survived the reopen');
    assert.deepEqual((await b.readJournal()).map((r) => [r.seq, r.type]), [
      [1, 't.one'],
      [2, 't.two'],
      [3, 't.three'],
    ]);
  });

  it('two instances on one file (two processes) see each other and compare-and-set stays safe', async () => {
    const a = openStore();
    const b = openStore();
    const ca = await a.commit({ checks: [{ key: 'ip/1', revision: 0 }], puts: [{ key: 'ip/1', value: 'a' }] });
    assert.ok(ca.ok);
    assert.deepEqual(await b.get({ key: 'ip/1' }), { key: 'ip/1', value: 'a', revision: ca.revisions['ip/1'] });
    const cb = await b.commit({ checks: [{ key: 'ip/1', revision: 0 }], puts: [{ key: 'ip/1', value: 'b' }] });
    assert.deepEqual(cb, { ok: false, failed: [{ key: 'ip/1', revision: ca.revisions['ip/1'] }] });
    // b updates on the revision it read; a's stale write is then refused.
    const ub = await b.commit({ checks: [{ key: 'ip/1', revision: ca.revisions['ip/1']! }], puts: [{ key: 'ip/1', value: 'b2' }] });
    assert.ok(ub.ok);
    const ua = await a.commit({ checks: [{ key: 'ip/1', revision: ca.revisions['ip/1']! }], puts: [{ key: 'ip/1', value: 'a2' }] });
    assert.equal(ua.ok, false);
    assert.equal((await a.get({ key: 'ip/1' }))?.value, 'b2');
    // Revisions are global across instances.
    assert.ok(ub.revisions['ip/1']! > ca.revisions['ip/1']!);
    // Concurrent read-modify-write from both instances loses no update.
    await Promise.all(
      [a, b, a, b].map(async (s) => {
        for (let done = 0; done < 25; ) {
          const cur = await s.get({ key: 'n' });
          const r = await s.commit({ checks: [{ key: 'n', revision: cur?.revision ?? 0 }], puts: [{ key: 'n', value: ((cur?.value as number | undefined) ?? 0) + 1 }] });
          if (r.ok) done++;
        }
      }),
    );
    assert.equal((await a.get({ key: 'n' }))?.value, 100);
  });

  it('watch is in-process: an instance does not see another instance\'s commits', async () => {
    const a = openStore();
    const b = openStore();
    const seen: string[] = [];
    a.watch({ prefix: '' }, (e) => seen.push(e.key));
    await b.commit({ puts: [{ key: 'from/b', value: 1 }] });
    await a.commit({ puts: [{ key: 'from/a', value: 1 }] });
    assert.deepEqual(seen, ['from/a']);
    assert.ok(await a.get({ key: 'from/b' }));
  });

  it('a real second process increments the same counter with CAS: no update is lost', async function () {
    this.timeout(60_000);
    const s = openStore(file, 20_000);
    const perProcess = 150;
    const child = fork(path.join(__dirname, 'cas-worker.ts'), [file, 'counter', String(perProcess)], { execArgv: ['--require', 'tsx/cjs'], stdio: 'inherit' });
    const childResult = new Promise<{ done?: number; lost?: number; error?: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { done?: number; lost?: number; error?: string }));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker exited with ${code}`))));
    });
    let done = 0;
    while (done < perProcess) {
      const cur = await s.get({ key: 'counter' });
      const r = await s.commit({
        checks: [{ key: 'counter', revision: cur?.revision ?? 0 }],
        puts: [{ key: 'counter', value: ((cur?.value as number | undefined) ?? 0) + 1 }],
        journal: { type: 'test.increment', data: { pid: process.pid } },
      });
      if (r.ok) done++;
      // Give the other process a chance at the lock between our writes.
      if (done % 10 === 0) await new Promise((res) => setTimeout(res, 1));
    }
    const res = await childResult;
    assert.equal(res.error, undefined);
    assert.equal(res.done, perProcess);
    assert.equal((await s.get({ key: 'counter' }))?.value, 2 * perProcess);
    const journal = await s.readJournal({ type: 'test', limit: 10_000 });
    assert.equal(journal.length, 2 * perProcess, 'one journal record per successful increment, none for lost ones');
    assert.deepEqual(journal.map((r) => r.seq), Array.from({ length: 2 * perProcess }, (_, i) => i + 1));
  });

  it('refuses a file written by a newer schema version, naming both versions', async () => {
    await openStore().close();
    const raw = new Database(file);
    raw.prepare("UPDATE meta SET value = ? WHERE name = 'schema_version'").run(SQLITE_SCHEMA_VERSION + 1);
    raw.close();
    assert.throws(
      () => new SqliteStore({ path: file }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.STORE && /schema version 2/.test(e.message) && /up to 1/.test(e.message),
    );
  });

  it('refuses a database that is not a netloom store, and a file that is not a database', () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE users (id INTEGER)');
    raw.close();
    assert.throws(() => new SqliteStore({ path: file }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.STORE && /not a netloom store/.test(e.message));
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'this is not a database, just text that is long enough to have a header'.repeat(20));
    assert.throws(
      () => new SqliteStore({ path: junk }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.STORE && e.cause !== undefined && /not an SQLite database/.test(e.message),
    );
  });
});

describe('sqlite adapter manifest and options', () => {
  it('agrees with the "netloom" field of package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { netloom: unknown };
    assert.ok(AdapterPackageFieldCodec.is(pkg.netloom));
    assert.deepEqual(compareAdapterPackageField(adapter, pkg.netloom), []);
    assert.deepEqual(adapter.supports, { store: { watch: true, multiProcess: true, leases: false } });
  });

  it('the factory opens a store from profile options', async () => {
    const dir = tempDir();
    try {
      const store = await adapter.ports.store({ options: { path: path.join(dir, 'x.db') } });
      assert.deepEqual(store.capabilities, { watch: true, multiProcess: true, leases: false });
      await store.commit({ puts: [{ key: 'a', value: 1 }] });
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options, naming each problem', () => {
    assert.ok(SqliteStoreOptionsCodec.is({ path: '/x.db', busyTimeoutMs: 100 }));
    for (const bad of [undefined, null, 'x.db', {}, { path: '' }, { path: 'x.db', busyTimeoutMs: -1 }, { path: 'x.db', pth: 'typo' }]) {
      assert.equal(SqliteStoreOptionsCodec.is(bad), false, JSON.stringify(bad));
      assert.equal(SqliteStoreOptionsCodec.decode(bad)._tag, 'Left');
    }
    assert.throws(
      () => createSqliteStore({ path: 'x.db', pth: 'typo' }),
      (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && /pth: unknown option/.test(e.message),
    );
  });

  it('wraps an unopenable path in StoreError', async () => {
    const dir = tempDir();
    try {
      const blocker = path.join(dir, 'file');
      fs.writeFileSync(blocker, '');
      // The parent "directory" is a regular file.
      assert.throws(() => new SqliteStore({ path: path.join(blocker, 'state.db') }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.STORE && e.cause !== undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await rejectsWithCode(Promise.resolve().then(() => new SqliteStore({ path: '' })), ErrorCode.INPUT_INVALID);
  });
});

/** Asserts that `p` rejects with a netloom error of `code`; returns the error. */
async function rejectsWithCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected a rejection with ${code}`);
  assert.ok(isNetloomError(err), `expected a NetloomError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}
