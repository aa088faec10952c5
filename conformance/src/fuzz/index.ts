/**
 * `@netloom/conformance/fuzz` — the injection fuzz kit (issue 6): no name or description of a desired config may
 * smuggle a command into what an adapter sends (newline, `;`, `|`, C0/C1 controls, U+2028/2029, over-long input),
 * a refusal's message is log-safe, and a partial failure ends with the device at its last committed config.
 *
 * - {@link runInjectionFuzz}: the whole suite for one adapter, registered with mocha in three lines.
 * - The parts, for vendors who write their own properties: the arbitraries ({@link hostileString},
 *   {@link hostileCharacter}, {@link commandWord}), the sample walking ({@link richestSample}, {@link stringFields},
 *   {@link withFieldValue}) and the judgements ({@link assertContained}, {@link assertRefused}).
 *
 * Depends on `fast-check` (a dev dependency of the test files that import this entry point), which is why it is a
 * subpath of its own: `@netloom/conformance` itself does not load it.
 *
 * @example
 * // adapters/ovs/test/injection.fuzz.test.ts
 * import { runInjectionFuzz } from '@netloom/conformance/fuzz';
 * import { adapter, conformanceTargets } from '@netloom/adapter-ovs';
 * import { skipUnlessOvs } from '@netloom/ovsdb/testing';
 * runInjectionFuzz({ adapter, port: 'vswitch', target: conformanceTargets.vswitch, medium: 'ovsdb', skipUnless: (ctx) => skipUnlessOvs(ctx, { vswitchd: true }) });
 * @packageDocumentation
 */
export { runInjectionFuzz, planInjectionFuzz, type InjectionFuzzOptions, type InjectionFuzzPlan } from './injection.fuzz';
export { CONTROL_CHARACTERS, COMMAND_METACHARACTERS, COMMAND_WORDS, hasControlCharacter, hostileCharacter, commandWord, hostileString } from './hostile';
export { KEY_OF_PORT, richestSample, stringFields, withFieldValue, type SampleField, type FieldPathStep, type KeyOfKind } from './fields';
export { OPERATION_MEDIA, argvWords, assertContained, assertRefused, unsafeMessageCharacter, type InjectionMedium } from './contained';
