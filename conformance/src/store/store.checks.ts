/**
 * The store-port checks as data (folded in from the SQLite adapter's contract tests): compare-and-set semantics,
 * multi-key atomicity, prefix listing, the journal, watch (if declared, else NotSupportedError), input validation,
 * close, and persistence across reopen (when the target can reopen).
 *
 * @packageDocumentation
 */
import { strict as assert } from 'node:assert';
import { ErrorCode, isNetloomError, type StoreCapabilities, type StorePort, type StoreWatchEvent } from '@netloom/ports';
import type { Check } from '../kit/check';

/** What every store check receives: a fresh, empty store. */
export interface StoreCheckContext {
  readonly store: StorePort;
  /** The capabilities the store reports (the adapter's manifest when given must agree). */
  readonly capabilities: StoreCapabilities;
  /** The adapter's declared store capabilities, when the kit was given the adapter. */
  readonly declared: StoreCapabilities | undefined;
  /** Closes `store` and opens the same store again (same file / endpoints); absent when the target cannot. */
  readonly reopen: (() => Promise<StorePort>) | undefined;
  /** Registers another store to close after the check. */
  track(store: StorePort): void;
}

/** A store check. */
export type StoreCheck = Check<StoreCheckContext>;

/** Asserts that `p` rejects with a netloom error of `code` (and a message matching `message`); returns the error. */
export async function rejectsWithCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected a rejection with ${code}, it resolved`);
  assert.ok(isNetloomError(err), `expected a NetloomError with ${code}, got ${String(err)}`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  if (message !== undefined) assert.match(err.message, message);
  return err;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Every store check, in run order. */
export const STORE_CHECKS: readonly StoreCheck[] = [
  {
    id: 'store.capabilities',
    title: 'capabilities report watch, multiProcess and leases as booleans, as the adapter declares them',
    run: async ({ store, declared }) => {
      const caps = store.capabilities as unknown as Record<string, unknown>;
      for (const k of ['watch', 'multiProcess', 'leases']) assert.equal(typeof caps[k], 'boolean', `capabilities.${k} is ${JSON.stringify(caps[k])}, expected a boolean`);
      if (declared !== undefined) assert.deepEqual({ ...store.capabilities }, { ...declared }, 'the store reports other capabilities than the adapter declares');
    },
  },
  {
    id: 'store.absent-key',
    title: 'an absent key reads as undefined and checks as revision 0',
    run: async ({ store }) => {
      assert.equal(await store.get({ key: 'a/b' }), undefined);
      const r = await store.commit({ checks: [{ key: 'a/b', revision: 0 }] });
      assert.deepEqual(r, { ok: true, revisions: {} });
    },
  },
  {
    id: 'store.cas.create-if-absent',
    title: 'create-if-absent succeeds once; the second attempt is refused and reports the revision found',
    run: async ({ store }) => {
      const first = await store.commit({ checks: [{ key: 'ip/10.0.0.5', revision: 0 }], puts: [{ key: 'ip/10.0.0.5', value: { owner: 'a' } }] });
      assert.ok(first.ok, 'the first create-if-absent was refused');
      const rev = first.revisions['ip/10.0.0.5'];
      assert.ok(typeof rev === 'number' && rev > 0, `the new revision is ${String(rev)}, expected a number > 0`);
      const second = await store.commit({ checks: [{ key: 'ip/10.0.0.5', revision: 0 }], puts: [{ key: 'ip/10.0.0.5', value: { owner: 'b' } }] });
      assert.deepEqual(second, { ok: false, failed: [{ key: 'ip/10.0.0.5', revision: rev }] });
      assert.deepEqual(await store.get({ key: 'ip/10.0.0.5' }), { key: 'ip/10.0.0.5', value: { owner: 'a' }, revision: rev });
    },
  },
  {
    id: 'store.cas.update-if-revision',
    title: 'update-if-revision: the current revision wins, a stale one is refused and nothing is written',
    run: async ({ store }) => {
      const c = await store.commit({ puts: [{ key: 'k', value: 1 }] });
      assert.ok(c.ok);
      const r1 = c.revisions['k']!;
      const u = await store.commit({ checks: [{ key: 'k', revision: r1 }], puts: [{ key: 'k', value: 2 }], journal: { type: 't.update', data: 2 } });
      assert.ok(u.ok, 'an update on the current revision was refused');
      const r2 = u.revisions['k']!;
      assert.ok(r2 > r1, `the revision did not grow (${r1} → ${r2})`);
      const journalBefore = await store.readJournal();
      const stale = await store.commit({ checks: [{ key: 'k', revision: r1 }], puts: [{ key: 'k', value: 3 }, { key: 'other', value: 1 }], journal: { type: 't.update', data: 3 } });
      assert.deepEqual(stale, { ok: false, failed: [{ key: 'k', revision: r2 }] });
      assert.deepEqual(await store.get({ key: 'k' }), { key: 'k', value: 2, revision: r2 });
      assert.equal(await store.get({ key: 'other' }), undefined, 'a refused commit wrote another key');
      assert.deepEqual(await store.readJournal(), journalBefore, 'a refused commit wrote a journal record');
    },
  },
  {
    id: 'store.cas.concurrent',
    title: 'concurrent create-if-absent on one key: exactly one wins',
    run: async ({ store }) => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.commit({ checks: [{ key: 'race', revision: 0 }], puts: [{ key: 'race', value: i }] })));
      assert.equal(results.filter((r) => r.ok).length, 1, 'not exactly one of 20 concurrent create-if-absent commits won');
    },
  },
  {
    id: 'store.atomic.multi-key',
    title: 'one failing check means no put, no delete, no journal record (and no watch event)',
    run: async ({ store, capabilities }) => {
      const setup = await store.commit({ puts: [{ key: 'x/a', value: 'a' }, { key: 'x/b', value: 'b' }] });
      assert.ok(setup.ok);
      const ra = setup.revisions['x/a']!;
      const events: StoreWatchEvent[] = [];
      const stop = capabilities.watch ? store.watch({ prefix: '' }, (e) => events.push(e)) : () => undefined;
      const r = await store.commit({
        checks: [{ key: 'x/a', revision: ra }, { key: 'x/b', revision: 0 }, { key: 'x/c', revision: 0 }],
        puts: [{ key: 'x/c', value: 'c' }, { key: 'x/d', value: 'd' }],
        deletes: ['x/a'],
        journal: { type: 't.multi', data: null },
      });
      await tick();
      stop();
      assert.equal(r.ok, false, 'a commit with a failing check succeeded');
      assert.deepEqual(!r.ok && r.failed, [{ key: 'x/b', revision: ra }]);
      assert.deepEqual((await store.list({ prefix: 'x/' })).map((e) => e.key), ['x/a', 'x/b'], 'a refused commit changed keys');
      assert.deepEqual(await store.readJournal(), [], 'a refused commit wrote a journal record');
      assert.deepEqual(events, [], 'a refused commit produced watch events');
    },
  },
  {
    id: 'store.atomic.puts-and-deletes',
    title: 'a commit applies every put and delete together and gives all puts one new revision',
    run: async ({ store }) => {
      await store.commit({ puts: [{ key: 'm/1', value: 1 }, { key: 'm/2', value: 2 }] });
      const r = await store.commit({ puts: [{ key: 'm/3', value: 3 }, { key: 'm/4', value: { deep: [1, 'x', null, true] } }], deletes: ['m/1', 'm/absent'] });
      assert.ok(r.ok);
      assert.equal(r.revisions['m/3'], r.revisions['m/4'], 'the puts of one commit got different revisions');
      assert.deepEqual((await store.list({ prefix: 'm/' })).map((e) => [e.key, e.value]), [
        ['m/2', 2],
        ['m/3', 3],
        ['m/4', { deep: [1, 'x', null, true] }],
      ]);
    },
  },
  {
    id: 'store.revisions.never-repeat',
    title: 'revisions never repeat for a key, not even after delete and re-create',
    run: async ({ store }) => {
      const seen = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const p = await store.commit({ checks: [{ key: 'r', revision: 0 }], puts: [{ key: 'r', value: i }] });
        assert.ok(p.ok);
        const rev = p.revisions['r']!;
        assert.ok(!seen.has(rev), `revision ${rev} repeated`);
        seen.add(rev);
        const d = await store.commit({ checks: [{ key: 'r', revision: rev }], deletes: ['r'] });
        assert.ok(d.ok);
        assert.equal(await store.get({ key: 'r' }), undefined);
      }
    },
  },
  {
    id: 'store.list.prefix',
    title: 'list returns entries under a prefix ordered by key; "a/b/" does not leak "a/bc"',
    run: async ({ store }) => {
      await store.commit({ puts: ['a/b/2', 'a/bc', 'a/b/1', 'a/b', 'a/c/1', 'b/1'].map((key) => ({ key, value: key })) });
      assert.deepEqual((await store.list({ prefix: 'a/b/' })).map((e) => e.key), ['a/b/1', 'a/b/2']);
      // A prefix is a plain string prefix: without the trailing '/', siblings that share the text match too.
      assert.deepEqual((await store.list({ prefix: 'a/b' })).map((e) => e.key), ['a/b', 'a/b/1', 'a/b/2', 'a/bc']);
      assert.deepEqual((await store.list({ prefix: '' })).map((e) => e.key), ['a/b', 'a/b/1', 'a/b/2', 'a/bc', 'a/c/1', 'b/1']);
      assert.deepEqual(await store.list({ prefix: 'zzz/' }), []);
    },
  },
  {
    id: 'store.journal',
    title: 'the journal keeps order, numbers from 1, and filters by afterSeq, limit and type prefix',
    run: async ({ store }) => {
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
    },
  },
  {
    id: 'store.watch',
    title: 'declared watch: puts and deletes under the prefix are reported after the commit, until stopped',
    capability: 'watch',
    run: async ({ store }) => {
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
      await tick();
      stop();
      await store.commit({ puts: [{ key: 'w/2', value: 'after stop' }] });
      await tick();
      assert.equal(events.length, 2, `expected 2 events (put, delete of w/1), got ${JSON.stringify(events)}`);
      assert.deepEqual(events[0], { type: 'put', key: 'w/1', value: 'one', revision: c.revisions['w/1'] });
      assert.equal(events[1]?.type, 'delete');
      assert.equal(events[1]?.key, 'w/1');
      assert.ok(events[1]!.revision > c.revisions['w/1']!, 'the delete event has no newer revision');
      assert.equal(seenByGet[0], 'one', 'a listener sees the committed value');
    },
  },
  {
    id: 'store.watch.not-supported',
    title: 'undeclared watch: watch throws NotSupportedError',
    withoutCapability: 'watch',
    run: async ({ store }) => {
      let thrown: unknown;
      try {
        const stop = store.watch({ prefix: '' }, () => undefined);
        stop();
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown !== undefined, 'the store does not declare watch, but watch() worked');
      assert.ok(isNetloomError(thrown) && thrown.code === ErrorCode.NOT_SUPPORTED, `watch threw ${String(thrown)}, expected NotSupportedError`);
    },
  },
  {
    id: 'store.input.rejected',
    title: 'invalid keys, prefixes and values ⇒ InputError, and nothing is written',
    run: async ({ store }) => {
      const bad = ['', '/a', 'a/', 'a//b', 'a b', 'a\nb', 'ä', 'a;b', 'x'.repeat(513)];
      for (const key of bad) {
        await rejectsWithCode(store.get({ key }), ErrorCode.INPUT_INVALID);
        await rejectsWithCode(store.commit({ puts: [{ key, value: 1 }] }), ErrorCode.INPUT_INVALID);
        await rejectsWithCode(store.commit({ checks: [{ key, revision: 0 }] }), ErrorCode.INPUT_INVALID);
        await rejectsWithCode(store.commit({ deletes: [key] }), ErrorCode.INPUT_INVALID);
      }
      await rejectsWithCode(store.list({ prefix: 'a b' }), ErrorCode.INPUT_INVALID);
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      for (const value of [Number.NaN, Infinity, undefined, new Date(0), cyclic, { a: () => 1 }, [1, undefined], 10n]) {
        await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: value as never }] }), ErrorCode.INPUT_INVALID);
      }
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }], checks: [{ key: 'ok', revision: -1 }] }), ErrorCode.INPUT_INVALID);
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }, { key: 'ok', value: 2 }] }), ErrorCode.INPUT_INVALID, /twice/);
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }], deletes: ['ok'] }), ErrorCode.INPUT_INVALID, /twice/);
      await rejectsWithCode(store.commit({ puts: [{ key: 'ok', value: 1 }], journal: { type: 'bad type', data: 1 } }), ErrorCode.INPUT_INVALID);
      await rejectsWithCode(store.readJournal({ limit: 0 }), ErrorCode.INPUT_INVALID);
      assert.deepEqual(await store.list({ prefix: '' }), [], 'a rejected input wrote a key');
      assert.deepEqual(await store.readJournal(), [], 'a rejected input wrote a journal record');
    },
  },
  {
    id: 'store.close',
    title: 'close is idempotent; every later call fails with StoreError',
    run: async ({ store, capabilities }) => {
      await store.close();
      await store.close();
      await rejectsWithCode(store.get({ key: 'a' }), ErrorCode.STORE);
      await rejectsWithCode(store.list({ prefix: '' }), ErrorCode.STORE);
      await rejectsWithCode(store.commit({ puts: [{ key: 'a', value: 1 }] }), ErrorCode.STORE);
      await rejectsWithCode(store.readJournal(), ErrorCode.STORE);
      if (capabilities.watch) {
        assert.throws(
          () => store.watch({ prefix: '' }, () => undefined),
          (e: unknown) => isNetloomError(e) && e.code === ErrorCode.STORE,
          'watch on a closed store must throw StoreError',
        );
      }
    },
  },
  {
    id: 'store.reopen.persistence',
    title: 'data, revisions and the journal survive close and reopen; revisions and seq keep growing',
    needs: ['reopen'],
    run: async (ctx) => {
      const a = ctx.store;
      const c = await a.commit({ puts: [{ key: 'p/1', value: { owner: 'x' } }, { key: 'p/2', value: [1, 2] }], journal: { type: 't.one', data: 'first' } });
      assert.ok(c.ok);
      await a.commit({ deletes: ['p/2'], journal: { type: 't.two', data: 'second' } });
      const b = await ctx.reopen!();
      ctx.track(b);
      assert.deepEqual(await b.list({ prefix: 'p/' }), [{ key: 'p/1', value: { owner: 'x' }, revision: c.revisions['p/1'] }], 'data did not survive the reopen');
      const d = await b.commit({ checks: [{ key: 'p/2', revision: 0 }], puts: [{ key: 'p/2', value: 'again' }], journal: { type: 't.three', data: null } });
      assert.ok(d.ok);
      assert.ok(d.revisions['p/2']! > c.revisions['p/2']!, 'the revision counter went back after the reopen');
      assert.deepEqual((await b.readJournal()).map((r) => [r.seq, r.type]), [
        [1, 't.one'],
        [2, 't.two'],
        [3, 't.three'],
      ]);
    },
  },
];
