// Golden tests of the EOS command table (exact lines per intent) and of the parsers (running-config → owned fabric
// objects), without a switch.
import { strict as assert } from 'node:assert';
import { FABRIC_KIND_ORDER, FabricConfigCodec, decodeOrThrow, diffConfig, emptyFabricConfig, isNetloomError, type Change, type FabricConfig, type FabricConfigInput } from '@netloom/ports';
import { eosProblems, observeFabric, readEosState, renderChanges, type RenderSettings } from '@netloom/adapter-arista-eos';

const UNDERLAY = `hostname leaf1
interface Ethernet1/1
interface Ethernet1/2
   description server-02 eth0
   switchport trunk allowed vlan 10
   switchport mode trunk
interface Ethernet1/3
   switchport mode trunk
interface Vxlan1
   vxlan source-interface Loopback1
ip routing
router bgp 65001
   router-id 10.255.0.1
`;

const settings: RenderSettings = { segmentVlans: { from: 2000, to: 2002 } };

const config = (input: Partial<FabricConfigInput>): FabricConfig => decodeOrThrow(FabricConfigCodec, { ...emptyFabricConfig(), ...input }, 'test config');
const plan = (desired: FabricConfig, running = UNDERLAY, s = settings): { lines: readonly string[]; changes: Change[] } => {
  const state = readEosState(running);
  const changes = diffConfig({ desired, observed: observeFabric(state).config, order: FABRIC_KIND_ORDER });
  return { lines: renderChanges(changes, state, s).lines, changes };
};

const small = config({
  vrf: { blue: { key: 'blue', name: 'blue', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
  segment: {
    '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'blue', anycastGateway: { ipv4: ['10.1.0.1/24', '10.2.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } },
  },
  binding: { 'Ethernet1/1:100': { key: 'Ethernet1/1:100', interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 } },
});

