// Flood VTEPs (hybrid overlay) on a CloudEngine: static head-end peers under interface Nve1. Golden lines, the
// parser on configuration text, and a round trip through the simulator.
import * as assert from 'node:assert/strict';
import { parseConfigText, readFabric, renderChanges, resolveOptions, type HuaweiCeFabricSession } from '@netloom/adapter-huawei-ce';
import { FABRIC_KIND_ORDER, diffConfig, emptyFabricConfig, type FabricConfig } from '@netloom/ports';
import { decode, smallInput, startLeaf, type EditableInput, type Leaf } from './support';

const settings = resolveOptions({}, 'leaf1').render;

/** The small config plus flood VTEPs on segment 10020. */
const withFlood = (ips: readonly string[]): EditableInput => ({
  ...smallInput(),
  floodVtep: Object.fromEntries(ips.map((ip) => [`10020:${ip}`, { key: `10020:${ip}`, l2Vni: 10020, remoteIp: ip }])),
});
const render = (desired: EditableInput, observed: EditableInput): string[] =>
  renderChanges(diffConfig({ desired: decode(desired), observed: decode(observed), order: FABRIC_KIND_ORDER }), settings);

describe('huawei-ce flood VTEPs (vni <n> head-end peer-list <ip>)', function () {
  this.timeout(60_000);

  it('golden: one static peer line per flood VTEP under interface Nve1, and its undo form', () => {
    assert.deepEqual(render(withFlood(['192.0.2.141', '192.0.2.142']), smallInput()), [
      'interface Nve1',
      'vni 10020 head-end peer-list 192.0.2.141',
      'vni 10020 head-end peer-list 192.0.2.142',
      'quit',
    ]);
    assert.deepEqual(render(withFlood(['192.0.2.142']), withFlood(['192.0.2.141', '192.0.2.142'])), ['interface Nve1', 'undo vni 10020 head-end peer-list 192.0.2.141', 'quit']);
    // Deleting the segment too: the peer goes before the bridge domain (and with the BGP list of the segment).
    const small = smallInput();
    const { '10020': _gone, ...segments } = small.segment;
    const bindings = Object.fromEntries(Object.entries(small.binding).filter(([, b]) => b.l2Vni !== 10020));
    const lines = render({ ...small, segment: segments, binding: bindings }, withFlood(['192.0.2.141']));
    assert.ok(lines.indexOf('undo vni 10020 head-end peer-list 192.0.2.141') < lines.indexOf('undo bridge-domain 10020'), lines.join('\n'));
  });

  it('parses static peers of an owned segment (one or several per line) and leaves other VNIs alone', () => {
    const text = [
      'evpn-overlay enable',
      '#',
      'bridge-domain 10020',
      ' description netloom:10020 ls-db',
      ' vxlan vni 10020',
      '#',
      'bridge-domain 20000',
      ' description legacy',
      ' vxlan vni 20000',
      '#',
      'interface Nve1',
      ' source 10.0.0.11',
      ' vni 10020 head-end peer-list protocol bgp',
      ' vni 10020 head-end peer-list 192.0.2.141',
      ' vni 10020 head-end peer-list 192.0.2.142 192.0.2.143',
      ' vni 20000 head-end peer-list 192.0.2.150',
      '#',
      'return',
    ].join('\n');
    const view = readFabric(parseConfigText(text, 'running'), settings, 'running');
    assert.deepEqual(Object.keys(view.config.floodVtep), ['10020:192.0.2.141', '10020:192.0.2.142', '10020:192.0.2.143']);
    assert.deepEqual(view.config.floodVtep['10020:192.0.2.143'], { key: '10020:192.0.2.143', l2Vni: 10020, remoteIp: '192.0.2.143' });
  });

  describe('on the simulator', () => {
    let leaf: Leaf | undefined;
    const sessions: HuaweiCeFabricSession[] = [];
    const owned = (l: Leaf): FabricConfig => readFabric(parseConfigText(l.sim.runningConfig(), 'running'), settings, 'running').config;

    afterEach(async () => {
      for (const s of sessions.splice(0)) await s.close();
      await leaf?.stop();
      leaf = undefined;
    });

    it('applies, observes back, shrinks and removes flood VTEPs; the running config holds exactly the peer lines', async () => {
      leaf = await startLeaf();
      const s = await leaf.driver().connect();
      sessions.push(s);
      const converge = async (desired: FabricConfig): Promise<void> => {
        await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired }) }) });
      };
      await converge(decode(withFlood(['192.0.2.141', '192.0.2.142'])));
      assert.deepEqual((await s.observe()).config, decode(withFlood(['192.0.2.141', '192.0.2.142'])));
      assert.deepEqual(owned(leaf), decode(withFlood(['192.0.2.141', '192.0.2.142'])));
      const peers = (): string[] => leaf!.sim.runningConfig().split('\n').filter((l) => /head-end peer-list \d/.test(l)).map((l) => l.trim());
      assert.deepEqual(peers(), ['vni 10020 head-end peer-list 192.0.2.141', 'vni 10020 head-end peer-list 192.0.2.142']);
      await converge(decode(withFlood(['192.0.2.142'])));
      assert.deepEqual(peers(), ['vni 10020 head-end peer-list 192.0.2.142']);
      assert.equal((await s.plan({ desired: decode(withFlood(['192.0.2.142'])) })).changes.length, 0);
      await converge(emptyFabricConfig());
      assert.deepEqual(peers(), []);
      assert.deepEqual((await s.observe()).config, emptyFabricConfig());
    });
  });
});
