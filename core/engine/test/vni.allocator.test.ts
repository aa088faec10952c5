import { strict as assert } from 'node:assert';
import { ErrorCode } from '@netloom/domain';
import { checkVniRanges, VniAllocator } from '@netloom/engine';
import { createHarness, rejects, STORE_KINDS, type StoreHarness } from './helpers';

describe('VNI ranges', () => {
  it('accepts disjoint L2 and L3 ranges (ranges of one pool may touch or overlap)', () => {
    assert.deepEqual(checkVniRanges({ l2: [{ from: 1, to: 10 }, { from: 5, to: 20 }], l3: [{ from: 21, to: 16_777_215 }] }), []);
    assert.deepEqual(checkVniRanges({ l2: [], l3: [] }), []);
  });

  it('rejects values outside 1..16777215, from above to, and L2/L3 overlap, naming each path', () => {
    const problems = checkVniRanges({ l2: [{ from: 0, to: 10 }, { from: 100, to: 200 }, { from: 9, to: 3 }], l3: [{ from: 150, to: 16_777_216 }, { from: 190, to: 250 }, { from: 1.5, to: 2 }] });
    assert.deepEqual(
      problems.map((p) => p.path),
      ['l2[0].from', 'l2[2]', 'l3[0].to', 'l3[2].from', 'l3[1]'],
    );
    assert.match(problems[4]!.reason, /L3 range 190\.\.250 overlaps L2 range 100\.\.200 \(l2\[1\]\)/);
    assert.throws(
      () => new VniAllocator({ store: createHarness('memory').store, ranges: { l2: [{ from: 10, to: 20 }], l3: [{ from: 20, to: 30 }] } }),
      (e: unknown) => (e as { code?: string }).code === ErrorCode.INPUT_INVALID && /l3\[0\]: L3 range 20\.\.30 overlaps/.test((e as Error).message),
    );
    assert.deepEqual(checkVniRanges({ l2: [] }).map((p) => p.path), ['l3']);
  });
});

for (const kind of STORE_KINDS) {
  describe(`VniAllocator (${kind} store)`, () => {
    let h: StoreHarness;
    let vnis: VniAllocator;
    beforeEach(() => {
      h = createHarness(kind);
      vnis = new VniAllocator({ store: h.store, ranges: { l2: [{ from: 10, to: 11 }, { from: 20, to: 21 }], l3: [{ from: 100, to: 101 }] } });
    });
    afterEach(() => h.dispose());

    it('hands out VNIs from the pool\'s ranges, one per owner, idempotently', async () => {
      const a = await vnis.allocate({ pool: 'l2', owner: 'vpc-a/web' });
      assert.deepEqual(a, { pool: 'l2', owner: 'vpc-a/web', vni: 10, created: true });
      assert.deepEqual(await vnis.allocate({ pool: 'l2', owner: 'vpc-a/web' }), { pool: 'l2', owner: 'vpc-a/web', vni: 10, created: false });
      assert.equal((await vnis.allocate({ pool: 'l3', owner: 'vpc-a' })).vni, 100);
      // The same owner key in the other pool is another owner.
      assert.equal((await vnis.allocate({ pool: 'l3', owner: 'vpc-a/web' })).vni, 101);
      assert.equal(await vnis.lookup({ pool: 'l2', owner: 'vpc-a/web' }), 10);
      assert.equal(await vnis.lookup({ pool: 'l2', owner: 'nobody' }), undefined);
      assert.deepEqual(await vnis.holder({ vni: 101 }), { pool: 'l3', owner: 'vpc-a/web' });
      assert.equal((await h.store.readJournal({ type: 'vni.allocate' })).length, 3);
    });

    it('walks every range, then reports exhaustion naming the pool and the count', async () => {
      const got = [];
      for (const o of ['a', 'b', 'c', 'd']) got.push((await vnis.allocate({ pool: 'l2', owner: o })).vni);
      assert.deepEqual(got, [10, 11, 20, 21]);
      const e = await rejects(vnis.allocate({ pool: 'l2', owner: 'e' }), ErrorCode.EXHAUSTED);
      assert.match(e.message, /VNI pool l2 is exhausted: 4 of 4 VNIs in use \(ranges 10\.\.11, 20\.\.21\)/);
      // The other pool is not affected.
      assert.equal((await vnis.allocate({ pool: 'l3', owner: 'e' })).vni, 100);
    });

    it('reuses released VNIs (next-fit: after the cursor wraps)', async () => {
      for (const o of ['a', 'b', 'c']) await vnis.allocate({ pool: 'l2', owner: o });
      assert.deepEqual(await vnis.release({ pool: 'l2', owner: 'a' }), { released: true, vni: 10 });
      assert.deepEqual(await vnis.release({ pool: 'l2', owner: 'a' }), { released: false });
      assert.equal((await vnis.allocate({ pool: 'l2', owner: 'd' })).vni, 21, 'not the just-released 10 while others are free');
      assert.equal((await vnis.allocate({ pool: 'l2', owner: 'e' })).vni, 10);
      assert.equal(await vnis.holder({ vni: 10 }).then((x) => x?.owner), 'e');
      assert.equal((await h.store.readJournal({ type: 'vni.release' })).length, 1);
    });

    it('rejects a bad pool or owner', async () => {
      await rejects(vnis.allocate({ pool: 'l4' as 'l2', owner: 'a' }), ErrorCode.INPUT_INVALID, /"l4" is not l2 or l3/);
      await rejects(vnis.allocate({ pool: 'l2', owner: '' }), ErrorCode.INPUT_INVALID);
      await rejects(vnis.holder({ vni: 0 }), ErrorCode.INPUT_INVALID);
    });

    it('never hands out a VNI held by the other pool, even after the profile moved a range', async () => {
      await vnis.allocate({ pool: 'l3', owner: 'vpc-a' }); // 100
      const moved = new VniAllocator({ store: h.store, ranges: { l2: [{ from: 100, to: 102 }], l3: [{ from: 200, to: 201 }] } });
      assert.equal((await moved.allocate({ pool: 'l2', owner: 'ls' })).vni, 101);
    });
  });
}
