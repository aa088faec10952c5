/**
 * The device-port kits: `runFabricConformance`, `runVSwitchConformance`, `runFirewallConformance`,
 * `runLoadBalancerConformance` (mocha, three lines in an adapter's test file) and the suites behind them
 * (`fabricConformance(...)` and friends, for {@link runChecks} without mocha). One generic implementation,
 * parameterised by the port's vocabulary and sample configs.
 *
 * @example
 * // adapters/huawei-ce/test/conformance.test.ts
 * import { runFabricConformance } from '@netloom/conformance';
 * import { adapter } from '../src';
 * runFabricConformance({ adapter, target: { kind: 'simulator', create: () => ({ target: { name: 'leaf1' }, options: {}, harness }) } });
 *
 * @packageDocumentation
 */
import {
  ADDED_CAPABILITIES,
  CAPABILITY_NAMES,
  InputError,
  checkAdapterDefinition,
  decodeProblems,
  fabricVocabulary,
  firewallVocabulary,
  loadBalancerVocabulary,
  providedPorts,
  silentLogger,
  vswitchVocabulary,
  type AdapterDefinition,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type DeviceSession,
  type InputProblem,
  type Logger,
  type PortFactoryOptions,
} from '@netloom/ports';
import { ConformanceFailure, TargetFailure, describeError, registerMocha, type ConformanceSuite } from '../kit/check';
import { fabricSamples } from '../samples/fabric.samples';
import { firewallSamples } from '../samples/firewall.samples';
import { loadBalancerSamples } from '../samples/load-balancer.samples';
import type { DeviceSamples, Selection } from '../samples/samples';
import { vswitchSamples } from '../samples/vswitch.samples';
import { BEHAVIOURAL_CAPABILITIES, deviceChecks } from './device.checks';
import { attempt, objectCount, pick, type AnyVocabulary, type DeviceCheckContext, type PreparedSample, type SamplePlan } from './device.context';
import { liveTarget, replayTarget, type RemoteTarget } from './remote.target';
import { TARGET_KINDS, type DeviceTargetSpec, type SimulatorInstance, type SimulatorTarget } from './target';

/** Options of every device-port kit. */
export interface DeviceConformanceOptions {
  /** The adapter under test: its `defineAdapter({...})` manifest, exported as `adapter` from its entry point. */
  readonly adapter: AdapterDefinition;
  /** Where to run: `{ kind: 'simulator', create }`, `{ kind: 'live', file, record? }` or `{ kind: 'replay', dir }`. */
  readonly target: DeviceTargetSpec;
  /** Replaces parts of the kit's default sample data for this port (e.g. for a device with tighter limits). */
  readonly samples?: Partial<DeviceSamples>;
  /** Milliseconds one check may take (default 30000). */
  readonly timeoutMs?: number;
  /** Handed to the adapter's port factory (default: silent). */
  readonly logger?: Logger;
}

/** A device-port suite: the checks, and for `live` / `replay` targets what the target is (for reports). */
export interface DeviceConformanceSuite extends ConformanceSuite<DeviceCheckContext> {
  /** The live or replay target (absent for simulators): its description and recording manifest. */
  readonly remote?: RemoteTarget;
}

/** The default sample data of each device port. */
export const DEFAULT_SAMPLES: { readonly [P in DevicePortKind]: DeviceSamples } = {
  fabric: fabricSamples,
  vswitch: vswitchSamples,
  firewall: firewallSamples,
  loadBalancer: loadBalancerSamples,
};

const VOCABULARIES: { readonly [P in DevicePortKind]: AnyVocabulary } = {
  fabric: fabricVocabulary as unknown as AnyVocabulary,
  vswitch: vswitchVocabulary as unknown as AnyVocabulary,
  firewall: firewallVocabulary as unknown as AnyVocabulary,
  loadBalancer: loadBalancerVocabulary as unknown as AnyVocabulary,
};

