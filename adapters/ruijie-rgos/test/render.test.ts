// Golden tests: the exact RGOS lines for each change, the leaf VLAN rules, the inverse lines, and the allowlist that
// keeps unsafe values out of every line. Pure: no device, the "device" is a running configuration text or a state.
import * as assert from 'node:assert/strict';
import {
  CONFIG,
  computeLayout,
  conflicts,
  deviceProblems,
  diffStates,
  emptyState,
  featureProblems,
  isRenderableLine,
  line,
  parseRunningConfig,
  readDevice,
  renderConfig,
  resolveOptions,
  splitIpv4Prefix,
  stateDifferences,
  toRgosMac,
  type LayoutInput,
  type RenderInput,
  type RenderSettings,
} from '@netloom/adapter-ruijie-rgos';
import { ErrorCode, emptyFabricConfig, isNetloomError, type FabricConfig } from '@netloom/ports';
import { decode, small, smallInput } from './support';

const settings: RenderSettings = resolveOptions({}, 'leaf1').render;

/** A fresh leaf: three node-facing trunks with an empty allowed list, the VTEP. */
const UNDERLAY = [
  'Building configuration...',
  'Current configuration : 400 bytes',
  '',
  '!',
  'hostname Leaf1',
  '!',
  ...[1, 2, 3].flatMap((n) => [`interface TenGigabitEthernet 0/${n}`, ' switchport mode trunk', ' switchport trunk allowed vlan none', '!']),
  'interface Loopback 0',
  ' ip address 10.0.0.11 255.255.255.255',
  '!',
  'interface Nve 1',
  ' source-interface Loopback 0',
  '!',
  'end',
].join('\n');

const fresh = readDevice(parseRunningConfig(UNDERLAY, 'underlay'), 'underlay');

/** A device that holds `config` (rendered onto the fresh leaf). */
function deviceOf(config: FabricConfig): RenderInput {
  const r = renderConfig(fresh, config, settings);
  return { state: r.target, segmentVlans: r.layout, index: { vlans: new Map([...r.layout.values()].map((v) => [v, { marked: true }])), svis: new Map() } };
}

const lines = (from: Parameters<typeof renderConfig>[0], to: FabricConfig, s: RenderSettings = settings): string[] => renderConfig(from, to, s).lines;

