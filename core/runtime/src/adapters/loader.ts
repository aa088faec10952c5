/**
 * The adapter loader: turns the package names a profile mentions into checked, loaded adapters.
 *
 * For each package: find it (from the profile's directory, then from the runtime itself), read its package.json
 * `"netloom"` field, refuse it before running any of its code if its port API range does not include
 * {@link PORT_API_VERSION}, import its entry point, take the `adapter` export, check the definition, and check
 * that the definition agrees with the package.json field. Then, per profile entry: the adapter provides the port
 * the device's role needs, and the entry's `options` pass the adapter's `optionsCodec`.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as semver from 'semver';
import type * as t from 'io-ts';
import {
  AdapterPackageFieldCodec,
  checkAdapterDefinition,
  compareAdapterPackageField,
  InputError,
  isNetloomError,
  NotFoundError,
  PORT_API_VERSION,
  PortApiMismatchError,
  problemsFromErrors as portProblemsFromErrors,
  providedPorts,
  type AdapterDefinition,
  type InputProblem,
} from '@netloom/ports';
import { decodeAt, formatPath, type LocatedProblem, type Segment } from '../profile/codec-kit';
import { isPathSpecifier, ROLE_PORT, type InventoryDevice, type Profile } from '../profile/profile.codec';
import type { LoadedProfile, ProfileProblem } from '../profile/profile.loader';
import { AdapterRegistry, type DeviceBinding, type LoadedAdapter } from './registry';
import { findSimulatorTarget } from './simulators';

// The package's public API takes the adapters folder through this module: simulated devices are part of it.
export { findSimulatorTarget, SimulatorSet, startSimulators, type SimulatedDevice, type StartSimulatorsOptions } from './simulators';

/** Options of {@link loadAdapter}. */
export interface LoadAdapterOptions {
  /** Directories to resolve a package name from, in order; the runtime's own directory is always tried last. */
  readonly paths?: readonly string[];
  /** The port API version to check against (default {@link PORT_API_VERSION}; tests only). */
  readonly portApiVersion?: string;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function findPackageDir(specifier: string, paths: readonly string[]): string {
  if (isPathSpecifier(specifier)) {
    const dir = path.resolve(specifier);
    if (!fs.existsSync(path.join(dir, 'package.json'))) {
      throw new NotFoundError(`adapter package ${specifier} not found (no package.json in that directory)`, { details: { package: specifier } });
    }
    return dir;
  }
  const search = [...paths, __dirname];
  try {
    return path.dirname(require.resolve(`${specifier}/package.json`, { paths: search }));
  } catch {
    // package.json may be hidden by an "exports" map: resolve the entry and walk up to the package's root.
  }
  let entry: string;
  try {
    entry = require.resolve(specifier, { paths: search });
  } catch (e) {
    throw new NotFoundError(
      `adapter package ${specifier} not found (looked from ${paths.length > 0 ? `${paths.join(', ')} and ` : ''}the netloom runtime); install it with npm install ${specifier}`,
      { details: { package: specifier }, cause: e },
    );
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if ((JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: unknown }).name === specifier) return dir;
      } catch {
        // keep walking
      }
    }
  }
  throw new NotFoundError(`adapter package ${specifier}: cannot find its package.json`, { details: { package: specifier } });
}

