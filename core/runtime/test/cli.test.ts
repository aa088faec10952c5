import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { cleanTmp, cli, CLI, example, fixtureAdapter, fixtureProfileText, onFakeDevices, ROOT, writeProfile, type Run } from './helpers';

/** Runs the built CLI as a child process, from the repository root. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('runtime: netloom CLI', () => {
  after(cleanTmp);

  describe('profile validate', () => {
    it('ACCEPTANCE (child process): exits 1 and names both paths for a bad address and a removed required field', () => {
      const file = writeProfile({ example: 'network-overlay.yaml' }, [
        { path: ['inventory', 'devices', 1, 'address'], value: '10.0.0.300' },
        { path: ['inventory', 'devices', 0, 'credentials', 'password'] },
      ]);
      const r = spawnCli(['profile', 'validate', file]);
      assert.equal(r.code, 1, r.stderr);
      const out = r.stdout + r.stderr;
      assert.match(out, /inventory\.devices\[1\]\.address: "10\.0\.0\.300" is not an IPv4 address/);
      assert.match(out, /inventory\.devices\[0\]\.credentials\.password: required/);
      assert.match(out, /\(2 problems\)/);
      assert.doesNotMatch(out, /^\s+at /m, 'no stack trace');
    });

    it('exits 0 with a one-line summary for docs/examples/network-overlay.yaml (child process)', () => {
      const r = spawnCli(['profile', 'validate', 'docs/examples/network-overlay.yaml']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? '', /^OK docs\/examples\/network-overlay\.yaml: profile "lab-network-overlay", overlay network: 7 devices \(2 leaf, 3 vswitch, 1 firewall, 1 loadBalancer\), 3 nodes, 2 adapters \(@netloom\/adapter-fake [\d.]+, @netloom\/adapter-sqlite [\d.]+\)$/);
      assert.match(r.stderr, /^warning: inventory\.devices\[0\]\.credentials\.password: environment variable NETLOOM_LEAF1_PASSWORD is not set/m);
    });

    for (const name of ['embedded.yaml', 'network-overlay.yaml', 'hybrid-overlay.yaml']) {
      it(`${name}: valid without loading adapters (--no-adapters)`, async () => {
        const r = await cli('profile', 'validate', '--no-adapters', example(name));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK .*adapters not loaded\n$/);
      });
    }

    it('loads the adapters a profile names and reports their problems too', async () => {
      const ok = await cli('profile', 'validate', writeProfile({ text: fixtureProfileText() }));
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /2 adapters \(@fixture\/adapter-good 1\.2\.3, @netloom\/adapter-sqlite/);
      const bad = writeProfile({ text: fixtureProfileText({ devices: `    - { name: leaf1, role: leaf, adapter: "${fixtureAdapter('api-mismatch')}" }` }) });
      const r = await cli('profile', 'validate', bad);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /inventory\.devices\[0\]\.adapter: @fixture\/adapter-future 2\.1\.0 implements port API >=2\.0\.0 <3\.0\.0, this runtime provides 1\.\d+\.\d+/);
    });

    it('never prints an inline secret', async () => {
      const file = writeProfile({ example: 'network-overlay.yaml' }, [{ path: ['inventory', 'devices', 0, 'credentials', 'password'], value: 'hunter2-in-the-clear' }]);
      const r = await cli('profile', 'validate', file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /inline secrets are not allowed/);
      assert.ok(!(r.stdout + r.stderr).includes('hunter2-in-the-clear'));
    });

    it('prints a YAML syntax error with its line', async () => {
      const file = writeProfile({ text: 'apiVersion: netloom.io/v1alpha1\nkind: [Profile\n' });
      const r = await cli('profile', 'validate', file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /YAML syntax error at line \d+, column \d+/);
    });

    it('--json prints a parseable result', async () => {
      const bad = writeProfile({ example: 'embedded.yaml' }, [{ path: ['overlay'], value: 'flat' }]);
      const r = await cli('profile', 'validate', '--json', '--no-adapters', bad);
      assert.equal(r.code, 1);
      const json = JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ path: string; reason: string; line: number }> };
      assert.equal(json.ok, false);
      assert.equal(json.problems[0]?.path, 'overlay');
      assert.equal(typeof json.problems[0]?.line, 'number');
      const good = await cli('profile', 'validate', '--json', writeProfile({ text: fixtureProfileText() }));
      assert.equal(good.code, 0, good.stdout);
      assert.equal((JSON.parse(good.stdout) as { ok: boolean }).ok, true);
    });
  });

  describe('exit codes and errors', () => {
    it('usage errors exit 2: no command, unknown command, unknown option, missing argument', async () => {
      assert.equal((await cli()).code, 2);
      assert.equal((await cli('frobnicate')).code, 2);
      assert.equal((await cli('adapters', '--bogus')).code, 2);
      const missing = await cli('profile', 'validate');
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /missing required argument 'file'/);
    });

    it('--help and --version exit 0', async () => {
      const help = await cli('--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /profile/);
      assert.match(help.stdout, /adapters/);
      assert.match(help.stdout, /demo/);
      assert.equal((await cli('--version')).code, 0);
    });

    it('a netloom error prints its message and code, exit 1, no stack trace unless --debug', async () => {
      const r = await cli('profile', 'validate', '/nonexistent/profile.yaml');
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'error: profile /nonexistent/profile.yaml not found [NOT_FOUND]\n');
      const d = await cli('--debug', 'profile', 'validate', '/nonexistent/profile.yaml');
      assert.equal(d.code, 1);
      assert.match(d.stderr, /^\s+at /m);
    });
  });

  describe('adapters', () => {
    it('--profile docs/examples/network-overlay.yaml lists the fake adapter (child process)', () => {
      const r = spawnCli(['adapters', '--profile', 'docs/examples/network-overlay.yaml']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^PACKAGE\s+VERSION\s+ID\s+VENDOR\s+PORTS\s+PORT API\s+USED BY$/m);
      assert.match(r.stdout, /^@netloom\/adapter-fake\s+\S+\s+fake\s.*fabric,vswitch,firewall,loadBalancer/m);
      assert.match(r.stdout, /^@netloom\/adapter-sqlite\s+\S+\s+sqlite\s.*store.*\(store\)$/m);
      assert.match(r.stdout, /Capabilities/);
    });

    it('without --profile lists the built-in adapters (fake, sqlite and scenario)', async () => {
      const r = await cli('adapters', '--json');
      assert.equal(r.code, 0, r.stderr);
      const list = JSON.parse(r.stdout) as Array<{ id: string; package: string }>;
      assert.deepEqual(list.map((a) => a.package), ['@netloom/adapter-fake', '@netloom/adapter-sqlite', '@netloom/adapter-scenario']);
      assert.deepEqual(list.map((a) => a.id), ['fake', 'sqlite', 'scenario']);
    });

    it('--json output parses and carries ports, port API, capabilities and users', async () => {
      const r = await cli('adapters', '--profile', writeProfile({ text: fixtureProfileText() }), '--json');
      assert.equal(r.code, 0, r.stderr);
      const list = JSON.parse(r.stdout) as Array<{ package: string; version: string; id: string; ports: string[]; portApi: string; capabilities: Record<string, Record<string, boolean>>; usedBy: string[] }>;
      const good = list.find((a) => a.id === 'good');
      assert.ok(good);
      assert.equal(good.package, '@fixture/adapter-good');
      assert.equal(good.version, '1.2.3');
      assert.deepEqual(good.ports, ['fabric', 'vswitch']);
      assert.equal(good.portApi, '^1.0.0');
      assert.equal(good.capabilities.fabric?.vrf, true);
      assert.equal(good.capabilities.fabric?.confirmedCommit, false);
      assert.deepEqual(good.usedBy, ['leaf1', 'vs1']);
    });

    it('the table shows capabilities per port', async () => {
      const r = await cli('adapters', '--profile', writeProfile({ text: fixtureProfileText() }));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^@fixture\/adapter-good\s+1\.2\.3\s+good\s+Fixture Inc\.\s+fabric,vswitch\s+\^1\.0\.0\s+leaf1, vs1$/m);
      assert.match(r.stdout, /good\s+fabric\s+\+l2Segment \+vrf \+anycastGateway \+accessBinding -interconnect -confirmedCommit/);
      assert.match(r.stdout, /sqlite\s+store\s+\+watch \+multiProcess -leases/);
    });
  });

  // On the fake devices: these tests look into them, and expect their state to outlive one CLI run (the demo and
  // the simulated devices are tested in demo.test.ts).
  describe('plan, apply, drift', () => {
    beforeEach(() => fakeDeviceRegistry.reset());
    after(() => fakeDeviceRegistry.reset());

    const writesOn = (names: readonly string[]): number => names.reduce((n, d) => n + (fakeDeviceRegistry.get(d)?.writes ?? 0), 0);
    const DEVICES = ['leaf1', 'leaf2', 'node-1-vs', 'node-2-vs', 'fw1', 'lb1'];

    it('plan shows the exact operations per device and writes nothing', async () => {
      const file = writeProfile({ example: 'embedded.yaml' }, onFakeDevices());
      const r = await cli('plan', '--profile', file);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /: 6 of 6 devices would change \(nothing was written\)/);
      // Each VRF imports and exports its own route target (ADR 0011); the fake leaf declares interconnect, so the
      // shop-billing peering's leaked target goes to an interconnect, not to the VRF.
      assert.match(r.stdout, /leaf1 \(fabric\): planned[^]*memory: create vrf vpc-shop \{"exportRouteTargets":\["65000:(\d+)"\],"importRouteTargets":\["65000:\1"\],"l3Vni":\1,"name":"vpc-shop"\}/);
      assert.match(r.stdout, /leaf1 \(fabric\): planned[^]*memory: create interconnect peer-shop-billing_shop \{"borderPeers":\[\],"exportRouteTargets":\["65000:\d+"\],"importRouteTargets":\["65000:\d+"\],"name":"peer-shop-billing_shop","vrf":"vpc-shop"\}/);
      assert.equal(writesOn(DEVICES), 0);
    });

    it('plan --output json is machine-readable', async () => {
      const r = await cli('plan', '--profile', writeProfile({ example: 'embedded.yaml' }, onFakeDevices()), '--output', 'json');
      assert.equal(r.code, 0, r.stderr);
      const parsed = JSON.parse(r.stdout) as { devices: { device: string; changeSet?: { changes: unknown[] } }[]; problems: unknown[] };
      assert.deepEqual(parsed.devices.map((d) => d.device).sort(), [...DEVICES].sort());
      assert.ok(parsed.devices.every((d) => (d.changeSet?.changes.length ?? 0) > 0));
      assert.deepEqual(parsed.problems, []);
    });

    it('apply without --yes and without a terminal refuses (exit 2) and writes nothing', async () => {
      const r = await cli('apply', '--profile', writeProfile({ example: 'embedded.yaml' }, onFakeDevices()));
      assert.equal(r.code, 2);
      assert.match(r.stderr, /pass --yes/);
      assert.equal(writesOn(DEVICES), 0);
    });

    it('apply --yes converges every device; then plan is empty and a second apply writes nothing', async () => {
      const file = writeProfile({ example: 'embedded.yaml' }, onFakeDevices());
      const first = await cli('apply', '--profile', file, '--yes');
      assert.equal(first.code, 0, first.stderr + first.stdout);
      for (const d of DEVICES) assert.match(first.stdout, new RegExp(`${d}\\s+\\S+\\s+applied`));
      const written = writesOn(DEVICES);
      assert.ok(written > 0);
      const plan = await cli('plan', '--profile', file, '--output', 'json');
      const parsed = JSON.parse(plan.stdout) as { devices: { outcome: string; changeSet?: { changes: unknown[] } }[] };
      assert.ok(parsed.devices.every((d) => d.outcome === 'unchanged' && (d.changeSet?.changes.length ?? 0) === 0), plan.stdout);
      const second = await cli('apply', '--profile', file);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /Nothing to do/);
      assert.equal(writesOn(DEVICES), written, 'no device was written by the second apply');
    });

    it('run: the controller loop converges the devices, and SIGINT stops it with exit 0 (child process)', async () => {
      const file = writeProfile({ example: 'embedded.yaml' }, onFakeDevices());
      const child = spawn(process.execPath, [CLI, 'run', '--profile', file], { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        // Wait for the first pass (a condition, not a duration; the limit only bounds a hang).
        await new Promise<void>((resolve, reject) => {
          const limit = setTimeout(() => reject(new Error(`no pass reported; stdout: ${out}; stderr: ${err}`)), 30_000);
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (/pass 1: /.test(out)) {
              clearTimeout(limit);
              resolve();
            }
          });
        });
        assert.match(out, /pass 1: (fw1|lb1|leaf1|leaf2|node-1-vs|node-2-vs) applied/);
        child.kill('SIGINT');
        assert.equal(await exited, 0, err);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });

    it('drift reports nothing after apply, and an out-of-band change afterwards', async () => {
      const file = writeProfile({ example: 'embedded.yaml' }, onFakeDevices());
      assert.equal((await cli('apply', '--profile', file, '--yes')).code, 0);
      const clean = await cli('drift', '--profile', file);
      assert.equal(clean.code, 0, clean.stderr);
      assert.match(clean.stdout, /No drift/);
      const leaf = fakeDeviceRegistry.get('leaf1');
      assert.ok(leaf);
      const vrf = leaf.owned()['vrf']?.['vpc-shop'];
      assert.ok(vrf, 'leaf1 holds vpc-shop');
      leaf.setOwned('vrf', 'vpc-shop', { ...vrf, l3Vni: 4242 } as typeof vrf);
      const drifted = await cli('drift', '--profile', file);
      assert.match(drifted.stdout, /leaf1 \(fabric\):\n[^]*vrf vpc-shop .*changed out of band/);
    });
  });
});
