/**
 * Two real processes allocate from one SQLite file at the same time (the second one forked), each with its own
 * connections, until every pool is exhausted, then release half and fill again. Afterwards the holdings of the
 * two processes must be disjoint and together equal what the store holds, and each pool must be exactly full.
 */
import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { IpamAllocator, VlanAllocator, VniAllocator } from '@netloom/engine';
import { createHarness, type StoreHarness } from './helpers';
import { runAllocationWorkload, WORKLOAD_SUBNET, WORKLOAD_VLAN, WORKLOAD_VNI, type WorkloadResult } from './alloc-workload';

function disjointUnion<V>(a: Record<string, V>, b: Record<string, V>, what: string): Map<string, V> {
  const byValue = new Map<string, string>();
  const all = new Map<string, V>();
  for (const [owner, v] of [...Object.entries(a), ...Object.entries(b)]) {
    const prev = byValue.get(String(v));
    assert.equal(prev, undefined, `${what} ${String(v)} is held by ${prev} and by ${owner}`);
    byValue.set(String(v), owner);
    all.set(owner, v);
  }
  return all;
}

describe('allocators across two processes on one SQLite file', function () {
  this.timeout(120_000);
  let h: StoreHarness;
  beforeEach(() => {
    h = createHarness('sqlite');
  });
  afterEach(() => h.dispose());

  it('hands out every address, VNI and VLAN exactly once', async () => {
    await new IpamAllocator({ store: h.store }).ensureSubnet(WORKLOAD_SUBNET);
    const child = fork(path.join(__dirname, 'alloc-worker.ts'), [h.file!, 'child'], { execArgv: ['--require', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`unexpected ${JSON.stringify(m)}`))));
        child.once('error', reject);
      });
      const childDone = new Promise<WorkloadResult>((resolve, reject) => {
        child.once('message', (m: { result?: WorkloadResult; error?: string }) => (m.result !== undefined ? resolve(m.result) : reject(new Error(`worker: ${m.error}`))));
      });
      child.send('go');
      const mine = await runAllocationWorkload([h.store, h.open()], 'parent');
      const theirs = await childDone;

      const ips = disjointUnion(mine.ips, theirs.ips, 'address');
      const vnis = disjointUnion(mine.vnis, theirs.vnis, 'VNI');
      const vlans = disjointUnion(mine.vlans, theirs.vlans, 'VLAN');
      assert.ok(mine.exhausted >= 3 && theirs.exhausted >= 3, 'both processes ran into exhaustion');

      // The store agrees with what the two processes were told, and every pool is exactly full.
      const ipam = new IpamAllocator({ store: h.store });
      const listed = await ipam.list({ subnet: WORKLOAD_SUBNET.subnet });
      assert.deepEqual(new Map(listed.map((b) => [b.owner, b.ip])), ips);
      assert.equal(listed.length, 125);
      assert.equal((await ipam.usage({ subnet: WORKLOAD_SUBNET.subnet })).free, 0n);
      const vniAlloc = new VniAllocator({ store: h.store, ranges: WORKLOAD_VNI });
      for (const [owner, vni] of vnis) assert.equal(await vniAlloc.lookup({ pool: 'l2', owner }), vni);
      assert.equal(vnis.size, 100);
      const vlanAlloc = new VlanAllocator({ store: h.store, range: WORKLOAD_VLAN });
      for (const [owner, vlan] of vlans) assert.equal(await vlanAlloc.lookup({ node: 'worker-1', ls: `ls-${owner}` }), vlan);
      assert.equal(vlans.size, 40);
      assert.ok(Object.keys(theirs.ips).length > 0 && Object.keys(mine.ips).length > 0, 'both processes got addresses');
      // The two processes really ran at the same time: their journal records interleave.
      const who = (await h.store.readJournal({ type: 'ipam.allocate', limit: 10_000 })).map((r) => String((r.data as { owner: string }).owner).split('-')[0]);
      const switches = who.filter((w, i) => i > 0 && w !== who[i - 1]).length;
      assert.ok(switches >= 10, `allocations of the two processes interleaved only ${switches} times`);
    } finally {
      if (child.exitCode === null) child.kill();
      await exited;
    }
  });
});