function readPackageJson(dir: string, specifier: string): { name: string; version: string; netloom: unknown } {
  let pj: unknown;
  try {
    pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (e) {
    throw new InputError(`adapter package ${specifier}: package.json cannot be read (${firstLine((e as Error).message)})`, [], { cause: e, details: { package: specifier } });
  }
  const o = (typeof pj === 'object' && pj !== null ? pj : {}) as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : specifier;
  const version = typeof o.version === 'string' ? o.version : '0.0.0';
  return { name, version, netloom: o.netloom };
}

function hasValidate(u: unknown): boolean {
  return typeof u === 'object' && u !== null && typeof (u as { validate?: unknown }).validate === 'function';
}

/**
 * Loads one adapter package and checks it.
 * @param specifier a package name (`@netloom/adapter-fake`) or an absolute path to a package directory.
 * @throws NotFoundError (package not found), PortApiMismatchError (its port API range excludes this runtime's),
 *   InputError (no or invalid `"netloom"` field, no `adapter` export, invalid definition, definition and
 *   package.json disagree, the entry point throws while loading — the message names the package).
 */
export async function loadAdapter(specifier: string, opts: LoadAdapterOptions = {}): Promise<LoadedAdapter> {
  const runtimeApi = opts.portApiVersion ?? PORT_API_VERSION;
  const dir = findPackageDir(specifier, opts.paths ?? []);
  const pkg = readPackageJson(dir, specifier);
  const subject = `adapter package ${pkg.name} ${pkg.version}`;

  if (pkg.netloom === undefined) {
    throw new InputError(`${pkg.name} ${pkg.version} is not a netloom adapter package: its package.json has no "netloom" field`, [], {
      details: { package: pkg.name },
    });
  }
  const field = decodeAt(AdapterPackageFieldCodec, pkg.netloom, ['netloom']);
  if (!field.ok) throw InputError.fromProblems(`${subject}: package.json`, field.problems.map(toInputProblem));

  // Refuse an incompatible package before running any of its code.
  if (semver.validRange(field.value.portApi) === null) {
    throw InputError.fromProblems(`${subject}: package.json`, [{ path: 'netloom.portApi', reason: `${JSON.stringify(field.value.portApi)} is not a semver range` }]);
  }
  if (!semver.satisfies(runtimeApi, field.value.portApi)) throw mismatch(pkg.name, pkg.version, field.value.portApi, runtimeApi);

  let entry: string;
  try {
    entry = require.resolve(dir);
  } catch (e) {
    throw new InputError(`${subject} failed to load: its entry point cannot be found (is it built?)`, [], { cause: e, details: { package: pkg.name } });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? firstLine(e.message) : String(e);
    throw new InputError(`${subject} failed to load: ${why}`, [], { cause: e, details: { package: pkg.name, entry } });
  }
  const def = (mod.adapter ?? (mod.default as Record<string, unknown> | undefined)?.adapter) as AdapterDefinition | undefined;
  if (typeof def !== 'object' || def === null) {
    throw new InputError(`${subject} does not export "adapter" from ${entry} (export const adapter = defineAdapter({...}))`, [], { details: { package: pkg.name, entry } });
  }

  const problems: InputProblem[] = [];
  if (typeof def.ports !== 'object' || def.ports === null) problems.push({ path: 'ports', reason: 'required' });
  if (typeof def.supports !== 'object' || def.supports === null) problems.push({ path: 'supports', reason: 'required' });
  if (problems.length === 0) {
    problems.push(...checkAdapterDefinition(def));
    if (typeof def.portApi === 'string' && semver.validRange(def.portApi) === null) problems.push({ path: 'portApi', reason: `${JSON.stringify(def.portApi)} is not a semver range` });
    if (def.optionsCodec !== undefined && !hasValidate(def.optionsCodec)) problems.push({ path: 'optionsCodec', reason: 'must be an io-ts codec' });
    problems.push(...compareAdapterPackageField(def, field.value));
  }
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
  if (!semver.satisfies(runtimeApi, def.portApi)) throw mismatch(pkg.name, pkg.version, def.portApi, runtimeApi);

  const exported = mod.adapter === undefined && typeof mod.default === 'object' && mod.default !== null ? (mod.default as Record<string, unknown>) : mod;
  return { packageName: pkg.name, version: pkg.version, definition: def, path: dir, specifier, field: field.value, exports: exported };
}

function mismatch(name: string, version: string, range: string, runtimeApi: string): PortApiMismatchError {
  const major = semver.major(runtimeApi);
  return new PortApiMismatchError(
    `${name} ${version} implements port API ${range}, this runtime provides ${runtimeApi}; use a release of ${name} built for port API ${major}.x`,
    { details: { package: name, version, portApi: range, runtimePortApi: runtimeApi } },
  );
}

function toInputProblem(p: LocatedProblem): InputProblem {
  return { path: formatPath(p.segments), reason: p.reason };
}

/** The reasons an error gives, one per problem, prefixed by the error's subject when it lists problems. */
function reasonsOf(e: unknown): string[] {
  if (e instanceof InputError && e.problems.length > 0) {
    const subject = firstLine(e.message).replace(/ is invalid \(\d+ problems?\):$/, '');
    return e.problems.map((p) => `${subject}: ${p.path === '' ? '' : `${p.path}: `}${p.reason}`);
  }
  if (isNetloomError(e) || e instanceof Error) return [firstLine(e.message)];
  return [String(e)];
}

/** Keys present in `input` that a codec dropped from `output` (exact codecs strip unknown keys silently). */
function strippedKeys(input: unknown, output: unknown, at: readonly Segment[], out: LocatedProblem[]): void {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((v: unknown, i) => strippedKeys(v, output[i], [...at, i], out));
    return;
  }
  const isRec = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u) && Object.getPrototypeOf(u) === Object.prototype;
  if (!isRec(input) || !isRec(output)) return;
  for (const [k, v] of Object.entries(input)) {
    if (!(k in output)) out.push({ segments: [...at, k], reason: 'unknown option (the adapter ignores it)' });
    else strippedKeys(v, output[k], [...at, k], out);
  }
}

