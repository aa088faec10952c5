import assert from 'node:assert/strict';
import { InputError } from '@netloom/ports';
import { engineSettingsFromProfile, loadProfile, type ProfileProblem } from '@netloom/runtime';
import { cleanTmp, writeProfile, type Edit } from './helpers';

// docs/examples/network-overlay.yaml: leaf1 (devices[0]) with worker-1 (Eth1/1) and worker-2 (Eth1/2), leaf2
// (devices[1]), fw1 devices[5] (a firewall), lb1 devices[6]. topology.firewalls plugs fw1 into a leaf (ADR 0013).
function load(edits: readonly Edit[]): { problems: ProfileProblem[]; file: string } {
  const file = writeProfile({ example: 'network-overlay.yaml' }, edits);
  try {
    loadProfile(file, { env: {} });
  } catch (e) {
    if (e instanceof InputError) return { problems: e.problems as ProfileProblem[], file };
    throw e;
  }
  return { problems: [], file };
}

const reasons = (problems: readonly ProfileProblem[]): string[] => problems.map((p) => `${p.path}: ${p.reason}`);

describe('runtime: topology.firewalls (ADR 0013)', () => {
  after(cleanTmp);

  it('carries a firewall plugged into a leaf into the engine settings (no uplink: the engine default, eth1)', () => {
    const { problems, file } = load([{ path: ['topology', 'firewalls'], value: [{ device: 'fw1', leaf: 'leaf1', port: 'Eth1/47' }] }]);
    assert.deepEqual(reasons(problems), []);
    assert.deepEqual(engineSettingsFromProfile(loadProfile(file, { env: {} }).profile).topology.firewalls, [{ device: 'fw1', leaf: 'leaf1', port: 'Eth1/47' }]);
    const withUplink = load([{ path: ['topology', 'firewalls'], value: [{ device: 'fw1', leaf: 'leaf2', port: 'Eth1/9', uplink: 'bond1' }] }]);
    assert.deepEqual(engineSettingsFromProfile(loadProfile(withUplink.file, { env: {} }).profile).topology.firewalls, [{ device: 'fw1', leaf: 'leaf2', port: 'Eth1/9', uplink: 'bond1' }]);
    assert.equal(engineSettingsFromProfile(loadProfile(load([]).file, { env: {} }).profile).topology.firewalls, undefined);
  });

  it('refuses a device that is not a firewall, a leaf that is not a leaf, a firewall listed twice and a port a node uses', () => {
    const { problems } = load([
      {
        path: ['topology', 'firewalls'],
        value: [
          { device: 'lb1', leaf: 'leaf1', port: 'Eth1/40' },
          { device: 'fw1', leaf: 'fw1', port: 'Eth1/41' },
          { device: 'fw1', leaf: 'leaf1', port: 'Eth1/2' },
        ],
      },
    ]);
    const at = (p: string): string => problems.find((x) => x.path === p)?.reason ?? `(none; got ${reasons(problems).join('; ')})`;
    assert.match(at('topology.firewalls[0].device'), /"lb1" is a loadBalancer device, not a firewall/);
    assert.match(at('topology.firewalls[1].leaf'), /"fw1" is a firewall device, not a leaf/);
    assert.match(at('topology.firewalls[2].device'), /"fw1" is already plugged in at topology.firewalls\[1\]/);
    assert.match(at('topology.firewalls[2].port'), /leaf1 Eth1\/2 is already the port of node "worker-2"/);
  });

  it('refuses missing and unknown fields and bad interface names, with their paths', () => {
    const { problems } = load([{ path: ['topology', 'firewalls'], value: [{ device: 'fw1', leaf: 'leaf1', uplink: 'bad name', color: 'red' }] }]);
    const paths = problems.map((p) => p.path);
    for (const p of ['topology.firewalls[0].port', 'topology.firewalls[0].uplink', 'topology.firewalls[0].color']) assert.ok(paths.includes(p), `no problem at ${p}; got ${reasons(problems).join('; ')}`);
  });
});
