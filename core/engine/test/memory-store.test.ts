import { strict as assert } from 'node:assert';
import { MemoryStore } from '@netloom/engine';
// The StorePort contract tests live with the sqlite adapter; the in-memory store must pass the same ones.
import { describeStoreContract } from '../../../adapters/sqlite/test/store-contract';

describeStoreContract('MemoryStore', () => new MemoryStore());

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
