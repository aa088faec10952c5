/**
 * The StorePort contract as mocha tests, for any implementation: `describeStoreContract('sqlite', () => open())`.
 * Folded into `@netloom/conformance` as `runStoreConformance` (this package's tests use the kit now); kept because
 * `@netloom/engine`'s tests of its in-memory store still import it (and `rejectsWithCode`) by relative path.
 */
import { strict as assert } from 'node:assert';
import { ErrorCode, isNetloomError, type StorePort, type StoreWatchEvent } from '@netloom/ports';

/** Asserts that `p` rejects with a netloom error of `code`; returns the error. */
export async function rejectsWithCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error> {
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

/** Registers the contract tests; `open` returns a fresh, empty store per test. */
export function describeStoreContract(label: string, open: () => Promise<StorePort> | StorePort): void {
  describe(`StorePort contract: ${label}`, () => {
    let store: StorePort;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('an absent key reads as undefined and checks as revision 0', async () => {
      assert.equal(await store.get({ key: 'a/b' }), undefined);
      const r = await store.commit({ checks: [{ key: 'a/b', revision: 0 }] });
      assert.deepEqual(r, { ok: true, revisions: {} });
    });

    it('create-if-absent succeeds once; the second attempt is refused and reports the revision found', async () => {
      const first = await store.commit({ checks: [{ key: 'ip/10.0.0.5', revision: 0 }], puts: [{ key: 'ip/10.0.0.5', value: { owner: 'a' } }] });
      assert.ok(first.ok);
      const rev = first.revisions['ip/10.0.0.5'];
      assert.ok(typeof rev === 'number' && rev > 0);
      const second = await store.commit({ checks: [{ key: 'ip/10.0.0.5', revision: 0 }], puts: [{ key: 'ip/10.0.0.5', value: { owner: 'b' } }] });
      assert.deepEqual(second, { ok: false, failed: [{ key: 'ip/10.0.0.5', revision: rev }] });
      assert.deepEqual(await store.get({ key: 'ip/10.0.0.5' }), { key: 'ip/10.0.0.5', value: { owner: 'a' }, revision: rev });
    });

    it('update-if-revision: the current revision wins, a stale one is refused and nothing is written', async () => {
      const c = await store.commit({ puts: [{ key: 'k', value: 1 }] });
      assert.ok(c.ok);
      const r1 = c.revisions.k!;
      const u = await store.commit({ checks: [{ key: 'k', revision: r1 }], puts: [{ key: 'k', value: 2 }], journal: { type: 't.update', data: 2 } });
      assert.ok(u.ok);
      const r2 = u.revisions.k!;
      assert.ok(r2 > r1);
      const journalBefore = await store.readJournal();
      const stale = await store.commit({ checks: [{ key: 'k', revision: r1 }], puts: [{ key: 'k', value: 3 }, { key: 'other', value: 1 }], journal: { type: 't.update', data: 3 } });
      assert.deepEqual(stale, { ok: false, failed: [{ key: 'k', revision: r2 }] });
      assert.deepEqual(await store.get({ key: 'k' }), { key: 'k', value: 2, revision: r2 });
      assert.equal(await store.get({ key: 'other' }), undefined);
      assert.deepEqual(await store.readJournal(), journalBefore);
    });

    it('multi-key atomicity: one failing check means no put, no delete, no journal record, no watch event', async () => {
      const setup = await store.commit({ puts: [{ key: 'x/a', value: 'a' }, { key: 'x/b', value: 'b' }] });
      assert.ok(setup.ok);
      const ra = setup.revisions['x/a']!;
      const events: StoreWatchEvent[] = [];
      const stop = store.watch({ prefix: '' }, (e) => events.push(e));
      const r = await store.commit({
        checks: [{ key: 'x/a', revision: ra }, { key: 'x/b', revision: 0 }, { key: 'x/c', revision: 0 }],
        puts: [{ key: 'x/c', value: 'c' }, { key: 'x/d', value: 'd' }],
        deletes: ['x/a'],
        journal: { type: 't.multi', data: null },
      });
      stop();
      assert.equal(r.ok, false);
      assert.deepEqual(!r.ok && r.failed, [{ key: 'x/b', revision: ra }]);
      assert.deepEqual((await store.list({ prefix: 'x/' })).map((e) => e.key), ['x/a', 'x/b']);
      assert.deepEqual(await store.readJournal(), []);
      assert.deepEqual(events, []);
    });

    it('a commit applies every put and delete together and gives all puts one new revision', async () => {
      await store.commit({ puts: [{ key: 'm/1', value: 1 }, { key: 'm/2', value: 2 }] });
      const r = await store.commit({ puts: [{ key: 'm/3', value: 3 }, { key: 'm/4', value: { deep: [1, 'x', null, true] } }], deletes: ['m/1', 'm/absent'] });
      assert.ok(r.ok);
      assert.equal(r.revisions['m/3'], r.revisions['m/4']);
      assert.deepEqual((await store.list({ prefix: 'm/' })).map((e) => [e.key, e.value]), [
        ['m/2', 2],
        ['m/3', 3],
        ['m/4', { deep: [1, 'x', null, true] }],
      ]);
    });

    it('revisions never repeat for a key, not even after delete and re-create', async () => {
      const seen = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const p = await store.commit({ checks: [{ key: 'r', revision: 0 }], puts: [{ key: 'r', value: i }] });
        assert.ok(p.ok);
        const rev = p.revisions.r!;
        assert.ok(!seen.has(rev), `revision ${rev} repeated`);
        seen.add(rev);
        const d = await store.commit({ checks: [{ key: 'r', revision: rev }], deletes: ['r'] });
        assert.ok(d.ok);
        assert.equal(await store.get({ key: 'r' }), undefined);
      }
    });

    it('list returns entries under a prefix ordered by key; "a/b/" does not leak "a/bc"', async () => {
      await store.commit({ puts: ['a/b/2', 'a/bc', 'a/b/1', 'a/b', 'a/c/1', 'b/1'].map((key) => ({ key, value: key })) });
      assert.deepEqual((await store.list({ prefix: 'a/b/' })).map((e) => e.key), ['a/b/1', 'a/b/2']);
      // A prefix is a plain string prefix: without the trailing '/', siblings that share the text match too.
      assert.deepEqual((await store.list({ prefix: 'a/b' })).map((e) => e.key), ['a/b', 'a/b/1', 'a/b/2', 'a/bc']);
      assert.deepEqual((await store.list({ prefix: '' })).map((e) => e.key), ['a/b', 'a/b/1', 'a/b/2', 'a/bc', 'a/c/1', 'b/1']);
      assert.deepEqual(await store.list({ prefix: 'zzz/' }), []);
    });

    it('the journal keeps order, numbers from 1, and filters by afterSeq, limit and type prefix', async () => {
      const types = ['ipam.allocate', 'vni.allocate', 'ipam.release', 'ipamx.other', 'ipam.allocate'];
      for (const [i, type] of types.entries()) await store.commit({ journal: { type, data: { i } } });
      const all = await store.readJournal();
      assert.deepEqual(all.map((r) => r.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(all.map((r) => r.type), types);
      assert.deepEqual(all.map((r) => r.data), [0, 1, 2, 3, 4].map((i) => ({ i })));
      for (const r of all) assert.ok(!Number.isNaN(Date.parse(r.at)), `at ${r.at} is not a time`);
      assert.deepEqual((await store.readJournal({ afterSeq: 2 })).map((r) => r.seq), [3, 4, 5]);
      assert.deepEqual((await store.readJournal({ afterSeq: 1, limit: 2 })).map((r) => r.seq), [2, 3]);
      assert.deepEqual((await store.readJournal({ type: 'ipam' })).map((r) => r.seq), [1, 3, 5]);
      assert.deepEqual((await store.readJournal({ type: 'ipam.allocate' })).map((r) => r.seq), [1, 5]);
      assert.deepEqual((await store.readJournal({ type: 'ipam', afterSeq: 1, limit: 1 })).map((r) => r.seq), [3]);
    });

    it('watch reports puts and deletes under the prefix after the commit, and stops when asked', async () => {
      const events: StoreWatchEvent[] = [];
      const seenByGet: unknown[] = [];
      const stop = store.watch({ prefix: 'w/' }, (e) => {
        events.push(e);
        void store.get({ key: e.key }).then((x) => seenByGet.push(x?.value));
      });
      const c = await store.commit({ puts: [{ key: 'w/1', value: 'one' }, { key: 'v/1', value: 'elsewhere' }] });
      assert.ok(c.ok);
      await store.commit({ checks: [{ key: 'w/1', revision: 0 }], puts: [{ key: 'w/1', value: 'refused' }] });
      const d = await store.commit({ deletes: ['w/1', 'w/never'] });
      assert.ok(d.ok);
      await new Promise((r) => setImmediate(r));
      stop();
      await store.commit({ puts: [{ key: 'w/2', value: 'after stop' }] });
      assert.equal(events.length, 2);
      assert.deepEqual(events[0], { type: 'put', key: 'w/1', value: 'one', revision: c.revisions['w/1'] });
      assert.equal(events[1]?.type, 'delete');
      assert.equal(events[1]?.key, 'w/1');
      assert.ok(events[1]!.revision > c.revisions['w/1']!);
      assert.equal(seenByGet[0], 'one', 'a listener sees the committed value');
    });

    it('concurrent create-if-absent on one key: exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.commit({ checks: [{ key: 'race', revision: 0 }], puts: [{ key: 'race', value: i }] })),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
    });

    it('rejects invalid keys, prefixes and values with InputError and writes nothing', async () => {
      const bad = ['', '/a', 'a/', 'a//b', 'a b', 'a\nb', 'ä', 'a;b', 'x'.repeat(513)];
      for (const key of bad) {
        await rejectsWithCode(store.get({ key }), ErrorCode.INPUT_INVALID);
        await rejectsWithCode(store.commit({ puts: [{ key, value: 1 }] }), ErrorCode.INPUT_INVALID);
        await rejectsWithCode(store.commit({ checks: [{ key, revision: 0 }] }), ErrorCode.INPUT_INVALID);
        await rejectsWithCode(store.commit({ deletes: [key] }), ErrorCode.INPUT_INVALID);
      }
      await rejectsWithCode(store.list({ prefix: 'a b' }), ErrorCode.INPUT_INVALID);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const value of [Number.NaN, Infinity, undefined, new Date(0), cyclic, { a: () => 1 }, [1, undefined], 10n]) {
        await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: value as never }] }), ErrorCode.INPUT_INVALID);
      }
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }], checks: [{ key: 'ok', revision: -1 }] }), ErrorCode.INPUT_INVALID);
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }, { key: 'ok', value: 2 }] }), ErrorCode.INPUT_INVALID, /twice/);
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }], deletes: ['ok'] }), ErrorCode.INPUT_INVALID, /twice/);
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }], journal: { type: 'bad type', data: 1 } }), ErrorCode.INPUT_INVALID);
      await rejectsWithCode(store.readJournal({ limit: 0 }), ErrorCode.INPUT_INVALID);
      assert.deepEqual(await store.list({ prefix: '' }), []);
      assert.deepEqual(await store.readJournal(), []);
    });

    it('close is idempotent; every later call fails with StoreError', async () => {
      await store.close();
      await store.close();
      await rejectsWithCode(store.get({ key: 'a' }), ErrorCode.STORE);
      await rejectsWithCode(store.list({ prefix: '' }), ErrorCode.STORE);
      await rejectsWithCode(store.commit({ puts: [{ key: 'a', value: 1 }] }), ErrorCode.STORE);
      await rejectsWithCode(store.readJournal(), ErrorCode.STORE);
      assert.throws(() => store.watch({ prefix: '' }, () => undefined), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.STORE);
    });
  });
}