describe('ruijie-rgos rendering', () => {
  it('renders a config on a fresh leaf as the exact RGOS lines, parents first, every mode left with exit', () => {
    const c = smallInput();
    c.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } };
    assert.deepEqual(lines(fresh, decode(c)), [
      'vrf definition vpc1',
      'description netloom:vpc1',
      'rd 65000:50001',
      'vni 50001',
      'route-target export 65000:50001',
      'route-target import 65000:50001',
      'exit',
      'vlan 100',
      'description netloom:10010 ls-web',
      'vxlan vni 10010',
      'exit',
      'vlan 200',
      'description netloom:10020 ls-db',
      'vxlan vni 10020',
      'exit',
      'interface VLAN 100',
      'description netloom:10010',
      'vrf forwarding vpc1',
      'ip address 10.1.0.1 255.255.255.0',
      'ipv6 address fd00:1::1/64',
      'mac-address 0000.5e00.0101',
      'anycast-gateway',
      'exit',
      'interface Nve 1',
      'member vni 10010',
      'member vni 10020',
      'member vni 50001 associate-vrf',
      'exit',
      'interface TenGigabitEthernet 0/1',
      'switchport trunk allowed vlan add 100',
      'exit',
      'interface TenGigabitEthernet 0/2',
      'switchport trunk allowed vlan add 200',
      'exit',
    ]);
  });

  it('deletes children first: trunk VLANs, NVE members, SVIs, VLANs, VRFs', () => {
    assert.deepEqual(lines(deviceOf(small()), emptyFabricConfig()), [
      'interface TenGigabitEthernet 0/1',
      'switchport trunk allowed vlan remove 100',
      'exit',
      'interface TenGigabitEthernet 0/2',
      'switchport trunk allowed vlan remove 200',
      'exit',
      'interface Nve 1',
      'no member vni 10010',
      'no member vni 10020',
      'no member vni 50001',
      'exit',
      'no interface VLAN 100',
      'no vlan 100',
      'no vlan 200',
      'no vrf definition vpc1',
    ]);
  });

  it('updates in place: route targets, the L3 VNI (its NVE member and RD first), the segment name, gateway address and MAC', () => {
    const after = smallInput();
    after.vrf['vpc1'] = { key: 'vpc1', name: 'vpc1', l3Vni: 50002, exportRouteTargets: ['65000:50001', '65000:7'] };
    after.segment['10010'] = { key: '10010', name: 'ls-web2', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.254/24'], mac: '00:00:5e:00:01:02' } };
    assert.deepEqual(lines(deviceOf(small()), decode(after)), [
      'interface Nve 1',
      'no member vni 50001',
      'exit',
      'vrf definition vpc1',
      'no route-target import 65000:50001',
      'no vni 50001',
      'no rd 65000:50001',
      'exit',
      'vrf definition vpc1',
      'rd 65000:50002',
      'vni 50002',
      'route-target export 65000:7',
      'exit',
      'vlan 100',
      'description netloom:10010 ls-web2',
      'exit',
      'interface VLAN 100',
      'ip address 10.1.0.254 255.255.255.0',
      'mac-address 0000.5e00.0102',
      'exit',
      'interface Nve 1',
      'member vni 50002 associate-vrf',
      'exit',
    ]);
  });

  it('moves a segment to another VRF by replacing its SVI, and takes a gateway away before its addresses', () => {
    const moved = smallInput();
    moved.vrf['vpc2'] = { key: 'vpc2', name: 'vpc2', l3Vni: 50003 };
    moved.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc2' };
    assert.deepEqual(lines(deviceOf(small()), decode(moved)), [
      'no interface VLAN 100',
      'vrf definition vpc2',
      'description netloom:vpc2',
      'rd 65000:50003',
      'vni 50003',
      'exit',
      'interface VLAN 100',
      'description netloom:10010',
      'vrf forwarding vpc2',
      'exit',
      'interface Nve 1',
      'member vni 50003 associate-vrf',
      'exit',
    ]);
    const noGateway = smallInput();
    noGateway.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1' };
    assert.deepEqual(lines(deviceOf(small()), decode(noGateway)), ['interface VLAN 100', 'no anycast-gateway', 'no mac-address', 'no ip address', 'exit']);
  });

  it('applies rdAdmin, evpnAsn and nveMembers: false', () => {
    const s = resolveOptions({ rdAdmin: '10.0.0.11', evpnAsn: 65010, nveMembers: false }, 'leaf1').render;
    const c = decode({ vrf: { a: { key: 'a', name: 'a', l3Vni: 5001 } }, interconnect: {}, segment: { '7': { key: '7', name: 'ls-7', l2Vni: 7 } }, binding: {} });
    assert.deepEqual(lines(fresh, c, s), ['vrf definition a', 'description netloom:a', 'rd 10.0.0.11:5001', 'vni 5001', 'exit', 'vlan 3000', 'description netloom:7 ls-7', 'vxlan vni 7', 'exit']);
  });

  it('chooses leaf VLANs: the bindings\' VLAN, else the current one, else the lowest free VLAN of segmentVlans', () => {
    const view: LayoutInput = {
      segmentVlans: new Map([[10020, 3005]]),
      index: { vlans: new Map([[3000, { marked: false }], [3005, { marked: true }]]), svis: new Map([[3001, { marked: false }]]) },
    };
    const c = decode({
      vrf: {},
      interconnect: {},
      segment: { '10010': { key: '10010', name: 'a', l2Vni: 10010 }, '10020': { key: '10020', name: 'b', l2Vni: 10020 }, '10030': { key: '10030', name: 'c', l2Vni: 10030 } },
      binding: { 'TenGigabitEthernet0/1:100': { key: 'TenGigabitEthernet0/1:100', interface: 'TenGigabitEthernet0/1', vlan: 100, l2Vni: 10010 } },
    });
    // 10010: its binding's VLAN; 10020: keeps 3005; 10030: 3000 is a foreign VLAN, 3001 a foreign SVI → 3002.
    assert.deepEqual([...computeLayout(c, view, settings)].sort(), [[10010, 100], [10020, 3005], [10030, 3002]]);
    // A binding of another segment wants 3005: 10020 moves to the next free one.
    const wants = decode({ ...c, binding: { 'TenGigabitEthernet0/1:3005': { key: 'TenGigabitEthernet0/1:3005', interface: 'TenGigabitEthernet0/1', vlan: 3005, l2Vni: 10010 } } });
    assert.deepEqual([...computeLayout(wants, view, settings)].sort(), [[10010, 3005], [10020, 3002], [10030, 3003]]);
    const tiny = resolveOptions({ segmentVlans: { from: 3000, to: 3001 } }, 'leaf1').render;
    assert.throws(() => computeLayout(c, view, tiny), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.EXHAUSTED && /no free leaf VLAN in segmentVlans 3000-3001/.test(e.message));
  });

  it('the inverse lines: from the state after back to the state before, and nothing between equal states', () => {
    const before = deviceOf(small()).state;
    const changed = smallInput();
    changed.binding = {};
    changed.vrf['vpc1'] = { key: 'vpc1', name: 'vpc1', l3Vni: 50001 };
    const after = renderConfig(deviceOf(small()), decode(changed), settings).target;
    assert.deepEqual(diffStates(after, before), [
      'vrf definition vpc1',
      'route-target export 65000:50001',
      'route-target import 65000:50001',
      'exit',
      'interface TenGigabitEthernet 0/1',
      'switchport trunk allowed vlan add 100',
      'exit',
      'interface TenGigabitEthernet 0/2',
      'switchport trunk allowed vlan add 200',
      'exit',
    ]);
    assert.deepEqual(diffStates(before, before), []);
    assert.deepEqual(diffStates(emptyState(), emptyState()), []);
    assert.deepEqual(stateDifferences(after, before), [
      'vrf definition vpc1 differs (missing "route-target export 65000:50001", missing "route-target import 65000:50001")',
      'TenGigabitEthernet0/1 does not allow VLAN 100',
      'TenGigabitEthernet0/2 does not allow VLAN 200',
    ]);
  });

  it('lists what blocks a create: foreign objects, a missing VTEP, a port that is no trunk, a VLAN a port already allows', () => {
    const text = UNDERLAY.replace('interface Nve 1\n source-interface Loopback 0\n!\n', '')
      .replace('interface TenGigabitEthernet 0/2\n switchport mode trunk\n', 'interface TenGigabitEthernet 0/2\n')
      .replace('interface TenGigabitEthernet 0/3\n switchport mode trunk\n switchport trunk allowed vlan none', 'interface TenGigabitEthernet 0/3\n switchport mode trunk\n switchport trunk allowed vlan only 200')
      .replace('hostname Leaf1\n!\n', 'hostname Leaf1\n!\nvlan 100\n description mine\n!\nvrf definition other\n vni 10020\n!\n');
    const view = readDevice(parseRunningConfig(text, 'running'), 'running');
    assert.deepEqual(conflicts(view, renderConfig(view, small(), settings).target), [
      'vlan 100 exists and netloom does not own it',
      'VNI 10020 is mapped by vrf definition other, which netloom does not own',
      'interface Nve 1 is not configured (the VTEP); configure it with its source-interface, or set nveMembers: false',
      'interface TenGigabitEthernet 0/2 is not a trunk with an explicit allowed VLAN list (configure "switchport mode trunk" and "switchport trunk allowed vlan none" on node-facing ports)',
      'interface TenGigabitEthernet 0/3 already allows VLAN 200, which netloom would take over for a segment',
    ]);
    assert.deepEqual(conflicts(fresh, renderConfig(fresh, small(), settings).target), []);
  });

  it('names what an RGOS leaf cannot hold (input problems) and cannot do (feature problems)', () => {
    const c = smallInput();
    c.vrf['v'.repeat(32)] = { key: 'v'.repeat(32), name: 'v'.repeat(32), l3Vni: 50002 };
    c.vrf['netloom-lock-a'] = { key: 'netloom-lock-a', name: 'netloom-lock-a', l3Vni: 50003 };
    c.binding['Ethernet1/1:9'] = { key: 'Ethernet1/1:9', interface: 'Ethernet1/1', vlan: 9, l2Vni: 10020 };
    c.vrf['vpc1'] = { key: 'vpc1', name: 'vpc1', l3Vni: 70000 };
    const problems = deviceProblems(decode(c), resolveOptions({ rdAdmin: '10.0.0.1' }, 'leaf1').render).map((p) => `${p.path}: ${p.reason}`);
    assert.deepEqual(problems, [
      'vrf["netloom-lock-a"].name: "netloom-lock-a" starts with "netloom-lock", which netloom reserves for its lock marker',
      'vrf["vpc1"].l3Vni: the route distinguisher 10.0.0.1:70000 derived from it is not valid (a 4-byte evpnAsn or an rdAdmin address allows L3 VNIs up to 65535 only)',
      `vrf["${'v'.repeat(32)}"].name: "${'v'.repeat(32)}" is longer than 31 characters (RGOS VRF names)`,
      'binding["Ethernet1/1:9"].interface: "Ethernet1/1" is not an RGOS physical port name (TenGigabitEthernet0/1, GigabitEthernet0/2, ...)',
    ]);
    assert.deepEqual(deviceProblems(small(), settings), []);
    assert.deepEqual(featureProblems(small()), []);
  });

  it('converts addresses and MACs to the RGOS forms', () => {
    assert.deepEqual(splitIpv4Prefix('10.1.0.1/24'), { ip: '10.1.0.1', mask: '255.255.255.0' });
    assert.deepEqual(splitIpv4Prefix('192.0.2.9/31'), { ip: '192.0.2.9', mask: '255.255.255.254' });
    assert.equal(toRgosMac('00:00:5e:00:01:01'), '0000.5e00.0101');
  });

  it('refuses any value that is not an RGOS token before a line exists, and knows the shapes of its own lines', () => {
    for (const bad of ['a b', 'x\nexit', 'a;b', 'a|b', '"q"', "it's", '-x', '', 'a#b', 'a?b', 'a!b', 'é']) {
      assert.throws(
        () => line(CONFIG.vrf, { name: bad }),
        (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && !e.message.includes('\n'),
        `value ${JSON.stringify(bad)} should be refused`,
      );
    }
    assert.throws(() => line(CONFIG.vlan, { vlan: -1 }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID);
    assert.throws(() => line(CONFIG.vlan, { vlan: 1.5 }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID);
    assert.equal(line(CONFIG.port, { type: 'TenGigabitEthernet', number: '0/1' }), 'interface TenGigabitEthernet 0/1');
    for (const ok of renderConfig(fresh, small(), settings).lines.concat(lines(deviceOf(small()), emptyFabricConfig()), ['no route-target import 1:1', 'no description'])) {
      assert.ok(isRenderableLine(ok), `${JSON.stringify(ok)} is a line of the table`);
    }
    for (const bad of ['hostname evil', 'vlan 100 ; reload', 'vlan 100\nreload', 'write', 'do show run', 'interface Nve 1 ', 'no vrf definition a b', 'description netloom:1 a b']) {
      assert.ok(!isRenderableLine(bad), `${JSON.stringify(bad)} is not a line of the table`);
    }
  });
});
