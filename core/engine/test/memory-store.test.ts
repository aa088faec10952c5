import { strict as assert } from 'node:assert';
import { runStoreConformance } from '@netloom/conformance';
import { MemoryStore } from '@netloom/engine';

// The in-memory store passes the same store conformance kit as the real stores.
runStoreConformance({ create: () => new MemoryStore(), label: 'MemoryStore' });

describe('MemoryStore', () => {
  it('awaits beforeOperation before each operation, naming it', async () => {
    const ops: string[] = [];
    const store = new MemoryStore({ beforeOperation: async (op) => void ops.push(op) });
    await store.commit({ puts: [{ key: 'a', value: 1 }] });
    await store.get({ key: 'a' });
    await store.list({ prefix: '' });
    await store.readJournal();
    assert.deepEqual(ops, ['commit', 'get', 'list', 'readJournal']);
  });

  it('copies values in and out', async () => {
    const store = new MemoryStore();
    const value = { list: [1] };
    await store.commit({ puts: [{ key: 'a', value }] });
    value.list.push(2);
    const read = await store.get({ key: 'a' });
    assert.deepEqual(read?.value, { list: [1] });
    (read?.value as { list: number[] }).list.push(3);
    assert.deepEqual((await store.get({ key: 'a' }))?.value, { list: [1] });
  });
});
