import { strict as assert } from 'node:assert';
import { compileIntent, MemoryStore, project, vpcOfObject, type DesiredConfigs, type DesiredState } from '@netloom/engine';
import {
  decodeOrThrow,
  FabricConfigCodec,
  FirewallConfigCodec,
  LoadBalancerConfigCodec,
  VSwitchConfigCodec,
  type DeviceConfig,
  type FabricConfigInput,
  type FirewallConfigInput,
  type LoadBalancerConfigInput,
  type VSwitchConfigInput,
} from '@netloom/ports';
import { cluster, lbService, ns, peering, pod, settings, slice, subnetCr, PLUGINS } from './intent.fixtures';

const scenario = () =>
  cluster({
    namespaces: [ns('default'), ns('kube-system'), ns('shop'), ns('pay')],
    subnets: [subnetCr('web', { cidrs: ['10.1.0.0/24', 'fd00:1::/64'], namespaces: ['shop'], default: true }), subnetCr('db', { cidrs: ['10.1.1.0/24'], vpc: 'shop' })],
    pods: [
      pod('shop', 'a', 'worker-1'),
      pod('shop', 'b', 'worker-1', { annotations: { 'netloom.io/subnet': 'db' } }),
      pod('shop', 'c', 'worker-3', { annotations: { 'netloom.io/ingress-rate': '100M', 'netloom.io/egress-rate': '10M' } }),
      pod('pay', 'x', 'worker-2'),
      pod('shop', 'e1', 'edge-1'),
      pod('shop', 'e2', 'edge-2'),
      pod('pay', 'e3', 'edge-2'),
    ],
    services: [lbService('shop', 'web', [{ port: 443, targetPort: 8443 }]), lbService('pay', 'dns', [{ port: 53, protocol: 'UDP' }])],
    endpointSlices: [slice('shop', 'web', 'web-1', [{ ip: '10.1.0.2', ready: true }, { ip: '10.1.0.3', ready: false, terminating: true }], [{ port: 8443 }])],
    peerings: [peering('shop-pay', ['shop', 'pay'], [{ protocol: 'tcp', ports: [443] }])],
  });

async function compiled(): Promise<{ desired: DesiredState; configs: DesiredConfigs }> {
  const desired = await compileIntent({ plugins: PLUGINS, cluster: scenario(), settings: settings(), store: new MemoryStore() });
  assert.deepEqual(desired.problems, []);
  return { desired, configs: project({ desired, settings: settings() }) };
}

const cfg = <T>(configs: DesiredConfigs, device: string): T => {
  const d = configs.devices.get(device);
  assert.ok(d, `no config for ${device}`);
  return d.config as unknown as T;
};

