// Route leaking for peerings (VRBs → interconnects, or route targets on the VRF) and the capability-aware leaf
// projection (ADR 0011), compiled with the real plugins and projected: the exact objects each leaf gets.
import { strict as assert } from 'node:assert';
import { compileIntent, MemoryStore, project, tunnelName, type DesiredConfigs, type DesiredState, type EngineSettings, type ObjectProblem } from '@netloom/engine';
import { decodeOrThrow, FabricConfigCodec, fabricCapabilitiesUsed, type FabricConfigInput, type KubeNode, type StorePort, type VSwitchConfigInput } from '@netloom/ports';
import { cluster, node, ns, peering, pod, PLUGINS, settings, TOPOLOGY } from './intent.fixtures';

// What the leaf adapters declare for the fabric port (their manifests' `true` entries).
const HUAWEI_CE = ['accessBinding', 'anycastGateway', 'confirmedCommit', 'floodVtep', 'l2Segment', 'vrf'];
const HW_VTEP = ['accessBinding', 'floodVtep', 'l2Segment'];
const RUIJIE_RGOS = ['accessBinding', 'anycastGateway', 'l2Segment', 'vrf'];

/** shop on worker-1 (leaf1), worker-3 (leaf2) and edge-1 (host overlay); pay on worker-2 (leaf1). */
const snapshot = (withPeering: boolean) =>
  cluster({
    namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')],
    pods: [pod('shop', 'a', 'worker-1'), pod('shop', 'c', 'worker-3'), pod('shop', 'e1', 'edge-1'), pod('pay', 'x', 'worker-2')],
    peerings: withPeering ? [peering('shop-pay', ['shop', 'pay'], [{ protocol: 'tcp', ports: [443] }])] : [],
  });

/** The settings with per-leaf capabilities, adapters and VTEP addresses. */
const withLeafs = (leafs: Partial<Record<'leaf1' | 'leaf2', { capabilities?: string[]; adapter?: string; vtepIp?: string }>>, base: EngineSettings = settings()): EngineSettings => ({
  ...base,
  devices: base.devices.map((d) => {
    const extra = d.name === 'leaf1' || d.name === 'leaf2' ? leafs[d.name] : undefined;
    return extra === undefined ? d : { ...d, ...extra };
  }),
});

async function compileAndProject(s: EngineSettings, withPeering = true, store: StorePort = new MemoryStore()): Promise<{ desired: DesiredState; configs: DesiredConfigs }> {
  const desired = await compileIntent({ plugins: PLUGINS, cluster: snapshot(withPeering), settings: s, store });
  assert.deepEqual(desired.problems, []);
  return { desired, configs: project({ desired, settings: s }) };
}

const leafOf = (configs: DesiredConfigs, leaf: string): FabricConfigInput => {
  const d = configs.devices.get(leaf);
  assert.ok(d, `no config for ${leaf}`);
  return d.config as unknown as FabricConfigInput;
};

