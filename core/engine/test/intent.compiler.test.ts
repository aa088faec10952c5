import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkNetwork, type Endpoint } from '@netloom/domain';
import { compileIntent, IpamAllocator, ipamSubnetId, MemoryStore, type DesiredState } from '@netloom/engine';
import { parseRateKbps } from '@netloom/plugin-kubernetes';
import { cluster, lbService, node, ns, peering, pod, settings, slice, subnetCr, PLUGINS } from './intent.fixtures';

const ep = (d: DesiredState, id: string): Endpoint => {
  const e = d.network.endpoints?.find((x) => x.id === id);
  assert.ok(e, `endpoint ${id} missing; problems: ${JSON.stringify(d.problems)}`);
  return e;
};
const problemsOf = (d: DesiredState, kind: string, name: string) => d.problems.filter((p) => p.kind === kind && p.name === name);
const vpcOfNs = (d: DesiredState, namespace: string) => d.network.vpcs?.find((v) => v.namespaces.includes(namespace))?.name;

describe('compileIntent: namespaces → VPCs', () => {
  it('maps by label, by policy per-namespace, and always puts the default namespace in VPC default', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({ namespaces: [ns('default', { 'netloom.io/vpc': 'other' }), ns('kube-system'), ns('shop'), ns('shop-api', { 'netloom.io/vpc': 'shop' }), ns('pay')] }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.deepEqual(d.problems, []);
    assert.equal(vpcOfNs(d, 'default'), 'default');
    assert.equal(vpcOfNs(d, 'shop'), 'shop');
    assert.equal(vpcOfNs(d, 'shop-api'), 'shop');
    assert.equal(vpcOfNs(d, 'pay'), 'pay');
    assert.deepEqual(d.network.vpcs?.find((v) => v.name === 'shop')?.namespaces, ['shop', 'shop-api']);
    assert.deepEqual(d.network.vpcs?.map((v) => v.name), ['default', 'kube-system', 'pay', 'shop']);
  });

  it('puts every namespace in VPC default under the default policy', async () => {
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('shop'), ns('pay', { 'netloom.io/vpc': 'pay' })] }), settings: settings({ vpcPolicy: 'default' }), store: new MemoryStore() });
    assert.equal(vpcOfNs(d, 'shop'), 'default');
    assert.equal(vpcOfNs(d, 'pay'), 'pay');
  });

  it('reports an invalid VPC label on the Namespace and compiles the rest', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({ namespaces: [ns('default'), ns('bad', { 'netloom.io/vpc': 'no spaces' }), ns('long', { 'netloom.io/vpc': 'x'.repeat(60) }), ns('ok')], pods: [pod('bad', 'p', 'worker-1'), pod('ok', 'p', 'worker-1')] }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.equal(problemsOf(d, 'Namespace', 'bad')[0]?.code, 'INPUT.INVALID');
    assert.equal(problemsOf(d, 'Namespace', 'long')[0]?.code, 'INPUT.INVALID');
    assert.equal(problemsOf(d, 'Pod', 'p').filter((p) => p.namespace === 'bad').length, 1);
    ep(d, 'ok.p');
    assert.equal(vpcOfNs(d, 'bad'), undefined);
  });
});

