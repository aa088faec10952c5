// The router role (ADR 0012): where a leaf switches but cannot route (hw-vtep), the VPC router plugged into it gets
// the VPC's VRF, a gatewayed segment and a VLAN leg per logical switch, and the leaf binds the router's port. Compiled
// with the real plugins (VLANs allocated in the compiler) and projected: the exact objects each device gets.
import { strict as assert } from 'node:assert';
import { ANYCAST_GATEWAY_MAC, compileIntent, MemoryStore, project, routerVlanOwner, segmentName, VlanAllocator, type DesiredConfigs, type DesiredState, type EngineSettings } from '@netloom/engine';
import { bindingKey, decodeOrThrow, FabricConfigCodec, vrfRouteTarget, type ClusterSnapshot, type FabricConfigInput, type StorePort, type TopologyRouterSettings } from '@netloom/ports';
import { cluster, ns, pod, PLUGINS, settings, subnetCr } from './intent.fixtures';

// What the adapters declare for the fabric port (their manifests' `true` entries).
const HW_VTEP = ['accessBinding', 'floodVtep', 'l2Segment'];
const HUAWEI_CE = ['accessBinding', 'anycastGateway', 'confirmedCommit', 'floodVtep', 'l2Segment', 'vrf'];
const LINUX_ROUTER = ['accessBinding', 'anycastGateway', 'l2Segment', 'vrf'];

const ROUTER1: TopologyRouterSettings = { device: 'router1', leaf: 'leaf1', port: 'Eth1/48', uplink: 'up0' };
const ROUTER2: TopologyRouterSettings = { device: 'router2', leaf: 'leaf2', port: 'Eth1/48' };

/** leaf1 as given (hw-vtep by default), leaf2 huawei-ce, router1 behind leaf1 and router2 behind leaf2 (linux-router). */
function routerSettings(o: { leaf1?: string[]; router1?: string[]; routers?: readonly TopologyRouterSettings[] } = {}): EngineSettings {
  const base = settings();
  const caps: Record<string, { capabilities: string[]; adapter: string }> = {
    leaf1: { capabilities: o.leaf1 ?? HW_VTEP, adapter: o.leaf1 === undefined ? 'hw-vtep' : 'huawei-ce' },
    leaf2: { capabilities: HUAWEI_CE, adapter: 'huawei-ce' },
    router1: { capabilities: o.router1 ?? LINUX_ROUTER, adapter: 'linux-router' },
    router2: { capabilities: LINUX_ROUTER, adapter: 'linux-router' },
  };
  const devices = [...base.devices, { name: 'router1', role: 'router' as const }, { name: 'router2', role: 'router' as const }].map((d) => {
    const extra = caps[d.name];
    return extra === undefined ? d : { ...d, ...extra };
  });
  return { ...base, devices, topology: { ...base.topology, routers: o.routers ?? [ROUTER1, ROUTER2] } };
}

/**
 * shop: subnets web (10.1.0.0/24, worker-1) and db (10.1.1.0/24, worker-2), both behind leaf1; pay: pay-web
 * (10.1.0.0/24 as well, worker-1); blog (carved) on worker-3 behind leaf2, which routes.
 */
function snapshot(o: { withDb?: boolean; withNews?: boolean } = {}): ClusterSnapshot {
  return cluster({
    namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay'), ns('blog')],
    subnets: [
      subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }),
      subnetCr('db', { cidrs: ['10.1.1.0/24'], vpc: 'shop' }),
      subnetCr('news', { cidrs: ['10.1.2.0/24'], vpc: 'shop' }),
      subnetCr('pay-web', { cidrs: ['10.1.0.0/24'], namespaces: ['pay'], default: true }),
    ],
    pods: [
      pod('shop', 'a', 'worker-1'),
      ...(o.withDb === false ? [] : [pod('shop', 'b', 'worker-2', { annotations: { 'netloom.io/subnet': 'db' } })]),
      ...(o.withNews === true ? [pod('shop', 'n', 'worker-2', { annotations: { 'netloom.io/subnet': 'news' } })] : []),
      pod('pay', 'x', 'worker-1'),
      pod('blog', 'p', 'worker-3'),
    ],
  });
}

async function compileAndProject(s: EngineSettings, snap: ClusterSnapshot = snapshot(), store: StorePort = new MemoryStore()): Promise<{ desired: DesiredState; configs: DesiredConfigs }> {
  const desired = await compileIntent({ plugins: PLUGINS, cluster: snap, settings: s, store });
  assert.deepEqual(desired.problems, []);
  return { desired, configs: project({ desired, settings: s }) };
}

