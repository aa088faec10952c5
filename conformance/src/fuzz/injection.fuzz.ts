/**
 * `runInjectionFuzz`: the injection fuzz tests of issue 6 for one device adapter, registered with mocha in one call.
 * No name or description of a desired config may smuggle a command into what the adapter sends (newline, `;`, `|`,
 * C0/C1 controls, U+2028/2029, over-long input), and a partial failure must end with the device at its last
 * committed config.
 *
 * @packageDocumentation
 */
import * as fc from 'fast-check';
import {
  InputError,
  configEquals,
  decodeOrThrow,
  fabricVocabulary,
  firewallVocabulary,
  isNetloomError,
  loadBalancerVocabulary,
  quoteText,
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
  type RenderedOperation,
} from '@netloom/ports';
import { expect, fail } from '../kit/check';
import type { DeviceHarness, SimulatorInstance, SimulatorTarget } from '../device/target';
import { fabricSamples } from '../samples/fabric.samples';
import { firewallSamples } from '../samples/firewall.samples';
import { loadBalancerSamples } from '../samples/load-balancer.samples';
import type { DeviceSamples, EditableConfig } from '../samples/samples';
import { vswitchSamples } from '../samples/vswitch.samples';
import { OPERATION_MEDIA, assertContained, assertRefused, type InjectionMedium } from './contained';
import { KEY_OF_PORT, richestSample, stringFields, withFieldValue, type SampleField } from './fields';
import { COMMAND_WORDS, hostileString } from './hostile';

/** Options of {@link runInjectionFuzz}. */
export interface InjectionFuzzOptions {
  /** The adapter under test: its `defineAdapter({...})` manifest. */
  readonly adapter: AdapterDefinition;
  /** The device port to fuzz (the adapter must provide it). */
  readonly port: DevicePortKind;
  /** A simulator target of that port (`conformanceTargets.fabric`, ...): one device serves every test. */
  readonly target: SimulatorTarget;
  /** What the adapter renders, so the kit knows how to judge containment (see {@link InjectionMedium}). */
  readonly medium: InjectionMedium;
  /**
   * The port's sample data (default: the kit's samples of `port`). The kit fuzzes every string field of the objects
   * of every capability selection the adapter declares.
   */
  readonly samples?: Pick<DeviceSamples, 'full' | 'byCapability'>;
  /** Fuzzed values per string field, plan only (default 200). */
  readonly runs?: number;
  /** Fuzzed configs planned, applied, observed and removed through the real session (default 30; 0: no such test). */
  readonly sessionRuns?: number;
  /**
   * Mid-commit faults with fuzzed but valid names (default 5; 0: no such test, e.g. for a target whose harness
   * cannot inject a fault).
   */
  readonly faultRuns?: number;
  /** The fast-check seed (default 6). The environment variable `NETLOOM_FUZZ_SEED` overrides it, to replay a failure. */
  readonly seed?: number;
  /**
   * Called first in the suite's `before` hook with the mocha context: skip there (with a printed reason) when the
   * host lacks what the target needs, e.g. `(ctx) => skipUnlessOvs(ctx, { vswitchd: true })`.
   */
  readonly skipUnless?: (ctx: { skip(): void }) => void;
  /** Milliseconds each test may take (default 120000). */
  readonly timeoutMs?: number;
  /** Handed to the adapter's port factory (default: silent). */
  readonly logger?: Logger;
  /** The suite's title (default `<adapter id> injection fuzzing (<port>)`). */
  readonly title?: string;
}

/** What the suite registers: its title and the test titles, in order (for reports and the kit's own tests). */
export interface InjectionFuzzPlan {
  readonly title: string;
  readonly tests: readonly string[];
  /** The fuzzed fields of the sample. */
  readonly fields: readonly SampleField[];
}

interface Context {
  skip(): void;
  timeout(ms: number): void;
}
interface MochaApi {
  describe(title: string, fn: (this: Context) => void): unknown;
  it(title: string, fn: (this: Context) => Promise<void>): unknown;
  before(fn: (this: Context) => Promise<void>): unknown;
  after(fn: (this: Context) => Promise<void>): unknown;
}

