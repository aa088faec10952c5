/**
 * Garbage collection of allocations whose owner left the cluster's intent: the L3 VNI and the carved block of a VPC
 * that no namespace or Subnet names any more; the L2 VNI, the per-node VLANs and the IPAM definition of a subnet that
 * is neither a `Subnet` resource nor a VPC's carved default any more; every VLAN of a node that left the cluster.
 *
 * It runs at the end of each compile pass, after every allocation of the pass, so a number released here is reused
 * no sooner than the next pass (and, the allocators being next-fit, only after their cursor wraps around): by then
 * the devices no longer carry the object that used it. It is idempotent and crash-safe: each release is its own
 * compare-and-set commit, and the owner's VNI (the record GC finds subnets by) is released last, so a pass that dies
 * half-way is finished by the next one.
 *
 * Addresses kept for sticky owners (StatefulSet pods) are not dropped: a subnet with such a reservation keeps its
 * IPAM definition (reported in `keptSubnets`) until the binding is forgotten.
 *
 * Store layout it adds (`intent/nodes/`): `intent/nodes/<node>` `{}` — a node that has been seen, so a node's VLANs
 * can be found and released once it is gone without listing every VLAN of every node each pass.
 * @packageDocumentation
 */
import { ConflictError, type StorePort } from '@netloom/ports';
import { keySegment } from '../allocator.shared';
import type { IpamAllocator } from '../ipam.allocator';
import type { VlanAllocator } from '../vlan.allocator';
import type { VniAllocator } from '../vni.allocator';
import { releaseCarve } from './subnet.carver';
import { ipamSubnetId } from './intent.names';

/** What one collection released. Empty arrays when nothing was garbage. */
export interface GarbageReport {
  /** VPCs whose L3 VNI (and carved block) were released. */
  readonly vpcs: readonly string[];
  /** Subnets whose L2 VNI, VLANs and IPAM definition were released. */
  readonly subnets: readonly string[];
  /** Subnets that are gone but keep their IPAM definition: addresses are kept for sticky owners. */
  readonly keptSubnets: readonly string[];
  /** Nodes that left the cluster, whose VLANs were released. */
  readonly nodes: readonly string[];
  /** How many VLANs were released in all. */
  readonly vlans: number;
}

/** What is still wanted: everything else the allocators hold is garbage. */
export interface LiveOwners {
  /** Every VPC the cluster names (namespaces, Subnet resources), also those that failed to compile. */
  readonly vpcs: ReadonlySet<string>;
  /** Every subnet the cluster names: Subnet resources (valid or not) and the carved default of each VPC without one. */
  readonly subnets: ReadonlySet<string>;
  /** Every Node of the cluster. */
  readonly nodes: ReadonlySet<string>;
}

/** Options of {@link collectGarbage}. */
export interface CollectGarbageOptions {
  readonly store: StorePort;
  readonly ipam: IpamAllocator;
  readonly vnis: VniAllocator;
  readonly vlans: VlanAllocator;
  readonly live: LiveOwners;
}

const NODE_PREFIX = 'intent/nodes/';

/** Releases what no live owner holds. @throws StoreError (the pass fails and is retried) */
export async function collectGarbage(opts: CollectGarbageOptions): Promise<GarbageReport> {
  const { store, ipam, vnis, vlans, live } = opts;
  let vlanCount = 0;

  // Nodes: remember the live ones (one read per node and pass; a write only the first time), release the gone ones.
  for (const node of live.nodes) {
    const key = `${NODE_PREFIX}${keySegment(node)}`;
    if ((await store.get({ key })) === undefined) await store.commit({ checks: [{ key, revision: 0 }], puts: [{ key, value: { node } }] });
  }
  const goneNodes: string[] = [];
  for (const e of await store.list({ prefix: NODE_PREFIX })) {
    const v = e.value as { node?: unknown };
    const node = typeof v === 'object' && v !== null && typeof v.node === 'string' ? v.node : undefined;
    if (node === undefined || live.nodes.has(node)) continue;
    vlanCount += (await vlans.forgetNode({ node })).released;
    await store.commit({ checks: [{ key: e.key, revision: e.revision }], deletes: [e.key] });
    goneNodes.push(node);
  }

  const held = await vnis.list();
  // Subnets first: their VLANs and addresses, then the L2 VNI (the record this search starts from) last.
  const goneSubnets: string[] = [];
  const keptSubnets: string[] = [];
  for (const h of held.filter((x) => x.pool === 'l2' && !live.subnets.has(x.owner))) {
    const subnet = h.owner;
    for (const node of live.nodes) if ((await vlans.release({ node, ls: subnet })).released) vlanCount++;
    let kept = false;
    for (const family of [4, 6] as const) {
      const id = ipamSubnetId(subnet, family);
      if ((await ipam.getSubnet({ subnet: id })) === undefined) continue;
      for (const b of await ipam.list({ subnet: id })) if (b.state === 'allocated') await ipam.release({ subnet: id, owner: b.owner });
      try {
        await ipam.deleteSubnet({ subnet: id });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        kept = true;
      }
    }
    if (kept) {
      keptSubnets.push(subnet);
      continue;
    }
    await vnis.release({ pool: 'l2', owner: subnet });
    goneSubnets.push(subnet);
  }
  const goneVpcs: string[] = [];
  for (const h of held.filter((x) => x.pool === 'l3' && !live.vpcs.has(x.owner))) {
    await releaseCarve(store, h.owner);
    await vnis.release({ pool: 'l3', owner: h.owner });
    goneVpcs.push(h.owner);
  }
  return { vpcs: goneVpcs, subnets: goneSubnets, keptSubnets, nodes: goneNodes, vlans: vlanCount };
}