describe('project', () => {
  let desired: DesiredState;
  let configs: DesiredConfigs;
  before(async () => {
    ({ desired, configs } = await compiled());
  });
  const lsVni = (subnet: string) => desired.network.logicalSwitches?.find((l) => l.subnet === subnet)?.l2Vni as number;
  const epOf = (id: string) => desired.network.endpoints?.find((e) => e.id === id);

  it('gives every device of the inventory a config, in its port', () => {
    assert.deepEqual([...configs.devices.keys()], ['fw1', 'lb1', 'leaf1', 'leaf2', 'vs-edge-1', 'vs-edge-2', 'vs-worker-1', 'vs-worker-2', 'vs-worker-3']);
    assert.deepEqual([...configs.devices.values()].map((d) => d.port), ['firewall', 'loadBalancer', 'fabric', 'fabric', 'vswitch', 'vswitch', 'vswitch', 'vswitch', 'vswitch']);
  });

  it('puts on a leaf only the segments with endpoints behind it, their VRFs, and the bindings of its nodes', () => {
    const leaf1 = cfg<FabricConfigInput>(configs, 'leaf1');
    const web = lsVni('web');
    assert.deepEqual(Object.keys(leaf1.segment).sort(), [String(lsVni('db')), String(lsVni('pay_default')), String(web)].sort());
    assert.deepEqual(leaf1.segment[String(web)], {
      key: String(web),
      name: 'ls-web',
      l2Vni: web,
      vrf: 'vpc-shop',
      anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' },
    });
    assert.deepEqual(Object.keys(leaf1.vrf), ['vpc-pay', 'vpc-shop']);
    assert.equal(leaf1.vrf['vpc-shop']?.l3Vni, desired.network.logicalRouters?.find((l) => l.vpc === 'shop')?.l3Vni);
    const expected = [epOf('shop.a'), epOf('shop.b'), epOf('pay.x')].map((e) => {
      const port = e?.node === 'worker-1' ? 'Eth1/1' : 'Eth1/2';
      return { key: `${port}:${e?.vlan}`, interface: port, vlan: e?.vlan, l2Vni: lsVni(e?.subnet as string) };
    });
    assert.deepEqual(Object.values(leaf1.binding).sort((a, b) => a.key.localeCompare(b.key)), expected.sort((a, b) => a.key.localeCompare(b.key)));
    // leaf2 carries worker-3's web segment only, and only the shop VRF; no host-overlay node shows up anywhere.
    const leaf2 = cfg<FabricConfigInput>(configs, 'leaf2');
    assert.deepEqual(Object.keys(leaf2.segment), [String(web)]);
    assert.deepEqual(Object.keys(leaf2.vrf), ['vpc-shop']);
    assert.deepEqual(Object.keys(leaf2.binding), [`Eth1/1:${epOf('shop.c')?.vlan}`]);
  });

  it('gives a network-overlay vswitch br-int, a trunk with exactly its VLANs and a tagged port per endpoint', () => {
    const vs = cfg<VSwitchConfigInput>(configs, 'vs-worker-1');
    assert.deepEqual(vs.bridge, { 'br-int': { key: 'br-int', name: 'br-int', failMode: 'secure' } });
    const a = epOf('shop.a');
    const b = epOf('shop.b');
    assert.deepEqual(vs.uplink, { eth1: { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [a?.vlan, b?.vlan].sort() } });
    assert.deepEqual(vs.tunnel, {});
    const ports = Object.values(vs.endpointPort);
    assert.equal(ports.length, 2);
    const pa = ports.find((p) => p.endpointId === 'shop/shop.a');
    assert.ok(pa);
    assert.match(pa.name, /^nl[0-9a-f]{11}$/);
    assert.deepEqual({ ...pa, key: undefined, name: undefined }, {
      key: undefined,
      name: undefined,
      bridge: 'br-int',
      mac: a?.mac,
      ips: a?.ips,
      attachment: { type: 'vlan', vlan: a?.vlan },
      endpointId: 'shop/shop.a',
      pod: { namespace: 'shop', name: 'a' },
    });
    const w3 = cfg<VSwitchConfigInput>(configs, 'vs-worker-3');
    assert.deepEqual(Object.keys(w3.uplink), ['bond0']);
    assert.deepEqual(Object.values(w3.endpointPort)[0]?.qos, { ingressRateKbps: 100_000, egressRateKbps: 10_000 });
  });

  it('gives host-overlay vswitches tunnel-key ports and tunnels to the VTEPs sharing a VNI', () => {
    const e1 = cfg<VSwitchConfigInput>(configs, 'vs-edge-1');
    assert.deepEqual(e1.uplink, {});
    assert.deepEqual(Object.values(e1.endpointPort).map((p) => p.attachment), [{ type: 'tunnel', tunnelKey: lsVni('web') }]);
    assert.deepEqual(Object.values(e1.tunnel).map((t) => ({ ...t, key: undefined, name: undefined })), [
      { key: undefined, name: undefined, bridge: 'br-int', remoteIp: '192.0.2.142', tunnelKey: 'flow', localIp: '192.0.2.141' },
    ]);
    assert.ok(Object.keys(e1.tunnel).every((n) => n.length <= 15));
    assert.deepEqual(Object.values(cfg<VSwitchConfigInput>(configs, 'vs-edge-2').tunnel).map((t) => t.remoteIp), ['192.0.2.141']);
  });

  it('gives the firewall a zone per VPC with its CIDRs and the VFW policies', () => {
    const fw = cfg<FirewallConfigInput>(configs, 'fw1');
    assert.deepEqual(Object.keys(fw.zone), ['vpc-default', 'vpc-kube-system', 'vpc-pay', 'vpc-shop']);
    assert.deepEqual(fw.zone['vpc-shop'], { key: 'vpc-shop', name: 'vpc-shop', vpc: 'shop', interfaces: [], cidrs: ['10.1.0.0/24', '10.1.1.0/24', 'fd00:1::/64'] });
    const flows = Object.values(fw.policy).map((p) => `${p.srcZone}>${p.dstZone} ${p.protocol} ${JSON.stringify(p.ports)} ${p.action}`);
    assert.ok(flows.includes('vpc-shop>vpc-pay tcp [{"from":443,"to":443}] allow'));
    assert.ok(flows.includes('vpc-pay>vpc-shop tcp [{"from":443,"to":443}] allow'));
    assert.ok(flows.includes('vpc-shop>vpc-kube-system udp [{"from":53,"to":53}] allow'));
    assert.equal(flows.length, 2 + 3 * 2);
  });

  it('gives the load balancer a partition per VPC with pools, members, virtual servers and TCP monitors', () => {
    const lb = cfg<LoadBalancerConfigInput>(configs, 'lb1');
    assert.deepEqual(Object.keys(lb.partition), ['vpc-pay', 'vpc-shop']);
    const vip = desired.network.vlbs?.find((v) => v.vpc === 'shop')?.virtualServers[0]?.vip;
    assert.deepEqual(lb.virtualServer['vpc-shop/shop.web.tcp-443'], { key: 'vpc-shop/shop.web.tcp-443', partition: 'vpc-shop', name: 'shop.web.tcp-443', vip, port: 443, protocol: 'tcp', pool: 'shop.web.tcp-443' });
    assert.deepEqual(Object.values(lb.member).map((m) => `${m.key} ${m.state}`), ['vpc-shop/shop.web.tcp-443/10.1.0.2:8443 enabled', 'vpc-shop/shop.web.tcp-443/10.1.0.3:8443 draining']);
    assert.deepEqual(Object.keys(lb.monitor), ['vpc-shop/shop.web.tcp-443']);
    assert.equal(lb.pool['vpc-pay/pay.dns.udp-53']?.monitor, undefined);
  });

  it('projects configs that every port codec accepts', () => {
    const codecs = { fabric: FabricConfigCodec, vswitch: VSwitchConfigCodec, firewall: FirewallConfigCodec, loadBalancer: LoadBalancerConfigCodec } as const;
    for (const d of configs.devices.values()) decodeOrThrow(codecs[d.port as keyof typeof codecs] as typeof FabricConfigCodec, d.config, `desired config of ${d.device}`);
  });

  it('lets vpcOfObject tell the VPC of every projected object back; shared objects have none', () => {
    const vpcOfVni = new Map<number, string>([...(desired.network.logicalSwitches ?? []).map((l) => [l.l2Vni, l.vpc] as const), ...(desired.network.logicalRouters ?? []).map((l) => [l.l3Vni, l.vpc] as const)]);
    const vpcOfMac = new Map((desired.network.endpoints ?? []).map((e) => [e.mac as string, e.vpc]));
    const vpcOfVip = new Map((desired.network.vlbs ?? []).flatMap((l) => l.virtualServers.map((v) => [v.pool.name, l.vpc] as const)));
    const vpcOfCidr = new Map((desired.network.subnets ?? []).flatMap((s) => [s.ipv4?.cidr, s.ipv6?.cidr].map((c) => [c, s.vpc] as const)));
    const vfw = desired.network.vfws?.[0];
    const vpcOfVrb = new Map((desired.network.vrbs ?? []).map((v) => [v.name, v.vpc]));
    const expected = (port: string, kind: string, o: Record<string, unknown>): string | undefined => {
      if (port === 'fabric') return kind === 'interconnect' ? vpcOfVrb.get(o['name'] as string) : vpcOfVni.get((o['l2Vni'] ?? o['l3Vni']) as number);
      if (port === 'vswitch') return kind === 'endpointPort' ? vpcOfMac.get(o['mac'] as string) : undefined;
      if (port === 'firewall') {
        if (kind === 'zone') return vpcOfCidr.get((o['cidrs'] as string[])[0]);
        const p = vfw?.policies.find((x) => x.name === o['name']);
        return vfw?.zones.find((z) => z.name === p?.dstZone)?.vpc;
      }
      if (kind === 'partition') return vpcOfVip.get(Object.values(cfg<LoadBalancerConfigInput>(configs, 'lb1').pool).find((p) => p.partition === o['name'])?.name ?? '');
      return vpcOfVip.get((o['pool'] ?? o['name']) as string);
    };
    let checked = 0;
    let shared = 0;
    for (const d of configs.devices.values()) {
      for (const [kind, objects] of Object.entries(d.config)) {
        for (const o of Object.values(objects)) {
          const want = expected(d.port, kind, o as unknown as Record<string, unknown>);
          assert.equal(vpcOfObject(d.port, kind, o as unknown as { key: string } & Record<string, unknown>, d.config), want, `${d.device} ${kind} ${o.key}`);
          if (want === undefined) shared++;
          else checked++;
        }
      }
    }
    assert.ok(checked > 30, String(checked));
    assert.equal(shared, 5 + 3 + 2); // bridges, uplinks of the three workers, one tunnel on each edge node
    // A binding can only be resolved through its config.
    const leaf1 = configs.devices.get('leaf1')?.config as DeviceConfig;
    const binding = Object.values(leaf1['binding'] ?? {})[0] as { key: string } & Record<string, unknown>;
    assert.equal(vpcOfObject('fabric', 'binding', binding), undefined);
    assert.ok(vpcOfObject('fabric', 'binding', binding, leaf1) !== undefined);
  });

  it('is deterministic and copies failedVpcs', async () => {
    const again = project({ desired, settings: settings() });
    assert.deepEqual(again, configs);
    assert.equal(JSON.stringify([...again.devices]), JSON.stringify([...configs.devices]));
    const other = await compiled();
    assert.deepEqual(other.configs, configs);
    const withFailed = project({ desired: { ...desired, failedVpcs: ['ghost'] }, settings: settings() });
    assert.deepEqual(withFailed.failedVpcs, ['ghost']);
  });

  it('gives devices with nothing desired an empty config (so stale owned objects are removed)', () => {
    const empty = project({ desired: { network: {}, problems: [], failedVpcs: [] }, settings: settings() });
    assert.deepEqual(empty.devices.get('leaf1')?.config, { vrf: {}, interconnect: {}, segment: {}, floodVtep: {}, binding: {} });
    assert.deepEqual(empty.devices.get('fw1')?.config, { zone: {}, addressSet: {}, policy: {} });
    assert.deepEqual(Object.keys(empty.devices.get('vs-worker-1')?.config.bridge ?? {}), ['br-int']);
  });
});