describe('compileIntent: subnets', () => {
  it('carves a default subnet per VPC without Subnet resources: stable across compiles, different per VPC, persisted', async () => {
    const store = new MemoryStore();
    const c = cluster({ namespaces: [ns('default'), ns('shop'), ns('pay')] });
    const d1 = await compileIntent({ plugins: PLUGINS, cluster: c, settings: settings(), store });
    const cidr = (d: DesiredState, vpc: string) => d.network.subnets?.find((s) => s.vpc === vpc)?.ipv4?.cidr;
    const blocks = ['default', 'pay', 'shop'].map((v) => cidr(d1, v));
    assert.equal(new Set(blocks).size, 3);
    for (const b of blocks) assert.match(b ?? '', /^10\.244\.\d+\.0\/24$/);
    assert.equal(d1.network.subnets?.find((s) => s.vpc === 'shop')?.default, true);
    // A new VPC appearing first in name order does not move the others' blocks.
    const d2 = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('aaa'), ns('shop'), ns('pay')] }), settings: settings(), store });
    assert.deepEqual(['default', 'pay', 'shop'].map((v) => cidr(d2, v)), blocks);
    assert.ok(!blocks.includes(cidr(d2, 'aaa')));
    assert.equal((await store.list({ prefix: 'intent/carve/vpc/' })).length, 4);
  });

  it('uses Subnet resources instead of carving; overlap within a VPC is a problem on the later one; VPCs may overlap', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({
        namespaces: [ns('default'), ns('shop'), ns('pay')],
        subnets: [
          subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }, '2024-01-01T00:00:00Z'),
          subnetCr('web2', { cidrs: ['10.1.0.128/25'], vpc: 'shop' }, '2024-01-02T00:00:00Z'),
          subnetCr('db', { cidrs: ['10.1.1.0/24', 'fd00:1::/64'], vpc: 'shop', excludeRanges: ['10.1.1.2..10.1.1.9'] }, '2024-01-03T00:00:00Z'),
          subnetCr('pay-main', { cidrs: ['10.1.0.0/24'], namespaces: ['pay'], default: true }, '2024-01-04T00:00:00Z'),
          subnetCr('broken', { cidrs: ['10.9.0.1/24'], vpc: 'shop' }),
        ],
      }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.deepEqual(d.network.subnets?.filter((s) => s.vpc === 'shop').map((s) => s.name), ['db', 'web']);
    assert.equal(problemsOf(d, 'Subnet', 'web2')[0]?.code, 'CONFLICT');
    assert.match(problemsOf(d, 'Subnet', 'web2')[0]?.message ?? '', /overlaps subnet "web"/);
    assert.equal(problemsOf(d, 'Subnet', 'broken')[0]?.code, 'INPUT.INVALID');
    assert.equal(d.network.subnets?.find((s) => s.name === 'pay-main')?.ipv4?.cidr, '10.1.0.0/24');
    assert.equal(d.network.subnets?.find((s) => s.name === 'db')?.ipv6?.cidr, 'fd00:1::/64');
    assert.equal(d.network.subnets?.some((s) => s.name.endsWith('_default') && (s.vpc === 'shop' || s.vpc === 'pay')), false);
    assert.deepEqual(d.failedVpcs, []);
  });

  it('gives every subnet an LS with its own L2 VNI and every VPC one LR with an L3 VNI', async () => {
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ namespaces: [ns('default'), ns('shop')], subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }), subnetCr('db', { cidrs: ['10.1.1.0/24'], vpc: 'shop' })] }), settings: settings(), store: new MemoryStore() });
    const lss = d.network.logicalSwitches ?? [];
    assert.deepEqual(lss.map((l) => [l.name, l.vpc]), [['db', 'shop'], ['default_default', 'default'], ['web', 'shop']]);
    for (const l of lss) assert.ok(l.l2Vni >= 10000 && l.l2Vni <= 19999);
    assert.equal(new Set(lss.map((l) => l.l2Vni)).size, 3);
    const lrs = d.network.logicalRouters ?? [];
    assert.deepEqual(lrs.map((l) => l.vpc), ['default', 'shop']);
    for (const l of lrs) assert.ok(l.l3Vni >= 50000 && l.l3Vni <= 50999);
    assert.equal(d.network.vpcs?.find((v) => v.name === 'shop')?.logicalRouter, 'shop');
  });
});

