/**
 * `@netloom/adapter-scenario` — the Kubernetes port from a YAML timeline of objects: netloom's embedded default
 * source (`sources.kubernetes.scenario` in a profile) and the source of most engine tests.
 *
 * ```ts
 * const kube = await ScenarioSource.fromFile('docs/examples/scenario.yaml');
 * const stop = await kube.watch({ kinds: ['Namespace', 'Pod'] }, (e) => queue.push(e));
 * kube.advance();                     // plays step 1: watchers get its added / modified / deleted events
 * kube.playAll();                     // the rest
 * kube.writes(); kube.events();       // what netloom wrote back
 * ```
 *
 * @packageDocumentation
 */
import { decodeOrThrow, defineAdapter, type KubernetesFactoryOptions } from '@netloom/ports';
import { DEFAULT_STEP_INTERVAL_MS, ScenarioOptionsCodec } from './scenario.options';
import { loadScenario, scenarioFromValue } from './scenario.parser';
import { SCENARIO_CAPABILITIES, ScenarioSource } from './scenario.source';

export { parseLabelSelector, type LabelMatcher } from '@netloom/ports';
export {
  NonEmptyString,
  SCENARIO_API_VERSION,
  ScenarioFileCodec,
  ScenarioKindCodec,
  ScenarioObjectCodec,
  ScenarioRefCodec,
  ScenarioStepCodec,
  type Scenario,
  type ScenarioFile,
  type ScenarioStep,
} from './scenario.format';
export { KIND_API_VERSIONS, NAMESPACED_KINDS, describeRef, isNamespaced, objectKey, refOf, uidFor } from './scenario.ids';
export { DEFAULT_STEP_INTERVAL_MS, ScenarioOptionsCodec, type ScenarioOptions } from './scenario.options';
export { loadScenario, parseScenario, scenarioFromValue, type ScenarioProblem } from './scenario.parser';
export {
  MAX_EVENT_MESSAGE,
  SCENARIO_CAPABILITIES,
  ScenarioSource,
  formatStepSummary,
  type ObjectLocator,
  type RecordedEvent,
  type ScenarioLease,
  type ScenarioSourceOptions,
  type ScenarioWrite,
  type StepSummary,
} from './scenario.source';

/**
 * Creates a scenario source from adapter options (`{ file }` or `{ scenario }`, `autoAdvance?`, `stepIntervalMs?`).
 * @throws InputError (bad options, invalid scenario, unreadable file)
 */
export async function createScenarioSource(opts: KubernetesFactoryOptions): Promise<ScenarioSource> {
  const o = decodeOrThrow(ScenarioOptionsCodec, opts.options ?? {}, 'scenario adapter options');
  const scenario = o.file !== undefined ? await loadScenario(o.file) : scenarioFromValue(o.scenario, 'inline scenario');
  const source = new ScenarioSource(scenario, { logger: opts.logger });
  if (o.autoAdvance === true) source.autoAdvance(o.stepIntervalMs ?? DEFAULT_STEP_INTERVAL_MS);
  return source;
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'scenario',
  vendor: 'netloom',
  description: 'Kubernetes port from a YAML timeline of objects: the embedded default source and the test source.',
  portApi: '^1.0.0',
  ports: { kubernetes: createScenarioSource },
  supports: { kubernetes: SCENARIO_CAPABILITIES },
  optionsCodec: ScenarioOptionsCodec,
});
