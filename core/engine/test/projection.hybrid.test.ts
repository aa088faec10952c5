import { strict as assert } from 'node:assert';
import type { Endpoint, NetworkState } from '@netloom/domain';
import { EndpointMother, NetworkMother, NodeMother, VpcMother } from '@netloom/domain/testing';
import { project, tunnelName, vpcOfObject, type DesiredConfigs, type DesiredState, type EngineSettings } from '@netloom/engine';
import {
  decodeOrThrow,
  diffConfig,
  FabricConfigCodec,
  fabricVocabulary,
  VSwitchConfigCodec,
  vswitchVocabulary,
  type DeviceConfig,
  type DevicePortKind,
  type DeviceVocabulary,
  type FabricConfigInput,
  type VSwitchConfigInput,
} from '@netloom/ports';
import { settings } from './intent.fixtures';

// Hybrid overlay, built from domain objects (the projection alone, no compiler): worker-1/worker-2 sit behind leaf1,
// worker-3 behind leaf2 (network overlay); edge-1 (VTEP 192.0.2.141) and edge-2 (192.0.2.142) are host-overlay nodes
// whose vswitches are their own VTEPs (the topology of intent.fixtures).
const LEAF1_VTEP = '192.0.2.201';
const LEAF2_VTEP = '192.0.2.202';
const WEB = 10_001; // shop-s0: on worker-1 (leaf1), worker-3 (leaf2) and edge-1
const DB = 10_002; // shop-s1: on edge-2 only, so no leaf carries it
const PAY = 10_101; // pay-s0: on worker-2 (leaf1) and edge-2

const shop = VpcMother.withSubnets(2, { name: 'shop', index: 0 });
const pay = VpcMother.withSubnets(1, { name: 'pay', index: 1, second: 1 });
const [web, db] = shop.subnets;
const [payS0] = pay.subnets;

const ENDPOINTS = (): Endpoint[] => {
  if (web === undefined || db === undefined || payS0 === undefined) throw new Error('unreachable');
  return [
    EndpointMother.inSubnet(web, { index: 0, node: 'worker-1', vlan: 100 }),
    EndpointMother.inSubnet(web, { index: 1, node: 'worker-3', vlan: 100 }),
    EndpointMother.inSubnet(web, { index: 2, node: 'edge-1', tunnelKey: WEB }),
    EndpointMother.inSubnet(payS0, { index: 3, node: 'worker-2', vlan: 200 }),
    EndpointMother.inSubnet(payS0, { index: 4, node: 'edge-2', tunnelKey: PAY }),
    EndpointMother.inSubnet(db, { index: 5, node: 'edge-2', tunnelKey: DB }),
  ];
};

const network = (endpoints: Endpoint[], edge1Vtep = '192.0.2.141'): NetworkState =>
  NetworkMother.merge(shop, pay, {
    nodes: [
      NodeMother.network('worker-1', 'leaf1', 'Eth1/1'),
      NodeMother.network('worker-2', 'leaf1', 'Eth1/2'),
      NodeMother.network('worker-3', 'leaf2', 'Eth1/1'),
      NodeMother.host('edge-1', edge1Vtep),
      NodeMother.host('edge-2', '192.0.2.142'),
    ],
    endpoints,
  });

const hybridSettings = (vteps: Partial<Record<'leaf1' | 'leaf2', string>> = { leaf1: LEAF1_VTEP, leaf2: LEAF2_VTEP }): EngineSettings => {
  const base = settings();
  return {
    ...base,
    devices: base.devices.map((d) => {
      const vtepIp = d.name === 'leaf1' || d.name === 'leaf2' ? vteps[d.name] : undefined;
      return vtepIp === undefined ? d : { ...d, vtepIp };
    }),
  };
};

const run = (endpoints: Endpoint[], s: EngineSettings = hybridSettings(), edge1Vtep?: string): DesiredConfigs => {
  const desired: DesiredState = { network: network(endpoints, edge1Vtep), problems: [], failedVpcs: [] };
  return project({ desired, settings: s });
};

const cfg = <T>(configs: DesiredConfigs, device: string): T => {
  const d = configs.devices.get(device);
  assert.ok(d, `no config for ${device}`);
  return d.config as unknown as T;
};