/** Parses a path as @netloom/ports renders it (`a.b[2]["key"]`) into segments. */
export function parsePortPath(p: string): Segment[] {
  const out: Segment[] = [];
  const re = /(?:^|\.)([^.[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(p); m !== null; m = re.exec(p)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

/**
 * Decodes adapter options with the adapter's codec, formatting failures with the shared formatter of
 * @netloom/ports (the one adapter authors see in their own tests), below `at`.
 */
function decodeOptions(codec: t.Mixed, value: unknown, at: readonly Segment[]): { ok: true; value: unknown } | { ok: false; problems: LocatedProblem[] } {
  const r = codec.decode(value);
  if (r._tag === 'Right') return { ok: true, value: r.right };
  return {
    ok: false,
    problems: portProblemsFromErrors(r.left).map((p) => {
      // Some codecs repeat the path in their message (`path: required`); say it once.
      const reason = p.path !== '' && p.reason.startsWith(`${p.path}: `) ? p.reason.slice(p.path.length + 2) : p.reason.replace(/^\(root\): /, '');
      return { segments: [...at, ...parsePortPath(p.path)], reason };
    }),
  };
}

function validateOptions(loaded: LoadedAdapter, options: unknown, at: readonly Segment[], problems: LocatedProblem[]): { ok: boolean; value: unknown } {
  const codec = loaded.definition.optionsCodec;
  if (codec === undefined) {
    const empty = options === undefined || (typeof options === 'object' && options !== null && Object.keys(options).length === 0);
    if (!empty) problems.push({ segments: at, reason: `${loaded.packageName} takes no options` });
    return { ok: empty, value: undefined };
  }
  const r = decodeOptions(codec, options ?? {}, at);
  if (!r.ok) {
    problems.push(...r.problems);
    return { ok: false, value: undefined };
  }
  const before = problems.length;
  strippedKeys(options ?? {}, r.value, at, problems);
  return { ok: problems.length === before, value: r.value };
}

/** What {@link loadProfileAdapters} needs of a loaded profile. */
export type ProfileForAdapters = Pick<LoadedProfile, 'profile' | 'dir'> & Partial<Pick<LoadedProfile, 'locate'>>;

/**
 * Loads every adapter package a profile names (inventory devices and the store), checks that each provides the
 * port its role needs, that a device with `simulator: true` has a package that ships a simulator for that port
 * (nothing is started here: see `startSimulators`), and validates each entry's `options` with the adapter's codec.
 * @throws InputError listing every problem, each at the profile path that names the package
 *   (`inventory.devices[2].adapter: ...`) or holds the options (`inventory.devices[2].options.x: ...`).
 */
export async function loadProfileAdapters(loaded: ProfileForAdapters, opts: LoadAdapterOptions = {}): Promise<AdapterRegistry> {
  const { profile } = loaded;
  const paths = [loaded.dir, ...(opts.paths ?? [])];
  const problems: LocatedProblem[] = [];

  // Each package once, in order of first mention.
  const users = new Map<string, Array<{ at: Segment[]; label: string }>>();
  profile.inventory.devices.forEach((d, i) => {
    const list = users.get(d.adapter) ?? [];
    list.push({ at: ['inventory', 'devices', i, 'adapter'], label: d.name });
    users.set(d.adapter, list);
  });
  const storeUsers = users.get(profile.store.adapter) ?? [];
  storeUsers.push({ at: ['store', 'adapter'], label: 'the store' });
  users.set(profile.store.adapter, storeUsers);

  const adapters = new Map<string, LoadedAdapter>();
  for (const [spec, who] of users) {
    try {
      adapters.set(spec, await loadAdapter(spec, { ...opts, paths }));
    } catch (e) {
      const first = who[0];
      if (first === undefined) continue;
      const also = who.length > 1 ? ` (used by ${who.map((w) => w.label).join(', ')})` : '';
      for (const reason of reasonsOf(e)) problems.push({ segments: first.at, reason: `${reason}${also}` });
    }
  }

  const devices = new Map<string, DeviceBinding>();
  profile.inventory.devices.forEach((d: InventoryDevice, i) => {
    const adapter = adapters.get(d.adapter);
    if (adapter === undefined) return;
    const port = ROLE_PORT[d.role];
    if (!providedPorts(adapter.definition).includes(port)) {
      problems.push({
        segments: ['inventory', 'devices', i, 'adapter'],
        reason: `${adapter.packageName} (${adapter.definition.id}) does not provide the ${port} port a ${d.role} device needs (it provides: ${providedPorts(adapter.definition).join(', ')})`,
      });
      return;
    }
    if (d.simulator === true) {
      // Only whether the package ships a simulator for the port: nothing is started while loading.
      const found = findSimulatorTarget(adapter, port);
      if (!found.ok) {
        problems.push({ segments: ['inventory', 'devices', i, 'simulator'], reason: found.reason });
        return;
      }
    }
    const options = validateOptions(adapter, d.options, ['inventory', 'devices', i, 'options'], problems);
    if (options.ok) devices.set(d.name, { device: d, index: i, adapter, port, options: options.value });
  });

  let store: { adapter: LoadedAdapter; options: unknown } | undefined;
  const storeAdapter = adapters.get(profile.store.adapter);
  if (storeAdapter !== undefined) {
    if (!providedPorts(storeAdapter.definition).includes('store')) {
      problems.push({
        segments: ['store', 'adapter'],
        reason: `${storeAdapter.packageName} (${storeAdapter.definition.id}) does not provide the store port (it provides: ${providedPorts(storeAdapter.definition).join(', ')})`,
      });
    } else {
      const options = validateOptions(storeAdapter, profile.store.options, ['store', 'options'], problems);
      if (options.ok) store = { adapter: storeAdapter, options: options.value };
    }
  }

  if (problems.length > 0 || store === undefined) {
    const located: ProfileProblem[] = problems.map((p) => ({ ...toInputProblem(p), ...(loaded.locate?.(p.segments) ?? {}) }));
    throw InputError.fromProblems(`profile ${profileName(profile)} (adapters)`, located);
  }
  return new AdapterRegistry([...adapters.values()], devices, store);
}

function profileName(p: Profile): string {
  return JSON.stringify(p.metadata.name);
}