/** The mocha globals when this code runs inside mocha, else undefined. */
function mochaApi(): MochaApi | undefined {
  const g = globalThis as Record<string, unknown>;
  return ['describe', 'it', 'before', 'after'].every((n) => typeof g[n] === 'function') ? (g as unknown as MochaApi) : undefined;
}

const DEFAULT_SAMPLES: { readonly [P in DevicePortKind]: DeviceSamples } = {
  fabric: fabricSamples,
  vswitch: vswitchSamples,
  firewall: firewallSamples,
  loadBalancer: loadBalancerSamples,
};

/** Per port: how to decode a config (the port's config codec) and its empty config. */
const VOCABULARY: { readonly [P in DevicePortKind]: { decode(input: unknown): DeviceConfig; empty(): DeviceConfig } } = {
  fabric: { decode: (u) => decodeOrThrow(fabricVocabulary.configCodec, u, 'fuzzed config'), empty: () => fabricVocabulary.empty() },
  vswitch: { decode: (u) => decodeOrThrow(vswitchVocabulary.configCodec, u, 'fuzzed config'), empty: () => vswitchVocabulary.empty() },
  firewall: { decode: (u) => decodeOrThrow(firewallVocabulary.configCodec, u, 'fuzzed config'), empty: () => firewallVocabulary.empty() },
  loadBalancer: { decode: (u) => decodeOrThrow(loadBalancerVocabulary.configCodec, u, 'fuzzed config'), empty: () => loadBalancerVocabulary.empty() },
};

const MEDIA = Object.keys(OPERATION_MEDIA);
const DEFAULTS = { runs: 200, sessionRuns: 30, faultRuns: 5, seed: 6, timeoutMs: 120_000 } as const;

const count = (name: string, value: number | undefined, fallback: number, min: number, problems: InputProblem[]): number => {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) problems.push({ path: name, reason: `${String(value)} is not an integer >= ${min}` });
  return value;
};

/** The seed: `NETLOOM_FUZZ_SEED` when set (to replay a failure fast-check reported), else the option, else 6. */
function seedOf(option: number | undefined, problems: InputProblem[]): number {
  const env = process.env['NETLOOM_FUZZ_SEED'];
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n)) problems.push({ path: 'NETLOOM_FUZZ_SEED', reason: `${quoteText(env)} is not an integer` });
    return n;
  }
  return count('seed', option, DEFAULTS.seed, Number.MIN_SAFE_INTEGER, problems);
}

const outcome = async <T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> => {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
};

const asConfig = (c: EditableConfig): DeviceConfig => c as unknown as DeviceConfig;

/**
 * Works out what {@link runInjectionFuzz} would register, without mocha: validates the options and lists the fuzzed
 * fields and the test titles.
 *
 * @throws InputError listing every bad option
 */
export function planInjectionFuzz(options: InjectionFuzzOptions): InjectionFuzzPlan & { readonly runs: number; readonly sessionRuns: number; readonly faultRuns: number; readonly seed: number } {
  const problems: InputProblem[] = [];
  const { adapter, port } = options;
  if (!(port in DEFAULT_SAMPLES)) problems.push({ path: 'port', reason: `${quoteText(String(port))} is not a device port (${Object.keys(DEFAULT_SAMPLES).join(', ')})` });
  else if (typeof adapter?.ports?.[port] !== 'function') problems.push({ path: 'adapter', reason: `does not provide the ${port} port` });
  if (!MEDIA.includes(options.medium)) problems.push({ path: 'medium', reason: `${quoteText(String(options.medium))} is not one of ${MEDIA.join(', ')}` });
  if (typeof options.target?.create !== 'function') problems.push({ path: 'target', reason: "required: a simulator target ({ kind: 'simulator', create })" });
  const runs = count('runs', options.runs, DEFAULTS.runs, 1, problems);
  const sessionRuns = count('sessionRuns', options.sessionRuns, DEFAULTS.sessionRuns, 0, problems);
  const faultRuns = count('faultRuns', options.faultRuns, DEFAULTS.faultRuns, 0, problems);
  const seed = seedOf(options.seed, problems);
  if (problems.length > 0) throw InputError.fromProblems(`runInjectionFuzz options${typeof adapter?.id === 'string' ? ` of ${adapter.id}` : ''}`, problems);

  const supports = (adapter.supports[port] ?? {}) as Readonly<Record<string, boolean | undefined>>;
  const fields = stringFields(richestSample(options.samples ?? DEFAULT_SAMPLES[port], supports));
  if (fields.length === 0) throw InputError.fromProblems(`runInjectionFuzz of ${adapter.id}`, [{ path: 'samples', reason: 'the objects of the declared capabilities have no string field to fuzz' }]);
  const names = fields.filter((f) => f.path.length === 1 && f.path[0] === 'name');
  if (faultRuns > 0 && names.length === 0) throw InputError.fromProblems(`runInjectionFuzz of ${adapter.id}`, [{ path: 'faultRuns', reason: 'the sample has no name field to fuzz valid names into (pass faultRuns: 0)' }]);
  const tests = [
    ...fields.map((f) => `${f.label}: a hostile value is refused with InputError or stays inside its field (${runs} runs, plan only)`),
    ...(sessionRuns > 0 ? [`through the real session: a refused value writes nothing; an accepted one is observed back exactly (${sessionRuns} runs)`] : []),
    ...(faultRuns > 0 ? [`a fault mid-commit with fuzzed valid names leaves the device at its last committed config (${faultRuns} runs)`] : []),
  ];
  return { title: options.title ?? `${adapter.id} injection fuzzing (${port})`, tests, fields, runs, sessionRuns, faultRuns, seed };
}

