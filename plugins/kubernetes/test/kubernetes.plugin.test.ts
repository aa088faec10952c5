import { strict as assert } from 'node:assert';
import { kubernetesPlugin, carvedSubnetName, endpointIdOf, plugin } from '@netloom/plugin-kubernetes';
import { cluster, fakeContext, inside, kubeNode, ns, pod, settings, subnetCr } from './fake-context';

describe('plugin-kubernetes', () => {
  it('is the IntentPlugin `kubernetes`, first in line (no `after`)', () => {
    assert.equal(plugin, kubernetesPlugin);
    assert.equal(plugin.id, 'kubernetes');
    assert.equal(plugin.after, undefined);
  });

  it('maps namespaces to VPCs by label and policy, carves a default subnet for a VPC without Subnet resources, and adds LR + LS', async () => {
    const ctx = fakeContext(cluster({ namespaces: [ns('default', { 'netloom.io/vpc': 'ignored' }), ns('shop'), ns('shop-api', { 'netloom.io/vpc': 'shop' }), ns('bad', { 'netloom.io/vpc': 'not a name' })] }));
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.vpcs.map((v) => [v.name, v.namespaces, v.subnets, v.logicalRouter]), [
      ['default', ['default'], [carvedSubnetName('default')], 'default'],
      ['shop', ['shop', 'shop-api'], [carvedSubnetName('shop')], 'shop'],
    ]);
    assert.deepEqual(ctx.calls.filter((c) => c.startsWith('carve')), ['carve default', 'carve shop']);
    assert.deepEqual(ctx.built.lrs, ['default', 'shop']);
    assert.deepEqual(ctx.built.lss.sort(), ['default_default', 'shop_default']);
    assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Namespace', 'bad', 'INPUT.INVALID']]);
    // Garbage collection keeps every VPC and the carved subnets, whatever happens later in the pass.
    assert.deepEqual([...ctx.retained.vpcs].sort(), ['default', 'shop']);
    assert.deepEqual([...ctx.retained.subnets].sort(), ['default_default', 'shop_default']);
  });

  it('uses Subnet resources instead of carving; an overlapping one is a CONFLICT on the later one but is still retained', async () => {
    const ctx = fakeContext(
      cluster({
        namespaces: [ns('shop')],
        subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }), { ...subnetCr('web2', { cidrs: ['10.1.0.128/25'], vpc: 'shop' }), metadata: { ...subnetCr('x', { cidrs: [] }).metadata, name: 'web2', creationTimestamp: '2024-02-01T00:00:00Z' } }],
      }),
    );
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.subnets.map((s) => s.name), ['web']);
    assert.equal(ctx.calls.some((c) => c.startsWith('carve')), false);
    assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Subnet', 'web2', 'CONFLICT']]);
    assert.ok(ctx.retained.subnets.has('web2'), 'a Subnet resource with a problem keeps its allocations');
  });

  it('gives a running pod an endpoint: fixed IP, VLAN on a network-overlay node, MAC, QoS from the rate annotations', async () => {
    const ctx = fakeContext(
      cluster({
        namespaces: [ns('shop')],
        nodes: [kubeNode('worker-1')],
        subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true })],
        pods: [pod('shop', 'web-0', 'worker-1', { 'netloom.io/ip-address': '10.1.0.50', 'netloom.io/ingress-rate': '100M' }), pod('shop', 'web-1', 'worker-1', { 'netloom.io/egress-rate': 'fast' })],
      }),
    );
    await plugin.compile(ctx);
    const [a, b] = ctx.built.endpoints;
    assert.equal(a?.id, endpointIdOf('shop', 'web-0'));
    assert.deepEqual(a?.ips, ['10.1.0.50']);
    assert.equal(a?.fixed, true);
    assert.equal(a?.vlan, 100);
    assert.match(a?.mac ?? '', /^02(:[0-9a-f]{2}){5}$/);
    assert.equal(a?.qos, 'shop.web-0');
    assert.deepEqual(ctx.built.qos, ['shop.web-0']);
    assert.ok(b !== undefined && inside(b.ips[0] ?? '', '10.1.0.0/24') && b.qos === undefined, 'a bad rate annotation leaves the pod connected, without QoS');
    assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Pod', 'web-1', 'INPUT.INVALID']]);
  });

  it('releases the addresses of pods that left, and keeps those of pods that are still there', async () => {
    const base = { namespaces: [ns('shop')], nodes: [kubeNode('worker-1')], subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true })] };
    const first = fakeContext(cluster({ ...base, pods: [pod('shop', 'a', 'worker-1'), pod('shop', 'b', 'worker-1')] }));
    await plugin.compile(first);
    const second = fakeContext(cluster({ ...base, pods: [pod('shop', 'a', 'worker-1')] }), settings(), first.held);
    await plugin.compile(second);
    assert.deepEqual(second.calls.filter((c) => c.startsWith('release')), ['release web shop/b']);
    assert.deepEqual(second.built.endpoints.map((e) => e.ips), [first.built.endpoints[0]?.ips]);
  });

  it('skips the pods of a VPC whose L3 VNI cannot be allocated, fails the VPC and reports it on its namespace', async () => {
    const ctx = fakeContext(cluster({ namespaces: [ns('shop')], nodes: [kubeNode('worker-1')], pods: [pod('shop', 'a', 'worker-1')] }));
    const exhausted = Object.assign(new Error('no L3 VNI left'), { code: 'RESOURCE.EXHAUSTED' });
    (ctx.allocators as { allocateL3Vni: unknown }).allocateL3Vni = async () => {
      throw exhausted;
    };
    await plugin.compile(ctx);
    assert.ok(ctx.failed.has('shop'));
    assert.deepEqual(ctx.built.endpoints, []);
    assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Namespace', 'shop', 'RESOURCE.EXHAUSTED']]);
    assert.equal(ctx.built.vpcs[0]?.logicalRouter, undefined, 'the failed VPC is still added (later plugins see it), without LR');
  });
});