const flood = (l2Vni: number, remoteIp: string) => ({ [`${l2Vni}:${remoteIp}`]: { key: `${l2Vni}:${remoteIp}`, l2Vni, remoteIp } });
const tunnel = (remoteIp: string, localIp: string) => ({ [tunnelName(remoteIp)]: { key: tunnelName(remoteIp), name: tunnelName(remoteIp), bridge: 'br-int', remoteIp, tunnelKey: 'flow', localIp } });
const GW = { mac: '00:00:5e:00:01:01' };
/** A VRF as projected: it imports and exports its own route target `65000:<l3Vni>`. */
const vrf = (name: string, l3Vni: number) => ({ key: name, name, l3Vni, importRouteTargets: [`65000:${l3Vni}`], exportRouteTargets: [`65000:${l3Vni}`] });

describe('project: hybrid overlay (leaf flood VTEPs ↔ host-overlay tunnels)', () => {
  const configs = run(ENDPOINTS());

  it('mixed topology: each leaf carries the segments of its network-overlay nodes, plus a flood VTEP per host-overlay node in them', () => {
    assert.deepEqual(cfg<FabricConfigInput>(configs, 'leaf1'), {
      vrf: { 'vpc-pay': vrf('vpc-pay', 50_001), 'vpc-shop': vrf('vpc-shop', 50_000) },
      interconnect: {},
      segment: {
        [WEB]: { key: String(WEB), name: 'ls-shop-s0', l2Vni: WEB, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.0.0.1/24'], ...GW } },
        [PAY]: { key: String(PAY), name: 'ls-pay-s0', l2Vni: PAY, vrf: 'vpc-pay', anycastGateway: { ipv4: ['10.1.0.1/24'], ...GW } },
      },
      binding: {
        'Eth1/1:100': { key: 'Eth1/1:100', interface: 'Eth1/1', vlan: 100, l2Vni: WEB },
        'Eth1/2:200': { key: 'Eth1/2:200', interface: 'Eth1/2', vlan: 200, l2Vni: PAY },
      },
      floodVtep: { ...flood(WEB, '192.0.2.141'), ...flood(PAY, '192.0.2.142') },
    });
    assert.deepEqual(cfg<FabricConfigInput>(configs, 'leaf2'), {
      vrf: { 'vpc-shop': vrf('vpc-shop', 50_000) },
      interconnect: {},
      segment: { [WEB]: { key: String(WEB), name: 'ls-shop-s0', l2Vni: WEB, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.0.0.1/24'], ...GW } } },
      binding: { 'Eth1/1:100': { key: 'Eth1/1:100', interface: 'Eth1/1', vlan: 100, l2Vni: WEB } },
      floodVtep: flood(WEB, '192.0.2.141'),
    });
  });

  it('does not put an LS on a leaf just for host-overlay nodes (shop-s1 lives on edge-2 only)', () => {
    for (const leaf of ['leaf1', 'leaf2']) {
      const c = cfg<FabricConfigInput>(configs, leaf);
      assert.equal(c.segment[String(DB)], undefined, leaf);
      assert.ok(!Object.values(c.floodVtep ?? {}).some((f) => f.l2Vni === DB), leaf);
    }
  });

  it('gives a host-overlay vswitch a flow-keyed tunnel to every leaf VTEP that carries one of its VNIs', () => {
    // edge-1 (web) shares no VNI with edge-2 (pay, db): only the leafs' tunnels.
    assert.deepEqual(cfg<VSwitchConfigInput>(configs, 'vs-edge-1').tunnel, { ...tunnel(LEAF1_VTEP, '192.0.2.141'), ...tunnel(LEAF2_VTEP, '192.0.2.141') });
    // edge-2: pay is on leaf1; db is on no leaf; leaf2 carries neither.
    assert.deepEqual(cfg<VSwitchConfigInput>(configs, 'vs-edge-2').tunnel, tunnel(LEAF1_VTEP, '192.0.2.142'));
    // Network-overlay nodes are unchanged: the leaf is their VTEP.
    assert.deepEqual(cfg<VSwitchConfigInput>(configs, 'vs-worker-1').tunnel, {});
  });

  it('projects configs the codecs accept, and vpcOfObject resolves a flood VTEP through its segment', () => {
    for (const leaf of ['leaf1', 'leaf2']) decodeOrThrow(FabricConfigCodec, cfg<FabricConfigInput>(configs, leaf), leaf);
    for (const vs of ['vs-edge-1', 'vs-edge-2']) decodeOrThrow(VSwitchConfigCodec, cfg<VSwitchConfigInput>(configs, vs), vs);
    const leaf1 = configs.devices.get('leaf1')?.config as DeviceConfig;
    const f = leaf1['floodVtep']?.[`${PAY}:192.0.2.142`] as { key: string } & Record<string, unknown>;
    assert.equal(vpcOfObject('fabric', 'floodVtep', f, leaf1), 'pay');
    assert.equal(vpcOfObject('fabric', 'floodVtep', f), undefined);
  });

  it('removing the last host-overlay pod of an LS removes exactly its flood entries and the tunnels to the leafs', () => {
    const after = run(ENDPOINTS().filter((e) => e.node !== 'edge-1'));
    const change = (device: string): string[] => {
      const port = configs.devices.get(device)?.port;
      const vocabulary = (port === 'fabric' ? fabricVocabulary : vswitchVocabulary) as unknown as DeviceVocabulary<DevicePortKind, DeviceConfig>;
      return diffConfig({
        desired: decodeOrThrow(vocabulary.configCodec, after.devices.get(device)?.config, `${device} after`),
        observed: decodeOrThrow(vocabulary.configCodec, configs.devices.get(device)?.config, `${device} before`),
        order: vocabulary.order,
      }).map((c) => `${c.op} ${c.kind} ${c.key}`);
    };
    assert.deepEqual(change('leaf1'), [`delete floodVtep ${WEB}:192.0.2.141`]);
    assert.deepEqual(change('leaf2'), [`delete floodVtep ${WEB}:192.0.2.141`]);
    const e1 = change('vs-edge-1');
    assert.deepEqual(e1.filter((c) => c.includes('tunnel')).sort(), [`delete tunnel ${tunnelName(LEAF1_VTEP)}`, `delete tunnel ${tunnelName(LEAF2_VTEP)}`].sort());
    assert.deepEqual(cfg<VSwitchConfigInput>(after, 'vs-edge-1').tunnel, {});
    // The leafs keep the segment: network-overlay pods still use it.
    assert.ok(cfg<FabricConfigInput>(after, 'leaf2').segment[String(WEB)] !== undefined);
    assert.deepEqual(change('vs-edge-2'), []);
  });

  it('a leaf without a VTEP address gets no flood VTEPs and no host tunnel points at it', () => {
    const c = run(ENDPOINTS(), hybridSettings({ leaf1: LEAF1_VTEP }));
    assert.deepEqual(cfg<FabricConfigInput>(c, 'leaf2').floodVtep, {});
    assert.deepEqual(Object.keys(cfg<FabricConfigInput>(c, 'leaf2').segment), [String(WEB)]);
    assert.deepEqual(cfg<VSwitchConfigInput>(c, 'vs-edge-1').tunnel, tunnel(LEAF1_VTEP, '192.0.2.141'));
  });

  it('a host-overlay node with an IPv6 VTEP gets no flood entry and no leaf tunnel (flood lists are IPv4)', () => {
    const c = run(ENDPOINTS(), hybridSettings(), '2001:db8::141');
    assert.deepEqual(cfg<FabricConfigInput>(c, 'leaf1').floodVtep, flood(PAY, '192.0.2.142'));
    assert.deepEqual(cfg<FabricConfigInput>(c, 'leaf2').floodVtep, {});
    assert.deepEqual(cfg<VSwitchConfigInput>(c, 'vs-edge-1').tunnel, {});
  });

  it('without host-overlay endpoints the leafs get no flood VTEPs and the host nodes no tunnels', () => {
    const c = run(ENDPOINTS().filter((e) => e.tunnelKey === undefined));
    assert.deepEqual(cfg<FabricConfigInput>(c, 'leaf1').floodVtep, {});
    assert.deepEqual(cfg<VSwitchConfigInput>(c, 'vs-edge-1').tunnel, {});
    assert.deepEqual(cfg<VSwitchConfigInput>(c, 'vs-edge-2').tunnel, {});
  });
});
