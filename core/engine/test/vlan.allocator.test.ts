import { strict as assert } from 'node:assert';
import { ErrorCode } from '@netloom/domain';
import { checkVlanRange, DEFAULT_VLAN_RANGE, VlanAllocator } from '@netloom/engine';
import { createHarness, rejects, STORE_KINDS, type StoreHarness } from './helpers';

describe('VLAN range', () => {
  it('defaults to 2..4094 and rejects ranges outside 1..4094', () => {
    assert.deepEqual(DEFAULT_VLAN_RANGE, { from: 2, to: 4094 });
    assert.deepEqual(checkVlanRange({ from: 1, to: 4094 }), []);
    assert.deepEqual(checkVlanRange({ from: 0, to: 4095 }).map((p) => p.path), ['from', 'to']);
    assert.deepEqual(checkVlanRange({ from: 200, to: 100 }).map((p) => p.reason), ['from 200 is above to 100']);
    assert.throws(() => new VlanAllocator({ store: createHarness('memory').store, range: { from: 10, to: 5000 } }), (e: unknown) => (e as { code?: string }).code === ErrorCode.INPUT_INVALID);
  });
});

for (const kind of STORE_KINDS) {
  describe(`VlanAllocator (${kind} store)`, () => {
    let h: StoreHarness;
    beforeEach(() => {
      h = createHarness(kind);
    });
    afterEach(() => h.dispose());

    it('starts at 2 by default, one VLAN per LS per node, idempotently', async () => {
      const vlans = new VlanAllocator({ store: h.store });
      assert.deepEqual(await vlans.allocate({ node: 'worker-1', ls: 'web' }), { node: 'worker-1', ls: 'web', vlan: 2, created: true });
      assert.deepEqual(await vlans.allocate({ node: 'worker-1', ls: 'web' }), { node: 'worker-1', ls: 'web', vlan: 2, created: false });
      assert.equal((await vlans.allocate({ node: 'worker-1', ls: 'db' })).vlan, 3);
      assert.equal(await vlans.lookup({ node: 'worker-1', ls: 'db' }), 3);
      assert.equal(await vlans.holder({ node: 'worker-1', vlan: 2 }), 'web');
      assert.deepEqual((await h.store.readJournal({ type: 'vlan' })).map((r) => r.type), ['vlan.allocate', 'vlan.allocate']);
    });

    it('the limit is per node: a full node does not affect another; one LS may get different VLANs on different nodes', async () => {
      const vlans = new VlanAllocator({ store: h.store, range: { from: 100, to: 102 } });
      for (const ls of ['a', 'b', 'c']) await vlans.allocate({ node: 'node-a', ls });
      const e = await rejects(vlans.allocate({ node: 'node-a', ls: 'd' }), ErrorCode.EXHAUSTED);
      assert.match(e.message, /node "node-a" has no free VLAN: 3 of 3 VLANs of its range 100\.\.102 are in use/);
      assert.equal((await vlans.allocate({ node: 'node-b', ls: 'd' })).vlan, 100);
      assert.equal((await vlans.allocate({ node: 'node-b', ls: 'a' })).vlan, 101);
      assert.equal(await vlans.lookup({ node: 'node-a', ls: 'a' }), 100);
      assert.equal(await vlans.lookup({ node: 'node-b', ls: 'a' }), 101);
    });

    it('reuses released VLANs', async () => {
      const vlans = new VlanAllocator({ store: h.store, range: { from: 10, to: 12 } });
      for (const ls of ['a', 'b', 'c']) await vlans.allocate({ node: 'n', ls });
      assert.deepEqual(await vlans.release({ node: 'n', ls: 'b' }), { released: true, vlan: 11 });
      assert.deepEqual(await vlans.release({ node: 'n', ls: 'b' }), { released: false });
      assert.equal((await vlans.allocate({ node: 'n', ls: 'd' })).vlan, 11);
      await rejects(vlans.allocate({ node: 'n', ls: 'e' }), ErrorCode.EXHAUSTED);
    });

    it('rejects bad node and LS ids', async () => {
      const vlans = new VlanAllocator({ store: h.store });
      await rejects(vlans.allocate({ node: 'a/b', ls: 'x' }), ErrorCode.INPUT_INVALID, /node: "a\/b" is not an id/);
      await rejects(vlans.allocate({ node: 'n', ls: '' }), ErrorCode.INPUT_INVALID, /ls: "" is not an id/);
      await rejects(vlans.holder({ node: 'n', vlan: 4095 }), ErrorCode.INPUT_INVALID);
    });
  });
}