/**
 * Registers the injection fuzz tests of one device adapter with mocha: one `describe` holding
 *
 * - per string field of the richest sample the adapter supports, a property (`runs` values from
 *   {@link hostileString}): `plan` must refuse the value with an InputError whose message carries no raw control,
 *   C1, U+2028/2029 or format character, or render exactly as many operations as the sample does, each keeping the
 *   value inside its field (see {@link assertContained}; judged for the declared `medium`);
 * - through the real session (`sessionRuns`): a refused config writes nothing and leaves the device as it was; an
 *   accepted one is applied, confirmed, observed back exactly, and removed again;
 * - a fault mid-commit (`faultRuns`) with fuzzed but valid names ({@link COMMAND_WORDS}): `apply` fails with a
 *   `DEVICE.*` error and the device holds its last committed config, foreign objects untouched.
 *
 * Keys of edited objects are recomputed with the port's key functions (`fabricKeyOf` & co.), so a fuzzed identity
 * field is judged by its own check. One device of `target` serves the whole suite. Reproduce a failure with the
 * seed fast-check prints: `NETLOOM_FUZZ_SEED=<seed>`.
 *
 * @throws InputError when an option is bad; Error when not called inside mocha
 * @example
 * // adapters/huawei-ce/test/injection.fuzz.test.ts
 * import { runInjectionFuzz } from '@netloom/conformance/fuzz';
 * import { adapter, conformanceTargets } from '@netloom/adapter-huawei-ce';
 * runInjectionFuzz({ adapter, port: 'fabric', target: conformanceTargets.fabric, medium: 'cli' });
 */
