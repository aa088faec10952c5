/**
 * Test helpers: example profiles, temporary copies with edits, the fixture adapters.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { runCli, type CliIO } from '@netloom/runtime';

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
