import assert from 'node:assert/strict';
import { InputError, NotFoundError, type PortFactoryOptions } from '@netloom/ports';
import { createContainer, createLogger, disposeContainer, loadProfile, loadProfileAdapters, SecretRegistry, TOKENS } from '@netloom/runtime';
import { cleanTmp, fixtureProfileText, writeProfile } from './helpers';

const SECRET = 'container-test-secret-42';

/** What the fixture adapter's drivers record. */
interface FixtureDriver {
  readonly port: string;
  readonly opts: PortFactoryOptions;
}

async function setup(env: NodeJS.ProcessEnv) {
  const loaded = loadProfile(writeProfile({ text: fixtureProfileText() }), { env });
  const adapters = await loadProfileAdapters(loaded);
  const lines: string[] = [];
  const secrets = new SecretRegistry();
  const logger = createLogger({ secrets, level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  const container = createContainer({ loaded, adapters, logger, secrets, env });
  return { loaded, adapters, container, lines, secrets };
}

describe('runtime: composition root', () => {
  after(cleanTmp);

  it('binds the profile, the logger, the adapter registry and one driver set per role', async () => {
    const { container, loaded, adapters } = await setup({ NETLOOM_TEST_LEAF1_PASSWORD: SECRET });
    assert.equal(container.get(TOKENS.Profile), loaded.profile);
    assert.equal(container.get(TOKENS.LoadedProfile), loaded);
    assert.equal(container.get(TOKENS.AdapterRegistry), adapters);
    assert.deepEqual(container.get(TOKENS.FabricDrivers).names(), ['leaf1']);
    assert.deepEqual(container.get(TOKENS.VSwitchDrivers).names(), ['vs1']);
    assert.deepEqual(container.get(TOKENS.FirewallDrivers).names(), []);
    assert.deepEqual(container.get(TOKENS.LoadBalancerDrivers).names(), []);
    assert.deepEqual(container.get(TOKENS.DiscoveryDrivers).names(), []);
    await disposeContainer(container);
  });

  it('creates a driver with its resolved target, its validated options and a child logger, once', async () => {
    const { container } = await setup({ NETLOOM_TEST_LEAF1_PASSWORD: SECRET });
    const fabric = container.get(TOKENS.FabricDrivers);
    const driver = fabric.get('leaf1') as unknown as FixtureDriver;
    assert.equal(driver.port, 'fabric');
    assert.deepEqual(driver.opts.target, { name: 'leaf1', address: '192.0.2.1', credentials: { username: 'admin', password: SECRET } });
    assert.deepEqual(driver.opts.options, { latencyMs: 5 });
    assert.equal(typeof driver.opts.logger.child, 'function');
    assert.equal(fabric.get('leaf1'), driver);
    await disposeContainer(container);
  });

  it('reads credentials when a driver is created, and names the variable (never a value) when it is unset', async () => {
    const { container } = await setup({ OTHER: SECRET });
    const e = (() => {
      try {
        container.get(TOKENS.FabricDrivers).get('leaf1');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    assert.ok(e instanceof InputError);
    assert.match(e.message, /inventory\.devices\[0\]\.credentials\.password: environment variable NETLOOM_TEST_LEAF1_PASSWORD is not set/);
    assert.ok(!e.message.includes(SECRET));
    await disposeContainer(container);
  });

  it('an unknown device is NotFoundError', async () => {
    const { container } = await setup({});
    assert.throws(() => container.get(TOKENS.FabricDrivers).get('vs1'), NotFoundError);
    assert.throws(() => container.get(TOKENS.DeviceDrivers).target('nope'), NotFoundError);
    await disposeContainer(container);
  });

  it('secrets resolved for a driver are redacted from every log line', async () => {
    const { container, lines } = await setup({ NETLOOM_TEST_LEAF1_PASSWORD: SECRET });
    const driver = container.get(TOKENS.FabricDrivers).get('leaf1') as unknown as FixtureDriver;
    driver.opts.logger.warn({ reply: `% Authentication failed for ${SECRET}` }, `login with ${SECRET} refused`);
    container.get(TOKENS.Logger).error({ target: driver.opts.target }, 'dump');
    const all = lines.join('');
    assert.ok(lines.length >= 2);
    assert.ok(!all.includes(SECRET), all);
    assert.match(all, /"device":"leaf1"/);
    await disposeContainer(container);
  });

  it('creates the store with the store adapter factory (singleton) and closes it on dispose', async () => {
    const { container } = await setup({});
    const store = await container.getAsync(TOKENS.Store);
    assert.equal(await container.getAsync(TOKENS.Store), store);
    const r = await store.commit({ puts: [{ key: 'test/a', value: 1 }] });
    assert.equal(r.ok, true);
    assert.equal((await store.get({ key: 'test/a' }))?.value, 1);
    await disposeContainer(container);
    await assert.rejects(() => store.get({ key: 'test/a' }));
  });
});
