// The router role end to end on fake devices (ADR 0012): compile (router VLANs allocated) → project → reconcile. The
// fake leaf refuses VRFs and gateways (`unsupported`, as hw-vtep would) and the settings say so; the fake router gets
// the routing. A second pass without the last pod of an LS removes its legs from both devices.
import { strict as assert } from 'node:assert';
import { adapter, fakeDeviceRegistry } from '@netloom/adapter-fake';
import { compileIntent, MemoryStore, project, Reconciler, vpcOfObject, type DesiredConfigs, type EngineSettings } from '@netloom/engine';
import { configEquals, decodeOrThrow, FabricConfigCodec, silentLogger, type ClusterSnapshot, type DeviceConfig, type DeviceDriver, type StorePort } from '@netloom/ports';
import { cluster, ns, pod, PLUGINS, settings, subnetCr } from './intent.fixtures';

const LEAF1_LACKS = ['vrf', 'anycastGateway', 'interconnect'];

function routerSettings(): EngineSettings {
  const base = settings();
  const devices = [...base.devices, { name: 'router1', role: 'router' as const }].map((d) =>
    d.name === 'leaf1' ? { ...d, capabilities: ['accessBinding', 'confirmedCommit', 'floodVtep', 'l2Segment'], adapter: 'fake' } : d,
  );
  return { ...base, devices, topology: { ...base.topology, routers: [{ device: 'router1', leaf: 'leaf1', port: 'Eth1/48' }] } };
}

function snapshot(withDb: boolean): ClusterSnapshot {
  return cluster({
    namespaces: [ns('default'), ns('kube-system'), ns('shop')],
    subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }), subnetCr('db', { cidrs: ['10.1.1.0/24'], vpc: 'shop' })],
    pods: [pod('shop', 'a', 'worker-1'), ...(withDb ? [pod('shop', 'b', 'worker-2', { annotations: { 'netloom.io/subnet': 'db' } })] : [])],
  });
}

const DRIVEN = ['leaf1', 'router1'];

function driver(name: string): DeviceDriver<DeviceConfig> {
  const options = name === 'leaf1' ? { unsupported: LEAF1_LACKS } : {};
  return adapter.ports.fabric!({ target: { name }, options, logger: silentLogger }) as unknown as DeviceDriver<DeviceConfig>;
}

/** The projected configs of the driven devices only (the others have no fake here). */
async function pass(store: StorePort, withDb: boolean): Promise<DesiredConfigs> {
  const s = routerSettings();
  const desired = await compileIntent({ plugins: PLUGINS, cluster: snapshot(withDb), settings: s, store });
  assert.deepEqual(desired.problems, []);
  const all = project({ desired, settings: s });
  assert.deepEqual(all.problems ?? [], [], 'the router serves shop: no "switched but not routed" problem');
  return { ...all, devices: new Map([...all.devices].filter(([name]) => DRIVEN.includes(name))) };
}

const owned = (name: string) => {
  const d = fakeDeviceRegistry.get(name);
  assert.ok(d, `fake ${name} exists`);
  return d.owned() as unknown as { vrf?: Record<string, unknown>; segment?: Record<string, { anycastGateway?: unknown; vrf?: string }>; binding?: Record<string, unknown> };
};

describe('router role end to end on fake devices', () => {
  beforeEach(() => fakeDeviceRegistry.reset());
  afterEach(() => fakeDeviceRegistry.reset());

  it('a leaf that refuses VRFs converges with the router port bound; the router holds the VRF, gateways and legs; the last pod of an LS leaving removes its legs', async () => {
    const store = new MemoryStore();
    const reconciler = new Reconciler({ drivers: new Map(DRIVEN.map((n) => [n, driver(n)])), store, vpcOfObject, logger: silentLogger });

    const first = await pass(store, true);
    const report = await reconciler.reconcile(first);
    assert.deepEqual(report.devices.map((d) => [d.device, d.outcome, d.error?.message]), [
      ['leaf1', 'applied', undefined],
      ['router1', 'applied', undefined],
    ]);
    for (const name of DRIVEN) {
      const want = decodeOrThrow(FabricConfigCodec, first.devices.get(name)?.config, name);
      assert.ok(configEquals(fakeDeviceRegistry.get(name)?.owned() as DeviceConfig, want as unknown as DeviceConfig), `${name} holds exactly the projected config`);
    }
    assert.deepEqual(owned('leaf1').vrf ?? {}, {});
    const routerBindings = Object.keys(owned('leaf1').binding ?? {}).filter((k) => k.startsWith('Eth1/48:'));
    assert.equal(routerBindings.length, 2);
    assert.deepEqual(Object.keys(owned('router1').vrf ?? {}), ['vpc-shop']);
    const segments = Object.values(owned('router1').segment ?? {});
    assert.equal(segments.length, 2);
    for (const s of segments) {
      assert.equal(s.vrf, 'vpc-shop');
      assert.ok(s.anycastGateway !== undefined);
    }
    // The leaf's router-port VLANs are the router's uplink VLANs.
    assert.deepEqual(
      routerBindings.map((k) => k.split(':')[1]).sort(),
      Object.keys(owned('router1').binding ?? {}).map((k) => k.split(':')[1]).sort(),
    );

    const second = await pass(store, false);
    const again = await reconciler.reconcile(second);
    assert.deepEqual(again.devices.map((d) => [d.device, d.outcome]), [
      ['leaf1', 'applied'],
      ['router1', 'applied'],
    ]);
    assert.equal(Object.keys(owned('router1').segment ?? {}).length, 1);
    assert.equal(Object.keys(owned('router1').binding ?? {}).length, 1);
    const left = Object.keys(owned('leaf1').binding ?? {}).filter((k) => k.startsWith('Eth1/48:'));
    assert.equal(left.length, 1);
    assert.ok(routerBindings.includes(left[0] ?? ''), 'the web leg keeps its VLAN');
  });
});
