/**
 * A second process for the multi-process allocator test: opens the SQLite store file given in argv[2] and, on
 * "go", allocates addresses, VNIs and VLANs for its own owners (prefix argv[3]) until each pool is exhausted,
 * releases every other one, allocates again until exhausted, and reports what it holds at the end.
 */
import { SqliteStore } from '@netloom/adapter-sqlite';
import { runAllocationWorkload, type WorkloadResult } from './alloc-workload';

const [file, prefix] = process.argv.slice(2);
if (file === undefined || prefix === undefined) throw new Error('usage: alloc-worker <file> <owner-prefix>');

process.once('message', () => {
  const store = new SqliteStore({ path: file, busyTimeoutMs: 30_000 });
  runAllocationWorkload([store], prefix)
    .then(async (r: WorkloadResult) => {
      await store.close();
      process.send?.({ result: r }, () => process.disconnect());
    })
    .catch((e: unknown) => {
      process.send?.({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }, () => process.disconnect());
    });
});
process.send?.('ready');
