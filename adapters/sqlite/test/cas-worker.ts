/**
 * A second process for the multi-process tests: increments a counter key `count` times with compare-and-set on
 * the store file given as argv[2], then reports how many increments it made and how many CAS attempts it lost.
 * Run with `fork(__filename, [file, key, count], { execArgv: ['--require', 'tsx/cjs'] })`.
 */
import { SqliteStore } from '@netloom/adapter-sqlite';

async function main(): Promise<void> {
  const [file, key, countText] = process.argv.slice(2);
  if (file === undefined || key === undefined || countText === undefined) throw new Error('usage: cas-worker <file> <key> <count>');
  const store = new SqliteStore({ path: file, busyTimeoutMs: 20_000 });
  let done = 0;
  let lost = 0;
  while (done < Number(countText)) {
    const cur = await store.get({ key });
    const value = typeof cur?.value === 'number' ? cur.value : 0;
    const r = await store.commit({ checks: [{ key, revision: cur?.revision ?? 0 }], puts: [{ key, value: value + 1 }], journal: { type: 'test.increment', data: { pid: process.pid } } });
    if (r.ok) done++;
    else lost++;
  }
  await store.close();
  process.send?.({ done, lost });
}

main().catch((e: unknown) => {
  process.send?.({ error: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
});
