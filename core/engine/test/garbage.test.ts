import { strict as assert } from 'node:assert';
import { compileIntent, IpamAllocator, ipamSubnetId, MemoryStore, VlanAllocator, VniAllocator, type DesiredState } from '@netloom/engine';
import { carvedSubnetName } from '@netloom/plugin-kubernetes';
import { ALL_NODES, cluster, ns, pod, settings, subnetCr, PLUGINS } from './intent.fixtures';

const S = settings();
const vniAlloc = (store: MemoryStore) => new VniAllocator({ store, ranges: { l2: S.addressPlan.vni.l2, l3: S.addressPlan.vni.l3 } });
const vlanAlloc = (store: MemoryStore) => new VlanAllocator({ store, range: S.addressPlan.vlan });
const noProblems = (d: DesiredState): void => assert.deepEqual(d.problems, []);

describe('compileIntent: garbage collection of allocations whose owner left', () => {
  it('a namespace (own VPC) deleted: its L3 VNI, carved block, L2 VNI, VLANs and IPAM definition are released', async () => {
    const store = new MemoryStore();
    const full = cluster({ namespaces: [ns('default'), ns('shop'), ns('pay')], pods: [pod('shop', 'web-0', 'worker-1'), pod('shop', 'web-1', 'worker-2'), pod('pay', 'api-0', 'worker-1')] });
    const first = await compileIntent({ plugins: PLUGINS, cluster: full, settings: S, store });
    noProblems(first);
    assert.deepEqual(first.garbage, { vpcs: [], subnets: [], keptSubnets: [], nodes: [], vlans: 0 });
    const vnis = vniAlloc(store);
    const vlans = vlanAlloc(store);
    const shopSubnet = carvedSubnetName('shop');
    assert.ok((await vnis.lookup({ pool: 'l3', owner: 'shop' })) !== undefined);
    assert.ok((await vlans.lookup({ node: 'worker-1', ls: shopSubnet })) !== undefined);
    const shopCidr = first.network.subnets?.find((s) => s.name === shopSubnet)?.ipv4?.cidr;
    assert.ok(shopCidr !== undefined);

    // The shop namespace and its pods are gone.
    const after = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('pay')], pods: [pod('pay', 'api-0', 'worker-1')] }), settings: S, store });
    noProblems(after);
    assert.deepEqual(after.garbage, { vpcs: ['shop'], subnets: [shopSubnet], keptSubnets: [], nodes: [], vlans: 2 });
    assert.equal(await vnis.lookup({ pool: 'l3', owner: 'shop' }), undefined);
    assert.equal(await vnis.lookup({ pool: 'l2', owner: shopSubnet }), undefined);
    assert.equal(await vlans.lookup({ node: 'worker-1', ls: shopSubnet }), undefined);
    assert.equal(await vlans.lookup({ node: 'worker-2', ls: shopSubnet }), undefined);
    assert.equal(await new IpamAllocator({ store }).getSubnet({ subnet: ipamSubnetId(shopSubnet, 4) }), undefined);
    assert.equal((await store.list({ prefix: 'intent/carve/' })).some((e) => JSON.stringify(e.value).includes('"shop"')), false, 'the carved block of shop is still claimed');
    // pay is untouched.
    assert.ok((await vnis.lookup({ pool: 'l3', owner: 'pay' })) !== undefined);
    assert.ok((await vlans.lookup({ node: 'worker-1', ls: carvedSubnetName('pay') })) !== undefined);
    // Released for good: a second pass finds nothing, and a new VPC may get shop's block back.
    assert.deepEqual((await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('pay')], pods: [] }), settings: S, store })).garbage?.vpcs, []);
    const again = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('pay'), ns('shop2')] }), settings: S, store });
    assert.equal(again.network.subnets?.find((s) => s.vpc === 'shop2')?.ipv4?.cidr, shopCidr);
  });

  it('a Subnet resource deleted: its pods move to the carved default, the old subnet is released', async () => {
    const store = new MemoryStore();
    const withCr = cluster({ namespaces: [ns('default'), ns('shop')], subnets: [subnetCr('shop-web', { cidrs: ['10.50.0.0/24'], namespaces: ['shop'], default: true })], pods: [pod('shop', 'web-0', 'worker-1')] });
    noProblems(await compileIntent({ plugins: PLUGINS, cluster: withCr, settings: S, store }));
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('shop')], pods: [pod('shop', 'web-0', 'worker-1')] }), settings: S, store });
    noProblems(d);
    assert.deepEqual(d.garbage?.subnets, ['shop-web']);
    assert.deepEqual(d.garbage?.vpcs, []);
    assert.equal(await new IpamAllocator({ store }).getSubnet({ subnet: ipamSubnetId('shop-web', 4) }), undefined);
    assert.equal(await vniAlloc(store).lookup({ pool: 'l2', owner: 'shop-web' }), undefined);
    assert.match(d.network.endpoints?.find((e) => e.id.includes('web-0'))?.ips[0] ?? '', /^10\.244\./);
  });

  it('an address kept for a sticky owner keeps the subnet definition (reported), until it is forgotten', async () => {
    const store = new MemoryStore();
    const sts = cluster({ namespaces: [ns('default'), ns('db')], subnets: [subnetCr('db-net', { cidrs: ['10.60.0.0/24'], namespaces: ['db'], default: true })], pods: [pod('db', 'pg-0', 'worker-1', { statefulSet: true })] });
    noProblems(await compileIntent({ plugins: PLUGINS, cluster: sts, settings: S, store }));
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('db')] }), settings: S, store });
    assert.deepEqual(d.garbage?.keptSubnets, ['db-net']);
    assert.deepEqual(d.garbage?.subnets, []);
    const ipam = new IpamAllocator({ store });
    assert.ok((await ipam.getSubnet({ subnet: ipamSubnetId('db-net', 4) })) !== undefined, 'the sticky reservation lost its subnet');
    assert.ok((await vniAlloc(store).lookup({ pool: 'l2', owner: 'db-net' })) !== undefined, 'the VNI goes last, with the definition');
  });

  it('a node that left the cluster: its VLANs are released, the others kept', async () => {
    const store = new MemoryStore();
    const pods = [pod('shop', 'web-0', 'worker-1'), pod('shop', 'web-1', 'worker-3')];
    noProblems(await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('shop')], pods }), settings: S, store }));
    const vlans = vlanAlloc(store);
    assert.equal((await vlans.list({ node: 'worker-3' })).length, 1);
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('shop')], pods: [pods[0]!], nodes: ALL_NODES().filter((n) => n.metadata.name !== 'worker-3') }), settings: S, store });
    assert.deepEqual(d.garbage?.nodes, ['worker-3']);
    assert.equal(d.garbage?.vlans, 1);
    assert.deepEqual(await vlans.list({ node: 'worker-3' }), []);
    assert.equal((await store.list({ prefix: 'vlan/worker-3/' })).length, 0, 'keys of the node are left in the store');
    assert.equal((await vlans.list({ node: 'worker-1' })).length, 1);
  });

  it('collectGarbage: false leaves everything in place', async () => {
    const store = new MemoryStore();
    noProblems(await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('shop')] }), settings: S, store }));
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default')] }), settings: S, store, collectGarbage: false });
    assert.equal(d.garbage, undefined);
    assert.ok((await vniAlloc(store).lookup({ pool: 'l3', owner: 'shop' })) !== undefined);
  });
});
