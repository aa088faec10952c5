// Golden tests: the exact VRP lines for each change, and the allowlist that keeps unsafe values out of them.
import * as assert from 'node:assert/strict';
import { CONFIG, line, renderChanges, resolveOptions, serializeEdits, splitIpv4Prefix, toVrpMac, type RenderSettings } from '@netloom/adapter-huawei-ce';
import { ErrorCode, FabricConfigCodec, decodeOrThrow, diffConfig, FABRIC_KIND_ORDER, emptyFabricConfig, isNetloomError, type FabricConfig, type FabricConfigInput } from '@netloom/ports';
import type { EditableInput } from './support';

const settings: RenderSettings = resolveOptions({}, 'leaf1').render;

const small = (): EditableInput => ({
  vrf: { vpc1: { key: 'vpc1', name: 'vpc1', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
  interconnect: {},
  segment: { '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } } },
  binding: { '10GE1/0/1:100': { key: '10GE1/0/1:100', interface: '10GE1/0/1', vlan: 100, l2Vni: 10010 } },
});

const decode = (c: FabricConfigInput): FabricConfig => decodeOrThrow(FabricConfigCodec, c, 'test config');
const render = (desired: FabricConfigInput, observed: FabricConfigInput = emptyFabricConfig(), s: RenderSettings = settings): string[] =>
  renderChanges(diffConfig({ desired: decode(desired), observed: decode(observed), order: FABRIC_KIND_ORDER }), s);

describe('huawei-ce rendering', () => {
  it('renders a small config as the exact VRP lines, parents first, every view left with quit', () => {
    assert.deepEqual(render(small()), [
      'ip vpn-instance vpc1',
      'description netloom:vpc1',
      'ipv4-family',
      'route-distinguisher 65000:50001',
      'vpn-target 65000:50001 export-extcommunity evpn',
      'vpn-target 65000:50001 import-extcommunity evpn',
      'quit',
      'vxlan vni 50001',
      'quit',
      'bridge-domain 10010',
      'description netloom:10010 ls-web',
      'vxlan vni 10010',
      'evpn',
      'route-distinguisher 65000:10010',
      'vpn-target 65000:10010 export-extcommunity',
      'vpn-target 65000:10010 import-extcommunity',
      'quit',
      'quit',
      'interface Vbdif10010',
      'description netloom:10010',
      'ip binding vpn-instance vpc1',
      'ip address 10.1.0.1 255.255.255.0',
      'mac-address 0000-5e00-0101',
      'vxlan anycast-gateway enable',
      'quit',
      'interface Nve1',
      'vni 10010 head-end peer-list protocol bgp',
      'quit',
      'interface 10GE1/0/1.100 mode l2',
      'description netloom:10GE1/0/1:100',
      'encapsulation dot1q vid 100',
      'bridge-domain 10010',
      'quit',
    ]);
  });

  it('deletes children first, with the undo forms the device needs (Vbdif and NVE line before the bridge domain)', () => {
    assert.deepEqual(render(emptyFabricConfig(), small()), [
      'undo interface 10GE1/0/1.100',
      'undo interface Vbdif10010',
      'interface Nve1',
      'undo vni 10010 head-end peer-list protocol bgp',
      'quit',
      'undo bridge-domain 10010',
      'undo ip vpn-instance vpc1',
    ]);
  });

  it('applies bdOffset, rdAdmin, evpnAsn and ingressReplication: false', () => {
    const s = resolveOptions({ bdOffset: 100000, rdAdmin: '10.0.0.11', evpnAsn: 65010, ingressReplication: false }, 'leaf1').render;
    const c = small();
    const lines = render({ ...c, vrf: {}, segment: { '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 } }, binding: { '10GE1/0/2:7': { key: '10GE1/0/2:7', interface: '10GE1/0/2', vlan: 7, l2Vni: 10020 } } }, emptyFabricConfig(), s);
    assert.deepEqual(lines, [
      'bridge-domain 110020',
      'description netloom:10020 ls-db',
      'vxlan vni 10020',
      'evpn',
      'route-distinguisher 10.0.0.11:10020',
      'vpn-target 65010:10020 export-extcommunity',
      'vpn-target 65010:10020 import-extcommunity',
      'quit',
      'quit',
      'interface 10GE1/0/2.7 mode l2',
      'description netloom:10GE1/0/2:7',
      'encapsulation dot1q vid 7',
      'bridge-domain 110020',
      'quit',
    ]);
  });

  it('updates in place: VRF targets and L3 VNI, segment name and gateway, binding segment', () => {
    const before = small();
    const after = small();
    after.vrf['vpc1'] = { key: 'vpc1', name: 'vpc1', l3Vni: 50002, exportRouteTargets: ['65000:50001', '65000:7'] };
    after.segment['10010'] = { key: '10010', name: 'ls-web2', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.254/24'] } };
    after.segment['10020'] = { key: '10020', name: 'ls-db', l2Vni: 10020 };
    after.binding['10GE1/0/1:100'] = { key: '10GE1/0/1:100', interface: '10GE1/0/1', vlan: 100, l2Vni: 10020 };
    assert.deepEqual(render(after, before), [
      'ip vpn-instance vpc1',
      'ipv4-family',
      'vpn-target 65000:7 export-extcommunity evpn',
      'undo vpn-target 65000:50001 import-extcommunity evpn',
      'quit',
      'undo vxlan vni 50001',
      'vxlan vni 50002',
      'quit',
      'bridge-domain 10010',
      'description netloom:10010 ls-web2',
      'quit',
      'interface Vbdif10010',
      'undo mac-address',
      'ip address 10.1.0.254 255.255.255.0',
      'quit',
      'bridge-domain 10020',
      'description netloom:10020 ls-db',
      'vxlan vni 10020',
      'evpn',
      'route-distinguisher 65000:10020',
      'vpn-target 65000:10020 export-extcommunity',
      'vpn-target 65000:10020 import-extcommunity',
      'quit',
      'quit',
      'interface Nve1',
      'vni 10020 head-end peer-list protocol bgp',
      'quit',
      'interface 10GE1/0/1.100 mode l2',
      'undo bridge-domain',
      'bridge-domain 10020',
      'quit',
    ]);
  });

  it('moves a segment to another VRF by replacing its Vbdif, and removes a gateway before its address', () => {
    const before = small();
    const moved = small();
    moved.vrf['vpc2'] = { key: 'vpc2', name: 'vpc2', l3Vni: 50002 };
    moved.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc2' };
    assert.deepEqual(render(moved, before), [
      'ip vpn-instance vpc2',
      'description netloom:vpc2',
      'ipv4-family',
      'route-distinguisher 65000:50002',
      'quit',
      'vxlan vni 50002',
      'quit',
      'undo interface Vbdif10010',
      'interface Vbdif10010',
      'description netloom:10010',
      'ip binding vpn-instance vpc2',
      'quit',
    ]);
    const noGateway = small();
    noGateway.segment['10010'] = { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1' };
    assert.deepEqual(render(noGateway, before), ['interface Vbdif10010', 'undo vxlan anycast-gateway enable', 'undo mac-address', 'undo ip address', 'quit']);
  });

  it('serializes edits with the fewest view changes', () => {
    assert.deepEqual(
      serializeEdits([
        { ctx: ['a', 'b'], cmd: 'x' },
        { ctx: ['a'], cmd: 'y' },
        { ctx: ['c'], cmd: 'z' },
        { ctx: [], cmd: 'w' },
      ]),
      ['a', 'b', 'x', 'quit', 'y', 'quit', 'c', 'z', 'quit', 'w'],
    );
  });

  it('converts addresses and MACs to the VRP forms', () => {
    assert.deepEqual(splitIpv4Prefix('10.1.0.1/24'), { ip: '10.1.0.1', mask: '255.255.255.0' });
    assert.deepEqual(splitIpv4Prefix('192.0.2.9/31'), { ip: '192.0.2.9', mask: '255.255.255.254' });
    assert.equal(toVrpMac('00:00:5e:00:01:01'), '0000-5e00-0101');
  });

  it('refuses any value that is not a VRP token before a line exists', () => {
    for (const bad of ['a b', 'x\nquit', 'a;b', 'a|b', '"q"', "it's", '-x', '', 'a#b', 'a?b', 'é']) {
      assert.throws(
        () => line(CONFIG.vpnInstance, { name: bad }),
        (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID && !e.message.includes('\n'),
        `value ${JSON.stringify(bad)} should be refused`,
      );
    }
    assert.throws(() => line(CONFIG.vxlanVni, { vni: -1 }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID);
    assert.throws(() => line(CONFIG.vxlanVni, { vni: 1.5 }), (e: unknown) => isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID);
    assert.equal(line(CONFIG.l2Subinterface, { port: '10GE1/0/1', sub: 100 }), 'interface 10GE1/0/1.100 mode l2');
  });
});
