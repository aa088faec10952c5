// Parsers on stored outputs of the simulated RGOS leaf (test/fixtures/parse/*.txt, captured from RuijieRgosSimulator
// with `show running-config` and `show version`): owned fabric objects, foreign ones, malformed marked blocks, lock
// markers, the device-level state, facts.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRgosMac, modelPortName, parseRunningConfig, parseVersion, parseVlanList, prefixLength, readDevice } from '@netloom/adapter-ruijie-rgos';
import { ErrorCode, isNetloomError } from '@netloom/ports';

const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', 'parse', name), 'utf8');
const isProtocolError = (e: unknown): boolean => isNetloomError(e) && e.code === ErrorCode.DEVICE_PROTOCOL;
const view = () => readDevice(parseRunningConfig(fixture('running-config.txt'), 'running'), 'running');

describe('ruijie-rgos parsers', () => {
  it('reads exactly the objects netloom owns from show running-config', () => {
    assert.deepEqual(view().config, {
      vrf: { 'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
      interconnect: {},
      segment: {
        '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } },
        '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
      },
      binding: {
        'TenGigabitEthernet0/1:100': { key: 'TenGigabitEthernet0/1:100', interface: 'TenGigabitEthernet0/1', vlan: 100, l2Vni: 10010 },
        'TenGigabitEthernet0/2:200': { key: 'TenGigabitEthernet0/2:200', interface: 'TenGigabitEthernet0/2', vlan: 200, l2Vni: 10020 },
      },
      floodVtep: {},
    });
    assert.deepEqual([...view().segmentVlans], [
      [10010, 100],
      [10020, 200],
    ]);
  });

  it('lists foreign objects, and neither observes nor lists a marked block that is not well formed', () => {
    const v = view();
    assert.deepEqual(v.foreign, {
      vrf: { legacy: { key: 'legacy', name: 'legacy', l3Vni: 60000, description: 'made by hand' } },
      segment: { '20000': { key: '20000', vlan: 20, l2Vni: 20000, description: 'legacy' } },
      binding: { 'TenGigabitEthernet0/3:20': { key: 'TenGigabitEthernet0/3:20', interface: 'TenGigabitEthernet0/3', vlan: 20 } },
    });
    assert.deepEqual(v.warnings, ['vlan 3999 is marked as netloom\'s but is not well formed (description "netloom:30000 broken", vxlan vni undefined)']);
    assert.equal(v.index.vlans.get(3999)?.marked, true);
    assert.equal(v.index.vlans.get(20)?.marked, false);
    assert.equal(v.index.vnis.get(60000)?.owner, 'vrf definition legacy');
    assert.equal(v.index.nve, true);
    assert.deepEqual(v.index.ports.get('TenGigabitEthernet0/4'), { trunk: false, allowed: new Set() }, 'an access port with a leftover list is no trunk');
    assert.deepEqual(v.index.ports.get('TenGigabitEthernet0/1'), { trunk: true, allowed: new Set([100]) });
  });

  it('reads the device-level state of what netloom manages: marked blocks (malformed too), NVE members of its VNIs, its trunk VLANs', () => {
    const s = view().state;
    assert.deepEqual([...s.vrfs.keys()], ['vpc-shop']);
    assert.deepEqual([...s.vlans.keys()], [100, 200, 3999]);
    assert.deepEqual(s.vlans.get(3999), ['description netloom:30000 broken']);
    assert.deepEqual([...s.svis.keys()], [100]);
    assert.deepEqual([...s.members], [
      [10010, { l3: false, owner: 'vlan:100' }],
      [10020, { l3: false, owner: 'vlan:200' }],
      [50001, { l3: true, owner: 'vrf:vpc-shop' }],
    ]);
    assert.deepEqual([...s.trunks], [
      ['TenGigabitEthernet0/1', new Set([100])],
      ['TenGigabitEthernet0/2', new Set([200])],
    ]);
  });

  it('finds lock markers and their expiry, and keeps them out of the VRFs', () => {
    const v = view();
    assert.deepEqual(v.markers, [{ name: 'netloom-lock-abc123-0badc0de', token: '0badc0de', expiresAt: parseInt('abc123', 36) * 1000 }]);
    assert.equal(v.index.vrfs.has('netloom-lock-abc123-0badc0de'), false);
    assert.equal(v.foreign.vrf['netloom-lock-abc123-0badc0de'], undefined);
  });

  it('counts unmarked blocks as netloom\'s when told (what an interrupted apply created)', () => {
    const text = '!\nvlan 3000\n!\ninterface Nve 1\n member vni 10020\n!\nend\n';
    assert.deepEqual([...readDevice(parseRunningConfig(text, 'running'), 'running').state.vlans.keys()], []);
    const s = readDevice(parseRunningConfig(text, 'running'), 'running', { vlans: new Set([3000]) }).state;
    assert.deepEqual([...s.vlans], [[3000, []]]);
  });

  it('refuses output it cannot read, naming the line', () => {
    assert.throws(() => parseRunningConfig('Building configuration...\nvlan 10\n', 'running'), (e: unknown) => isProtocolError(e) && /no "!" line/.test((e as Error).message));
    assert.throws(() => parseRunningConfig('!\nvlan 10\n   vxlan vni 10\n!\nend', 'running'), (e: unknown) => isProtocolError(e) && /line 3/.test((e as Error).message));
    const badList = '!\ninterface TenGigabitEthernet 0/1\n switchport mode trunk\n switchport trunk allowed vlan only 10;20\n!\nend';
    assert.throws(() => readDevice(parseRunningConfig(badList, 'running'), 'running'), (e: unknown) => isProtocolError(e) && /does not hold a VLAN list/.test((e as Error).message));
    // A marked VRF whose name is not a safe name is a warning, never an owned object.
    const odd = readDevice(parseRunningConfig('!\nvrf definition a:b\n description netloom:a:b\n vni 5\n!\nend', 'running'), 'running');
    assert.deepEqual(odd.config.vrf, {});
    assert.equal(odd.warnings.length, 1);
  });

  it('reads show version into facts, and names the missing row of a reply it does not understand', () => {
    assert.deepEqual(parseVersion(fixture('show-version.txt'), 'Leaf1', 'show version'), {
      vendor: 'Ruijie',
      model: 'RG-S6510-48VS8CQ',
      osVersion: 'RGOS 11.0(5)B9P59',
      serial: 'SIM00000001',
      hostname: 'Leaf1',
      extra: { hardwareVersion: '1.00', uptime: '0:00:00:00', sysObjectId: '1.3.6.1.4.1.4881.1.1.10.1.2601' },
    });
    assert.throws(
      () => parseVersion('Ruijie General Operating System Software\n', 'Leaf1', 'show version'),
      (e: unknown) => isProtocolError(e) && /model: required|model: expected/.test((e as Error).message) && /software/.test((e as Error).message),
    );
  });

  it('converts the RGOS forms of VLAN lists, MACs, masks and port names', () => {
    assert.deepEqual(parseVlanList('10,20-22'), [10, 20, 21, 22]);
    assert.equal(parseVlanList('10;20'), undefined);
    assert.equal(fromRgosMac('0000.5e00.0101'), '00:00:5e:00:01:01');
    assert.equal(fromRgosMac('0:5e:1'), undefined);
    assert.equal(prefixLength('255.255.255.0'), 24);
    assert.equal(prefixLength('255.0.255.0'), undefined);
    assert.equal(modelPortName('TenGigabitEthernet 0/1'), 'TenGigabitEthernet0/1');
    assert.equal(modelPortName('VLAN 10'), undefined);
  });
});
