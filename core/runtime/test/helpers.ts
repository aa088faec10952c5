/**
 * Test helpers: example profiles, temporary copies with edits, the fixture adapters.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { fakeDeviceRegistry } from '@netloom/adapter-fake';
import { parseScenario } from '@netloom/adapter-scenario';
import { KubeApiServer } from '@netloom/conformance/simulators';
import { silentLogger, type KubernetesPort } from '@netloom/ports';
import {
  createContainer,
  disposeContainer,
  loadProfile,
  loadProfileAdapters,
  openKubernetesSource,
  runCli,
  startSimulators,
  type CliIO,
  type LoadedProfile,
  type SimulatorSet,
} from '@netloom/runtime';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** docs/examples. */
export const EXAMPLES = path.join(ROOT, 'docs', 'examples');
/** The fixture adapter packages. */
export const FIXTURE_ADAPTERS = path.join(__dirname, 'fixtures', 'adapters');
/** The built CLI. */
export const CLI = require.resolve('@netloom/runtime/dist/cli.js');

/** Path of an example profile. */
export function example(name: string): string {
  return path.join(EXAMPLES, name);
}

/** Path of a fixture adapter package directory. */
export function fixtureAdapter(name: string): string {
  return path.join(FIXTURE_ADAPTERS, name);
}

/** A fresh temporary directory (removed by {@link cleanTmp}). */
const made: string[] = [];
export function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-runtime-'));
  made.push(dir);
  return dir;
}

/** Removes every temporary directory made so far. */
export function cleanTmp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** One edit of a YAML document: set a value, or delete it (value undefined). */
export interface Edit {
  readonly path: ReadonlyArray<string | number>;
  readonly value?: unknown;
}

/**
 * Writes a copy of an example profile (or YAML text) with edits into a temporary directory, next to a copy of the
 * placeholder scenario file. Returns the new file's path.
 */
export function writeProfile(source: { example?: string; text?: string }, edits: readonly Edit[] = [], name = 'profile.yaml'): string {
  const dir = tmpDir();
  fs.copyFileSync(example('scenario.yaml'), path.join(dir, 'scenario.yaml'));
  const text = source.text ?? fs.readFileSync(example(source.example ?? 'embedded.yaml'), 'utf8');
  const doc = parseDocument(text);
  for (const e of edits) {
    if (!('value' in e) || e.value === undefined) doc.deleteIn(e.path);
    else doc.setIn(e.path, e.value);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, source.text !== undefined && edits.length === 0 ? source.text : doc.toString());
  return file;
}

/**
 * Edits that put every simulated device of an example profile (`simulator: true`) on the fake adapter instead, for
 * tests that look into the in-process fake devices (`fakeDeviceRegistry`) or that expect device state to outlive
 * one CLI run (a simulator lives as long as the session that started it).
 * @example writeProfile({ example: 'embedded.yaml' }, onFakeDevices())
 */
export function onFakeDevices(name = 'embedded.yaml'): Edit[] {
  const devices = parseDocument(fs.readFileSync(example(name), 'utf8')).toJS() as { inventory: { devices: Array<{ simulator?: boolean }> } };
  return devices.inventory.devices.flatMap((d, i) =>
    d.simulator === true
      ? [
          { path: ['inventory', 'devices', i, 'adapter'], value: '@netloom/adapter-fake' },
          { path: ['inventory', 'devices', i, 'simulator'] },
        ]
      : [],
  );
}

/** A minimal valid profile using fixture adapters by absolute path (for loader and container tests). */
export function fixtureProfileText(extra: { devices?: string; store?: string } = {}): string {
  const good = fixtureAdapter('good');
  return `apiVersion: netloom.io/v1alpha1
kind: Profile
metadata: { name: fixture }
sources: { kubernetes: { scenario: scenario.yaml } }
addressPlan:
  vni: { l2: [{ from: 100, to: 199 }], l3: [{ from: 200, to: 299 }] }
  containerBlocks: [10.244.0.0/16]
inventory:
  devices:
${extra.devices ?? `    - { name: leaf1, role: leaf, adapter: "${good}", address: 192.0.2.1, credentials: { username: admin, password: { env: NETLOOM_TEST_LEAF1_PASSWORD } }, options: { latencyMs: 5 } }
    - { name: vs1, role: vswitch, adapter: "${good}" }`}
topology:
  nodes:
    - { name: node-1, leaf: leaf1, port: Eth1/1 }
store:
${extra.store ?? '  adapter: "@netloom/adapter-sqlite"\n  options: { path: ":memory:" }'}
`;
}

