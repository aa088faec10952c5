// Peered traffic through the VFW (ADR 0013): a firewall plugged into a leaf gets a leg (VLAN + address) in every
// logical switch of each peered VPC that leaf carries, the leaf binds the legs, and every VRF that can hold static
// routes sends the peer's prefixes to the firewall's leg instead of importing the peer's route target. Compiled with
// the real plugins and projected: the exact objects each device gets.
import { strict as assert } from 'node:assert';
import { compileIntent, IpamAllocator, legInterface, MemoryStore, project, type DesiredConfigs, type DesiredState, type EngineSettings } from '@netloom/engine';
import { bindingKey, decodeOrThrow, FabricConfigCodec, FirewallConfigCodec, vrfRouteTarget, type ClusterSnapshot, type FabricConfigInput, type FirewallConfigInput, type StorePort } from '@netloom/ports';
import { cluster, ns, peering, pod, PLUGINS, settings, subnetCr } from './intent.fixtures';

const HW_VTEP = ['accessBinding', 'floodVtep', 'l2Segment'];
const LINUX_ROUTER = ['accessBinding', 'anycastGateway', 'l2Segment', 'staticRoute', 'vrf'];
const NFTABLES = ['addressSets', 'legs', 'policies', 'zones'];

/** leaf1 hw-vtep with router1 behind it; fw1 plugged into leaf1 at Eth1/47. */
function fwSettings(o: { router?: string[]; firewall?: string[] } = {}): EngineSettings {
  const base = settings();
  const caps: Record<string, { capabilities: string[]; adapter: string }> = {
    leaf1: { capabilities: HW_VTEP, adapter: 'hw-vtep' },
    router1: { capabilities: o.router ?? LINUX_ROUTER, adapter: 'linux-router' },
    fw1: { capabilities: o.firewall ?? NFTABLES, adapter: 'nftables' },
  };
  const devices = [...base.devices, { name: 'router1', role: 'router' as const }].map((d) => ({ ...d, ...(caps[d.name] ?? {}) }));
  return {
    ...base,
    devices,
    topology: { ...base.topology, routers: [{ device: 'router1', leaf: 'leaf1', port: 'Eth1/48', uplink: 'up0' }], firewalls: [{ device: 'fw1', leaf: 'leaf1', port: 'Eth1/47', uplink: 'eth1' }] },
  };
}

/** shop: web (10.1.0.0/24, worker-1), db (10.1.1.0/24, worker-2); ops: ops-web (10.2.0.0/24, worker-2); pay overlaps shop's web. */
function snapshot(o: { peered?: boolean; payPeered?: boolean } = {}): ClusterSnapshot {
  return cluster({
    namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('ops'), ns('pay')],
    subnets: [
      subnetCr('web', { cidrs: ['10.1.0.0/24'], namespaces: ['shop'], default: true }),
      subnetCr('db', { cidrs: ['10.1.1.0/24'], vpc: 'shop' }),
      subnetCr('ops-web', { cidrs: ['10.2.0.0/24'], namespaces: ['ops'], default: true }),
      subnetCr('pay-web', { cidrs: ['10.1.0.0/24'], namespaces: ['pay'], default: true }),
    ],
    pods: [pod('shop', 'a', 'worker-1'), pod('shop', 'b', 'worker-2', { annotations: { 'netloom.io/subnet': 'db' } }), pod('ops', 'o', 'worker-2'), pod('pay', 'x', 'worker-1')],
    peerings: [
      ...(o.peered === false ? [] : [peering('shop-ops', ['shop', 'ops'], [{ protocol: 'tcp', ports: [8080] }])]),
      ...(o.payPeered === true ? [peering('pay-ops', ['pay', 'ops'], [{ protocol: 'tcp', ports: [9090] }])] : []),
    ],
  });
}

async function run(s: EngineSettings, snap: ClusterSnapshot, store: StorePort = new MemoryStore()): Promise<{ desired: DesiredState; configs: DesiredConfigs }> {
  const desired = await compileIntent({ plugins: PLUGINS, cluster: snap, settings: s, store });
  return { desired, configs: project({ desired, settings: s }) };
}

const fabricOf = (configs: DesiredConfigs, device: string): FabricConfigInput => decodeOrThrow(FabricConfigCodec, configs.devices.get(device)?.config, device) as unknown as FabricConfigInput;
const firewallOf = (configs: DesiredConfigs, device: string): FirewallConfigInput => decodeOrThrow(FirewallConfigCodec, configs.devices.get(device)?.config, device) as unknown as FirewallConfigInput;