describe('project: route leaking for peerings and capability-aware leafs', () => {
  let l3: { shop: number; pay: number };
  const rt = (vni: number) => `65000:${vni}`;
  before(async () => {
    const { desired } = await compileAndProject(settings());
    const vni = (vpc: string) => desired.network.logicalRouters?.find((l) => l.vpc === vpc)?.l3Vni as number;
    l3 = { shop: vni('shop'), pay: vni('pay') };
  });

  describe('route leaking', () => {
    it('the compiler keeps the two VRBs of a peering; every VRF imports and exports its own route target', async () => {
      const { desired, configs } = await compileAndProject(settings());
      assert.deepEqual(
        (desired.network.vrbs ?? []).map((v) => [v.name, v.vpc, v.routeTargets.map((r) => `${r.direction}:${r.value}`)]),
        [
          ['peer-shop-pay_pay', 'pay', [`import:${rt(l3.shop)}`, `export:${rt(l3.pay)}`]],
          ['peer-shop-pay_shop', 'shop', [`import:${rt(l3.pay)}`, `export:${rt(l3.shop)}`]],
        ],
      );
      assert.deepEqual(leafOf(configs, 'leaf2').vrf['vpc-shop'], { key: 'vpc-shop', name: 'vpc-shop', l3Vni: l3.shop, importRouteTargets: [rt(l3.shop)], exportRouteTargets: [rt(l3.shop)] });
    });

    it('a leaf that declares interconnect gets the VRBs of exactly the VRFs it carries, as interconnects keyed by VRB name', async () => {
      const { configs } = await compileAndProject(settings());
      // leaf1 carries shop (worker-1) and pay (worker-2); leaf2 carries shop only (worker-3).
      assert.deepEqual(leafOf(configs, 'leaf1').interconnect, {
        'peer-shop-pay_pay': { key: 'peer-shop-pay_pay', name: 'peer-shop-pay_pay', vrf: 'vpc-pay', importRouteTargets: [rt(l3.shop)], exportRouteTargets: [rt(l3.pay)], borderPeers: [] },
        'peer-shop-pay_shop': { key: 'peer-shop-pay_shop', name: 'peer-shop-pay_shop', vrf: 'vpc-shop', importRouteTargets: [rt(l3.pay)], exportRouteTargets: [rt(l3.shop)], borderPeers: [] },
      });
      assert.deepEqual(leafOf(configs, 'leaf2').interconnect, {
        'peer-shop-pay_shop': { key: 'peer-shop-pay_shop', name: 'peer-shop-pay_shop', vrf: 'vpc-shop', importRouteTargets: [rt(l3.pay)], exportRouteTargets: [rt(l3.shop)], borderPeers: [] },
      });
      // Route targets stay on the interconnects: the VRFs keep their own.
      assert.deepEqual(leafOf(configs, 'leaf2').vrf['vpc-shop']?.importRouteTargets, [rt(l3.shop)]);
      for (const leaf of ['leaf1', 'leaf2']) decodeOrThrow(FabricConfigCodec, leafOf(configs, leaf), leaf);
    });

    it('a leaf without interconnect (huawei-ce) gets the peer\'s route target as an import of the VRF itself', async () => {
      const s = withLeafs({ leaf1: { capabilities: HUAWEI_CE, adapter: 'huawei-ce' }, leaf2: { capabilities: HUAWEI_CE, adapter: 'huawei-ce' } });
      const { configs } = await compileAndProject(s);
      const leaf1 = leafOf(configs, 'leaf1');
      assert.deepEqual(leaf1.interconnect, {});
      assert.deepEqual(leaf1.vrf['vpc-shop'], { key: 'vpc-shop', name: 'vpc-shop', l3Vni: l3.shop, importRouteTargets: [rt(l3.shop), rt(l3.pay)].sort(), exportRouteTargets: [rt(l3.shop)] });
      assert.deepEqual(leaf1.vrf['vpc-pay'], { key: 'vpc-pay', name: 'vpc-pay', l3Vni: l3.pay, importRouteTargets: [rt(l3.shop), rt(l3.pay)].sort(), exportRouteTargets: [rt(l3.pay)] });
      assert.deepEqual(Object.keys(leafOf(configs, 'leaf2').vrf), ['vpc-shop']);
      assert.deepEqual(leafOf(configs, 'leaf2').vrf['vpc-shop']?.importRouteTargets, [rt(l3.shop), rt(l3.pay)].sort());
      assert.equal(configs.problems, undefined, 'nothing was left out');
      // What the projection uses, the adapter declares: it will not refuse the plan.
      for (const leaf of ['leaf1', 'leaf2']) assert.deepEqual(fabricCapabilitiesUsed(decodeOrThrow(FabricConfigCodec, leafOf(configs, leaf), leaf)).filter((c) => !HUAWEI_CE.includes(c)), []);
    });

    it('deleting the peering removes the VRBs, the interconnects and the leaked imports (same store, next pass)', async () => {
      const store = new MemoryStore();
      const s = withLeafs({ leaf2: { capabilities: HUAWEI_CE } });
      await compileAndProject(s, true, store);
      const { desired, configs } = await compileAndProject(s, false, store);
      assert.deepEqual(desired.network.vrbs, []);
      assert.deepEqual(leafOf(configs, 'leaf1').interconnect, {});
      assert.deepEqual(leafOf(configs, 'leaf2').vrf['vpc-shop']?.importRouteTargets, [rt(l3.shop)]);
    });

    it('routeTargetAsn changes every route target, and one that cannot form a route target fails with an InputError', async () => {
      const { configs } = await compileAndProject(settings({ routeTargetAsn: 64_512 }));
      assert.deepEqual(leafOf(configs, 'leaf2').vrf['vpc-shop']?.exportRouteTargets, [`64512:${l3.shop}`]);
      assert.deepEqual(leafOf(configs, 'leaf2').interconnect['peer-shop-pay_shop']?.importRouteTargets, [`64512:${l3.pay}`]);
      // A 4-byte AS leaves 16 bits for the number: fine for L3 VNIs up to 65535, refused above.
      const fourByte = await compileAndProject(settings({ routeTargetAsn: 4_200_000_000 }));
      assert.deepEqual(leafOf(fourByte.configs, 'leaf2').vrf['vpc-shop']?.exportRouteTargets, [`4200000000:${l3.shop}`]);
      const high = settings({ routeTargetAsn: 4_200_000_000 }, { vni: { l2: [{ from: 10000, to: 19999 }], l3: [{ from: 70000, to: 70999 }] } });
      await assert.rejects(compileAndProject(high), (e: Error & { code?: string }) => e.code === 'INPUT.INVALID' && /routeTargetAsn/.test(e.message));
    });
  });

  describe('capabilities', () => {
    it('a leaf without vrf/anycastGateway (hw-vtep) gets its segments switched only, and one problem per VPC says so', async () => {
      const s = withLeafs({ leaf1: { capabilities: HW_VTEP, adapter: 'hw-vtep' } });
      const { desired, configs } = await compileAndProject(s);
      const leaf1 = leafOf(configs, 'leaf1');
      assert.deepEqual(leaf1.vrf, {});
      assert.deepEqual(leaf1.interconnect, {});
      const shopLs = desired.network.logicalSwitches?.find((l) => l.vpc === 'shop')?.l2Vni as number;
      assert.deepEqual(leaf1.segment[String(shopLs)], { key: String(shopLs), name: 'ls-shop_default', l2Vni: shopLs });
      assert.equal(Object.keys(leaf1.binding).length, 2, 'the nodes are still bound');
      assert.deepEqual(fabricCapabilitiesUsed(decodeOrThrow(FabricConfigCodec, leaf1, 'leaf1')), ['accessBinding', 'l2Segment']);
      const expected: ObjectProblem[] = [
        { kind: 'VPC', name: 'pay', code: 'NOT_SUPPORTED', message: 'leaf1 (hw-vtep) has no vrf/anycastGateway: VPC pay is switched but not routed on it' },
        { kind: 'VPC', name: 'shop', code: 'NOT_SUPPORTED', message: 'leaf1 (hw-vtep) has no vrf/anycastGateway: VPC shop is switched but not routed on it' },
      ];
      assert.deepEqual(configs.problems, expected);
      // leaf2 (no capability list: everything) is untouched by leaf1's limits.
      assert.deepEqual(Object.keys(leafOf(configs, 'leaf2').vrf), ['vpc-shop']);
      assert.equal(Object.keys(leafOf(configs, 'leaf2').interconnect).length, 1);
    });

    it('a leaf with vrf but no anycastGateway routes the VPC without gateways, and says so', async () => {
      const s = withLeafs({ leaf2: { capabilities: ['accessBinding', 'l2Segment', 'vrf'], adapter: 'x' } });
      const { configs } = await compileAndProject(s);
      const leaf2 = leafOf(configs, 'leaf2');
      assert.ok(Object.values(leaf2.segment).every((g) => g.vrf === 'vpc-shop' && g.anycastGateway === undefined));
      assert.deepEqual(leaf2.vrf['vpc-shop']?.importRouteTargets, [rt(l3.shop), rt(l3.pay)].sort(), 'routes still leak, on the VRF');
      assert.deepEqual(configs.problems?.map((p) => p.message), ["leaf2 (x) has no anycastGateway: VPC shop is routed on it without its subnets' gateways"]);
    });

    it('a leaf with a VTEP address but no floodVtep (ruijie-rgos) gets no flood entries, host-overlay nodes no tunnel to it', async () => {
      const full = withLeafs({ leaf1: { vtepIp: '192.0.2.201' }, leaf2: { vtepIp: '192.0.2.202' } });
      const limited = withLeafs({ leaf1: { vtepIp: '192.0.2.201' }, leaf2: { vtepIp: '192.0.2.202', capabilities: RUIJIE_RGOS, adapter: 'ruijie-rgos' } });
      const before = await compileAndProject(full);
      const after = await compileAndProject(limited);
      const tunnels = (c: DesiredConfigs) => Object.keys((c.devices.get('vs-edge-1')?.config as unknown as VSwitchConfigInput).tunnel).sort();
      assert.equal(Object.keys(leafOf(before.configs, 'leaf2').floodVtep ?? {}).length, 1, 'with the capability, leaf2 floods to edge-1');
      assert.deepEqual(tunnels(before.configs), [tunnelName('192.0.2.201'), tunnelName('192.0.2.202')].sort());
      assert.deepEqual(leafOf(after.configs, 'leaf2').floodVtep, {});
      assert.deepEqual(tunnels(after.configs), [tunnelName('192.0.2.201')]);
      assert.equal(Object.keys(leafOf(after.configs, 'leaf1').floodVtep ?? {}).length, 1, 'leaf1 keeps its flood entry');
      assert.deepEqual(after.configs.problems?.map((p) => `${p.kind} ${p.name}: ${p.message}`), [
        'VPC shop: leaf2 (ruijie-rgos) has no floodVtep: the host-overlay nodes of VPC shop are not in its flood lists and get no tunnel to it',
      ]);
    });

    it('is deterministic and reports each problem once', async () => {
      const s = withLeafs({ leaf1: { capabilities: HW_VTEP, adapter: 'hw-vtep' } });
      const { desired, configs } = await compileAndProject(s);
      const again = project({ desired, settings: s });
      assert.deepEqual(again, configs);
      const messages = configs.problems?.map((p) => p.message) ?? [];
      assert.equal(new Set(messages).size, messages.length);
    });
  });

  describe('the node overlay label (compiled and projected)', () => {
    // edge-3 is in the topology with a vswitch but no overlay and no leaf: only its label makes it a host-overlay node.
    const topology = [...TOPOLOGY, { name: 'edge-3', vswitch: 'vs-edge-3' }];
    const base = settings({ topology: { nodes: topology } });
    const s = withLeafs({ leaf1: { vtepIp: '192.0.2.201' }, leaf2: { vtepIp: '192.0.2.202' } }, { ...base, devices: [...base.devices, { name: 'vs-edge-3', role: 'vswitch' }] });
    const edge3 = (label: string | undefined): KubeNode => {
      const n = node('edge-3', '192.0.2.43');
      return label === undefined ? n : { ...n, metadata: { ...n.metadata, labels: { 'netloom.io/overlay': label } } };
    };
    const run = async (label: string | undefined) => {
      const c = snapshot(false);
      const desired = await compileIntent({
        plugins: PLUGINS,
        cluster: { ...c, nodes: [...c.nodes, edge3(label)], pods: [...c.pods, pod('shop', 'e3', 'edge-3')] },
        settings: s,
        store: new MemoryStore(),
      });
      return { desired, configs: project({ desired, settings: s }) };
    };

    it('host: the node tunnels to the leafs and the other host-overlay node of its VNI; the leafs flood to it', async () => {
      const { desired, configs } = await run('host');
      assert.deepEqual(desired.problems, []);
      const n = desired.network.nodes?.find((x) => x.name === 'edge-3');
      assert.equal(n?.overlay, 'host');
      assert.equal(n?.vtepIp, '192.0.2.43', 'its InternalIP is its VTEP');
      const shopLs = desired.network.logicalSwitches?.find((l) => l.vpc === 'shop')?.l2Vni as number;
      const vs = configs.devices.get('vs-edge-3')?.config as unknown as VSwitchConfigInput;
      assert.deepEqual(Object.values(vs.endpointPort).map((p) => p.attachment), [{ type: 'tunnel', tunnelKey: shopLs }]);
      assert.deepEqual(Object.values(vs.tunnel).map((t) => t.remoteIp).sort(), ['192.0.2.141', '192.0.2.201', '192.0.2.202']);
      for (const leaf of ['leaf1', 'leaf2']) assert.ok(leafOf(configs, leaf).floodVtep?.[`${shopLs}:192.0.2.43`] !== undefined, `${leaf} floods ${shopLs} to edge-3`);
    });

    it('a bad label is a problem on the Node; the default (network) applies, so the node gets no network here', async () => {
      const { desired, configs } = await run('hosted');
      const mine = desired.problems.filter((p) => p.kind === 'Node' && p.name === 'edge-3');
      assert.deepEqual(mine.map((p) => p.code).sort(), ['INPUT.INVALID', 'INPUT.INVALID']);
      assert.ok(mine.some((p) => /netloom\.io\/overlay="hosted" is neither "host" nor "network"/.test(p.message)));
      assert.equal(desired.network.nodes?.some((x) => x.name === 'edge-3'), false);
      assert.deepEqual(Object.keys((configs.devices.get('vs-edge-3')?.config as unknown as VSwitchConfigInput).endpointPort), []);
      for (const leaf of ['leaf1', 'leaf2']) assert.ok(!Object.keys(leafOf(configs, leaf).floodVtep ?? {}).some((k) => k.endsWith(':192.0.2.43')));
    });
  });
});
