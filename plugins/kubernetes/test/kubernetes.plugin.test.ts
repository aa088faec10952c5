import { strict as assert } from 'node:assert';
import { createIntentTestContext, kubeNamespace, kubeNode, kubePod, kubeSubnet } from '@netloom/conformance';
import { cidrFirst, parseCidr, parseIp } from '@netloom/domain';
import type { KubeNode } from '@netloom/ports';
import { kubernetesPlugin, carvedSubnetName, endpointIdOf, LABEL_OVERLAY, plugin } from '@netloom/plugin-kubernetes';

/** True if `ip` is an IPv4 address inside `cidr`. */
function inside(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const v = parseIp(ip);
  return v.family === c.family && v.value >= cidrFirst(c) && v.value < cidrFirst(c) + (1n << BigInt(32 - c.prefix));
}

/** A Node with an InternalIP and labels. */
const labelledNode = (name: string, internalIp: string, labels: Record<string, string>): KubeNode => {
  const n = kubeNode(name, internalIp);
  return { ...n, metadata: { ...n.metadata, labels } };
};

describe('plugin-kubernetes', () => {
  it('is the IntentPlugin `kubernetes`, first in line (no `after`)', () => {
    assert.equal(plugin, kubernetesPlugin);
    assert.equal(plugin.id, 'kubernetes');
    assert.equal(plugin.after, undefined);
  });

  it('maps namespaces to VPCs by label and policy, carves a default subnet for a VPC without Subnet resources, and adds LR + LS', async () => {
    const ctx = createIntentTestContext({ cluster: { namespaces: [kubeNamespace('default', { 'netloom.io/vpc': 'ignored' }), kubeNamespace('shop'), kubeNamespace('shop-api', { 'netloom.io/vpc': 'shop' }), kubeNamespace('bad', { 'netloom.io/vpc': 'not a name' })] } });
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
    const ctx = createIntentTestContext({
      cluster: {
        namespaces: [kubeNamespace('shop')],
        subnets: [kubeSubnet('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }), { ...kubeSubnet('web2', { cidrs: ['10.1.0.128/25'], vpc: 'shop' }), metadata: { ...kubeSubnet('x', { cidrs: [] }).metadata, name: 'web2', creationTimestamp: '2024-02-01T00:00:00Z' } }],
      },
    });
    await plugin.compile(ctx);
    assert.deepEqual(ctx.built.subnets.map((s) => s.name), ['web']);
    assert.equal(ctx.calls.some((c) => c.startsWith('carve')), false);
    assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Subnet', 'web2', 'CONFLICT']]);
    assert.ok(ctx.retained.subnets.has('web2'), 'a Subnet resource with a problem keeps its allocations');
  });

  it('gives a running pod an endpoint: fixed IP, VLAN on a network-overlay node, MAC, QoS from the rate annotations', async () => {
    const ctx = createIntentTestContext({
      cluster: {
        namespaces: [kubeNamespace('shop')],
        nodes: [kubeNode('worker-1')],
        subnets: [kubeSubnet('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true })],
        pods: [kubePod('shop', 'web-0', 'worker-1', { 'netloom.io/ip-address': '10.1.0.50', 'netloom.io/ingress-rate': '100M' }), kubePod('shop', 'web-1', 'worker-1', { 'netloom.io/egress-rate': 'fast' })],
      },
    });
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
    const base = { namespaces: [kubeNamespace('shop')], nodes: [kubeNode('worker-1')], subnets: [kubeSubnet('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true })] };
    const first = createIntentTestContext({ cluster: { ...base, pods: [kubePod('shop', 'a', 'worker-1'), kubePod('shop', 'b', 'worker-1')] } });
    await plugin.compile(first);
    const second = createIntentTestContext({ cluster: { ...base, pods: [kubePod('shop', 'a', 'worker-1')] }, held: first.held });
    await plugin.compile(second);
    assert.deepEqual(second.calls.filter((c) => c.startsWith('release')), ['release web shop/b']);
    assert.deepEqual(second.built.endpoints.map((e) => e.ips), [first.built.endpoints[0]?.ips]);
  });

  it('skips the pods of a VPC whose L3 VNI cannot be allocated, fails the VPC and reports it on its namespace', async () => {
    const ctx = createIntentTestContext({ cluster: { namespaces: [kubeNamespace('shop')], nodes: [kubeNode('worker-1')], pods: [kubePod('shop', 'a', 'worker-1')] } });
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

  describe('the node overlay label netloom.io/overlay', () => {
    const topology = {
      nodes: [
        { name: 'worker-1', leaf: 'leaf1', port: 'Eth1/1' },
        { name: 'pinned', leaf: 'leaf1', port: 'Eth1/2', overlay: 'network' as const },
      ],
    };
    const run = async (nodes: KubeNode[], overlay: 'network' | 'hybrid' | 'host' = 'hybrid') => {
      const ctx = createIntentTestContext({ cluster: { namespaces: [kubeNamespace('shop')], nodes, pods: nodes.map((n) => kubePod('shop', `p-${n.metadata.name}`, n.metadata.name)) }, settings: { overlay, topology } });
      await plugin.compile(ctx);
      return ctx;
    };
    const overlays = (ctx: Awaited<ReturnType<typeof run>>): string[] => ctx.built.nodes.map((n) => `${n.name} ${n.overlay} ${n.vtepIp ?? '-'} ${n.leaf === undefined ? '-' : `${n.leaf.leaf}:${n.leaf.port}`}`);

    it('host: a node outside the topology becomes a host-overlay node with its InternalIP as VTEP; its pods get tunnel keys', async () => {
      const ctx = await run([labelledNode('edge-9', '192.0.2.49', { [LABEL_OVERLAY]: 'host' })]);
      assert.deepEqual(overlays(ctx), ['edge-9 host 192.0.2.49 -']);
      assert.deepEqual(ctx.problemList, []);
      const ep = ctx.built.endpoints[0];
      assert.ok(ep !== undefined && ep.tunnelKey !== undefined && ep.vlan === undefined, JSON.stringify(ep));
      // Without the label the same node is a network-overlay node the topology does not know: a problem, no node.
      const unlabelled = await run([kubeNode('edge-9', '192.0.2.49')]);
      assert.deepEqual(overlays(unlabelled), []);
      assert.deepEqual(unlabelled.problemList.filter((p) => p.kind === 'Node').map((p) => [p.name, p.code]), [['edge-9', 'NOT_FOUND']]);
    });

    it('wins over the profile default, in either direction', async () => {
      const ctx = await run([labelledNode('worker-1', '192.0.2.21', { [LABEL_OVERLAY]: 'host' })], 'network');
      assert.deepEqual(overlays(ctx), ['worker-1 host 192.0.2.21 -']);
      const back = await run([labelledNode('worker-1', '192.0.2.21', { [LABEL_OVERLAY]: 'network' })], 'host');
      assert.deepEqual(overlays(back), ['worker-1 network - leaf1:Eth1/1']);
      assert.deepEqual([...ctx.problemList, ...back.problemList], []);
    });

    it("an explicit topology overlay wins over the label, and the disagreement is a CONFLICT on the Node", async () => {
      const ctx = await run([labelledNode('pinned', '192.0.2.22', { [LABEL_OVERLAY]: 'host' })]);
      assert.deepEqual(overlays(ctx), ['pinned network - leaf1:Eth1/2']);
      assert.deepEqual(ctx.problemList.map((p) => [p.kind, p.name, p.code]), [['Node', 'pinned', 'CONFLICT']]);
      assert.match(ctx.problemList[0]?.message ?? '', /netloom\.io\/overlay=host disagrees with the profile topology \(overlay network\); the topology wins/);
    });

    it('another value is an INPUT.INVALID problem on the Node, and the default applies', async () => {
      const ctx = await run([labelledNode('worker-1', '192.0.2.21', { [LABEL_OVERLAY]: 'Host ' }), labelledNode('edge-9', '192.0.2.49', { [LABEL_OVERLAY]: 'vxlan' })]);
      // worker-1 falls back to network (in the topology); edge-9 to network too, where the topology does not know it.
      assert.deepEqual(overlays(ctx), ['worker-1 network - leaf1:Eth1/1']);
      assert.deepEqual(ctx.problemList.filter((p) => p.kind === 'Node').map((p) => [p.name, p.code]).sort(), [['edge-9', 'INPUT.INVALID'], ['edge-9', 'NOT_FOUND'], ['worker-1', 'INPUT.INVALID']]);
      assert.match(ctx.problemList.find((p) => p.name === 'worker-1')?.message ?? '', /label netloom\.io\/overlay="Host " is neither "host" nor "network"; the profile's default overlay network applies/);
    });
  });
});