function leg(desired: DesiredState, ls: string): { vlan: number; address: string; ip: string } {
  const found = desired.firewallLegs?.find((l) => l.firewall === 'fw1' && l.ls === ls);
  assert.ok(found, `no leg of fw1 in ${ls}: ${JSON.stringify(desired.firewallLegs)}`);
  return { vlan: found.vlan, address: found.address, ip: found.address.split('/')[0]! };
}

const l2 = (desired: DesiredState, ls: string): number => desired.network.logicalSwitches!.find((l) => l.name === ls)!.l2Vni;
const l3 = (desired: DesiredState, vpc: string): number => desired.network.logicalRouters!.find((l) => l.vpc === vpc)!.l3Vni;

describe('projection: peered traffic through the firewall (ADR 0013)', () => {
  it('gives the firewall a leg per logical switch of each peered VPC, in its subnet and on its own VLAN', async () => {
    const { desired } = await run(fwSettings(), snapshot());
    assert.deepEqual(desired.problems, []);
    assert.deepEqual(desired.firewallLegs?.map((l) => `${l.firewall} ${l.vpc} ${l.ls}`), ['fw1 shop db', 'fw1 shop web', 'fw1 ops ops-web'].sort((a, b) => a.split(' ')[2]!.localeCompare(b.split(' ')[2]!)));
    assert.match(leg(desired, 'web').address, /^10\.1\.0\.\d+\/24$/);
    assert.match(leg(desired, 'db').address, /^10\.1\.1\.\d+\/24$/);
    assert.match(leg(desired, 'ops-web').address, /^10\.2\.0\.\d+\/24$/);
    // No pod got a leg's address, and the VPC without a peering (pay) has no leg.
    const podIps = new Set(desired.network.endpoints!.flatMap((e) => [...e.ips]));
    for (const ls of ['web', 'db', 'ops-web']) assert.ok(!podIps.has(leg(desired, ls).ip), `${ls}: a pod has the leg's address`);
    assert.ok(!desired.firewallLegs!.some((l) => l.vpc === 'pay'));
    assert.equal(new Set(desired.firewallLegs!.map((l) => l.vlan)).size, 3, 'one VLAN per leg on the firewall trunk');
  });

  it('the firewall gets the legs in its zones, the leaf binds them, the router routes each peer to the leg', async () => {
    const { desired, configs } = await run(fwSettings(), snapshot());
    const fw = firewallOf(configs, 'fw1');
    const web = leg(desired, 'web');
    const db = leg(desired, 'db');
    const ops = leg(desired, 'ops-web');
    assert.deepEqual(
      [...(fw.zone['vpc-shop']?.legs ?? [])].sort((a, b) => a.vlan - b.vlan),
      [web, db].sort((a, b) => a.vlan - b.vlan).map((l) => ({ interface: legInterface(l.vlan), uplink: 'eth1', vlan: l.vlan, address: l.address })),
    );
    assert.deepEqual(fw.zone['vpc-ops']?.legs, [{ interface: legInterface(ops.vlan), uplink: 'eth1', vlan: ops.vlan, address: ops.address }]);
    // Zones of a firewall with legs are its legs only: pay (no peering) has none, and no CIDR claims a leg's packets.
    assert.deepEqual(Object.keys(fw.zone).sort(), ['vpc-ops', 'vpc-shop']);
    assert.ok(Object.values(fw.zone).every((z) => z.cidrs.length === 0));
    assert.ok(Object.values(fw.policy).some((p) => p.srcZone === 'vpc-shop' && p.dstZone === 'vpc-ops' && p.protocol === 'tcp'));

    const leaf = fabricOf(configs, 'leaf1');
    for (const [ls, l] of [['web', web], ['db', db], ['ops-web', ops]] as const) {
      const key = bindingKey({ interface: 'Eth1/47', vlan: l.vlan });
      assert.deepEqual(leaf.binding[key], { key, interface: 'Eth1/47', vlan: l.vlan, l2Vni: l2(desired, ls) }, `leaf binding of the ${ls} leg`);
    }

    const router = fabricOf(configs, 'router1');
    // Next hop: the leg in the VPC's segment with the lowest L2 VNI on the router.
    const shopHop = [['web', web], ['db', db]].sort((a, b) => l2(desired, a[0] as string) - l2(desired, b[0] as string))[0]![1] as typeof web;
    assert.deepEqual(router.vrf['vpc-shop']?.staticRoutes, [{ prefix: '10.2.0.0/24', nextHop: shopHop.ip }]);
    assert.deepEqual(router.vrf['vpc-ops']?.staticRoutes, [
      { prefix: '10.1.0.0/24', nextHop: ops.ip },
      { prefix: '10.1.1.0/24', nextHop: ops.ip },
    ]);
    // The direct leak is gone: each VRF imports its own route target only.
    assert.deepEqual(router.vrf['vpc-shop']?.importRouteTargets, [vrfRouteTarget(l3(desired, 'shop'))]);
    assert.deepEqual(router.vrf['vpc-ops']?.importRouteTargets, [vrfRouteTarget(l3(desired, 'ops'))]);
    assert.deepEqual(configs.problems ?? [], []);
  });

  it('a router without staticRoute keeps the direct leak and says the peering bypasses the firewall', async () => {
    const { desired, configs } = await run(fwSettings({ router: LINUX_ROUTER.filter((c) => c !== 'staticRoute') }), snapshot());
    const router = fabricOf(configs, 'router1');
    assert.equal(router.vrf['vpc-shop']?.staticRoutes, undefined);
    assert.ok(router.vrf['vpc-shop']?.importRouteTargets?.includes(vrfRouteTarget(l3(desired, 'ops'))), 'the peer route target is imported');
    const messages = (configs.problems ?? []).map((p) => p.message);
    assert.ok(messages.some((m) => /router1 \(linux-router\) has no staticRoute: traffic between VPC shop and its peer ops is routed directly on it/.test(m)), messages.join('\n'));
  });

  it('a firewall adapter without legs: no legs, the leak stays, the peered VPCs say why', async () => {
    const { desired, configs } = await run(fwSettings({ firewall: NFTABLES.filter((c) => c !== 'legs') }), snapshot());
    assert.equal(desired.firewallLegs, undefined);
    assert.ok(desired.problems.some((p) => p.kind === 'VPC' && p.name === 'shop' && /firewall fw1 \(nftables\) has no legs/.test(p.message)));
    assert.equal(fabricOf(configs, 'router1').vrf['vpc-shop']?.staticRoutes, undefined);
  });

  it('deleting the peering removes legs, bindings and routes; peering again brings back the same VLANs and addresses', async () => {
    const store = new MemoryStore();
    const first = await run(fwSettings(), snapshot(), store);
    const before = leg(first.desired, 'web');
    const gone = await run(fwSettings(), snapshot({ peered: false }), store);
    assert.equal(gone.desired.firewallLegs, undefined);
    assert.ok(!Object.values(fabricOf(gone.configs, 'leaf1').binding).some((b) => b.interface === 'Eth1/47'));
    assert.equal(fabricOf(gone.configs, 'router1').vrf['vpc-shop']?.staticRoutes, undefined);
    // A firewall on legs keeps no CIDR zones while nothing is peered: shop and pay overlap (10.1.0.0/24), a CIDR zone
    // would give the range to whichever VPC came first.
    assert.deepEqual(firewallOf(gone.configs, 'fw1').zone, {});
    assert.deepEqual(firewallOf(gone.configs, 'fw1').policy, {});
    // Kept while the subnet exists (as a router's VLANs are): no pod got the address meanwhile.
    const again = await run(fwSettings(), snapshot(), store);
    assert.deepEqual(leg(again.desired, 'web'), before);
  });

  it('a firewall that leaves the topology gives its leg addresses back; one that stays keeps them while nothing is peered', async () => {
    const store = new MemoryStore();
    const ipam = new IpamAllocator({ store });
    const owned = async (): Promise<string[]> => (await ipam.list({ subnet: 'subnet.web.v4' })).filter((b) => b.owner === 'firewall_fw1' && b.state === 'allocated').map((b) => b.ip);
    const first = await run(fwSettings(), snapshot(), store);
    const { ip } = leg(first.desired, 'web');
    assert.deepEqual(await owned(), [ip]);
    await run(fwSettings(), snapshot({ peered: false }), store);
    assert.deepEqual(await owned(), [ip], 'kept while fw1 stays in the topology');
    const base = fwSettings();
    await run({ ...base, topology: { ...base.topology, firewalls: [] } }, snapshot({ peered: false }), store);
    assert.deepEqual(await owned(), [], 'released once fw1 left the topology');
    assert.equal(await ipam.holder({ subnet: 'subnet.web.v4', ip }), undefined, `${ip} is free for a pod again`);
  });

  it('a VPC whose range overlaps one the firewall serves gets no leg, with a problem naming both', async () => {
    const { desired } = await run(fwSettings(), snapshot({ payPeered: true }));
    // pay (10.1.0.0/24) sorts before shop (10.1.0.0/24 as well): pay is served, shop is not.
    assert.ok(desired.firewallLegs!.some((l) => l.vpc === 'pay'));
    assert.ok(!desired.firewallLegs!.some((l) => l.vpc === 'shop'));
    const p = desired.problems.find((x) => x.kind === 'VPC' && x.name === 'shop');
    assert.ok(p !== undefined && /firewall fw1: 10\.1\.0\.0\/24 overlaps 10\.1\.0\.0\/24 of VPC pay/.test(p.message), JSON.stringify(desired.problems));
  });
});
