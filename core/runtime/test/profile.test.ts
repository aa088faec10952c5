import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '@netloom/ports';
import { DEFAULT_STORE_ADAPTER, loadProfile, parseProfile, type ProfileProblem } from '@netloom/runtime';
import { cleanTmp, example, writeProfile, type Edit } from './helpers';

/** Loads and expects an InputError; returns its problems. */
function problemsOf(file: string): readonly ProfileProblem[] {
  try {
    loadProfile(file, { env: {} });
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected the profile to be invalid');
}

function problemsOfEdits(edits: Edit[], base = 'network-overlay.yaml'): readonly ProfileProblem[] {
  return problemsOf(writeProfile({ example: base }, edits));
}

function find(problems: readonly ProfileProblem[], p: string): ProfileProblem {
  const hit = problems.find((x) => x.path === p);
  assert.ok(hit, `no problem at ${p}; got:\n${problems.map((x) => `${x.path}: ${x.reason}`).join('\n')}`);
  return hit;
}

describe('runtime: deployment profile', () => {
  after(cleanTmp);

  describe('the example profiles', () => {
    for (const name of ['embedded.yaml', 'network-overlay.yaml', 'hybrid-overlay.yaml']) {
      it(`${name} validates`, () => {
        const { profile } = loadProfile(example(name), { env: {} });
        assert.equal(profile.apiVersion, 'netloom.io/v1alpha1');
        assert.ok(profile.inventory.devices.length > 0);
      });
    }

    it('network-overlay.yaml has two leafs, three nodes, a firewall, a load balancer, a sqlite store and a scenario source', () => {
      const { profile } = loadProfile(example('network-overlay.yaml'), { env: {} });
      const roles = profile.inventory.devices.map((d) => d.role);
      assert.equal(roles.filter((r) => r === 'leaf').length, 2);
      assert.ok(roles.includes('firewall') && roles.includes('loadBalancer') && roles.includes('vswitch'));
      assert.equal(profile.topology.nodes?.length, 3);
      assert.equal(profile.store.adapter, '@netloom/adapter-sqlite');
      assert.ok('scenario' in profile.sources.kubernetes);
    });

    it('hybrid-overlay.yaml has network- and host-overlay nodes', () => {
      const { profile } = loadProfile(example('hybrid-overlay.yaml'), { env: {} });
      assert.equal(profile.overlay, 'hybrid');
      const modes = new Set(profile.topology.nodes?.map((n) => n.overlay ?? 'network'));
      assert.deepEqual([...modes].sort(), ['host', 'network']);
    });

    it('credentials in the examples are env references; unset variables are warnings, not errors', () => {
      const { warnings } = loadProfile(example('network-overlay.yaml'), { env: {} });
      const w = warnings.find((x) => x.path === 'inventory.devices[0].credentials.password');
      assert.ok(w);
      assert.match(w.reason, /NETLOOM_LEAF1_PASSWORD is not set/);
      const set = loadProfile(example('network-overlay.yaml'), { env: { NETLOOM_LEAF1_PASSWORD: 'x' } });
      assert.equal(set.warnings.find((x) => x.path === 'inventory.devices[0].credentials.password'), undefined);
    });
  });

  describe('defaults and paths', () => {
    it('fills in every default', () => {
      const file = writeProfile({ example: 'hybrid-overlay.yaml' }, [{ path: ['plugins'] }]);
      const { profile } = loadProfile(file, { env: {} });
      assert.deepEqual(profile.controller, { batchWindowMs: 300, confirmTimeoutSec: 120, resyncSec: 600 });
      assert.equal(profile.vpcPolicy, 'per-namespace');
      assert.deepEqual(profile.plugins, ['kubernetes', 'service-lb', 'vpc-peering', 'security-groups']);
      assert.deepEqual(profile.addressPlan.vlan, { from: 2, to: 4094 });
      assert.deepEqual(profile.addressPlan.defaultSubnetPrefix, { ipv4: 24, ipv6: 64 });
      assert.equal(profile.store.adapter, DEFAULT_STORE_ADAPTER);
      assert.deepEqual(profile.store.options, { path: path.join(path.dirname(file), '.netloom', 'state.db') });
    });

    it('the overlay defaults to network; tls.verify and hostKey.verify default to true', () => {
      const file = writeProfile({ example: 'network-overlay.yaml' }, [
        { path: ['overlay'] },
        { path: ['inventory', 'devices', 0, 'hostKey'], value: {} },
      ]);
      const { profile } = loadProfile(file, { env: {} });
      assert.equal(profile.overlay, 'network');
      assert.equal(profile.inventory.devices[0]?.hostKey?.verify, true);
      assert.equal(profile.inventory.devices[6]?.tls?.verify, true);
    });

    it('resolves relative paths against the profile directory', () => {
      const file = writeProfile({ example: 'network-overlay.yaml' });
      const dir = path.dirname(file);
      const { profile } = loadProfile(file, { env: {} });
      assert.deepEqual(profile.sources.kubernetes, { scenario: path.join(dir, 'scenario.yaml') });
      assert.deepEqual(profile.inventory.devices[5]?.credentials?.privateKey, { file: path.join(dir, 'secrets', 'fw1.key') });
      assert.deepEqual(profile.store.options, { path: path.join(dir, '.netloom', 'state.db') });
    });

    it('keeps a store path that starts with ":" (sqlite :memory:) as it is', () => {
      const file = writeProfile({ example: 'embedded.yaml' }, [{ path: ['store', 'options', 'path'], value: ':memory:' }]);
      assert.deepEqual(loadProfile(file).profile.store.options, { path: ':memory:' });
    });
  });

  describe('problems', () => {
    it('ACCEPTANCE: an invalid address and a removed required field are both reported with their paths', () => {
      const problems = problemsOfEdits([
        { path: ['inventory', 'devices', 1, 'address'], value: '10.0.0.300' },
        { path: ['inventory', 'devices', 0, 'credentials', 'password'] },
      ]);
      assert.equal(find(problems, 'inventory.devices[1].address').reason, '"10.0.0.300" is not an IPv4 address (octet 300 is above 255)');
      assert.match(find(problems, 'inventory.devices[0].credentials.password').reason, /^required/);
      assert.equal(problems.length, 2);
    });

    it('the error message lists every problem as path: reason', () => {
      const file = writeProfile({ example: 'network-overlay.yaml' }, [
        { path: ['inventory', 'devices', 1, 'address'], value: '10.0.0.300' },
        { path: ['metadata', 'name'] },
      ]);
      assert.throws(
        () => loadProfile(file),
        (e: unknown) =>
          e instanceof InputError &&
          e.message.includes('(2 problems)') &&
          e.message.includes('  inventory.devices[1].address: "10.0.0.300" is not an IPv4 address') &&
          e.message.includes('  metadata.name: required'),
      );
    });

    it('gives each problem its line in the file', () => {
      const problems = problemsOfEdits([{ path: ['inventory', 'devices', 1, 'address'], value: '10.0.0.300' }]);
      const p = find(problems, 'inventory.devices[1].address');
      const file = fs.readFileSync(example('network-overlay.yaml'), 'utf8').split('\n');
      assert.ok(p.line !== undefined);
      // the edited copy keeps the layout of leaf2's block: its address line holds the bad value
      assert.ok(p.line > file.findIndex((l) => l.includes('name: leaf2')));
    });

    it('refuses an inline secret and says to use { env } or { file }, without echoing it', () => {
      const problems = problemsOfEdits([{ path: ['inventory', 'devices', 0, 'credentials', 'password'], value: 'hunter2-secret' }]);
      const p = find(problems, 'inventory.devices[0].credentials.password');
      assert.match(p.reason, /inline secrets are not allowed/);
      assert.match(p.reason, /\{ env: NAME \}/);
      assert.match(p.reason, /\{ file: path \}/);
      assert.ok(!JSON.stringify(problems).includes('hunter2-secret'));
    });

    it('refuses { value } for a password but accepts it for a user name', () => {
      const problems = problemsOfEdits([{ path: ['inventory', 'devices', 0, 'credentials', 'password'], value: { value: 's3cr3t-value' } }]);
      assert.match(find(problems, 'inventory.devices[0].credentials.password.value').reason, /inline secrets are not allowed/);
      assert.ok(!JSON.stringify(problems).includes('s3cr3t-value'));
      const ok = writeProfile({ example: 'network-overlay.yaml' }, [{ path: ['inventory', 'devices', 0, 'credentials', 'username'], value: 'admin' }]);
      assert.deepEqual(loadProfile(ok).profile.inventory.devices[0]?.credentials?.username, { value: 'admin' });
    });

    it('reports an unknown field with a did-you-mean suggestion', () => {
      const file = writeProfile({ example: 'network-overlay.yaml' }, [
        { path: ['inventory', 'devices', 2, 'address'] },
        { path: ['inventory', 'devices', 2, 'adress'], value: '192.0.2.21' },
        { path: ['controler'], value: { batchWindowMs: 10 } },
      ]);
      const problems = problemsOf(file);
      assert.equal(find(problems, 'inventory.devices[2].adress').reason, 'unknown field; did you mean "address"?');
      assert.equal(find(problems, 'controler').reason, 'unknown field; did you mean "controller"?');
    });

    it('reports a YAML syntax error with line and column', () => {
      const file = writeProfile({ text: 'apiVersion: netloom.io/v1alpha1\nkind: Profile\nmetadata:\n  name: [broken\n  other: 1\n' });
      const problems = problemsOf(file);
      assert.equal(problems.length >= 1, true);
      const p = problems[0];
      assert.ok(p);
      assert.match(p.reason, /^YAML syntax error at line \d+, column \d+: /);
      assert.ok(p.line !== undefined && p.line >= 4);
    });

    it('reports a duplicate key as a YAML error with its line', () => {
      const file = writeProfile({ text: 'apiVersion: netloom.io/v1alpha1\nkind: Profile\nkind: Profile\n' });
      const [p] = problemsOf(file);
      assert.ok(p);
      assert.equal(p.line, 3);
      assert.match(p.reason, /line 3/);
    });

    it('reports every problem at once: codec and cross-field problems together', () => {
      const problems = problemsOfEdits([
        { path: ['apiVersion'], value: 'netloom.io/v2' },
        { path: ['overlay'], value: 'hybird' },
        { path: ['addressPlan', 'vni', 'l2', 2], value: { from: 1, to: 20000000 } },
        { path: ['addressPlan', 'vni', 'l3', 0], value: { from: 15000, to: 15999 } },
        { path: ['addressPlan', 'vni', 'l2', 1], value: { from: 40000, to: 30000 } },
        { path: ['addressPlan', 'vlan'], value: { from: 0, to: 4095 } },
        { path: ['addressPlan', 'containerBlocks', 2], value: '10.244.128.0/17' },
        { path: ['addressPlan', 'containerBlocks', 3], value: '10.0.0.1/8' },
        { path: ['inventory', 'devices', 1, 'name'], value: 'leaf1' },
        { path: ['inventory', 'devices', 3, 'port'], value: 70000 },
        { path: ['inventory', 'devices', 4, 'role'], value: 'switch' },
        { path: ['topology', 'nodes', 2, 'leaf'], value: 'leaf3' },
        { path: ['topology', 'nodes', 1, 'name'], value: 'worker-1' },
        { path: ['controller', 'batchWindowMs'], value: -1 },
      ]);
      const expected: Record<string, RegExp> = {
        apiVersion: /must be "netloom.io\/v1alpha1", got "netloom.io\/v2"/,
        overlay: /"hybird" is not one of network, host, hybrid; did you mean "hybrid"\?/,
        'addressPlan.vni.l2[2].to': /^20000000 is outside 1\.\.16777215$/,
        'addressPlan.vni.l2[1]': /from 40000 is greater than to 30000/,
        'addressPlan.vni.l3[0]': /15000\.\.15999 overlaps addressPlan\.vni\.l2\[0\]/,
        'addressPlan.vlan.from': /0 is outside 1\.\.4094/,
        'addressPlan.vlan.to': /4095 is outside 1\.\.4094/,
        'addressPlan.containerBlocks[2]': /overlaps addressPlan\.containerBlocks\[0\] \(10\.244\.0\.0\/16\)/,
        'addressPlan.containerBlocks[3]': /host bits are set; the network is 10\.0\.0\.0\/8/,
        'inventory.devices[1].name': /"leaf1" is already the name of inventory\.devices\[0\]/,
        'inventory.devices[3].port': /70000 is outside 1\.\.65535/,
        'inventory.devices[4].role': /"switch" is not one of leaf, vswitch, firewall, loadBalancer, discovery/,
        'topology.nodes[2].leaf': /no device named "leaf3"/,
        'topology.nodes[1].name': /"worker-1" is already the name of topology\.nodes\[0\]/,
        'controller.batchWindowMs': /-1 is outside 0\.\.60000/,
      };
      for (const [p, re] of Object.entries(expected)) assert.match(find(problems, p).reason, re, p);
    });

    it('checks references: a node leaf must be a leaf device; discovery must name a discovery device', () => {
      const problems = problemsOfEdits([
        { path: ['topology', 'nodes', 0, 'leaf'], value: 'fw1' },
        { path: ['topology', 'discovery'], value: { device: 'leaf1' } },
      ]);
      assert.equal(find(problems, 'topology.nodes[0].leaf').reason, '"fw1" is a firewall device, not a leaf');
      assert.equal(find(problems, 'topology.discovery.device').reason, '"leaf1" is a leaf device, not a discovery');
    });

    it('requires leaf and port for network-overlay nodes, and overlay: hybrid for mixed nodes', () => {
      const problems = problemsOfEdits([
        { path: ['topology', 'nodes', 0, 'port'] },
        { path: ['topology', 'nodes', 1, 'overlay'], value: 'host' },
        { path: ['topology', 'nodes', 2, 'port'], value: 'Eth1/2' },
        { path: ['topology', 'nodes', 2, 'leaf'], value: 'leaf1' },
      ]);
      assert.match(find(problems, 'topology.nodes[0].port').reason, /required for a network-overlay node/);
      assert.match(find(problems, 'topology.nodes[1].overlay').reason, /needs overlay: hybrid/);
      assert.match(find(problems, 'topology.nodes[2].port').reason, /leaf1 Eth1\/2 is already the port of node "worker-2"/);
    });

    it('checks VIP pools: unique names, no overlap, excludes inside the pool', () => {
      const problems = problemsOfEdits([
        { path: ['addressPlan', 'vipPools', 1], value: { name: 'public', cidr: '10.244.1.0/24', exclude: ['10.9.9.9'] } },
      ]);
      assert.match(find(problems, 'addressPlan.vipPools[1].name').reason, /already the name/);
      assert.match(find(problems, 'addressPlan.vipPools[1].cidr').reason, /overlaps addressPlan\.containerBlocks\[0\]/);
      assert.match(find(problems, 'addressPlan.vipPools[1].exclude[0]').reason, /outside the pool/);
    });

    it('checks device names, addresses and package names', () => {
      const problems = problemsOfEdits([
        { path: ['inventory', 'devices', 0, 'name'], value: 'leaf 1; rm -rf' },
        { path: ['inventory', 'devices', 2, 'address'], value: 'fe80::1::2' },
        { path: ['inventory', 'devices', 3, 'address'], value: 'not a host' },
        { path: ['inventory', 'devices', 4, 'adapter'], value: 'Not A Package' },
      ]);
      assert.match(find(problems, 'inventory.devices[0].name').reason, /is not allowed: use 1-63 letters/);
      assert.match(find(problems, 'inventory.devices[2].address').reason, /"fe80::1::2" is not an IPv6 address/);
      assert.match(find(problems, 'inventory.devices[3].address').reason, /is not a host name or IP address/);
      assert.match(find(problems, 'inventory.devices[4].adapter').reason, /is not an npm package name/);
    });

    it('sources.kubernetes must be exactly one of scenario, kubeconfig, inCluster', () => {
      const both = problemsOfEdits([{ path: ['sources', 'kubernetes'], value: { scenario: 'a.yaml', inCluster: true } }]);
      assert.match(find(both, 'sources.kubernetes').reason, /give only one of scenario, inCluster/);
      const none = problemsOfEdits([{ path: ['sources', 'kubernetes'], value: { kubeconfg: 'x' } }]);
      assert.match(find(none, 'sources.kubernetes').reason, /did you mean "kubeconfig"\?/);
      const inCluster = writeProfile({ example: 'embedded.yaml' }, [{ path: ['sources', 'kubernetes'], value: { inCluster: true } }]);
      assert.deepEqual(loadProfile(inCluster).profile.sources.kubernetes, { inCluster: true });
    });

    it('an empty file and a non-mapping are problems', () => {
      assert.match(problemsOf(writeProfile({ text: '# nothing\n' }))[0]?.reason ?? '', /empty/);
      assert.match(problemsOf(writeProfile({ text: '- a\n- b\n' }))[0]?.reason ?? '', /expected a mapping/);
    });

    it('a missing file is a NotFoundError', () => {
      assert.throws(() => loadProfile('/nonexistent/profile.yaml'), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'NOT_FOUND');
    });
  });

  describe('warnings', () => {
    it('warns about tls.verify: false and hostKey.verify: false (lab only)', () => {
      const file = writeProfile({ example: 'network-overlay.yaml' }, [
        { path: ['inventory', 'devices', 6, 'tls', 'verify'], value: false },
        { path: ['inventory', 'devices', 0, 'hostKey', 'verify'], value: false },
      ]);
      const { warnings } = loadProfile(file, { env: {} });
      assert.match(find(warnings, 'inventory.devices[6].tls.verify').reason, /not verified \(lab only\)/);
      assert.match(find(warnings, 'inventory.devices[0].hostKey.verify').reason, /host key of leaf1 is not verified \(lab only\)/);
    });

    it('warns about an unknown plugin with a suggestion, and a missing scenario file', () => {
      const { warnings } = parseProfile(
        fs.readFileSync(example('embedded.yaml'), 'utf8').replace('plugins: [kubernetes, service-lb, vpc-peering, security-groups]', 'plugins: [kubernetes, servce-lb]'),
        { dir: '/nonexistent-dir' },
      );
      assert.match(find(warnings, 'plugins[1]').reason, /did you mean "service-lb"\?/);
      assert.match(find(warnings, 'sources.kubernetes.scenario').reason, /does not exist/);
    });
  });
});
