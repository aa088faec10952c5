// Route leaking for a VpcPeering end to end, through the real adapters on their protocol simulators (the demo's
// profile: leaf1 Huawei CE over SSH, leaf2 Arista EOS over eAPI), and the capabilities the runtime hands the engine.
import assert from 'node:assert/strict';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { ScenarioSource } from '@netloom/adapter-scenario';
import { silentLogger, vrfRouteTarget } from '@netloom/ports';
import { Controller, createContainer, disposeContainer, engineSettingsFromProfile, loadProfile, loadProfileAdapters, openKubernetesSource } from '@netloom/runtime';
import { highlightsOf } from '@netloom/runtime/dist/cli/demo.report';
import { cleanTmp, onFakeDevices, openSimulatedDemo, writeProfile, type SimulatedDemo } from './helpers';

type Owned = Record<string, Record<string, Record<string, unknown>>>;

describe('runtime: a VpcPeering leaks routes between the VRFs on the simulated leafs', function () {
  this.timeout(120_000);
  let demo: SimulatedDemo | undefined;
  let close: (() => Promise<void>) | undefined;
  beforeEach(() => fakeDeviceRegistry.reset());
  afterEach(async () => {
    await demo?.close();
    await close?.();
    demo = undefined;
    close = undefined;
    fakeDeviceRegistry.reset();
  });
  after(cleanTmp);

  it('the running configs of leaf1 (Huawei) and leaf2 (Arista) show the peer\'s route target imported into each VRF, and not after the peering is deleted', async () => {
    demo = await openSimulatedDemo();
    const { container, source, simulators } = demo;
    assert.ok(source instanceof ScenarioSource, 'the embedded profile plays a scenario');
    assert.ok(source.objects('VpcPeering').some((p) => p.metadata.name === 'shop-billing'), 'the scenario ends with the shop-billing peering');
    const controller = await Controller.create({ container, source });
    // Neither leaf adapter declares interconnect: the routes leak on the VRFs themselves.
    for (const leaf of ['leaf1', 'leaf2']) assert.equal(controller.settings.devices.find((d) => d.name === leaf)?.capabilities?.includes('interconnect'), false, leaf);

    const first = await controller.apply();
    assert.ok(first.report.devices.every((d) => d.outcome === 'applied'), JSON.stringify(first.report.devices.map((d) => [d.device, d.outcome, d.error?.message])));
    const l3 = (vpc: string): number => {
      const lr = first.compiled.desired.network.logicalRouters?.find((l) => l.vpc === vpc);
      assert.ok(lr, `VPC ${vpc} has an LR`);
      return lr.l3Vni;
    };
    const shopRt = vrfRouteTarget(l3('shop'));
    const billingRt = vrfRouteTarget(l3('billing'));
    const vrfOn = async (leaf: string, vrf: string): Promise<{ importRouteTargets?: string[]; exportRouteTargets?: string[] }> => {
      const harness = simulators?.get(leaf).harness;
      assert.ok(harness, `${leaf}'s simulator has a harness`);
      // Parsed from the simulator's running configuration (what the adapter's session committed).
      const owned = (await harness.readConfig()).owned as unknown as Owned;
      const v = owned['vrf']?.[vrf];
      assert.ok(v, `${leaf} holds ${vrf}: ${JSON.stringify(Object.keys(owned['vrf'] ?? {}))}`);
      return v as { importRouteTargets?: string[]; exportRouteTargets?: string[] };
    };
    // What `netloom demo` prints for the peering: the leaked route targets per leaf, from the projected configs.
    assert.equal(
      highlightsOf(first.compiled).peerings.get('shop-billing')?.line.replace(/^.*; routes: /, ''),
      `leaf1 vpc-billing imports ${shopRt} from vpc-shop; leaf1 vpc-shop imports ${billingRt} from vpc-billing; leaf2 vpc-billing imports ${shopRt} from vpc-shop; leaf2 vpc-shop imports ${billingRt} from vpc-billing)`,
    );
    for (const leaf of ['leaf1', 'leaf2']) {
      assert.equal(simulators.get(leaf).adapter.packageName, leaf === 'leaf1' ? '@netloom/adapter-huawei-ce' : '@netloom/adapter-arista-eos');
      assert.deepEqual(await vrfOn(leaf, 'vpc-shop'), { key: 'vpc-shop', name: 'vpc-shop', l3Vni: l3('shop'), importRouteTargets: [billingRt, shopRt].sort(), exportRouteTargets: [shopRt] }, leaf);
      assert.deepEqual((await vrfOn(leaf, 'vpc-billing')).importRouteTargets, [billingRt, shopRt].sort(), leaf);
      // Only the peered VPCs leak: kube-system's VRF imports its own target alone.
      assert.deepEqual((await vrfOn(leaf, 'vpc-kube-system')).importRouteTargets, [vrfRouteTarget(l3('kube-system'))], leaf);
    }

    // The peering goes: the next pass takes the leaked targets away again, and nothing else of the VRFs.
    source.applyNow({ delete: [{ kind: 'VpcPeering', name: 'shop-billing' }] }, 'peering deleted');
    const second = await controller.apply();
    assert.ok(second.report.devices.every((d) => d.outcome === 'applied' || d.outcome === 'unchanged'), JSON.stringify(second.report.devices.map((d) => [d.device, d.outcome, d.error?.message])));
    assert.deepEqual(second.compiled.desired.network.vrbs, []);
    for (const leaf of ['leaf1', 'leaf2']) {
      assert.equal(second.report.devices.find((d) => d.device === leaf)?.outcome, 'applied', `${leaf} was changed`);
      assert.deepEqual(await vrfOn(leaf, 'vpc-shop'), { key: 'vpc-shop', name: 'vpc-shop', l3Vni: l3('shop'), importRouteTargets: [shopRt], exportRouteTargets: [shopRt] }, leaf);
      assert.deepEqual((await vrfOn(leaf, 'vpc-billing')).importRouteTargets, [billingRt], leaf);
    }
    // Converged over the wire: a plan reads both leafs back and finds nothing to do.
    const again = await controller.plan();
    assert.equal(again.report.devices.reduce((n, d) => n + (d.changeSet?.changes.length ?? 0), 0), 0);
  });

  it('engine settings carry each device\'s declared capabilities and adapter id from the loaded manifests', async () => {
    const loaded = loadProfile(
      writeProfile({ example: 'embedded.yaml' }, [
        { path: ['inventory', 'devices', 1, 'adapter'], value: '@netloom/adapter-hw-vtep' },
        { path: ['inventory', 'devices', 1, 'simulator'] },
        { path: ['inventory', 'devices', 1, 'options'], value: { physicalSwitch: 'leaf2', remote: 'unix:/nonexistent/db.sock' } },
      ]),
    );
    const s = engineSettingsFromProfile(loaded.profile, await loadProfileAdapters(loaded));
    const leaf = (name: string) => s.devices.find((d) => d.name === name);
    assert.deepEqual(leaf('leaf1'), { name: 'leaf1', role: 'leaf', capabilities: ['accessBinding', 'anycastGateway', 'confirmedCommit', 'floodVtep', 'l2Segment', 'vrf'], adapter: 'huawei-ce' });
    assert.deepEqual(leaf('leaf2'), { name: 'leaf2', role: 'leaf', capabilities: ['accessBinding', 'floodVtep', 'l2Segment'], adapter: 'hw-vtep' });
    assert.ok(leaf('fw1')?.capabilities?.includes('policies'), 'other roles carry their port\'s capabilities too');
    // Without the adapters (a caller that has none), devices carry no list: the projection assumes everything.
    assert.deepEqual(engineSettingsFromProfile(loaded.profile).devices.find((d) => d.name === 'leaf2'), { name: 'leaf2', role: 'leaf' });
  });

  it('the demo line names the route targets leaked through interconnects too (leafs whose adapter declares it: fake)', async () => {
    const loaded = loadProfile(writeProfile({ example: 'embedded.yaml' }, [...onFakeDevices(), { path: ['store', 'options', 'path'], value: ':memory:' }]));
    const container = createContainer({ loaded, adapters: await loadProfileAdapters(loaded), logger: silentLogger });
    const source = await openKubernetesSource(loaded.profile, silentLogger);
    close = async () => {
      await source.close();
      await disposeContainer(container);
    };
    const controller = await Controller.create({ container, source });
    const compiled = await controller.compile();
    const leaf1 = compiled.configs.devices.get('leaf1')?.config as unknown as Owned;
    assert.deepEqual(Object.keys(leaf1['interconnect'] ?? {}).sort(), ['peer-shop-billing_billing', 'peer-shop-billing_shop']);
    const l3 = (vpc: string) => compiled.desired.network.logicalRouters?.find((l) => l.vpc === vpc)?.l3Vni ?? -1;
    const line = highlightsOf(compiled).peerings.get('shop-billing')?.line ?? '';
    assert.match(line, new RegExp(`; routes: leaf1 vpc-billing imports ${vrfRouteTarget(l3('shop'))} from vpc-shop; leaf1 vpc-shop imports ${vrfRouteTarget(l3('billing'))} from vpc-billing; leaf2 `));
  });
});
