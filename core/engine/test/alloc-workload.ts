/**
 * The workload of the multi-process allocator test, run the same way by the test process and by the forked
 * worker: fill each pool, release every other own allocation, fill again.
 */
import { ErrorCode } from '@netloom/domain';
import { IpamAllocator, VlanAllocator, VniAllocator } from '@netloom/engine';
import type { StorePort } from '@netloom/ports';

export const WORKLOAD_SUBNET = { subnet: 'mp', cidr: '10.9.0.0/25' } as const; // 125 addresses to hand out
export const WORKLOAD_VNI = { l2: [{ from: 5000, to: 5099 }], l3: [{ from: 9000, to: 9009 }] } as const;
export const WORKLOAD_VLAN = { from: 100, to: 139 } as const;

/** What one process holds at the end, per pool: owner → value. */
export interface WorkloadResult {
  readonly ips: Record<string, string>;
  readonly vnis: Record<string, number>;
  readonly vlans: Record<string, number>;
  /** How many times a pool reported exhaustion (each process must see it at least once per pool and phase). */
  readonly exhausted: number;
}

const isExhausted = (e: unknown): boolean => (e as { code?: string }).code === ErrorCode.EXHAUSTED;

/** Runs the workload with one allocator replica per store handle, alternating between them. */
export async function runAllocationWorkload(stores: readonly StorePort[], prefix: string): Promise<WorkloadResult> {
  const ipams = stores.map((store) => new IpamAllocator({ store }));
  const vnis = stores.map((store) => new VniAllocator({ store, ranges: WORKLOAD_VNI }));
  const vlans = stores.map((store) => new VlanAllocator({ store, range: WORKLOAD_VLAN }));
  const ips: Record<string, string> = {};
  const vniHeld: Record<string, number> = {};
  const vlanHeld: Record<string, number> = {};
  let exhausted = 0;
  let n = 0;
  const fill = async (phase: string): Promise<void> => {
    let ipFull = false;
    let vniFull = false;
    let vlanFull = false;
    for (let i = 0; !(ipFull && vniFull && vlanFull); i++) {
      const r = n++ % stores.length;
      const owner = `${prefix}-${phase}-${i}`;
      // Pause between iterations so the other process gets the write lock in between (SQLite's busy handler backs off
      // in growing sleeps, so a process that never pauses would mostly run alone).
      await new Promise((res) => setTimeout(res, 1));
      if (!ipFull) {
        try {
          ips[owner] = (await ipams[r]!.allocate({ subnet: WORKLOAD_SUBNET.subnet, owner, sticky: i % 7 === 0 })).ip;
        } catch (e) {
          if (!isExhausted(e)) throw e;
          ipFull = true;
          exhausted++;
        }
      }
      if (!vniFull) {
        try {
          vniHeld[owner] = (await vnis[r]!.allocate({ pool: 'l2', owner })).vni;
        } catch (e) {
          if (!isExhausted(e)) throw e;
          vniFull = true;
          exhausted++;
        }
      }
      if (!vlanFull) {
        try {
          vlanHeld[owner] = (await vlans[r]!.allocate({ node: 'worker-1', ls: `ls-${owner}` })).vlan;
        } catch (e) {
          if (!isExhausted(e)) throw e;
          vlanFull = true;
          exhausted++;
        }
      }
    }
  };
  await fill('a');
  let k = 0;
  for (const owner of Object.keys(ips)) {
    if (k++ % 2 === 0) continue;
    await ipams[0]!.release({ subnet: WORKLOAD_SUBNET.subnet, owner });
    await ipams[0]!.forget({ subnet: WORKLOAD_SUBNET.subnet, owner });
    delete ips[owner];
  }
  k = 0;
  for (const owner of Object.keys(vniHeld)) {
    if (k++ % 2 === 0) continue;
    await vnis[0]!.release({ pool: 'l2', owner });
    delete vniHeld[owner];
  }
  k = 0;
  for (const owner of Object.keys(vlanHeld)) {
    if (k++ % 2 === 0) continue;
    await vlans[0]!.release({ node: 'worker-1', ls: `ls-${owner}` });
    delete vlanHeld[owner];
  }
  await fill('b');
  return { ips, vnis: vniHeld, vlans: vlanHeld, exhausted };
}