describe('compileIntent: endpoints', () => {
  const base = { namespaces: [ns('default'), ns('shop')], subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }), subnetCr('db', { cidrs: ['10.1.1.0/24'], vpc: 'shop' })] };

  it('allocates requested fixed IPs before dynamic ones, so a pod without one never takes a requested address', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({
        ...base,
        pods: [pod('shop', 'a-dynamic', 'worker-1'), pod('shop', 'b-fixed', 'worker-1', { annotations: { 'netloom.io/ip-address': '10.1.0.2' } })],
      }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.deepEqual(ep(d, 'shop.b-fixed').ips, ['10.1.0.2']);
    assert.deepEqual(ep(d, 'shop.a-dynamic').ips, ['10.1.0.3']);
    assert.deepEqual(d.problems, []);
  });

  it('allocates addresses from the subnet, honours fixed IPs and reports a conflicting one without stopping others', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({
        ...base,
        pods: [
          pod('shop', 'a', 'worker-1'),
          pod('shop', 'fixed', 'worker-1', { annotations: { 'netloom.io/ip-address': '10.1.0.77' } }),
          pod('shop', 'z-clash', 'worker-2', { annotations: { 'netloom.io/ip-address': '10.1.0.77' } }),
          pod('shop', 'outside', 'worker-2', { annotations: { 'netloom.io/ip-address': '10.9.9.9' } }),
          pod('shop', 'dbpod', 'worker-2', { annotations: { 'netloom.io/subnet': 'db' } }),
          pod('shop', 'nosuch', 'worker-2', { annotations: { 'netloom.io/subnet': 'nope' } }),
        ],
      }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.deepEqual(ep(d, 'shop.a').ips, ['10.1.0.2']);
    assert.equal(ep(d, 'shop.a').fixed, false);
    assert.deepEqual(ep(d, 'shop.fixed').ips, ['10.1.0.77']);
    assert.equal(ep(d, 'shop.fixed').fixed, true);
    // Pods are compiled in namespace/name order: the first to ask gets the address.
    assert.equal(problemsOf(d, 'Pod', 'z-clash')[0]?.code, 'CONFLICT');
    assert.match(problemsOf(d, 'Pod', 'z-clash')[0]?.message ?? '', /held by shop\/fixed/);
    assert.equal(problemsOf(d, 'Pod', 'outside')[0]?.code, 'INPUT.INVALID');
    assert.equal(problemsOf(d, 'Pod', 'nosuch')[0]?.code, 'NOT_FOUND');
    assert.equal(ep(d, 'shop.dbpod').subnet, 'db');
    assert.match(ep(d, 'shop.dbpod').ips[0] ?? '', /^10\.1\.1\./);
    assert.match(ep(d, 'shop.a').mac ?? '', /^02(:[0-9a-f]{2}){5}$/);
    assert.deepEqual(ep(d, 'shop.a').owner, { kind: 'pod', namespace: 'shop', name: 'a' });
  });

  it('gives a re-created StatefulSet pod its address back, and frees the address of a deleted ordinary pod', async () => {
    const store = new MemoryStore();
    const s = settings();
    const d1 = await compileIntent({ plugins: PLUGINS, cluster: cluster({ ...base, pods: [pod('shop', 'filler', 'worker-1'), pod('shop', 'db-0', 'worker-1', { statefulSet: true }), pod('shop', 'web-x', 'worker-1')] }), settings: s, store });
    const stickyIp = ep(d1, 'shop.db-0').ips[0];
    const plainIp = ep(d1, 'shop.web-x').ips[0] as string;
    assert.equal(ep(d1, 'shop.db-0').fixed, true);
    // Both pods are gone; a new pod arrives (would take the next free address).
    await compileIntent({ plugins: PLUGINS, cluster: cluster({ ...base, pods: [pod('shop', 'filler', 'worker-1')] }), settings: s, store });
    const ipam = new IpamAllocator({ store });
    assert.equal(await ipam.holder({ subnet: ipamSubnetId('web', 4), ip: plainIp }), undefined);
    assert.equal((await ipam.holder({ subnet: ipamSubnetId('web', 4), ip: stickyIp as string }))?.state, 'reserved');
    const d3 = await compileIntent({ plugins: PLUGINS, cluster: cluster({ ...base, pods: [pod('shop', 'filler', 'worker-1'), pod('shop', 'new-1', 'worker-1'), pod('shop', 'new-2', 'worker-1'), pod('shop', 'db-0', 'worker-2', { statefulSet: true })] }), settings: s, store });
    assert.equal(ep(d3, 'shop.db-0').ips[0], stickyIp);
    assert.notEqual(ep(d3, 'shop.new-1').ips[0], stickyIp);
    assert.notEqual(ep(d3, 'shop.new-2').ips[0], stickyIp);
  });

  it('allocates VLANs per node: one LS may have different VLANs on different nodes', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({ ...base, pods: [pod('shop', 'a-w1-web', 'worker-1'), pod('shop', 'b-w1-db', 'worker-1', { annotations: { 'netloom.io/subnet': 'db' } }), pod('shop', 'c-w1-web2', 'worker-1'), pod('shop', 'd-w2-db', 'worker-2', { annotations: { 'netloom.io/subnet': 'db' } })] }),
      settings: settings(),
      store: new MemoryStore(),
    });
    const web1 = ep(d, 'shop.a-w1-web').vlan;
    const db1 = ep(d, 'shop.b-w1-db').vlan;
    const db2 = ep(d, 'shop.d-w2-db').vlan;
    assert.equal(ep(d, 'shop.c-w1-web2').vlan, web1);
    assert.notEqual(web1, db1);
    // db is the second LS on worker-1 but the first on worker-2: per-node VLANs.
    assert.deepEqual([web1, db1, db2], [100, 101, 100]);
    assert.equal(ep(d, 'shop.a-w1-web').tunnelKey, undefined);
  });

  it('gives endpoints on host-overlay nodes the L2 VNI as tunnel key instead of a VLAN', async () => {
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ ...base, pods: [pod('shop', 'e', 'edge-1')] }), settings: settings(), store: new MemoryStore() });
    const ls = d.network.logicalSwitches?.find((l) => l.name === 'web');
    assert.equal(ep(d, 'shop.e').tunnelKey, ls?.l2Vni);
    assert.equal(ep(d, 'shop.e').vlan, undefined);
    assert.equal(d.network.nodes?.find((n) => n.name === 'edge-1')?.overlay, 'host');
  });

  it('turns rate annotations into a QoS policy; a bad one is a problem and the pod keeps its network without QoS', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({ ...base, pods: [pod('shop', 'q', 'worker-1', { annotations: { 'netloom.io/ingress-rate': '100M', 'netloom.io/egress-rate': '1G' } }), pod('shop', 'bad', 'worker-1', { annotations: { 'netloom.io/egress-rate': 'fast' } })] }),
      settings: settings(),
      store: new MemoryStore(),
    });
    const q = d.network.qosPolicies?.find((x) => x.name === ep(d, 'shop.q').qos);
    assert.deepEqual(q, { name: 'shop.q', ingress: { rateKbps: 100_000 }, egress: { rateKbps: 1_000_000 } });
    assert.equal(ep(d, 'shop.bad').qos, undefined);
    assert.equal(problemsOf(d, 'Pod', 'bad')[0]?.code, 'INPUT.INVALID');
    assert.match(problemsOf(d, 'Pod', 'bad')[0]?.message ?? '', /netloom\.io\/egress-rate/);
  });

  it('parses rates in bit/s with SI and binary suffixes', () => {
    assert.deepEqual(parseRateKbps('100M'), { kbps: 100_000 });
    assert.deepEqual(parseRateKbps('1G'), { kbps: 1_000_000 });
    assert.deepEqual(parseRateKbps('500k'), { kbps: 500 });
    assert.deepEqual(parseRateKbps('1.5G'), { kbps: 1_500_000 });
    assert.deepEqual(parseRateKbps('1Mi'), { kbps: 1048 });
    assert.deepEqual(parseRateKbps('2000'), { kbps: 2 });
    for (const bad of ['', 'fast', '-1M', '10 M', '999', '200G']) assert.ok('reason' in parseRateKbps(bad), bad);
  });

  it('skips pods without a node, finished, being deleted or on the host network; a node missing from the topology is a problem', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({
        ...base,
        nodes: [node('worker-1'), node('stray'), node('edge-1', '192.0.2.41')],
        pods: [
          pod('shop', 'pending', undefined),
          pod('shop', 'done', 'worker-1', { phase: 'Succeeded' }),
          pod('shop', 'crashed', 'worker-1', { phase: 'Failed' }),
          pod('shop', 'going', 'worker-1', { deleting: true }),
          pod('shop', 'hostnet', 'worker-1', { hostNetwork: true }),
          pod('shop', 'lost', 'stray'),
          pod('shop', 'ok', 'worker-1'),
        ],
      }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.deepEqual(d.network.endpoints?.map((e) => e.id), ['shop.ok']);
    assert.equal(problemsOf(d, 'Node', 'stray')[0]?.code, 'NOT_FOUND');
    assert.equal(problemsOf(d, 'Pod', 'lost')[0]?.code, 'NOT_FOUND');
    assert.deepEqual(d.network.nodes?.map((n) => n.name), ['edge-1', 'worker-1']);
  });

  it('accepts a node absent from the topology when the profile overlay is host (VTEP = InternalIP)', async () => {
    const d = await compileIntent({ plugins: PLUGINS, cluster: cluster({ ...base, nodes: [node('stray', '192.0.2.99')], pods: [pod('shop', 'p', 'stray')] }), settings: settings({ overlay: 'host', topology: { nodes: [] } }), store: new MemoryStore() });
    assert.deepEqual(d.network.nodes, [{ name: 'stray', overlay: 'host', vtepIp: '192.0.2.99' }]);
    assert.ok(ep(d, 'shop.p').tunnelKey !== undefined);
  });
});