export function runInjectionFuzz(options: InjectionFuzzOptions): InjectionFuzzPlan {
  const mocha = mochaApi();
  if (mocha === undefined) throw new Error('runInjectionFuzz: not running inside mocha (no global describe/it/before/after)');
  const plan = planInjectionFuzz(options);
  const { adapter, port, target, medium, runs, sessionRuns, faultRuns, seed } = { ...options, ...plan };
  const factory = adapter.ports[port] as (opts: PortFactoryOptions) => DeviceDriver<DeviceConfig>;
  const vocabulary = VOCABULARY[port];
  const keyOf = KEY_OF_PORT[port];
  const sample = richestSample(options.samples ?? DEFAULT_SAMPLES[port], (adapter.supports[port] ?? {}) as Readonly<Record<string, boolean | undefined>>);
  const fields = plan.fields;
  const empty = vocabulary.empty();
  const titles = [...plan.tests];
  const nextTitle = (): string => titles.shift() ?? fail('runInjectionFuzz: more tests than planned');

  mocha.describe(plan.title, function () {
    this.timeout(options.timeoutMs ?? DEFAULTS.timeoutMs);
    let instance: SimulatorInstance | undefined;
    let session: DeviceSession<DeviceConfig> | undefined;
    let baseline: readonly RenderedOperation[] = [];

    mocha.before(async function () {
      options.skipUnless?.(this);
      instance = await target.create({ checkId: 'injection-fuzz' });
      session = await factory({ target: instance.target, options: instance.options ?? {}, logger: options.logger ?? silentLogger }).connect();
      baseline = (await session.plan({ desired: asConfig(sample), observed: empty })).operations;
      expect(baseline.length > 0, 'the sample renders no operation: nothing to fuzz');
      const allowed = OPERATION_MEDIA[medium];
      const stray = baseline.filter((o) => !allowed.includes(o.medium)).map((o) => o.medium);
      expect(stray.length === 0, () => `the sample renders ${[...new Set(stray)].join(', ')} operations, which medium ${medium} does not cover (${allowed.join(', ')})`);
    });

    mocha.after(async function () {
      try {
        await session?.close();
      } finally {
        await instance?.dispose?.();
      }
    });

    const s = (): DeviceSession<DeviceConfig> => session ?? fail('no session (the before hook failed)');
    const harness = (): DeviceHarness => instance?.harness ?? fail(`the ${adapter.id} target provides no device harness (pass sessionRuns: 0 and faultRuns: 0)`);
    const input = (field: SampleField, value: string): EditableConfig => withFieldValue(sample, field, value, keyOf);

    for (const field of fields) {
      mocha.it(nextTitle(), async function () {
        await fc.assert(
          fc.asyncProperty(hostileString(field.original), async (value) => {
            const r = await outcome(s().plan({ desired: asConfig(input(field, value)), observed: empty }));
            if (!r.ok) assertRefused(r.error, value);
            else assertContained(r.value.operations, baseline, value, medium);
          }),
          { numRuns: runs, seed },
        );
      });
    }

    if (sessionRuns > 0) {
      mocha.it(nextTitle(), async function () {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...fields).chain((f) => fc.tuple(fc.constant(f), hostileString(f.original))),
            async ([field, value]) => {
              const before = await harness().readConfig();
              const writes = await harness().writeCount();
              const desired = input(field, value);
              const r = await outcome(s().plan({ desired: asConfig(desired) }));
              if (!r.ok) {
                assertRefused(r.error, value);
                expect((await harness().writeCount()) === writes, 'a refused config wrote to the device');
                expect(configEquals(await harness().readConfig(), before), 'a refused config changed the device');
                return;
              }
              const tx = await s().apply({ changeSet: r.value });
              await s().confirm({ transaction: tx });
              const observed = (await s().observe()).config;
              expect(configEquals(observed, vocabulary.decode(desired)), () => `${quoteText(value, 120)} in ${field.label} did not read back exactly`);
              const back = await s().plan({ desired: empty });
              await s().confirm({ transaction: await s().apply({ changeSet: back }) });
            },
          ),
          { numRuns: sessionRuns, seed },
        );
      });
    }

    if (faultRuns > 0) {
      const names = fields.filter((f) => f.path.length === 1 && f.path[0] === 'name');
      mocha.it(nextTitle(), async function () {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...names), fc.constantFrom(...COMMAND_WORDS), fc.integer({ min: 1, max: 3 }), async (field, value, afterWrites) => {
            const committed = await harness().readConfig();
            const changeSet = await s().plan({ desired: asConfig(input(field, value)) });
            await harness().injectFault({ type: 'midCommit', afterWrites });
            const r = await outcome(s().apply({ changeSet }));
            if (r.ok) fail('apply succeeded although the device failed mid-commit');
            expect(isNetloomError(r.error) && r.error.code.startsWith('DEVICE.'), () => `expected a device error, got ${r.error instanceof Error ? `${r.error.name}: ${quoteText(r.error.message, 400)}` : quoteText(String(r.error))}`);
            const now = await harness().readConfig();
            expect(configEquals(now.owned, committed.owned), () => `after a fault mid-commit with ${field.label} = ${quoteText(value)}, the owned config is not the last committed one`);
            expect(configEquals(now.foreign, committed.foreign), 'foreign objects changed');
          }),
          { numRuns: faultRuns, seed },
        );
      });
    }
  });
  return { title: plan.title, tests: plan.tests, fields: plan.fields };
}
