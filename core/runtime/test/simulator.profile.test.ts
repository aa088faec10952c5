// `simulator: true` in the inventory: what the profile accepts and refuses, what the loader checks, and how the
// drivers of a simulated device find its simulator.
import assert from 'node:assert/strict';
import { InputError, silentLogger } from '@netloom/ports';
import { DeviceDrivers, loadProfile, loadProfileAdapters, SecretRegistry, startSimulators, type ProfileProblem, type SimulatorSet } from '@netloom/runtime';
import { cleanTmp, cli, example, fixtureAdapter, fixtureProfileText, writeProfile, type Edit } from './helpers';

/** Loads a copy of the embedded profile with edits and expects it to be invalid; returns its problems. */
function problemsOf(edits: Edit[]): readonly ProfileProblem[] {
  try {
    loadProfile(writeProfile({ example: 'embedded.yaml' }, edits), { env: {} });
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected the profile to be invalid');
}

function reasonAt(problems: readonly ProfileProblem[], path: string): string {
  const hit = problems.find((p) => p.path === path);
  assert.ok(hit, `no problem at ${path}; got:\n${problems.map((x) => `${x.path}: ${x.reason}`).join('\n')}`);
  return hit.reason;
}

describe('runtime: simulated devices (simulator: true)', function () {
  this.timeout(60_000);
  after(cleanTmp);

  describe('the profile', () => {
    it('the embedded profile puts leaf1, leaf2 and lb1 on their adapters\' simulators, and profile validate accepts it with the adapters loaded', async () => {
      const { profile } = loadProfile(example('embedded.yaml'), { env: {} });
      assert.deepEqual(
        profile.inventory.devices.filter((d) => d.simulator === true).map((d) => `${d.name} ${d.adapter}`),
        [
          'leaf1 @netloom/adapter-huawei-ce',
          'leaf2 @netloom/adapter-arista-eos',
          'node-1-vs @netloom/adapter-ovs',
          'node-2-vs @netloom/adapter-ovs',
          'lb1 @netloom/adapter-f5-bigip',
        ],
      );
      const r = await cli('profile', 'validate', example('embedded.yaml'));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^OK .*@netloom\/adapter-huawei-ce [\d.]+.*@netloom\/adapter-arista-eos [\d.]+.*@netloom\/adapter-f5-bigip [\d.]+/);
    });

    it('refuses an address, port, credentials, TLS or host key next to simulator: true, each at its path', () => {
      const problems = problemsOf([
        { path: ['inventory', 'devices', 0, 'address'], value: '192.0.2.11' },
        { path: ['inventory', 'devices', 1, 'port'], value: 443 },
        { path: ['inventory', 'devices', 1, 'tls'], value: { verify: true } },
        { path: ['inventory', 'devices', 5, 'credentials'], value: { username: 'admin', password: { env: 'NETLOOM_LB1_PASSWORD' } } },
        { path: ['inventory', 'devices', 0, 'hostKey'], value: { verify: false } },
      ]);
      for (const at of ['inventory.devices[0].address', 'inventory.devices[1].port', 'inventory.devices[1].tls', 'inventory.devices[5].credentials', 'inventory.devices[0].hostKey']) {
        assert.match(reasonAt(problems, at), /^not allowed with simulator: true \(a simulated device is reached at its in-process simulator's own address/);
      }
      assert.equal(problems.length, 5, problems.map((p) => `${p.path}: ${p.reason}`).join('\n'));
    });

    it('an address without simulator: true (or with simulator: false) stays allowed', () => {
      const file = writeProfile({ example: 'embedded.yaml' }, [
        { path: ['inventory', 'devices', 0, 'simulator'], value: false },
        { path: ['inventory', 'devices', 0, 'address'], value: '192.0.2.11' },
      ]);
      assert.equal(loadProfile(file, { env: {} }).profile.inventory.devices[0]?.address, '192.0.2.11');
    });

    it('simulator must be true or false', () => {
      assert.match(reasonAt(problemsOf([{ path: ['inventory', 'devices', 0, 'simulator'], value: 'yes' }]), 'inventory.devices[0].simulator'), /must be true or false, got "yes"/);
    });

    it('netloom profile validate reports the path (child of the CLI, exit 1)', async () => {
      const r = await cli('profile', 'validate', writeProfile({ example: 'embedded.yaml' }, [{ path: ['inventory', 'devices', 0, 'address'], value: '192.0.2.11' }]));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /inventory\.devices\[0\]\.address: not allowed with simulator: true/);
    });
  });

  describe('the adapter loader', () => {
    it('refuses a package that ships no simulator for the device\'s port, naming the package and the port', async () => {
      const good = fixtureAdapter('good');
      const file = writeProfile({ text: fixtureProfileText({ devices: `    - { name: leaf1, role: leaf, adapter: "${good}", simulator: true }\n    - { name: vs1, role: vswitch, adapter: "${good}" }` }) });
      let error: unknown;
      try {
        await loadProfileAdapters(loadProfile(file, { env: {} }));
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof InputError, String(error));
      assert.match(
        reasonAt(error.problems as readonly ProfileProblem[], 'inventory.devices[0].simulator'),
        /^@fixture\/adapter-good ships no simulator for the fabric port \(it exports no conformanceTargets\.fabric\)/,
      );
      const r = await cli('profile', 'validate', file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /inventory\.devices\[0\]\.simulator: @fixture\/adapter-good ships no simulator for the fabric port/);
    });

    it('accepts a package that ships one, and starts nothing while loading', async () => {
      const registry = await loadProfileAdapters(loadProfile(example('embedded.yaml'), { env: {} }));
      for (const name of ['leaf1', 'leaf2', 'lb1']) {
        assert.equal(registry.device(name).device.simulator, true);
        assert.equal(registry.device(name).simulated, undefined, `${name}: no simulator runs yet`);
      }
    });

    it('netloom adapters --profile lists the vendor packages the simulated devices use', async () => {
      const r = await cli('adapters', '--profile', example('embedded.yaml'), '--json');
      assert.equal(r.code, 0, r.stderr);
      const list = JSON.parse(r.stdout) as Array<{ package: string; usedBy: string[] }>;
      const usedBy = Object.fromEntries(list.map((a) => [a.package, a.usedBy]));
      assert.deepEqual(usedBy['@netloom/adapter-huawei-ce'], ['leaf1']);
      assert.deepEqual(usedBy['@netloom/adapter-arista-eos'], ['leaf2']);
      assert.deepEqual(usedBy['@netloom/adapter-f5-bigip'], ['lb1']);
    });
  });

  describe('drivers of simulated devices', () => {
    let simulators: SimulatorSet | undefined;
    afterEach(async () => {
      await simulators?.dispose();
      simulators = undefined;
    });

    it('refuse to connect anywhere while the device\'s simulator is not running', async () => {
      const registry = await loadProfileAdapters(loadProfile(example('embedded.yaml'), { env: {} }));
      const drivers = new DeviceDrivers(registry, { logger: silentLogger, secrets: new SecretRegistry() });
      assert.throws(() => drivers.fabric.get('leaf1'), (e: unknown) => e instanceof InputError && /leaf1 is a simulated device \(inventory\.devices\[0\]\.simulator: true\) but its simulator is not running/.test(e.message));
      // Devices on other adapters are not affected.
      assert.equal(drivers.firewall.get('fw1').port, 'firewall');
    });

    it('connect to the running simulator with its credentials, which the logger then redacts', async () => {
      const registry = await loadProfileAdapters(loadProfile(example('embedded.yaml'), { env: {} }));
      simulators = await startSimulators(registry);
      const secrets = new SecretRegistry();
      const drivers = new DeviceDrivers(simulators.registry, { logger: silentLogger, secrets });
      const target = drivers.target('leaf1');
      assert.equal(target, simulators.get('leaf1').target);
      assert.equal(target.address, '127.0.0.1');
      const password = target.credentials?.password;
      assert.ok(password !== undefined && password.length > 0);
      assert.equal(secrets.redact(`login with ${password}`), 'login with ***');
      const session = await drivers.fabric.get('leaf1').connect();
      try {
        assert.equal((await session.facts()).vendor, 'Huawei');
      } finally {
        await session.close();
      }
    });

    it('get the simulator\'s options with the device\'s own options on top', async () => {
      const file = writeProfile({ example: 'embedded.yaml' }, [{ path: ['inventory', 'devices', 0, 'options'], value: { evpnAsn: 65100 } }]);
      const registry = await loadProfileAdapters(loadProfile(file, { env: {} }));
      simulators = await startSimulators(registry);
      assert.equal((simulators.get('leaf1').options as { evpnAsn?: number }).evpnAsn, 65100);
      assert.equal(simulators.registry.device('leaf1').simulated?.options, simulators.get('leaf1').options);
      assert.equal(simulators.registry.device('fw1').simulated, undefined);
    });
  });
});
