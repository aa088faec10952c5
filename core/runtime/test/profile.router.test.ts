import assert from 'node:assert/strict';
import { InputError } from '@netloom/ports';
import { engineSettingsFromProfile, loadProfile, type ProfileProblem } from '@netloom/runtime';
import { cleanTmp, writeProfile, type Edit } from './helpers';

// docs/examples/network-overlay.yaml: leaf1 (devices[0]) with worker-1 (Eth1/1) and worker-2 (Eth1/2), leaf2
// (devices[1]) with worker-3, vswitches devices[2..4], fw1 devices[5], lb1 devices[6]. These edits add router1 as
// devices[7] and a router behind leaf1.
const ROUTER_DEVICE: Edit = { path: ['inventory', 'devices', 7], value: { name: 'router1', role: 'router', adapter: '@netloom/adapter-fake', options: { uplink: 'up0' } } };
const ROUTER: Edit = { path: ['topology', 'routers'], value: [{ device: 'router1', leaf: 'leaf1', port: 'Eth1/48' }] };

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

describe('runtime: the router role and topology.routers (ADR 0012)', () => {
  after(cleanTmp);

  it('accepts a router device and a router behind a leaf, and carries them into the engine settings', () => {
    const { problems, file } = load([ROUTER_DEVICE, ROUTER]);
    assert.deepEqual(reasons(problems), []);
    const { profile } = loadProfile(file, { env: {} });
    const s = engineSettingsFromProfile(profile);
    assert.deepEqual(s.devices.find((d) => d.name === 'router1'), { name: 'router1', role: 'router' });
    // No uplink in the topology: the router adapter's options.uplink.
    assert.deepEqual(s.topology.routers, [{ device: 'router1', leaf: 'leaf1', port: 'Eth1/48', uplink: 'up0' }]);
  });

  it('carries uplink and vpcs as given; no routers: none in the settings', () => {
    const { file } = load([ROUTER_DEVICE, { path: ['topology', 'routers'], value: [{ device: 'router1', leaf: 'leaf2', port: 'Eth1/9', uplink: 'eth7', vpcs: ['shop', 'pay'] }] }]);
    const s = engineSettingsFromProfile(loadProfile(file, { env: {} }).profile);
    assert.deepEqual(s.topology.routers, [{ device: 'router1', leaf: 'leaf2', port: 'Eth1/9', uplink: 'eth7', vpcs: ['shop', 'pay'] }]);
    const plain = engineSettingsFromProfile(loadProfile(load([]).file, { env: {} }).profile);
    assert.equal(plain.topology.routers, undefined);
  });

  it('refuses a router device that is not a router, a leaf that is not a leaf or does not exist, with their paths', () => {
    const { problems } = load([
      ROUTER_DEVICE,
      {
        path: ['topology', 'routers'],
        value: [
          { device: 'fw1', leaf: 'leaf1', port: 'Eth1/48' },
          { device: 'router1', leaf: 'lb1', port: 'Eth1/1' },
          { device: 'router1', leaf: 'leaf9', port: 'Eth1/1' },
        ],
      },
    ]);
    const at = (p: string) => problems.find((x) => x.path === p)?.reason ?? `(none; got ${reasons(problems).join('; ')})`;
    assert.match(at('topology.routers[0].device'), /"fw1" is a firewall device, not a router/);
    assert.match(at('topology.routers[1].leaf'), /"lb1" is a loadBalancer device, not a leaf/);
    assert.match(at('topology.routers[2].leaf'), /no device named "leaf9" in inventory.devices/);
    assert.match(at('topology.routers[2].device'), /"router1" is already the router of topology.routers\[1\]/);
  });

  it('a leaf port used by a node and a router is a conflict, reported on the router', () => {
    const { problems } = load([ROUTER_DEVICE, { path: ['topology', 'routers'], value: [{ device: 'router1', leaf: 'leaf1', port: 'Eth1/2' }] }]);
    assert.deepEqual(reasons(problems), ['topology.routers[0].port: leaf1 Eth1/2 is already the port of node "worker-2"']);
  });

  it('refuses missing and unknown fields, bad interface names and an empty vpcs list, with their paths', () => {
    const { problems } = load([ROUTER_DEVICE, { path: ['topology', 'routers'], value: [{ device: 'router1', leaf: 'leaf1', uplink: 'bad name', vpcs: [], color: 'red' }] }]);
    const paths = problems.map((p) => p.path).sort();
    for (const p of ['topology.routers[0].port', 'topology.routers[0].uplink', 'topology.routers[0].vpcs', 'topology.routers[0].color']) {
      assert.ok(paths.includes(p), `no problem at ${p}; got ${reasons(problems).join('; ')}`);
    }
  });

  it('an unknown role is refused, naming router among the roles', () => {
    const { problems } = load([{ path: ['inventory', 'devices', 7], value: { name: 'router1', role: 'routr', adapter: '@netloom/adapter-fake' } }]);
    assert.match(problems.find((p) => p.path === 'inventory.devices[7].role')?.reason ?? '', /router/);
  });
});
