import assert from 'node:assert/strict';
import { InputError } from '@netloom/ports';
import { engineSettingsFromProfile, loadProfile, type ProfileProblem } from '@netloom/runtime';
import { cleanTmp, example, writeProfile, type Edit } from './helpers';

function problemsOf(edits: readonly Edit[], base = 'hybrid-overlay.yaml'): ProfileProblem[] {
  try {
    loadProfile(writeProfile({ example: base }, edits), { env: {} });
  } catch (e) {
    if (e instanceof InputError) return e.problems as ProfileProblem[];
    throw e;
  }
  return [];
}

// docs/examples/hybrid-overlay.yaml: leaf1 (inventory.devices[0], vtepIp 192.0.2.201) with worker-1/2 behind it,
// host-overlay nodes edge-1/2; devices[1] is a vswitch.
describe('runtime: leaf VTEP addresses (hybrid overlay)', () => {
  after(cleanTmp);

  it('maps a leaf\'s vtepIp into the engine settings (leafs only)', () => {
    const { profile } = loadProfile(example('hybrid-overlay.yaml'), { env: {} });
    const s = engineSettingsFromProfile(profile);
    assert.deepEqual(s.devices.find((d) => d.name === 'leaf1'), { name: 'leaf1', role: 'leaf', vtepIp: '192.0.2.201' });
    assert.ok(s.devices.filter((d) => d.role !== 'leaf').every((d) => d.vtepIp === undefined));
  });

  it('a leaf with network-overlay nodes needs vtepIp when the profile has host-overlay nodes', () => {
    const problems = problemsOf([{ path: ['inventory', 'devices', 0, 'vtepIp'] }]);
    assert.deepEqual(problems.map((p) => p.path), ['inventory.devices[0].vtepIp']);
    assert.match(problems[0]?.reason ?? '', /required: host-overlay nodes \(edge-1, edge-2\) tunnel to leaf "leaf1" .*\(worker-1, worker-2\)/);
  });

  it('without host-overlay nodes a leaf needs no vtepIp', () => {
    assert.deepEqual(problemsOf([], 'network-overlay.yaml'), []);
    assert.deepEqual(
      problemsOf([
        { path: ['inventory', 'devices', 0, 'vtepIp'] },
        { path: ['topology', 'nodes', 2, 'overlay'], value: 'network' },
        { path: ['topology', 'nodes', 2, 'leaf'], value: 'leaf1' },
        { path: ['topology', 'nodes', 2, 'port'], value: 'Eth1/3' },
        { path: ['topology', 'nodes', 3, 'overlay'], value: 'network' },
        { path: ['topology', 'nodes', 3, 'leaf'], value: 'leaf1' },
        { path: ['topology', 'nodes', 3, 'port'], value: 'Eth1/4' },
      ]),
      [],
    );
  });

  it('refuses an IPv6 or malformed leaf vtepIp, and a vtepIp on a device that is not a leaf', () => {
    const problems = problemsOf([
      { path: ['inventory', 'devices', 0, 'vtepIp'], value: '2001:db8::1' },
      { path: ['inventory', 'devices', 1, 'vtepIp'], value: '192.0.2.99' },
    ]);
    const at = (p: string) => problems.find((x) => x.path === p)?.reason ?? `(none; got ${problems.map((x) => `${x.path}: ${x.reason}`).join('; ')})`;
    assert.match(at('inventory.devices[0].vtepIp'), /is an IPv6 address; a leaf's VTEP address is IPv4/);
    assert.match(at('inventory.devices[1].vtepIp'), /only a leaf has a VTEP address here \(this is a vswitch\)/);
    assert.match(problemsOf([{ path: ['inventory', 'devices', 0, 'vtepIp'], value: '192.0.2.300' }]).map((p) => p.reason).join('\n'), /"192.0.2.300" is not an IPv4 address/);
  });
});
