// Flood VTEPs (hybrid overlay) on EOS: the VLAN's head-end replication list on Vxlan1. Golden lines, the parser,
// and a round trip through the eAPI simulator.
import { strict as assert } from 'node:assert';
import { makeTestCertificates, startEosSimulator, type EosSimulator, type TestCertificates } from '@netloom/conformance/simulators';
import { FABRIC_KIND_ORDER, FabricConfigCodec, decodeOrThrow, diffConfig, emptyFabricConfig, silentLogger, type FabricConfig, type FabricConfigInput } from '@netloom/ports';
import { adapter, observeFabric, readEosState, renderChanges, type AristaEosSession } from '@netloom/adapter-arista-eos';

const UNDERLAY = `hostname leaf1
interface Ethernet1/1
interface Vxlan1
   vxlan source-interface Loopback1
ip routing
router bgp 65001
   router-id 10.255.0.1
`;

const config = (input: Partial<FabricConfigInput>): FabricConfig => decodeOrThrow(FabricConfigCodec, { ...emptyFabricConfig(), ...input }, 'test config');
const withFlood = (ips: readonly string[]): FabricConfig =>
  config({
    segment: { '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 } },
    floodVtep: Object.fromEntries(ips.map((ip) => [`10020:${ip}`, { key: `10020:${ip}`, l2Vni: 10020, remoteIp: ip }])),
  });
const lines = (desired: FabricConfig, running: string): readonly string[] => {
  const state = readEosState(running);
  return renderChanges(diffConfig({ desired, observed: observeFabric(state).config, order: FABRIC_KIND_ORDER }), state, { segmentVlans: { from: 2000, to: 2002 } }).lines;
};

describe('arista-eos flood VTEPs (vxlan vlan <v> flood vtep)', function () {
  this.timeout(30_000);

  it('golden: a new segment with two flood VTEPs, then one removed, then the segment gone (flood list first)', () => {
    assert.deepEqual(lines(withFlood(['192.0.2.141', '192.0.2.142']), UNDERLAY), [
      'vlan 2000',
      'name netloom.ls-db',
      'exit',
      'interface Vxlan1',
      'vxlan vlan 2000 vni 10020',
      'exit',
      'router bgp 65001',
      'vlan 2000',
      'rd 10.255.0.1:2000',
      'route-target both 10020:10020',
      'redistribute learned',
      'exit',
      'exit',
      'interface Vxlan1',
      'vxlan vlan 2000 flood vtep add 192.0.2.141',
      'vxlan vlan 2000 flood vtep add 192.0.2.142',
    ]);
    const running = `${UNDERLAY}vlan 2000\n   name netloom.ls-db\ninterface Vxlan1\n   vxlan vlan 2000 vni 10020\n   vxlan vlan 2000 flood vtep 192.0.2.141 192.0.2.142\n`;
    assert.deepEqual(observeFabric(readEosState(running)).config, withFlood(['192.0.2.141', '192.0.2.142']));
    assert.deepEqual(lines(withFlood(['192.0.2.142']), running), ['interface Vxlan1', 'vxlan vlan 2000 flood vtep remove 192.0.2.141']);
    const down = lines(emptyFabricConfig(), running);
    assert.ok(down.indexOf('vxlan vlan 2000 flood vtep remove 192.0.2.141') < down.indexOf('no vxlan vlan 2000 vni 10020'), down.join('\n'));
  });

  it('leaves the flood list of a VLAN netloom does not own alone', () => {
    const running = `${UNDERLAY}vlan 10\n   name legacy\ninterface Vxlan1\n   vxlan vlan 10 vni 5010\n   vxlan vlan 10 flood vtep 192.0.2.9\n`;
    assert.deepEqual(observeFabric(readEosState(running)).config.floodVtep, {});
  });

  describe('on the eAPI simulator', () => {
    let tls: TestCertificates;
    let sim: EosSimulator;
    let session: AristaEosSession | undefined;

    before(async () => {
      tls = await makeTestCertificates();
    });
    beforeEach(async () => {
      sim = await startEosSimulator({ tls, timerScale: 10, users: { netloom: { password: 'Flood-Test-Passw0rd', role: 'network-admin' } } });
    });
    afterEach(async () => {
      await session?.close();
      session = undefined;
      await sim.close();
    });

    it('applies, observes back, shrinks and removes the flood list; running-config holds one flood line per VLAN', async () => {
      const target = { name: 'leaf1', address: '127.0.0.1', port: sim.port, credentials: { username: 'netloom', password: 'Flood-Test-Passw0rd' }, tls: { verify: true, ca: tls.ca } };
      session = (await adapter.ports.fabric!({ target, options: { confirmTimeoutSec: 3600 }, logger: silentLogger }).connect()) as AristaEosSession;
      const s = session;
      const converge = async (desired: FabricConfig): Promise<void> => {
        await s.confirm({ transaction: await s.apply({ changeSet: await s.plan({ desired }) }) });
      };
      const floodLines = (): string[] => sim.runningConfig().split('\n').filter((l) => l.includes('flood vtep')).map((l) => l.trim());
      await converge(withFlood(['192.0.2.142', '192.0.2.141']));
      assert.deepEqual((await s.observe()).config, withFlood(['192.0.2.141', '192.0.2.142']));
      assert.equal(floodLines().length, 1);
      assert.match(floodLines()[0]!, /^vxlan vlan \d+ flood vtep 192\.0\.2\.141 192\.0\.2\.142$/);
      await converge(withFlood(['192.0.2.142']));
      assert.match(floodLines()[0]!, /^vxlan vlan \d+ flood vtep 192\.0\.2\.142$/);
      assert.equal((await s.plan({ desired: withFlood(['192.0.2.142']) })).changes.length, 0);
      await converge(emptyFabricConfig());
      assert.deepEqual(floodLines(), []);
      assert.deepEqual((await s.observe()).config, emptyFabricConfig());
    });
  });
});
