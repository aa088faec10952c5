import assert from 'node:assert/strict';
import { engineSettingsFromProfile, loadProfile, type ProfileProblem } from '@netloom/runtime';
import { InputError } from '@netloom/ports';
import { cleanTmp, example, writeProfile, type Edit } from './helpers';

function problemsOf(edits: readonly Edit[]): ProfileProblem[] {
  try {
    loadProfile(writeProfile({ example: 'network-overlay.yaml' }, edits));
  } catch (e) {
    if (e instanceof InputError) return e.problems as ProfileProblem[];
    throw e;
  }
  return [];
}

describe('runtime: engine settings from the profile', () => {
  after(cleanTmp);

  it('carries the address plan, topology with each node\'s vswitch, and the driven devices', () => {
    const { profile } = loadProfile(example('network-overlay.yaml'));
    const s = engineSettingsFromProfile(profile);
    assert.equal(s.vpcPolicy, 'per-namespace');
    assert.equal(s.overlay, 'network');
    assert.deepEqual(s.addressPlan.vni.l2.length > 0 && s.addressPlan.vni.l3.length > 0, true);
    assert.deepEqual(
      s.topology.nodes.map((n) => [n.name, n.leaf, n.port, n.vswitch]),
      [
        ['worker-1', 'leaf1', 'Eth1/1', 'worker-1-vs'],
        ['worker-2', 'leaf1', 'Eth1/2', 'worker-2-vs'],
        ['worker-3', 'leaf2', 'Eth1/1', 'worker-3-vs'],
      ],
    );
    assert.deepEqual(s.devices.find((d) => d.name === 'leaf1'), { name: 'leaf1', role: 'leaf' });
    assert.ok(s.devices.every((d) => (d.role as string) !== 'discovery'));
  });

  it('a node\'s vswitch must be a vswitch device, and one node per vswitch', () => {
    const problems = problemsOf([
      { path: ['topology', 'nodes', 0, 'vswitch'], value: 'leaf1' },
      { path: ['topology', 'nodes', 2, 'vswitch'], value: 'worker-2-vs' },
    ]);
    const at = (p: string) => problems.find((x) => x.path === p)?.reason ?? `(none; got ${problems.map((x) => x.path).join(', ')})`;
    assert.match(at('topology.nodes[0].vswitch'), /"leaf1" is a leaf device, not a vswitch/);
    assert.match(at('topology.nodes[2].vswitch'), /"worker-2-vs" is already the vswitch of node "worker-2"/);
  });
});