describe('compileIntent: VFW', () => {
  it('has a zone per VPC, allows exactly a peering’s traffic both ways, and DNS from every VPC to kube-system’s VPC', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({ namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')], peerings: [peering('shop-pay', ['shop', 'pay'], [{ protocol: 'tcp', ports: [443, '8000-8080'] }])] }),
      settings: settings(),
      store: new MemoryStore(),
    });
    const vfw = d.network.vfws?.[0];
    assert.ok(vfw);
    assert.deepEqual(vfw.zones.map((z) => z.vpc), ['default', 'kube-system', 'pay', 'shop']);
    const flows = vfw.policies.map((p) => `${p.srcZone}>${p.dstZone} ${p.match.protocol}:${p.match.ports.map((r) => `${r.from}-${r.to}`).join(',')} ${p.action}`).sort();
    assert.deepEqual(flows, [
      'default>kube-system tcp:53-53 allow',
      'default>kube-system udp:53-53 allow',
      'pay>kube-system tcp:53-53 allow',
      'pay>kube-system udp:53-53 allow',
      'pay>shop tcp:443-443,8000-8080 allow',
      'shop>kube-system tcp:53-53 allow',
      'shop>kube-system udp:53-53 allow',
      'shop>pay tcp:443-443,8000-8080 allow',
    ]);
    assert.equal(new Set(vfw.policies.map((p) => p.priority)).size, vfw.policies.length);
    assert.deepEqual(d.network.peerings?.map((p) => p.name), ['shop-pay']);
  });

  it('keeps the priorities of existing policies when a peering is added', async () => {
    const store = new MemoryStore();
    const c = (peerings: ReturnType<typeof peering>[]) => cluster({ namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')], peerings });
    const before = await compileIntent({ plugins: PLUGINS, cluster: c([]), settings: settings(), store });
    const after = await compileIntent({ plugins: PLUGINS, cluster: c([peering('shop-pay', ['shop', 'pay'], [{ protocol: 'any' }])]), settings: settings(), store });
    for (const p of before.network.vfws?.[0]?.policies ?? []) assert.equal(after.network.vfws?.[0]?.policies.find((x) => x.name === p.name)?.priority, p.priority);
  });

  it('reports a peering of unknown VPCs, a bad match and a second peering of one pair', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({
        namespaces: [ns('default'), ns('shop'), ns('pay')],
        peerings: [peering('a-ghost', ['shop', 'ghost'], [{ protocol: 'any' }]), peering('b-bad', ['shop', 'pay'], [{ protocol: 'gre' }]), peering('c-ok', ['shop', 'pay'], [{ protocol: 'icmp' }]), peering('d-dup', ['pay', 'shop'], [{ protocol: 'any' }])],
      }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.equal(problemsOf(d, 'VpcPeering', 'a-ghost')[0]?.code, 'NOT_FOUND');
    assert.equal(problemsOf(d, 'VpcPeering', 'b-bad')[0]?.code, 'INPUT.INVALID');
    assert.equal(problemsOf(d, 'VpcPeering', 'd-dup')[0]?.code, 'CONFLICT');
    assert.deepEqual(d.network.peerings?.map((p) => p.name), ['c-ok']);
  });
});

describe('compileIntent: VLB', () => {
  const c = (services: ReturnType<typeof lbService>[], endpointSlices: ReturnType<typeof slice>[] = []) => cluster({ namespaces: [ns('default'), ns('shop')], services, endpointSlices });

  it('takes the VIP from spec.loadBalancerIP or the pool (persisted), and reports an IP outside every pool', async () => {
    const store = new MemoryStore();
    const svcs = [lbService('shop', 'fixed', [{ port: 443 }], '198.51.100.50'), lbService('shop', 'pooled', [{ port: 80 }]), lbService('shop', 'outside', [{ port: 80 }], '203.0.113.5')];
    const d = await compileIntent({ plugins: PLUGINS, cluster: c(svcs), settings: settings(), store });
    const vs = d.network.vlbs?.[0]?.virtualServers ?? [];
    assert.equal(d.network.vlbs?.[0]?.vpc, 'shop');
    assert.equal(vs.find((v) => v.name === 'shop.fixed.tcp-443')?.vip, '198.51.100.50');
    assert.equal(vs.find((v) => v.name === 'shop.pooled.tcp-80')?.vip, '198.51.100.10');
    assert.equal(problemsOf(d, 'Service', 'outside')[0]?.code, 'INPUT.INVALID');
    const again = await compileIntent({ plugins: PLUGINS, cluster: c([lbService('shop', 'first', [{ port: 80 }]), ...svcs]), settings: settings(), store });
    assert.equal(again.network.vlbs?.[0]?.virtualServers.find((v) => v.name === 'shop.pooled.tcp-80')?.vip, '198.51.100.10');
    // Deleting the Service frees its VIP.
    await compileIntent({ plugins: PLUGINS, cluster: c([]), settings: settings(), store });
    assert.equal(await new IpamAllocator({ store }).holder({ subnet: 'vip.public', ip: '198.51.100.10' }), undefined);
  });

  it('makes ready endpoints enabled members, terminating ones draining, and leaves not-ready ones out', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: c(
        [lbService('shop', 'web', [{ port: 443, targetPort: 'https', name: 'https' }, { port: 53, protocol: 'UDP', targetPort: 5353, name: 'dns' }])],
        [
          slice('shop', 'web', 'web-a', [{ ip: '10.1.0.5', ready: true }, { ip: '10.1.0.6', ready: false, terminating: true }, { ip: '10.1.0.7', ready: false }, { ip: '10.1.0.8' }], [{ name: 'https', port: 8443 }, { name: 'dns', port: 5353, protocol: 'UDP' }]),
          slice('other', 'web', 'foreign', [{ ip: '10.9.0.1', ready: true }], [{ name: 'https', port: 8443 }]),
        ],
      ),
      settings: settings(),
      store: new MemoryStore(),
    });
    const vs = d.network.vlbs?.[0]?.virtualServers ?? [];
    assert.deepEqual(vs.find((v) => v.port === 443)?.pool.members, [
      { ip: '10.1.0.5', port: 8443, state: 'enabled' },
      { ip: '10.1.0.6', port: 8443, state: 'draining' },
      { ip: '10.1.0.8', port: 8443, state: 'enabled' },
    ]);
    const udp = vs.find((v) => v.protocol === 'udp');
    assert.equal(udp?.port, 53);
    assert.deepEqual(udp?.pool.members.map((m) => `${m.ip}:${m.port}`), ['10.1.0.5:5353', '10.1.0.6:5353', '10.1.0.8:5353']);
  });
});

