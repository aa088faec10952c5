// Configuration semantics of the Huawei CE simulator: the full leaf configuration, device-side constraints, undo,
// and the display commands derived from running.
import { strict as assert } from 'node:assert';
import { findChild, nodeAt } from '@netloom/conformance/simulators';
import { Fixture, LEAF_BLOCKS, LEAF_LINES } from './support/fixture';

describe('Huawei CE simulator: configuration', () => {
  const fx = new Fixture();
  afterEach(() => fx.cleanup());

  it('commits the full leaf configuration and shows it in display current-configuration and runningTree()', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', ...LEAF_LINES]);
    assert.equal((await sh.run('commit')).prompt, '[~Leaf1-Nve1]');
    await fx.type(sh, ['return']);

    const shown = (await sh.run('display current-configuration')).output.split('\n');
    assert.equal(shown[0], '!Software Version V200R005C10SPC800');
    assert.match(shown[1]!, /^!Last configuration was updated at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by netloom$/);
    const body = shown.slice(2);
    assert.deepEqual(body.slice(0, 3), ['#', 'sysname Leaf1', '#']);
    const start = body.indexOf('evpn-overlay enable');
    assert.deepEqual(body.slice(start, start + LEAF_BLOCKS.length), [...LEAF_BLOCKS]);
    const sub = body.indexOf('interface 100GE1/0/2.1 mode l2');
    assert.deepEqual(body.slice(sub - 2, sub + 4), ['interface 100GE1/0/2', '#', 'interface 100GE1/0/2.1 mode l2', ' encapsulation dot1q vid 10', ' bridge-domain 10', '#']);
    assert.deepEqual(body.slice(-5), ['interface Nve1', ' source 5.5.5.5', ' vni 10 head-end peer-list protocol bgp', '#', 'return']);
    // The harness view equals what the device prints.
    assert.equal(sim.runningConfig(), body.join('\n'));

    const tree = sim.runningTree();
    assert.deepEqual(
      nodeAt(tree, ['bridge-domain 10', 'evpn'])?.children.map((c) => c.line),
      ['route-distinguisher 10:1', 'vpn-target 100:10 export-extcommunity', 'vpn-target 100:5010 export-extcommunity', 'vpn-target 100:10 import-extcommunity'],
    );
    assert.ok(findChild(nodeAt(tree, ['ip vpn-instance vpn1'])!, 'vxlan vni 5010'));
    assert.ok(nodeAt(tree, ['interface Vbdif10', 'ip address 10.10.1.1 255.255.255.0']));
    assert.ok(nodeAt(tree, ['interface 100GE1/0/2.1 mode l2', 'bridge-domain 10']));

    // Filtered displays.
    assert.equal(
      (await sh.run('display current-configuration configuration vpn-instance')).output,
      ['#', ...LEAF_BLOCKS.slice(2, 9), '#', 'return'].join('\n'),
    );
    assert.equal(
      (await sh.run('display current-configuration interface Vbdif10')).output,
      ['#', ...LEAF_BLOCKS.slice(19, 25), '#', 'return'].join('\n'),
    );
    const vni = (await sh.run('display vxlan vni')).output.split('\n');
    assert.deepEqual(vni.slice(0, 1), ['Number of vxlan vni : 1']);
    assert.match(vni[3]!, /^10 +10 +up$/);
    const bds = (await sh.run('display bridge-domain')).output;
    assert.match(bds, /The total number of bridge-domains is : 1/);
    assert.match(bds, /\n10 +up +enable +disable FWD FWD FWD disable netloom:ls-web$/);
    const brief = (await sh.run('display interface brief')).output;
    for (const name of ['Vbdif10', '10GE1/0/1', '10GE1/0/48', '100GE1/0/2.1', 'Nve1']) assert.match(brief, new RegExp(`\\n${name.replace('.', '\\.')} +up`));
    assert.equal(sim.stats.configEdits, LEAF_LINES.length - 1 /* quit */);
  });

  it('accepts dotted masks and prefix lengths, and canonicalises values', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'bridge-domain 10', 'interface VBDIF10', 'ip address 10.1.0.1 16', 'mac-address e0-FC12-3456', 'interface loopback1', 'ip address 5.5.5.5 255.255.255.255', 'commit']);
    const cfg = sim.runningConfig();
    assert.match(cfg, /interface Vbdif10\n ip address 10\.1\.0\.1 255\.255\.0\.0\n mac-address 00e0-fc12-3456\n/);
    assert.match(cfg, /interface LoopBack1\n ip address 5\.5\.5\.5 255\.255\.255\.255\n/);
  });

  it('enforces the device constraints with VRP errors', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'evpn-overlay enable', 'bridge-domain 10', 'vxlan vni 10', 'commit']);
    const expectError = async (line: string, text: RegExp): Promise<void> => {
      const r = await sh.run(line);
      assert.match(r.output, text, `${line} → ${r.output}`);
    };
    // VLAN 4095 is out of range: a syntax-level wrong parameter under the value.
    await fx.type(sh, ['interface 10GE1/0/1.5 mode l2']);
    const vlan = await sh.run('encapsulation dot1q vid 4095');
    assert.equal(vlan.output, `${' '.repeat('[*Leaf1-10GE1/0/1.5]'.length + 'encapsulation dot1q vid '.length)}^\nError: Wrong parameter found at '^' position.`);
    await expectError('encapsulation dot1q vid 0', /Wrong parameter/);
    await expectError('bridge-domain 11', /^Error: The BD 11 does not exist\.$/);
    await fx.type(sh, ['encapsulation dot1q vid 100', 'bridge-domain 10']);
    // The same VLAN on another sub-interface of the same port.
    await fx.type(sh, ['interface 10GE1/0/1.6 mode l2']);
    await expectError('encapsulation dot1q vid 100', /^Error: The VLAN 100 has been used by sub-interface 10GE1\/0\/1\.5\.$/);
    // A sub-interface of a port that does not exist, and one without mode l2.
    await expectError('interface 10GE1/0/49.1 mode l2', /Wrong parameter/);
    await expectError('interface 10GE1/0/2.7', /^Error: The main interface works in Layer 2 mode/);
    // VNI reuse: another BD, the VRF's L3 VNI, a second VNI on one BD, the VNI range.
    await fx.type(sh, ['quit', 'bridge-domain 20']);
    await expectError('vxlan vni 10', /^Error: The VNI 10 has been bound to BD 10\.$/);
    await expectError('vxlan vni 16000001', /Wrong parameter/);
    await fx.type(sh, ['vxlan vni 20']);
    await expectError('vxlan vni 21', /^Error: The BD has been bound to VNI 20\. Delete the binding first\.$/);
    await fx.type(sh, ['ip vpn-instance vpn1']);
    await expectError('vxlan vni 20', /^Error: The VNI 20 has been bound to BD 20\.$/);
    // Binding to a VPN instance that does not exist; a Vbdif of a missing BD.
    await fx.type(sh, ['interface Vbdif10']);
    await expectError('ip binding vpn-instance vpn9', /^Error: The VPN instance vpn9 does not exist\.$/);
    await expectError('interface Vbdif30', /^Error: The BD 30 does not exist\.$/);
    // EVPN needs an RD before VPN targets; the RD cannot be changed without undo.
    await fx.type(sh, ['bridge-domain 10', 'evpn']);
    await expectError('vpn-target 1:1 export-extcommunity', /^Error: Configure an RD first\.$/);
    await fx.type(sh, ['route-distinguisher 10:1']);
    await expectError('route-distinguisher 10:2', /^Error: The RD 10:1 has been configured\. Delete it first\.$/);
    await expectError('route-distinguisher 70000:70000', /Wrong parameter/);
    // NVE peer list for a VNI no BD has.
    await fx.type(sh, ['interface Nve1']);
    await expectError('vni 999 head-end peer-list protocol bgp', /^Error: The VNI 999 does not exist\. Bind it to a BD first\.$/);
    // Overlapping subnets in one VRF.
    await fx.type(sh, ['interface LoopBack0', 'ip address 10.10.1.1 24', 'interface Vbdif10']);
    await expectError('ip address 10.10.1.2 255.255.255.0', /^Error: The specified IP address conflicts with the address of interface LoopBack0\.$/);
    await expectError('ip address 10.10.2.0 24', /^Error: The specified IP address is invalid\.$/);
    // Physical ports cannot be deleted.
    await expectError('undo interface 10GE1/0/1', /^Error: The physical interface 10GE1\/0\/1 cannot be deleted\.$/);
    assert.equal((await sh.run('commit')).output, '');
  });

  it('refuses to delete objects that are still referenced, and undo removes them in dependency order', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', ...LEAF_LINES, 'commit', 'quit']);
    const refuse = async (line: string, text: RegExp): Promise<void> => {
      const r = await sh.run(line);
      assert.match(r.output, text, `${line} → ${r.output}`);
    };
    await refuse('undo bridge-domain 10', /^Error: The BD 10 is being used by interface 100GE1\/0\/2\.1\. Delete the reference first\.$/);
    await refuse('undo ip vpn-instance vpn1', /^Error: The VPN instance vpn1 is being used by interface Vbdif10\. Delete the reference first\.$/);
    await refuse('undo evpn-overlay enable', /^Error: EVPN is configured in a BD/);
    await fx.type(sh, ['interface 100GE1/0/2.1', 'undo bridge-domain', 'quit']);
    await refuse('undo bridge-domain 10', /^Error: The BD 10 is being used by interface Vbdif10\./);
    await fx.type(sh, ['undo interface Vbdif10']);
    await refuse('undo bridge-domain 10', /^Error: The VNI 10 is being used by the NVE interface/);
    await fx.type(sh, [
      'interface Nve1',
      'undo vni 10 head-end peer-list protocol bgp',
      'undo source 5.5.5.5',
      'quit',
      'undo interface 100GE1/0/2.1',
      'undo bridge-domain 10',
      'undo ip vpn-instance vpn1',
      'undo interface Nve1',
      'undo evpn-overlay enable',
    ]);
    const changes = (await sh.run('display configuration candidate changes')).output.split('\n');
    assert.ok(changes.every((l) => l.startsWith('-')), changes.join('\n'));
    assert.ok(changes.includes('-bridge-domain 10') && changes.includes('-ip vpn-instance vpn1') && changes.includes('-interface Nve1'));
    await fx.type(sh, ['commit']);
    // Back to the power-on configuration.
    const fresh = await fx.start();
    assert.equal(sim.runningConfig(), fresh.runningConfig());
    // Undo of something that is not there.
    await fx.type(sh, ['bridge-domain 5']);
    await refuse('undo vxlan vni 5', /^Error: The VNI 5 is not bound here\.$/);
    await refuse('undo description', /^Error: The configuration does not exist\.$/);
    await fx.type(sh, ['quit']);
    await refuse('undo bridge-domain 6', /^Error: The BD 6 does not exist\.$/);
  });

  it('changes single-valued settings in place and unbinds IP configuration when the VRF binding changes', async () => {
    const sim = await fx.start();
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view', 'ip vpn-instance a', 'ip vpn-instance b', 'bridge-domain 10', 'description one', 'description two', 'interface Vbdif10', 'ip binding vpn-instance a', 'ip address 10.0.0.1 24']);
    const rebind = await sh.run('ip binding vpn-instance b');
    assert.equal(rebind.output, 'Info: All IPv4 related configurations on this interface are removed.');
    await fx.type(sh, ['commit']);
    const cfg = sim.runningConfig();
    assert.match(cfg, /bridge-domain 10\n description two\n#/);
    assert.match(cfg, /interface Vbdif10\n ip binding vpn-instance b\n#/);
  });

  it('changes the prompt after a committed sysname and renders display version from the options', async () => {
    const sim = await fx.start({ model: 'CE8850-64CQ-EI', vrpVersion: '8.191', softwareVersion: 'V300R020C10SPC200' });
    const sh = await fx.shell(sim);
    await fx.type(sh, ['system-view']);
    assert.equal((await sh.run('sysname Leaf9')).prompt, '[*Leaf1]');
    assert.equal((await sh.run('commit')).prompt, '[~Leaf9]');
    const v = (await sh.run('display version')).output.split('\n');
    assert.equal(v[1], 'VRP (R) software, Version 8.191 (CE8850 V300R020C10SPC200)');
    assert.match(v[3]!, /^HUAWEI CE8850-64CQ-EI uptime is \d+ days, \d+ hours, \d+ minutes$/);
  });
});
