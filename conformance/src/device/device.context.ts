/**
 * What a device-port check gets: the port's vocabulary and samples, the effective capabilities, fresh drivers and
 * sessions on the check's own device, its harness, and helpers that turn mismatches into readable reasons.
 * @packageDocumentation
 */
import {
  configEquals,
  decodeOrThrow,
  diffConfig,
  isNetloomError,
  stableStringify,
  type ConfigObject,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type DeviceSession,
  type DeviceVocabulary,
} from '@netloom/ports';
import { CheckSkipped, describeError, expect, fail } from '../kit/check';
import type { DeviceSamples, Selection } from '../samples/samples';
import type { DeviceHarness } from './target';

/** A port's vocabulary with its config type erased (the kit handles every device port alike). */
export type AnyVocabulary = DeviceVocabulary<DevicePortKind, DeviceConfig, unknown>;

/** A sample config the kit prepared: input form, decoded form, capabilities it uses. */
export interface PreparedSample {
  readonly input: unknown;
  readonly config: DeviceConfig;
  readonly uses: readonly string[];
}

/** Everything about the samples that does not depend on the device: computed once per suite. */
export interface SamplePlan {
  /** The richest supported desired config, or why there is none. */
  readonly desired: PreparedSample | string;
  /** The smallest non-empty supported config (by object count), or why there is none. */
  readonly minimal: PreparedSample | string;
  /** Per capability with a selection: its prepared config. */
  readonly byCapability: ReadonlyMap<string, PreparedSample>;
}

/** What every device-port check receives. */
export interface DeviceCheckContext {
  readonly port: DevicePortKind;
  readonly adapterId: string;
  readonly vocabulary: AnyVocabulary;
  /** Declared by the adapter and offered by the device (`lacks` removed). */
  readonly capabilities: Readonly<Record<string, boolean>>;
  readonly samples: DeviceSamples;
  readonly plan: SamplePlan;
  /** The device harness, if the target provides one. */
  readonly harness: DeviceHarness | undefined;
  /** A new driver for this check's device (a second driver is a second controller). */
  driver(): DeviceDriver<DeviceConfig>;
  /** Connects a new driver; the session is closed after the check. */
  connect(): Promise<DeviceSession<DeviceConfig>>;
}

/** Counts objects in a config. */
export function objectCount(config: DeviceConfig): number {
  return Object.values(config).reduce((n, objects) => n + Object.keys(objects ?? {}).length, 0);
}

/** A sub-config of `full` (input form): the objects named by `selection`. */
export function pick(vocabulary: AnyVocabulary, full: unknown, selection: Selection): Record<string, Record<string, unknown>> {
  const source = full as Record<string, Record<string, unknown> | undefined>;
  const out: Record<string, Record<string, unknown>> = {};
  for (const kind of vocabulary.order) out[kind] = {};
  for (const [kind, keys] of Object.entries(selection)) {
    for (const key of keys) {
      const object = source[kind]?.[key];
      if (object === undefined) throw new Error(`selection ${kind}[${JSON.stringify(key)}]: no such object in the full sample`);
      (out[kind] ??= {})[key] = structuredClone(object);
    }
  }
  return out;
}

/** The desired config of the richest supported sample: the decoded desired config, or a skip. */
export function desiredOf(ctx: DeviceCheckContext): PreparedSample {
  if (typeof ctx.plan.desired === 'string') throw new CheckSkipped(ctx.plan.desired);
  return ctx.plan.desired;
}

/** The smallest supported sample, or a skip. */
export function minimalOf(ctx: DeviceCheckContext): PreparedSample {
  if (typeof ctx.plan.minimal === 'string') throw new CheckSkipped(ctx.plan.minimal);
  return ctx.plan.minimal;
}

/** The harness, or a skip. */
export function harnessOf(ctx: DeviceCheckContext): DeviceHarness {
  if (ctx.harness === undefined) throw new CheckSkipped('the target provides no device harness');
  return ctx.harness;
}

/** Decodes a config with the port's codec; an InputError here is a bug in the kit's samples or the caller's. */
export function decodeSample(vocabulary: AnyVocabulary, input: unknown, what: string): DeviceConfig {
  return decodeOrThrow(vocabulary.configCodec, input, what);
}