const fabricOf = (configs: DesiredConfigs, device: string): FabricConfigInput => {
  const d = configs.devices.get(device);
  assert.ok(d, `no config for ${device}`);
  assert.equal(d.port, 'fabric');
  return decodeOrThrow(FabricConfigCodec, d.config, device) as unknown as FabricConfigInput;
};

/** Reads what the compile decided: L2/L3 VNIs, the node VLAN of each pod, the router VLAN of each LS. */
function facts(desired: DesiredState) {
  const net = desired.network;
  const l2 = (ls: string): number => {
    const found = net.logicalSwitches?.find((l) => l.name === ls);
    assert.ok(found, `no LS ${ls}`);
    return found.l2Vni;
  };
  const l3 = (vpc: string): number => {
    const found = net.logicalRouters?.find((l) => l.vpc === vpc);
    assert.ok(found, `no LR ${vpc}`);
    return found.l3Vni;
  };
  const podVlan = (namespace: string, name: string): number => {
    const ep = net.endpoints?.find((e) => e.owner?.namespace === namespace && e.owner.name === name);
    assert.ok(ep?.vlan !== undefined, `no VLAN for ${namespace}/${name}`);
    return ep.vlan;
  };
  const routerVlan = (router: string, ls: string): number => {
    const v = desired.routerVlans?.find((r) => r.router === router && r.ls === ls);
    assert.ok(v, `no router VLAN for ${router} ${ls}`);
    return v.vlan;
  };
  return { l2, l3, podVlan, routerVlan };
}

const binding = (iface: string, vlan: number, l2Vni: number) => [bindingKey({ interface: iface, vlan }), { key: bindingKey({ interface: iface, vlan }), interface: iface, vlan, l2Vni }] as const;
const sortedObject = <T>(entries: readonly (readonly [string, T])[]): Record<string, T> => Object.fromEntries([...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));