describe('arista-eos command table (golden lines)', () => {
  it('renders a VRF, a routed segment with an anycast gateway and a translated binding as these exact lines', () => {
    assert.deepEqual(plan(small).lines, [
      'vrf instance blue',
      'description netloom:vrf:blue',
      'exit',
      'ip routing vrf blue',
      'interface Vxlan1',
      'vxlan vrf blue vni 50001',
      'exit',
      'router bgp 65001',
      'vrf blue',
      'rd 10.255.0.1:50001',
      'route-target import evpn 65000:50001',
      'route-target export evpn 65000:50001',
      'redistribute connected',
      'exit',
      'exit',
      'vlan 2000',
      'name netloom.ls-web',
      'exit',
      'ip virtual-router mac-address 00:00:5e:00:01:01',
      'interface Vlan2000',
      'description netloom:segment:10010',
      'vrf blue',
      'ip address virtual 10.1.0.1/24',
      'ip address virtual 10.2.0.1/24 secondary',
      'ipv6 address virtual fd00:1::1/64',
      'exit',
      'interface Vxlan1',
      'vxlan vlan 2000 vni 10010',
      'exit',
      'router bgp 65001',
      'vlan 2000',
      'rd 10.255.0.1:2000',
      'route-target both 10010:10010',
      'redistribute learned',
      'exit',
      'exit',
      'interface Ethernet1/1',
      'switchport trunk allowed vlan none',
      'switchport mode trunk',
      'switchport vlan translation 100 2000',
      'switchport trunk allowed vlan add 2000',
    ]);
  });

  it('renders the deletes children first, and only the owned lines', () => {
    const applied = `${UNDERLAY}vlan 2000
   name netloom.ls-web
vrf instance blue
   description netloom:vrf:blue
interface Ethernet1/1
   switchport trunk allowed vlan 2000
   switchport mode trunk
   switchport vlan translation 100 2000
interface Vlan2000
   description netloom:segment:10010
   vrf blue
   ip address virtual 10.1.0.1/24
interface Vxlan1
   vxlan vlan 2000 vni 10010
   vxlan vrf blue vni 50001
ip routing vrf blue
router bgp 65001
   vlan 2000
      rd 10.255.0.1:2000
   vrf blue
      rd 10.255.0.1:50001
`;
    assert.deepEqual(plan(emptyFabricConfig(), applied).lines, [
      'interface Ethernet1/1',
      'no switchport vlan translation 100 2000',
      'switchport trunk allowed vlan remove 2000',
      'exit',
      'no interface Vlan2000',
      'interface Vxlan1',
      'no vxlan vlan 2000 vni 10010',
      'exit',
      'router bgp 65001',
      'no vlan 2000',
      'exit',
      'no vlan 2000',
      'router bgp 65001',
      'no vrf blue',
      'exit',
      'interface Vxlan1',
      'no vxlan vrf blue vni 50001',
      'exit',
      'no ip routing vrf blue',
      'no vrf instance blue',
    ]);
  });

  it('carries a binding untranslated when its node VLAN is the leaf VLAN, on a trunk with an explicit list', () => {
    const running = `${UNDERLAY}vlan 2000
   name netloom.ls-db
interface Vxlan1
   vxlan vlan 2000 vni 10020
`;
    const desired = config({
      segment: { '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 } },
      binding: { 'Ethernet1/2:2000': { key: 'Ethernet1/2:2000', interface: 'Ethernet1/2', vlan: 2000, l2Vni: 10020 } },
    });
    assert.deepEqual(plan(desired, running).lines, ['interface Ethernet1/2', 'switchport trunk allowed vlan add 2000']);
  });

  it('gives each segment its own leaf VLAN, skipping VLANs the switch uses, and refuses when the pool is exhausted', () => {
    const running = `${UNDERLAY}vlan 2001
   name someone-elses
`;
    const two = config({ segment: { '10010': { key: '10010', name: 'a', l2Vni: 10010 }, '10020': { key: '10020', name: 'b', l2Vni: 10020 } } });
    const lines = plan(two, running).lines;
    assert.ok(lines.includes('vxlan vlan 2000 vni 10010') && lines.includes('vxlan vlan 2002 vni 10020'), lines.join('\n'));
    const three = config({ segment: { ...two.segment, '10030': { key: '10030', name: 'c', l2Vni: 10030 } } });
    assert.throws(
      () => plan(three, running),
      (e: unknown) => isNetloomError(e) && e.code === 'INPUT.INVALID' && /segment\["10030"\]\.l2Vni: no free VLAN left in options\.segmentVlans \(2000-2002\)/.test(e.message),
    );
  });

  it('refuses a binding on a trunk that allows every VLAN, and one that a foreign translation blocks', () => {
    const desired = (port: string): FabricConfig =>
      config({ segment: { '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 } }, binding: { [`${port}:100`]: { key: `${port}:100`, interface: port, vlan: 100, l2Vni: 10020 } } });
    assert.throws(() => plan(desired('Ethernet1/3')), /Ethernet1\/3 is a trunk that allows every VLAN/);
    const foreign = UNDERLAY.replace('   switchport mode trunk\ninterface Ethernet1/3', '   switchport mode trunk\n   switchport vlan translation 100 10\ninterface Ethernet1/3');
    assert.throws(() => plan(desired('Ethernet1/2'), foreign), /Ethernet1\/2 already translates VLAN 100 to VLAN 10, which netloom does not own/);
    assert.throws(() => plan(desired('Ethernet9/9')), /the switch has no Ethernet interface "Ethernet9\/9"/);
  });

  it('refuses segment names that do not fit an EOS VLAN name, and a VRF VNI that does not fit the route distinguisher', () => {
    assert.throws(() => plan(config({ segment: { '10010': { key: '10010', name: 'a-very-long-segment-name-indeed', l2Vni: 10010 } } })), /segment\["10010"\]\.name: .* longer than 24 characters/);
    assert.throws(() => plan(config({ vrf: { big: { key: 'big', name: 'big', l3Vni: 70000 } } })), /vrf\["big"\]\.l3Vni: 70000 does not fit the route distinguisher/);
  });

  it('needs BGP and a router id: from the switch, else from the options', () => {
    const bare = 'hostname leaf1\ninterface Vxlan1\n';
    const seg = config({ segment: { '10010': { key: '10010', name: 'a', l2Vni: 10010 } } });
    assert.throws(() => plan(seg, bare), /needs BGP EVPN: the switch has no "router bgp" and options\.vrfAsn is not set/);
    const lines = plan(seg, bare, { ...settings, vrfAsn: 65010, routerId: '10.0.0.9' }).lines;
    assert.deepEqual(lines.slice(-5), ['router bgp 65010', 'vlan 2000', 'rd 10.0.0.9:2000', 'route-target both 10010:10010', 'redistribute learned']);
    assert.throws(() => plan(seg, UNDERLAY, { ...settings, vrfAsn: 65999 }), /options\.vrfAsn: is 65999, but the switch runs "router bgp 65001"/);
  });

  it('checks the EOS rules of anycast gateways: a MAC is required and shared by every gateway', () => {
    const gw = (mac?: string) => ({ ipv4: ['10.1.0.1/24'], ...(mac === undefined ? {} : { mac }) });
    const c = config({
      vrf: { blue: { key: 'blue', name: 'blue', l3Vni: 50001 } },
      segment: {
        '1': { key: '1', name: 'a', l2Vni: 1, vrf: 'blue', anycastGateway: gw() },
        '2': { key: '2', name: 'b', l2Vni: 2, vrf: 'blue', anycastGateway: gw('00:00:5e:00:01:01') },
        '3': { key: '3', name: 'c', l2Vni: 3, vrf: 'blue', anycastGateway: gw('00:00:5e:00:01:02') },
      },
      binding: {
        'Ethernet1/1:10': { key: 'Ethernet1/1:10', interface: 'Ethernet1/1', vlan: 10, l2Vni: 1 },
        'Ethernet1/1:11': { key: 'Ethernet1/1:11', interface: 'Ethernet1/1', vlan: 11, l2Vni: 1 },
      },
    });
    assert.deepEqual(
      eosProblems(c).map((p) => p.path),
      ['segment["1"].anycastGateway.mac', 'segment["2"].anycastGateway.mac', 'segment["3"].anycastGateway.mac', 'binding["Ethernet1/1:11"].l2Vni'],
    );
  });
});

describe('arista-eos parsers (running-config → owned fabric objects)', () => {
  it('reads back exactly what the command table writes, in canonical form', () => {
    const running = `${UNDERLAY}vlan 2000
   name netloom.ls-web
vrf instance blue
   description netloom:vrf:blue
interface Ethernet1/1
   switchport trunk allowed vlan 2000
   switchport mode trunk
   switchport vlan translation 100 2000
interface Vlan2000
   description netloom:segment:10010
   vrf blue
   ip address virtual 10.2.0.1/24 secondary
   ip address virtual 10.1.0.1/24
   ipv6 address virtual fd00:1:0:0::1/64
interface Vxlan1
   vxlan vlan 2000 vni 10010
   vxlan vrf blue vni 50001
ip virtual-router mac-address 00:00:5E:00:01:01
ip routing vrf blue
router bgp 65001
   vrf blue
      rd 10.255.0.1:50001
      route-target import evpn 65000:50001
      route-target export evpn 65000:50001
`;
    assert.deepEqual(observeFabric(readEosState(running)).config, small);
  });

  it('never reports objects without the marker: foreign VRFs, VLANs, and translations to foreign VLANs', () => {
    const running = `${UNDERLAY}vlan 300
   name legacy
vrf instance red
   description made by hand
interface Ethernet1/2
   switchport trunk allowed vlan 10,300
   switchport mode trunk
   switchport vlan translation 100 300
interface Vxlan1
   vxlan vlan 300 vni 20000
   vxlan vrf red vni 50002
`;
    assert.deepEqual(observeFabric(readEosState(running)).config, emptyFabricConfig());
  });

  it('leaves out owned objects the switch holds incompletely, and says why', () => {
    const running = `${UNDERLAY}vrf instance blue
   description netloom:vrf:blue
vlan 2000
   name netloom.orphan
`;
    const observed = observeFabric(readEosState(running));
    assert.deepEqual(observed.config, emptyFabricConfig());
    assert.deepEqual(observed.skipped, ['vrf blue: no "vxlan vrf blue vni" on Vxlan1']);
  });
});