const short = (v: unknown): string => {
  const s = stableStringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

/** A readable list of how `actual` differs from `expected` (both configs of the port): `missing segment "10010"`... */
export function describeConfigDifference(vocabulary: AnyVocabulary, expected: DeviceConfig, actual: DeviceConfig, limit = 5): string {
  let changes;
  try {
    changes = diffConfig({ desired: expected, observed: actual, order: vocabulary.order });
  } catch (e) {
    return describeError(e);
  }
  const parts = changes.map((c) =>
    c.op === 'create'
      ? `missing ${c.kind} ${JSON.stringify(c.key)}`
      : c.op === 'delete'
        ? `unexpected ${c.kind} ${JSON.stringify(c.key)}`
        : `${c.kind} ${JSON.stringify(c.key)} is ${short(c.before)}, expected ${short(c.after)}`,
  );
  if (parts.length === 0) return 'no difference';
  return parts.slice(0, limit).join('; ') + (parts.length > limit ? `; and ${parts.length - limit} more` : '');
}

/**
 * Every way a raw observed object differs from its decoded (canonical) form: fields the vocabulary does not know,
 * values not in canonical form. Empty when identical.
 */
export function rawVersusDecoded(raw: Readonly<Record<string, unknown>>, decoded: Readonly<Record<string, unknown>>, limit = 5): string[] {
  const out: string[] = [];
  for (const [kind, objects] of Object.entries(raw)) {
    if (!(kind in decoded)) {
      out.push(`unknown kind ${JSON.stringify(kind)}`);
      continue;
    }
    const dec = (decoded[kind] ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, object] of Object.entries((objects ?? {}) as Record<string, Record<string, unknown>>)) {
      const d = dec[key];
      if (d === undefined) {
        out.push(`${kind} ${JSON.stringify(key)} is not in the decoded config`);
        continue;
      }
      for (const field of Object.keys(object)) {
        if (object[field] === undefined) continue;
        if (!(field in d)) out.push(`${kind} ${JSON.stringify(key)} has field ${JSON.stringify(field)} the vocabulary does not know`);
        else if (!configEquals(object[field], d[field])) out.push(`${kind} ${JSON.stringify(key)}.${field} is ${short(object[field])}, canonical form is ${short(d[field])}`);
      }
    }
  }
  return out.slice(0, limit);
}

/** Outcome of a promise, without throwing. */
export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Awaits `p` and reports its outcome instead of throwing. */
export async function attempt<T>(p: Promise<T> | (() => Promise<T>)): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await (typeof p === 'function' ? p() : p) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The netloom error code of a thrown value (undefined for anything else). */
export function codeOf(e: unknown): string | undefined {
  return isNetloomError(e) ? e.code : undefined;
}

/** What the device looks like now, to prove later that nothing was written. */
export interface Snapshot {
  readonly observed: DeviceConfig;
  readonly writes: number | undefined;
}

/** Takes a {@link Snapshot} through `session` (and the harness's write counter when there is one). */
export async function snapshot(ctx: DeviceCheckContext, session: DeviceSession<DeviceConfig>): Promise<Snapshot> {
  const writes = ctx.harness === undefined ? undefined : await ctx.harness.writeCount();
  return { observed: (await session.observe()).config, writes };
}

/** Fails unless the device is as in `before`: no writes counted, the same owned objects observed. */
export async function expectNothingWritten(ctx: DeviceCheckContext, session: DeviceSession<DeviceConfig>, before: Snapshot, after: string): Promise<void> {
  if (before.writes !== undefined && ctx.harness !== undefined) {
    const now = await ctx.harness.writeCount();
    expect(now === before.writes, `${after}, the device received ${now - before.writes} write(s); expected none`);
  }
  const observed = (await session.observe()).config;
  expect(configEquals(observed, before.observed), () => `${after}, the device's owned objects changed: ${describeConfigDifference(ctx.vocabulary, before.observed, observed)}`);
}

/** Observes and fails unless the owned objects equal `expected`. */
export async function expectObserved(ctx: DeviceCheckContext, session: DeviceSession<DeviceConfig>, expected: DeviceConfig, when: string): Promise<void> {
  const observed = (await session.observe()).config;
  expect(configEquals(observed, expected), () => `${when}, observe differs from what was expected: ${describeConfigDifference(ctx.vocabulary, expected, observed)}`);
}

/** Plans, applies and confirms `desired` on `session`; fails with a reason naming the step that broke. */
export async function applyAndConfirm(session: DeviceSession<DeviceConfig>, desired: DeviceConfig, what: string): Promise<void> {
  const plan = await attempt(session.plan({ desired }));
  if (!plan.ok) fail(`planning ${what} failed: ${describeError(plan.error)}`);
  const tx = await attempt(session.apply({ changeSet: plan.value }));
  if (!tx.ok) fail(`applying ${what} failed: ${describeError(tx.error)}`);
  const confirmed = await attempt(session.confirm({ transaction: tx.value }));
  if (!confirmed.ok) fail(`confirming ${what} failed: ${describeError(confirmed.error)}`);
}

/** A config object's text for reasons. */
export function describeObject(kind: string, object: ConfigObject): string {
  return `${kind} ${JSON.stringify(object.key)}`;
}
