/**
 * Options of the scenario adapter (`KubernetesFactoryOptions.options`).
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { intInRange, struct, withChecks } from '@netloom/ports';
import { NonEmptyString } from './scenario.format';

/** Default pause between steps with `autoAdvance: true`. */
export const DEFAULT_STEP_INTERVAL_MS = 1000;

/**
 * - `file`: the scenario file (absolute, or relative to the current directory; the runtime resolves a profile's
 *   `sources.kubernetes.scenario` relative to the profile first).
 * - `scenario`: the scenario itself, inline (the same shape as the file; no `include`).
 * - `autoAdvance`: play the steps by themselves: the first when the source is created, each next one
 *   `stepIntervalMs` after the previous. Default false: the caller drives (`advance()`, `step(n)`, `playAll()`).
 * - `stepIntervalMs`: the pause between automatic steps (default 1000; only with `autoAdvance: true`).
 *
 * Exactly one of `file` and `scenario`.
 */
export const ScenarioOptionsCodec = withChecks(
  struct('ScenarioOptions', {}, { file: NonEmptyString, scenario: t.UnknownRecord, autoAdvance: t.boolean, stepIntervalMs: intInRange('StepIntervalMs', 0, 86_400_000) }),
  (o) => [
    ...(o.file === undefined && o.scenario === undefined ? [{ path: ['file'], message: 'required: give a scenario file (or an inline scenario)' }] : []),
    ...(o.file !== undefined && o.scenario !== undefined ? [{ path: ['scenario'], message: 'give either file or scenario, not both' }] : []),
    ...(o.stepIntervalMs !== undefined && o.autoAdvance !== true ? [{ path: ['stepIntervalMs'], message: 'only used with autoAdvance: true' }] : []),
  ],
);

/** Options of the scenario adapter. */
export type ScenarioOptions = t.TypeOf<typeof ScenarioOptionsCodec>;
