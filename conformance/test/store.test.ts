// The store kit: the SQLite store passes it; broken stores fail it with a reason naming the problem.
import { strict as assert } from 'node:assert';
import { adapter as sqliteAdapter, SqliteStore } from '@netloom/adapter-sqlite';
import { runChecks, runStoreConformance, storeConformance, STORE_CHECKS, type ConformanceReport } from '@netloom/conformance';
import type { StorePort } from '@netloom/ports';

runStoreConformance({ adapter: sqliteAdapter, label: 'sqlite via the kit (:memory:)', create: () => new SqliteStore({ path: ':memory:' }) });

/** A store whose methods default to `inner`'s, with some replaced. */
function wrapStore(inner: StorePort, over: Partial<StorePort>): StorePort {
  return {
    capabilities: inner.capabilities,
    get: (o) => inner.get(o),
    list: (o) => inner.list(o),
    commit: (o) => inner.commit(o),
    readJournal: (o) => inner.readJournal(o),
    watch: (o, l) => inner.watch(o, l),
    close: () => inner.close(),
    ...over,
  };
}

const failedIds = (r: ConformanceReport): string[] => r.results.filter((x) => x.status === 'failed').map((x) => x.id);

describe('store kit bites', () => {
  it('a store that ignores compare-and-set checks fails the CAS checks', async () => {
    const report = await runChecks(
      storeConformance({
        label: 'no-cas',
        create: () => {
          const inner = new SqliteStore({ path: ':memory:' });
          return wrapStore(inner, { commit: (o) => inner.commit({ ...o, checks: [] }) });
        },
      }),
    );
    const failed = failedIds(report);
    for (const id of ['store.cas.create-if-absent', 'store.cas.update-if-revision', 'store.cas.concurrent', 'store.atomic.multi-key']) assert.ok(failed.includes(id), `${id} did not fail: ${failed.join(', ')}`);
    assert.match(report.results.find((r) => r.id === 'store.cas.concurrent')?.reason ?? '', /not exactly one of 20 concurrent create-if-absent commits won/);
  });

  it('a store that hides watch but lets it work fails store.watch.not-supported', async () => {
    const report = await runChecks(
      storeConformance({
        label: 'hidden-watch',
        create: () => {
          const inner = new SqliteStore({ path: ':memory:' });
          return wrapStore(inner, { capabilities: { ...inner.capabilities, watch: false } });
        },
      }),
    );
    assert.deepEqual(failedIds(report), ['store.watch.not-supported']);
    assert.match(report.results.find((r) => r.id === 'store.watch.not-supported')?.reason ?? '', /does not declare watch, but watch\(\) worked/);
    assert.equal(report.results.find((r) => r.id === 'store.watch')?.status, 'skipped');
  });

  it('a store reporting other capabilities than its adapter declares fails store.capabilities', async () => {
    const report = await runChecks(
      storeConformance({
        adapter: sqliteAdapter,
        create: () => {
          const inner = new SqliteStore({ path: ':memory:' });
          return wrapStore(inner, { capabilities: { ...inner.capabilities, leases: true } });
        },
      }),
      { only: ['store.capabilities'] },
    );
    assert.deepEqual(failedIds(report), ['store.capabilities']);
    assert.match(report.results[0]?.reason ?? '', /reports other capabilities than the adapter declares/);
  });

  it('without reopen, the persistence check is skipped with a reason', async () => {
    const suite = storeConformance({ create: () => new SqliteStore({ path: ':memory:' }) });
    assert.equal(suite.checks, STORE_CHECKS);
    const report = await runChecks(suite, { only: ['store.reopen.persistence'] });
    assert.deepEqual([report.results[0]?.status, report.results[0]?.reason], ['skipped', 'the target cannot reopen a store (no reopen option)']);
  });
});