describe('compileIntent: validation and determinism', () => {
  it('fails a VPC whose objects break a network invariant: its objects leave the network, the others stay', async () => {
    const d = await compileIntent({ plugins: PLUGINS,
      cluster: cluster({
        namespaces: [ns('default'), ns('shop'), ns('pay')],
        subnets: [subnetCr('steal', { cidrs: ['10.5.0.0/24'], vpc: 'shop', namespaces: ['pay'] })],
        pods: [pod('shop', 'p', 'worker-1', { annotations: { 'netloom.io/subnet': 'steal' } }), pod('pay', 'q', 'worker-1')],
      }),
      settings: settings(),
      store: new MemoryStore(),
    });
    assert.deepEqual(d.failedVpcs, ['shop']);
    assert.ok(problemsOf(d, 'Subnet', 'steal').some((p) => p.code === 'DOMAIN.INVARIANT'));
    assert.equal(d.network.vpcs?.some((v) => v.name === 'shop'), false);
    assert.equal(d.network.subnets?.some((s) => s.vpc === 'shop'), false);
    assert.equal(d.network.vfws?.[0]?.zones.some((z) => z.vpc === 'shop'), false);
    ep(d, 'pay.q');
    assert.deepEqual(checkNetwork(d.network), []);
  });

  it('is deterministic: compiling twice on one store, or on two fresh stores, gives deep-equal results', async () => {
    const c = cluster({
      namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')],
      subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24', 'fd00:1::/64'], namespaces: ['shop'], default: true })],
      pods: [pod('shop', 'b', 'worker-2'), pod('shop', 'a', 'worker-1'), pod('pay', 'x', 'edge-1'), pod('pay', 'y', 'edge-2', { statefulSet: true })],
      services: [lbService('shop', 'web', [{ port: 443 }])],
      endpointSlices: [slice('shop', 'web', 'web-1', [{ ip: '10.1.0.2', ready: true }], [{ port: 443 }])],
      peerings: [peering('sp', ['shop', 'pay'], [{ protocol: 'tcp', ports: [443] }])],
    });
    const store = new MemoryStore();
    const d1 = await compileIntent({ plugins: PLUGINS, cluster: c, settings: settings(), store });
    const d2 = await compileIntent({ plugins: PLUGINS, cluster: c, settings: settings(), store });
    const d3 = await compileIntent({ plugins: PLUGINS, cluster: { ...c, pods: [...c.pods].reverse(), namespaces: [...c.namespaces].reverse() }, settings: settings(), store: new MemoryStore() });
    assert.deepEqual(d1.problems, []);
    assert.deepEqual(d2, d1);
    assert.deepEqual(d3, d1);
    assert.deepEqual(ep(d1, 'shop.a').ips, ['10.1.0.2', 'fd00:1::2']);
    assert.deepEqual(checkNetwork(d1.network), []);
  });

  it('never gives two endpoints of one VPC the same address, whatever pods come and go (property)', async () => {
    const podArb = fc.record({ n: fc.integer({ min: 0, max: 11 }), ns: fc.constantFrom('shop', 'pay'), node: fc.constantFrom('worker-1', 'worker-2', 'edge-1'), sticky: fc.boolean(), fixed: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uniqueArray(podArb, { selector: (p) => `${p.ns}/${p.n}`, maxLength: 12 }), { minLength: 1, maxLength: 4 }), async (rounds) => {
        const store = new MemoryStore();
        for (const round of rounds) {
          const pods = round.map((p) => pod(p.ns, `p-${p.n}`, p.node, { statefulSet: p.sticky, ...(p.fixed === undefined ? {} : { annotations: { 'netloom.io/ip-address': `10.7.0.${p.fixed}` } }) }));
          const d = await compileIntent({ plugins: PLUGINS,
            cluster: cluster({ namespaces: [ns('default'), ns('shop'), ns('pay', { 'netloom.io/vpc': 'shop' })], subnets: [subnetCr('s', { cidrs: ['10.7.0.0/27'], vpc: 'shop', default: true })], pods }),
            settings: settings(),
            store,
          });
          const seen = new Set<string>();
          for (const e of d.network.endpoints ?? []) {
            for (const ip of e.ips) {
              assert.ok(!seen.has(`${e.vpc} ${ip}`), `${ip} twice in ${e.vpc}`);
              seen.add(`${e.vpc} ${ip}`);
            }
          }
          assert.deepEqual(checkNetwork(d.network), []);
          assert.deepEqual(d.failedVpcs, []);
        }
      }),
      { numRuns: 25 },
    );
  });
});