/** What one CLI run printed and returned. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, capturing its output. */
export async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** The in-process test API server holding the demo's cluster, and the embedded example pointed at it. */
export interface DemoClusterApi {
  readonly api: KubeApiServer;
  /**
   * A copy of the embedded example (in a {@link tmpDir}) whose Kubernetes source is this API server, on the fake
   * devices: `netloom apply` and a later `plan` are two CLI runs, and a simulated device lives for one.
   */
  readonly profile: string;
}

/**
 * Registers in the calling `describe`: before, the in-process fake devices reset, the test API server started
 * (netloom's CRDs installed) holding the demo's cluster as it is at the end of the scenario's timeline (created
 * through the API, as `netloom apply` then reads it from a real cluster); after, the server stopped, the devices
 * reset (they are shared by name across the whole test run) and the temporary files removed. The returned object
 * is usable from the first test on.
 * @example
 * const demo = demoClusterApiPerSuite();
 * it('applies', async () => assert.equal((await cli('apply', '--profile', demo.profile, '--yes')).code, 0));
 */
export function demoClusterApiPerSuite(): DemoClusterApi {
  let started: DemoClusterApi | undefined;
  const get = (): DemoClusterApi => {
    if (started === undefined) throw new Error('the demo cluster API is not started (use it in a test, not while registering)');
    return started;
  };
  before(async () => {
    fakeDeviceRegistry.reset();
    started = await startDemoClusterApi();
  });
  after(async () => {
    fakeDeviceRegistry.reset();
    await started?.api.stop();
    started = undefined;
    cleanTmp();
  });
  return {
    get api() {
      return get().api;
    },
    get profile() {
      return get().profile;
    },
  };
}

async function startDemoClusterApi(): Promise<DemoClusterApi> {
  const api = new KubeApiServer({ crdDir: path.join(ROOT, 'deploy', 'crds') });
  await api.start();
  try {
    const kubeconfig = path.join(tmpDir(), 'kubeconfig.yaml');
    fs.writeFileSync(kubeconfig, api.kubeconfig());
    const scenario = parseScenario(fs.readFileSync(example('scenario.yaml'), 'utf8'), 'scenario.yaml');
    for (const step of scenario.steps) {
      // The server assigns uid and resourceVersion itself.
      const apply = step.apply.map((o) => {
        const { uid: _uid, resourceVersion: _rv, ...metadata } = o.metadata as Record<string, unknown>;
        return { ...o, metadata } as Record<string, unknown>;
      });
      if (apply.length > 0) await api.put(apply);
      if (step.delete.length > 0) await api.remove(step.delete);
    }
    const profile = writeProfile({ example: 'embedded.yaml' }, [...onFakeDevices(), { path: ['sources', 'kubernetes'], value: { kubeconfig } }]);
    return { api, profile };
  } catch (e) {
    await api.stop();
    throw e;
  }
}

/** The runtime's composition root (an inversify container). */
type Container = ReturnType<typeof createContainer>;

/** The embedded example's session on its protocol simulators, as `netloom demo` opens it. */
export interface SimulatedDemo {
  readonly loaded: LoadedProfile;
  /** The simulators of the profile's `simulator: true` devices (their harnesses read what the adapters wrote). */
  readonly simulators: SimulatorSet;
  readonly container: Container;
  /** The profile's Kubernetes source (the demo scenario). */
  readonly source: KubernetesPort;
  /** Closes the source and the container, then stops the simulators. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the embedded example (store in memory) on its protocol simulators through the library API: simulators,
 * container and Kubernetes source, ready for `Controller.create({ container, source })`. Call `close()` in
 * `afterEach`; whatever it started is stopped when opening fails half-way.
 * @example
 * demo = await openSimulatedDemo();
 * const controller = await Controller.create({ container: demo.container, source: demo.source });
 */
export async function openSimulatedDemo(): Promise<SimulatedDemo> {
  const loaded = loadProfile(writeProfile({ example: 'embedded.yaml' }, [{ path: ['store', 'options', 'path'], value: ':memory:' }]));
  const simulators = await startSimulators(await loadProfileAdapters(loaded));
  let container: Container | undefined;
  let source: KubernetesPort | undefined;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      await source?.close();
      if (container !== undefined) await disposeContainer(container);
    } finally {
      await simulators.dispose();
    }
  };
  try {
    container = createContainer({ loaded, adapters: simulators.registry, logger: silentLogger });
    source = await openKubernetesSource(loaded.profile, silentLogger);
  } catch (e) {
    await close();
    throw e;
  }
  return { loaded, simulators, container, source, close };
}