describe('project: a VPC router behind a leaf that cannot route (ADR 0012)', () => {
  it('the hw-vtep leaf gets its segments, the node bindings and a binding per LS on the router port; no VRF, no gateway', async () => {
    const { desired, configs } = await compileAndProject(routerSettings());
    const f = facts(desired);
    const seg = (ls: string) => [String(f.l2(ls)), { key: String(f.l2(ls)), name: segmentName(ls), l2Vni: f.l2(ls) }] as const;
    assert.deepEqual(fabricOf(configs, 'leaf1'), {
      vrf: {},
      interconnect: {},
      segment: sortedObject([seg('web'), seg('db'), seg('pay-web')]),
      binding: sortedObject([
        binding('Eth1/1', f.podVlan('shop', 'a'), f.l2('web')),
        binding('Eth1/2', f.podVlan('shop', 'b'), f.l2('db')),
        binding('Eth1/1', f.podVlan('pay', 'x'), f.l2('pay-web')),
        binding('Eth1/48', f.routerVlan('router1', 'web'), f.l2('web')),
        binding('Eth1/48', f.routerVlan('router1', 'db'), f.l2('db')),
        binding('Eth1/48', f.routerVlan('router1', 'pay-web'), f.l2('pay-web')),
      ]),
      floodVtep: {},
    });
  });

  it('the router gets the VRF of each VPC it serves (overlapping CIDRs apart), gatewayed segments in them, and its legs on its uplink', async () => {
    const { desired, configs } = await compileAndProject(routerSettings());
    const f = facts(desired);
    const vrf = (vpc: string) => {
      const rt = vrfRouteTarget(f.l3(vpc), 65000);
      return [`vpc-${vpc}`, { key: `vpc-${vpc}`, name: `vpc-${vpc}`, l3Vni: f.l3(vpc), importRouteTargets: [rt], exportRouteTargets: [rt] }] as const;
    };
    const seg = (ls: string, vpc: string, gateway: string) =>
      [String(f.l2(ls)), { key: String(f.l2(ls)), name: segmentName(ls), l2Vni: f.l2(ls), vrf: `vpc-${vpc}`, anycastGateway: { ipv4: [gateway], mac: ANYCAST_GATEWAY_MAC } }] as const;
    assert.deepEqual(fabricOf(configs, 'router1'), {
      vrf: sortedObject([vrf('shop'), vrf('pay')]),
      interconnect: {},
      segment: sortedObject([seg('web', 'shop', '10.1.0.1/24'), seg('db', 'shop', '10.1.1.1/24'), seg('pay-web', 'pay', '10.1.0.1/24')]),
      binding: sortedObject([
        binding('up0', f.routerVlan('router1', 'web'), f.l2('web')),
        binding('up0', f.routerVlan('router1', 'db'), f.l2('db')),
        binding('up0', f.routerVlan('router1', 'pay-web'), f.l2('pay-web')),
      ]),
      floodVtep: {},
    });
    // One VLAN per LS on the router's port (never two LSs on one VLAN of that leaf port).
    const vlans = (desired.routerVlans ?? []).filter((r) => r.router === 'router1').map((r) => r.vlan);
    assert.equal(new Set(vlans).size, 3);
    // Served: no "switched but not routed" problem for shop or pay.
    assert.deepEqual(configs.problems ?? [], []);
  });

  it('without a router, the same VPCs are reported as switched but not routed (the problem the router removes)', async () => {
    const { desired, configs } = await compileAndProject(routerSettings({ routers: [] }));
    assert.equal(desired.routerVlans, undefined);
    assert.deepEqual(
      (configs.problems ?? []).map((p) => [p.name, p.message]),
      [
        ['pay', 'leaf1 (hw-vtep) has no vrf/anycastGateway: VPC pay is switched but not routed on it'],
        ['shop', 'leaf1 (hw-vtep) has no vrf/anycastGateway: VPC shop is switched but not routed on it'],
      ],
    );
    assert.deepEqual(Object.keys(fabricOf(configs, 'leaf1').binding).filter((k) => k.startsWith('Eth1/48')), []);
    assert.deepEqual(fabricOf(configs, 'router1').segment, {});
  });

  it('a VPC on a routing leaf (huawei-ce) gets nothing on any router; a router behind it gets an empty config', async () => {
    const { desired, configs } = await compileAndProject(routerSettings({ leaf1: HUAWEI_CE }));
    assert.equal(desired.routerVlans, undefined);
    for (const router of ['router1', 'router2']) {
      assert.deepEqual(fabricOf(configs, router), { vrf: {}, interconnect: {}, segment: {}, binding: {}, floodVtep: {} });
    }
    // leaf1 routes itself: VRFs and gateways, no binding on the router port.
    const leaf1 = fabricOf(configs, 'leaf1');
    assert.deepEqual(Object.keys(leaf1.vrf), ['vpc-pay', 'vpc-shop']);
    assert.deepEqual(Object.keys(leaf1.binding).filter((k) => k.startsWith('Eth1/48')), []);
    assert.deepEqual(configs.problems ?? [], []);
  });

  it('blog (behind leaf2, which routes) is on no router even when leaf1 needs one', async () => {
    const { configs } = await compileAndProject(routerSettings());
    assert.deepEqual(Object.keys(fabricOf(configs, 'router1').vrf), ['vpc-pay', 'vpc-shop']);
    assert.deepEqual(fabricOf(configs, 'router2'), { vrf: {}, interconnect: {}, segment: {}, binding: {}, floodVtep: {} });
    assert.ok('vpc-blog' in fabricOf(configs, 'leaf2').vrf);
  });

  it('vpcs limits what a router serves: an unserved VPC keeps its problem; of two routers on one leaf the first serves', async () => {
    const other: TopologyRouterSettings = { device: 'router2', leaf: 'leaf1', port: 'Eth1/47' };
    const { desired, configs } = await compileAndProject(routerSettings({ routers: [{ ...ROUTER1, vpcs: ['shop'] }, other] }));
    const f = facts(desired);
    assert.deepEqual(Object.keys(fabricOf(configs, 'router1').vrf), ['vpc-shop']);
    // router2 (listed second, every VPC) takes pay, which router1 does not serve, and nothing of shop.
    assert.deepEqual(Object.keys(fabricOf(configs, 'router2').vrf), ['vpc-pay']);
    assert.deepEqual(fabricOf(configs, 'router2').binding, sortedObject([binding('eth1', f.routerVlan('router2', 'pay-web'), f.l2('pay-web'))]));
    assert.deepEqual(Object.keys(fabricOf(configs, 'leaf1').binding).filter((k) => k.startsWith('Eth1/47')), [bindingKey({ interface: 'Eth1/47', vlan: f.routerVlan('router2', 'pay-web') })]);
    assert.deepEqual(configs.problems ?? [], []);

    const { configs: limited } = await compileAndProject(routerSettings({ routers: [{ ...ROUTER1, vpcs: ['shop'] }] }));
    assert.deepEqual(
      (limited.problems ?? []).map((p) => p.message),
      ['leaf1 (hw-vtep) has no vrf/anycastGateway: VPC pay is switched but not routed on it'],
    );
  });

  it('a router whose adapter lacks anycastGateway gets its segments without gateway, and says so', async () => {
    const { configs } = await compileAndProject(routerSettings({ router1: ['accessBinding', 'l2Segment', 'vrf'] }));
    const router = fabricOf(configs, 'router1');
    assert.deepEqual(Object.keys(router.vrf), ['vpc-pay', 'vpc-shop']);
    for (const s of Object.values(router.segment)) assert.equal(s.anycastGateway, undefined);
    assert.deepEqual(
      (configs.problems ?? []).map((p) => p.message),
      [
        'router1 (linux-router) has no anycastGateway: VPC pay is routed on it without its subnets\' gateways',
        'router1 (linux-router) has no anycastGateway: VPC shop is routed on it without its subnets\' gateways',
      ],
    );
  });

  it('removing the last pod of an LS removes its router segment and both bindings; the other legs keep their VLANs', async () => {
    const store = new MemoryStore();
    const s = routerSettings();
    const first = await compileAndProject(s, snapshot(), store);
    const f1 = facts(first.desired);
    const second = await compileAndProject(s, snapshot({ withDb: false }), store);
    const f2 = facts(second.desired);
    const router = fabricOf(second.configs, 'router1');
    assert.equal(router.segment[String(f1.l2('db'))], undefined);
    assert.deepEqual(Object.keys(router.binding).sort(), [bindingKey({ interface: 'up0', vlan: f1.routerVlan('router1', 'web') }), bindingKey({ interface: 'up0', vlan: f1.routerVlan('router1', 'pay-web') })].sort());
    assert.deepEqual(Object.keys(router.vrf), ['vpc-pay', 'vpc-shop']);
    const leaf1 = fabricOf(second.configs, 'leaf1');
    assert.equal(leaf1.binding[bindingKey({ interface: 'Eth1/48', vlan: f1.routerVlan('router1', 'db') })], undefined);
    assert.equal(f2.routerVlan('router1', 'web'), f1.routerVlan('router1', 'web'));
    assert.equal(f2.routerVlan('router1', 'pay-web'), f1.routerVlan('router1', 'pay-web'));
  });

  it('VLANs stay stable across passes and a new LS gets a fresh one; they live in the allocator under the router', async () => {
    const store = new MemoryStore();
    const s = routerSettings();
    const a = await compileAndProject(s, snapshot(), store);
    const b = await compileAndProject(s, snapshot(), store);
    assert.deepEqual(b.desired.routerVlans, a.desired.routerVlans);
    assert.deepEqual(fabricOf(b.configs, 'router1'), fabricOf(a.configs, 'router1'));
    const c = await compileAndProject(s, snapshot({ withNews: true }), store);
    const before = new Map((a.desired.routerVlans ?? []).map((r) => [`${r.router}/${r.ls}`, r.vlan]));
    for (const r of c.desired.routerVlans ?? []) if (before.has(`${r.router}/${r.ls}`)) assert.equal(r.vlan, before.get(`${r.router}/${r.ls}`));
    const news = facts(c.desired).routerVlan('router1', 'news');
    assert.ok(![...before.values()].includes(news));
    const held = await new VlanAllocator({ store, range: s.addressPlan.vlan }).list({ node: routerVlanOwner('router1') });
    assert.deepEqual(held.map((h) => h.ls).sort(), ['db', 'news', 'pay-web', 'web']);
  });

  it('a router that leaves the topology releases its VLANs', async () => {
    const store = new MemoryStore();
    await compileAndProject(routerSettings(), snapshot(), store);
    const vlans = new VlanAllocator({ store, range: settings().addressPlan.vlan });
    assert.equal((await vlans.list({ node: routerVlanOwner('router1') })).length, 3);
    const gone = await compileIntent({ plugins: PLUGINS, cluster: snapshot(), settings: routerSettings({ routers: [] }), store });
    assert.deepEqual(gone.problems, []);
    assert.deepEqual(await vlans.list({ node: routerVlanOwner('router1') }), []);
  });
});
