import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, NotFoundError, PortApiMismatchError } from '@netloom/ports';
import { loadAdapter, loadProfile, loadProfileAdapters } from '@netloom/runtime';
import { cleanTmp, example, fixtureAdapter, fixtureProfileText, writeProfile } from './helpers';

async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail('expected a rejection');
}

function problemsText(e: Error): string {
  assert.ok(e instanceof InputError, `expected InputError, got ${e.name}: ${e.message}`);
  return e.problems.map((p) => `${p.path}: ${p.reason}`).join('\n');
}

describe('runtime: adapter loader', () => {
  after(cleanTmp);

  it('loads a good adapter package by path', async () => {
    const a = await loadAdapter(fixtureAdapter('good'));
    assert.equal(a.packageName, '@fixture/adapter-good');
    assert.equal(a.version, '1.2.3');
    assert.equal(a.definition.id, 'good');
    assert.equal(a.path, fixtureAdapter('good'));
    assert.deepEqual(a.field, { id: 'good', ports: ['fabric', 'vswitch'], portApi: '^1.0.0' });
  });

  it('loads an installed package by name (the sqlite store adapter)', async () => {
    const a = await loadAdapter('@netloom/adapter-sqlite');
    assert.equal(a.definition.id, 'sqlite');
    assert.ok(a.definition.ports.store);
  });

  it('refuses a port API mismatch, naming both versions, without running the package', async () => {
    const e = await rejected(loadAdapter(fixtureAdapter('api-mismatch')));
    assert.ok(e instanceof PortApiMismatchError, e.message);
    assert.equal(e.code, 'PORT.API_MISMATCH');
    assert.match(e.message, /^@fixture\/adapter-future 2\.1\.0 implements port API >=2\.0\.0 <3\.0\.0, this runtime provides 1\.\d+\.\d+/);
    // the fixture's entry point throws if loaded: the message would say "failed to load"
    assert.doesNotMatch(e.message, /failed to load/);
  });

  it('checks against the runtime port API version', async () => {
    const e = await rejected(loadAdapter(fixtureAdapter('good'), { portApiVersion: '2.0.0' }));
    assert.ok(e instanceof PortApiMismatchError);
    assert.match(e.message, /@fixture\/adapter-good 1\.2\.3 implements port API \^1\.0\.0, this runtime provides 2\.0\.0/);
  });

  it('refuses a package whose definition disagrees with its package.json field', async () => {
    const e = await rejected(loadAdapter(fixtureAdapter('field-mismatch')));
    const text = problemsText(e);
    assert.match(e.message, /@fixture\/adapter-mismatch 0\.3\.0/);
    assert.match(text, /netloom\.id: is "mismatch" but the adapter's id is "other"/);
    assert.match(text, /netloom\.ports: lists \[fabric\] but the adapter provides \[fabric,firewall\]/);
  });

  it('reports a package that throws while loading, with the package name', async () => {
    const e = await rejected(loadAdapter(fixtureAdapter('throws')));
    assert.ok(e instanceof InputError);
    assert.match(e.message, /^adapter package @fixture\/adapter-throws 0\.0\.1 failed to load: Cannot find module/);
    assert.ok(e.cause instanceof Error);
  });

  it('reports a package without a "netloom" field, and one without an adapter export', async () => {
    assert.match((await rejected(loadAdapter(fixtureAdapter('not-adapter')))).message, /@fixture\/not-an-adapter 1\.0\.0 is not a netloom adapter package/);
    assert.match((await rejected(loadAdapter(fixtureAdapter('no-export')))).message, /does not export "adapter"/);
  });

  it('reports a package that is not installed as NotFoundError with the package name', async () => {
    const e = await rejected(loadAdapter('@netloom/adapter-does-not-exist'));
    assert.ok(e instanceof NotFoundError);
    assert.match(e.message, /adapter package @netloom\/adapter-does-not-exist not found/);
  });

  describe('loadProfileAdapters', () => {
    for (const name of ['embedded.yaml', 'network-overlay.yaml', 'hybrid-overlay.yaml']) {
      it(`every example profile loads its adapters: ${name}`, async () => {
        const loaded = loadProfile(example(name), { env: {} });
        const registry = await loadProfileAdapters(loaded);
        // Each package once, in order of first mention, then the store's.
        const named = [...new Set([...loaded.profile.inventory.devices.map((d) => d.adapter), loaded.profile.store.adapter])];
        assert.deepEqual(
          registry.list().map((a) => a.packageName),
          named,
        );
        assert.equal(registry.devices().length, loadProfile(example(name)).profile.inventory.devices.length);
      });
    }

    it("validates a fake device's options with the fake adapter's codec", async () => {
      const ok = await loadProfileAdapters(loadProfile(example('embedded.yaml')));
      assert.deepEqual(ok.device('fw1').options, { latencyMs: 5 });
      const bad = writeProfile({ example: 'embedded.yaml' }, [{ path: ['inventory', 'devices', 4, 'options'], value: { latencyMs: -1, lateny: 3 } }]);
      const text = problemsText(await rejected(loadProfileAdapters(loadProfile(bad))));
      assert.match(text, /^inventory\.devices\[4\]\.options\.latencyMs: /m);
      assert.match(text, /^inventory\.devices\[4\]\.options\.lateny: /m);
    });

    it('loads each package once and binds each device with its validated options', async () => {
      const loaded = loadProfile(writeProfile({ text: fixtureProfileText() }));
      const registry = await loadProfileAdapters(loaded);
      assert.deepEqual(
        registry.list().map((a) => a.definition.id),
        ['good', 'sqlite'],
      );
      const leaf1 = registry.device('leaf1');
      assert.equal(leaf1.port, 'fabric');
      assert.deepEqual(leaf1.options, { latencyMs: 5 });
      assert.equal(registry.device('vs1').port, 'vswitch');
      assert.deepEqual(registry.store.options, { path: ':memory:' });
      assert.deepEqual(registry.usersOf(registry.list()[0]!), ['leaf1', 'vs1']);
    });

    it('resolves an adapter path relative to the profile directory', async () => {
      const file = writeProfile({ text: fixtureProfileText() });
      const dir = path.dirname(file);
      fs.mkdirSync(path.join(dir, 'adapters'));
      fs.symlinkSync(fixtureAdapter('good'), path.join(dir, 'adapters', 'good'), 'dir');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(fixtureAdapter('good')).join('./adapters/good'));
      const loaded = loadProfile(file);
      assert.equal(loaded.profile.inventory.devices[0]?.adapter, path.join(dir, 'adapters', 'good'));
      const registry = await loadProfileAdapters(loaded);
      assert.equal(registry.device('leaf1').adapter.path, path.join(dir, 'adapters', 'good'));
    });

    it('reports every adapter problem at the profile path: load failures, missing ports, bad options', async () => {
      const good = fixtureAdapter('good');
      const devices = [
        `    - { name: leaf1, role: leaf, adapter: "${good}", options: { latencyMs: fast, mode: fastest, colour: red } }`,
        `    - { name: fw1, role: firewall, adapter: "${good}" }`,
        `    - { name: leaf2, role: leaf, adapter: "${fixtureAdapter('api-mismatch')}" }`,
        `    - { name: leaf3, role: leaf, adapter: "${fixtureAdapter('throws')}" }`,
        `    - { name: leaf4, role: leaf, adapter: "${fixtureAdapter('field-mismatch')}" }`,
        `    - { name: leaf5, role: leaf, adapter: "@netloom/adapter-sqlite" }`,
      ].join('\n');
      const loaded = loadProfile(writeProfile({ text: fixtureProfileText({ devices, store: '  adapter: "@netloom/adapter-sqlite"\n  options: { path: ":memory:", pth: x }' }) }));
      const e = await rejected(loadProfileAdapters(loaded));
      const text = problemsText(e);
      assert.match(text, /inventory\.devices\[0\]\.options\.latencyMs: expected number, got "fast"/);
      assert.match(text, /inventory\.devices\[0\]\.options\.mode: expected "fast" \| "slow", got "fastest"/);
      assert.match(text, /inventory\.devices\[1\]\.adapter: @fixture\/adapter-good \(good\) does not provide the firewall port a firewall device needs \(it provides: fabric, vswitch\)/);
      assert.match(text, /inventory\.devices\[2\]\.adapter: @fixture\/adapter-future 2\.1\.0 implements port API >=2\.0\.0 <3\.0\.0, this runtime provides 1\.\d+\.\d+/);
      assert.match(text, /inventory\.devices\[3\]\.adapter: adapter package @fixture\/adapter-throws 0\.0\.1 failed to load/);
      assert.match(text, /inventory\.devices\[4\]\.adapter: adapter package @fixture\/adapter-mismatch 0\.3\.0: netloom\.id: is "mismatch"/);
      assert.match(text, /inventory\.devices\[5\]\.adapter: @netloom\/adapter-sqlite \(sqlite\) does not provide the fabric port a leaf device needs/);
      assert.match(text, /store\.options\.pth: unknown option/);
      const lines = (e as InputError).problems as ReadonlyArray<{ line?: number }>;
      assert.ok(lines.every((p) => typeof p.line === 'number'), 'every adapter problem has a line');
    });

    it('reports options that an exact codec would drop silently', async () => {
      const good = fixtureAdapter('good');
      const devices = `    - { name: leaf1, role: leaf, adapter: "${good}", options: { latencyMs: 1, colour: red } }`;
      const loaded = loadProfile(writeProfile({ text: fixtureProfileText({ devices }) }));
      const text = problemsText(await rejected(loadProfileAdapters(loaded)));
      assert.match(text, /inventory\.devices\[0\]\.options\.colour: unknown option/);
    });

    it('refuses options for an adapter that takes none, and accepts none', async () => {
      const none = fixtureAdapter('no-options');
      const devices = `    - { name: leaf1, role: leaf, adapter: "${fixtureAdapter('good')}" }\n    - { name: fw1, role: firewall, adapter: "${none}", options: { x: 1 } }\n    - { name: fw2, role: firewall, adapter: "${none}" }`;
      const loaded = loadProfile(writeProfile({ text: fixtureProfileText({ devices }) }));
      const text = problemsText(await rejected(loadProfileAdapters(loaded)));
      assert.equal(text, 'inventory.devices[1].options: @fixture/adapter-no-options takes no options');
    });
  });
});