const KIT_NAMES: { readonly [P in DevicePortKind]: string } = {
  fabric: 'runFabricConformance',
  vswitch: 'runVSwitchConformance',
  firewall: 'runFirewallConformance',
  loadBalancer: 'runLoadBalancerConformance',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function validateAdapter(port: DevicePortKind, adapter: unknown, problems: InputProblem[]): adapter is AdapterDefinition {
  if (adapter === undefined || adapter === null) {
    problems.push({ path: 'adapter', reason: "required: the adapter's defineAdapter({...}) manifest (import { adapter } from '../src')" });
    return false;
  }
  if (!isRecord(adapter) || !isRecord(adapter['ports']) || !isRecord(adapter['supports'])) {
    problems.push({ path: 'adapter', reason: 'is not an adapter definition (expected an object with id, ports and supports, made by defineAdapter)' });
    return false;
  }
  const def = adapter as unknown as AdapterDefinition;
  if (typeof def.ports[port] !== 'function') {
    const provided = providedPorts(def);
    problems.push({ path: `adapter.ports.${port}`, reason: `adapter ${JSON.stringify(def.id)} does not provide the ${port} port (it provides: ${provided.join(', ') || 'nothing'})` });
    return false;
  }
  for (const p of checkAdapterDefinition(def)) problems.push({ path: `adapter.${p.path}`, reason: p.reason });
  return true;
}

function validateTarget(port: DevicePortKind, target: unknown, problems: InputProblem[]): void {
  if (!isRecord(target)) {
    problems.push({ path: 'target', reason: "required: { kind: 'simulator', create: () => ({ target: { name }, options, harness }) }" });
    return;
  }
  if (!(TARGET_KINDS as readonly unknown[]).includes(target['kind'])) {
    problems.push({ path: 'target.kind', reason: `${JSON.stringify(target['kind'])} is not a target kind (${TARGET_KINDS.join(', ')})` });
    return;
  }
  if (target['kind'] === 'live') {
    if (typeof target['file'] !== 'string' || target['file'] === '') problems.push({ path: 'target.file', reason: 'required: the path of the target file (YAML)' });
    if (target['record'] !== undefined && (typeof target['record'] !== 'string' || target['record'] === '')) problems.push({ path: 'target.record', reason: 'must be the folder to record into' });
    return;
  }
  if (target['kind'] === 'replay') {
    if (typeof target['dir'] !== 'string' || target['dir'] === '') problems.push({ path: 'target.dir', reason: 'required: the folder of the recording' });
    return;
  }
  if (typeof target['create'] !== 'function') problems.push({ path: 'target.create', reason: 'required: a function that creates a fresh simulated device for one check' });
  const lacks = target['lacks'];
  if (lacks !== undefined) {
    const names: readonly string[] = CAPABILITY_NAMES[port];
    if (!Array.isArray(lacks)) problems.push({ path: 'target.lacks', reason: 'must be a list of capability names' });
    else
      lacks.forEach((c: unknown, i) => {
        if (typeof c !== 'string' || !names.includes(c)) problems.push({ path: `target.lacks[${i}]`, reason: `${JSON.stringify(c)} is not a ${port} capability (${names.join(', ')})` });
      });
  }
}

function validateSamples(port: DevicePortKind, vocabulary: AnyVocabulary, samples: DeviceSamples, problems: InputProblem[]): void {
  if (typeof samples.full !== 'function') {
    problems.push({ path: 'samples.full', reason: 'must be a function returning a config' });
    return;
  }
  const full = samples.full();
  const decoded = decodeProblems(vocabulary.configCodec, full);
  for (const p of decoded.problems) problems.push({ path: `samples.full.${p.path}`, reason: p.reason });
  if (decoded.value === undefined) return;
  const names: readonly string[] = CAPABILITY_NAMES[port];
  for (const [cap, selection] of Object.entries(samples.byCapability ?? {})) {
    const where = `samples.byCapability.${cap}`;
    if (!names.includes(cap) || BEHAVIOURAL_CAPABILITIES.includes(cap)) {
      problems.push({ path: where, reason: `not a ${port} capability a config can use (${names.filter((n) => !BEHAVIOURAL_CAPABILITIES.includes(n)).join(', ')})` });
      continue;
    }
    let input: unknown;
    try {
      input = pick(vocabulary, full, selection);
    } catch (e) {
      problems.push({ path: where, reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const sub = decodeProblems(vocabulary.configCodec, input);
    for (const p of sub.problems) problems.push({ path: `${where} (as a config).${p.path}`, reason: p.reason });
    if (sub.value !== undefined && !vocabulary.capabilitiesUsed(sub.value).includes(cap as never)) {
      problems.push({ path: where, reason: `the selected objects do not use ${cap} (they use: ${vocabulary.capabilitiesUsed(sub.value).join(', ') || 'nothing'})` });
    }
  }
  const f = samples.foreign;
  if (!isRecord(f) || typeof f.kind !== 'string' || !isRecord(f.object) || typeof f.object.key !== 'string') {
    problems.push({ path: 'samples.foreign', reason: 'must be { kind, object: { key, ... } }' });
  } else if (!vocabulary.order.includes(f.kind)) {
    problems.push({ path: 'samples.foreign.kind', reason: `${JSON.stringify(f.kind)} is not a ${port} kind (${vocabulary.order.join(', ')})` });
  } else if ((decoded.value as DeviceConfig)[f.kind]?.[f.object.key] !== undefined) {
    problems.push({ path: 'samples.foreign.object.key', reason: `${JSON.stringify(f.object.key)} is also a ${f.kind} of samples.full; a foreign object needs a key netloom does not use` });
  }
  const ids = new Set<string>();
  (samples.badInputs ?? []).forEach((b, i) => {
    if (ids.has(b.id)) problems.push({ path: `samples.badInputs[${i}].id`, reason: `${JSON.stringify(b.id)} is used twice` });
    ids.add(b.id);
    if (!names.includes(b.capability)) problems.push({ path: `samples.badInputs[${i}].capability`, reason: `${JSON.stringify(b.capability)} is not a ${port} capability` });
  });
}

function union(selections: readonly Selection[]): Selection {
  const out: Record<string, string[]> = {};
  for (const s of selections) for (const [kind, keys] of Object.entries(s)) out[kind] = [...new Set([...(out[kind] ?? []), ...keys])];
  return out;
}

function planSamples(vocabulary: AnyVocabulary, samples: DeviceSamples, capabilities: Readonly<Record<string, boolean>>): SamplePlan {
  const prepare = (input: unknown): PreparedSample => {
    const r = decodeProblems(vocabulary.configCodec, input);
    if (r.value === undefined) throw new InputError(`a sample config does not decode: ${r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`);
    return { input, config: r.value, uses: vocabulary.capabilitiesUsed(r.value) };
  };
  const supported = (s: PreparedSample): boolean => s.uses.every((c) => capabilities[c] === true);
  const full = samples.full();
  const byCapability = new Map<string, PreparedSample>();
  const selections = new Map<string, Selection>();
  for (const [cap, selection] of Object.entries(samples.byCapability)) {
    byCapability.set(cap, prepare(pick(vocabulary, full, selection)));
    selections.set(cap, selection);
  }
  const fullSample = prepare(full);
  const fitting = [...byCapability.entries()].filter(([, s]) => supported(s));
  const none = `no sample config fits the capabilities this device declares (${Object.entries(capabilities)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join(', ') || 'none'})`;
  let desired: PreparedSample | string = none;
  if (supported(fullSample)) desired = fullSample;
  else if (fitting.length > 0) desired = prepare(pick(vocabulary, full, union(fitting.map(([cap]) => selections.get(cap)!))));
  let minimal: PreparedSample | string = none;
  for (const [, s] of fitting) if (typeof minimal === 'string' || objectCount(s.config) < objectCount(minimal.config)) minimal = s;
  return { desired, minimal, byCapability };
}

/**
 * The suite of device-port checks for `port` (no mocha): validates the options loudly, then returns checks and
 * how to run them. Use {@link runChecks} on it, or the `run*Conformance` functions inside mocha.
 *
 * @throws InputError listing every problem with the options (missing adapter, adapter without the port, bad
 *   target, bad samples; for `live`: an invalid target file or samples that do not fit its `allow`; for `replay`: a
 *   missing or invalid manifest, or a recording made for another adapter, port or samples).
 */
export function deviceConformance(port: DevicePortKind, options: DeviceConformanceOptions): DeviceConformanceSuite {
  const kit = KIT_NAMES[port];
  const vocabulary = VOCABULARIES[port];
  const problems: InputProblem[] = [];
  if (!isRecord(options)) throw InputError.fromProblems(`${kit} options`, [{ path: '', reason: 'required: { adapter, target }' }]);
  const adapterOk = validateAdapter(port, options.adapter, problems);
  validateTarget(port, options.target, problems);
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) problems.push({ path: 'timeoutMs', reason: 'must be a positive integer (milliseconds)' });
  const samples: DeviceSamples = { ...DEFAULT_SAMPLES[port], ...(isRecord(options.samples) ? options.samples : {}) };
  if (options.samples !== undefined && !isRecord(options.samples)) problems.push({ path: 'samples', reason: 'must be an object ({ full, byCapability, foreign, badInputs }, each optional)' });
  else validateSamples(port, vocabulary, samples, problems);
  if (problems.length > 0) throw InputError.fromProblems(`${kit} options`, problems);
  if (!adapterOk) throw new InputError(`${kit} options: adapter is invalid`);
  const target = options.target;
  const adapter = options.adapter;
  const factory = adapter.ports[port] as unknown as (opts: PortFactoryOptions) => DeviceDriver<DeviceConfig>;
  const logger = options.logger ?? silentLogger;
  const remote: RemoteTarget | undefined =
    target.kind === 'simulator'
      ? undefined
      : (target.kind === 'live' ? liveTarget : replayTarget)(target as never, { port, adapter, samples, factory, logger });
  const effectiveSamples = remote?.samples ?? samples;
  const lacks = new Set(target.kind === 'simulator' ? (target.lacks ?? []) : (remote?.lacks ?? []));
  const declared = adapter.supports[port] as Readonly<Record<string, boolean>>;
  const capabilities: Record<string, boolean> = {};
  for (const c of CAPABILITY_NAMES[port] as readonly string[]) capabilities[c] = declared[c] === true && !lacks.has(c);
  const plan = planSamples(vocabulary, effectiveSamples, capabilities);
  const why = (c: string): string => (declared[c] === true ? `the device lacks ${c} (target.lacks)` : `adapter ${JSON.stringify(adapter.id)} does not declare ${c}`);

  const create = async (checkId: string): Promise<{ instance: SimulatorInstance; finish?: () => Promise<string | undefined> }> => {
    if (target.kind === 'simulator') {
      const instance = await (target as SimulatorTarget).create({ checkId });
      if (!isRecord(instance) || !isRecord(instance.target) || typeof instance.target.name !== 'string') {
        throw new InputError(`${kit}: target.create() must return { target: { name, ... }, options?, harness? }, got ${JSON.stringify(instance)}`);
      }
      return { instance };
    }
    const device = await remote!.create(checkId);
    return { instance: { target: device.target, options: device.options }, finish: () => device.finish() };
  };

  return {
    title: `${port} conformance: ${adapter.id}${remote === undefined ? '' : ` (${remote.kind} ${remote.description})`}`,
    checks: deviceChecks(port),
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(remote === undefined ? {} : { remote }),
    skipReason(check) {
      if (check.capability !== undefined && capabilities[check.capability] !== true) return `${why(check.capability)} (see not-supported.${check.capability})`;
      if (check.withoutCapability !== undefined && capabilities[check.withoutCapability] === true) return `${check.withoutCapability} is declared (see capability.${check.withoutCapability})`;
      // A capability of a later minor port API that the samples (an adapter's own, a recording's) predate.
      if (check.withoutCapability !== undefined && !plan.byCapability.has(check.withoutCapability) && (ADDED_CAPABILITIES[port] as readonly string[]).includes(check.withoutCapability)) {
        return `the samples have no config using ${check.withoutCapability} (added in a later port API 1.x); supply samples.byCapability.${check.withoutCapability} to check that it is refused`;
      }
      if (remote !== undefined && check.needs?.includes('harness') === true) return `the ${remote.kind} target has no device harness (a lab device offers the kit no operator levers)`;
      return undefined;
    },
    async setup(check) {
      const { instance, finish } = await create(check.id);
      const sessions: DeviceSession<DeviceConfig>[] = [];
      const driver = (): DeviceDriver<DeviceConfig> => {
        const d = factory({ target: instance.target, options: instance.options, logger });
        if (d.port !== port) throw new ConformanceFailure(`adapter ${JSON.stringify(adapter.id)}'s ${port} factory returned a driver for port ${JSON.stringify(d.port)}`);
        return d;
      };
      // A lab device is shared by every check: remember what netloom owned before, to remove exactly what the check adds.
      let baseline: DeviceConfig | undefined;
      if (remote !== undefined) {
        try {
          baseline = await observeOnce(driver);
        } catch (e) {
          const divergence = await finish?.().catch(() => undefined);
          throw new TargetFailure(divergence ?? `could not read the ${remote.kind} device before the check: ${describeError(e)}`);
        }
      }
      const ctx: DeviceCheckContext = {
        port,
        adapterId: adapter.id,
        vocabulary,
        capabilities,
        samples: effectiveSamples,
        plan,
        harness: instance.harness,
        driver,
        async connect() {
          const s = await driver().connect();
          sessions.push(s);
          return s;
        },
      };
      return {
        ctx,
        async teardown() {
          for (const s of sessions.splice(0)) {
            try {
              await s.close();
            } catch {
              // A session that cannot close is the check's concern, not the teardown's.
            }
          }
          const problems: string[] = [];
          if (baseline !== undefined) {
            const left = await removeCreated(vocabulary, driver, baseline).catch((e: unknown) => `cleanup failed: ${describeError(e)}`);
            if (left !== undefined) problems.push(left);
          }
          await instance.dispose?.();
          const divergence = await finish?.();
          // A divergence explains everything after it (a failed cleanup included): report it alone.
          if (divergence !== undefined) throw new TargetFailure(divergence);
          if (problems.length > 0) throw new TargetFailure(problems.join('; '));
        },
      };
    },
  };
}

async function observeOnce(driver: () => DeviceDriver<DeviceConfig>): Promise<DeviceConfig> {
  const s = await driver().connect();
  try {
    return (await s.observe()).config;
  } finally {
    await s.close().catch(() => undefined);
  }
}

/**
 * Removes the objects a check created on a shared device: observe, delete the keys that were not there before the
 * check (everything else as it is now), confirm, observe again. Returns what could not be removed, or undefined.
 */
async function removeCreated(vocabulary: AnyVocabulary, driver: () => DeviceDriver<DeviceConfig>, baseline: DeviceConfig): Promise<string | undefined> {
  const s = await driver().connect();
  try {
    const created = (config: DeviceConfig): string[] =>
      vocabulary.order.flatMap((kind) => Object.keys(config[kind] ?? {}).filter((key) => baseline[kind]?.[key] === undefined).map((key) => `${kind} ${JSON.stringify(key)}`));
    const now = (await s.observe()).config;
    if (created(now).length === 0) return undefined;
    const desired: Record<string, Record<string, unknown>> = {};
    for (const kind of vocabulary.order) {
      desired[kind] = Object.fromEntries(Object.entries(now[kind] ?? {}).filter(([key]) => baseline[kind]?.[key] !== undefined));
    }
    const attemptRemove = await attempt(async () => {
      const changeSet = await s.plan({ desired: desired as DeviceConfig });
      const tx = await s.apply({ changeSet });
      await s.confirm({ transaction: tx });
    });
    const left = created((await s.observe()).config);
    if (left.length === 0) return undefined;
    return `after the check, the kit could not remove what it created on the device: ${left.join(', ')}${attemptRemove.ok ? '' : ` (${describeError(attemptRemove.error)})`}`;
  } finally {
    await s.close().catch(() => undefined);
  }
}

/** The fabric suite (no mocha). See {@link deviceConformance}. */
export const fabricConformance = (options: DeviceConformanceOptions): DeviceConformanceSuite => deviceConformance('fabric', options);
/** The vswitch suite (no mocha). See {@link deviceConformance}. */
export const vswitchConformance = (options: DeviceConformanceOptions): DeviceConformanceSuite => deviceConformance('vswitch', options);
/** The firewall suite (no mocha). See {@link deviceConformance}. */
export const firewallConformance = (options: DeviceConformanceOptions): DeviceConformanceSuite => deviceConformance('firewall', options);
/** The load-balancer suite (no mocha). See {@link deviceConformance}. */
export const loadBalancerConformance = (options: DeviceConformanceOptions): DeviceConformanceSuite => deviceConformance('loadBalancer', options);

/**
 * Registers the fabric checks with mocha (call it at the top level of a test file). Returns the suite.
 * @throws InputError / NotSupportedError as {@link deviceConformance}; Error outside mocha.
 */
export function runFabricConformance(options: DeviceConformanceOptions): DeviceConformanceSuite {
  const suite = fabricConformance(options);
  registerMocha(suite);
  return suite;
}

/** Registers the vswitch checks with mocha. See {@link runFabricConformance}. */
export function runVSwitchConformance(options: DeviceConformanceOptions): DeviceConformanceSuite {
  const suite = vswitchConformance(options);
  registerMocha(suite);
  return suite;
}

/** Registers the firewall checks with mocha. See {@link runFabricConformance}. */
export function runFirewallConformance(options: DeviceConformanceOptions): DeviceConformanceSuite {
  const suite = firewallConformance(options);
  registerMocha(suite);
  return suite;
}

/** Registers the load-balancer checks with mocha. See {@link runFabricConformance}. */
export function runLoadBalancerConformance(options: DeviceConformanceOptions): DeviceConformanceSuite {
  const suite = loadBalancerConformance(options);
  registerMocha(suite);
  return suite;
}
