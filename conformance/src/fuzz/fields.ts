/**
 * The string fields of a sample config and how to put a fuzzed value into one: every use of the old value follows
 * (references between kinds stay resolved), and every object's key is recomputed with the port's own key function
 * (`fabricKeyOf` & co.), so a mutated identity field is judged by its own check, never by a stale key.
 *
 * @packageDocumentation
 */
import { fabricKeyOf, firewallKeyOf, loadBalancerKeyOf, vswitchKeyOf, type DevicePortKind } from '@netloom/ports';
import type { DeviceSamples, EditableConfig } from '../samples/samples';

/** One step of a field's path inside an object: a property name or an array index. */
export type FieldPathStep = string | number;

/** One string field of a sample config (the first occurrence per kind and path; array items count once). */
export interface SampleField {
  /** `kind.path`, array indexes shown as `[]` (`segment.anycastGateway.ipv4.[]`): the test name. */
  readonly label: string;
  readonly kind: string;
  /** The key of the object the field was found in. */
  readonly key: string;
  readonly path: readonly FieldPathStep[];
  /** The field's value in the sample. */
  readonly original: string;
}

/** How a port derives the key of an object of a kind (undefined: not a kind of the port). */
export type KeyOfKind = (kind: string, object: Readonly<Record<string, unknown>>) => string | undefined;

/** The key function of each device port, from the port vocabulary in `@netloom/ports`. */
export const KEY_OF_PORT: { readonly [P in DevicePortKind]: KeyOfKind } = {
  fabric: fabricKeyOf,
  vswitch: vswitchKeyOf,
  firewall: firewallKeyOf,
  loadBalancer: loadBalancerKeyOf,
};

/**
 * The richest sample an adapter supports: the objects of every capability selection of `samples` whose capability
 * `supports` declares, with every kind of the full sample present (possibly empty).
 */
export function richestSample(samples: Pick<DeviceSamples, 'full' | 'byCapability'>, supports: Readonly<Record<string, boolean | undefined>>): EditableConfig {
  const full = samples.full() as EditableConfig;
  const out: EditableConfig = Object.fromEntries(Object.keys(full).map((k) => [k, {}]));
  for (const [cap, selection] of Object.entries(samples.byCapability)) {
    if (supports[cap] !== true) continue;
    for (const [kind, keys] of Object.entries(selection)) {
      for (const key of keys) {
        const object = full[kind]?.[key];
        if (object !== undefined) (out[kind] ??= {})[key] = structuredClone(object);
      }
    }
  }
  return out;
}

/** Every string field of `config` (one per kind and path, array items included), kinds in name order. */
export function stringFields(config: EditableConfig): SampleField[] {
  const seen = new Map<string, SampleField>();
  const walk = (kind: string, key: string, value: unknown, path: FieldPathStep[]): void => {
    if (typeof value === 'string') {
      const label = `${kind}.${path.map((p) => (typeof p === 'number' ? '[]' : p)).join('.')}`;
      if (!seen.has(label)) seen.set(label, { label, kind, key, path, original: value });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(kind, key, v, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(kind, key, v, [...path, k]);
  };
  for (const kind of Object.keys(config).sort()) for (const [key, o] of Object.entries(config[kind] ?? {})) walk(kind, key, o, []);
  return [...seen.values()];
}

/**
 * `config` with `field` set to `value`. Every other occurrence of the field's original value follows (so references
 * such as a port's bridge stay resolved), and each object's key is recomputed with `keyOf`; the `key` field itself
 * is set alone (a key that disagrees with its object must be refused).
 *
 * @throws Error when `config` holds a kind `keyOf` does not know (the samples do not fit the port)
 */
export function withFieldValue(config: EditableConfig, field: SampleField, value: string, keyOf: KeyOfKind): EditableConfig {
  if (field.path.length === 1 && field.path[0] === 'key') {
    const copy = structuredClone(config);
    const object = copy[field.kind]?.[field.key];
    if (object !== undefined) object['key'] = value;
    return copy;
  }
  const replace = (v: unknown): unknown =>
    v === field.original
      ? value
      : Array.isArray(v)
        ? v.map(replace)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'key' ? x : replace(x)]))
          : v;
  const out: EditableConfig = {};
  for (const [kind, objects] of Object.entries(config)) {
    const next: Record<string, Record<string, unknown>> = {};
    for (const o of Object.values(objects)) {
      const edited = replace(o) as Record<string, unknown>;
      const key = keyOf(kind, edited);
      if (key === undefined) throw new Error(`the samples hold a kind ${JSON.stringify(kind)} the port's vocabulary does not know`);
      // defineProperty: a fuzzed key may be `__proto__`, which plain assignment would take for the prototype.
      Object.defineProperty(next, key, { value: { ...edited, key }, enumerable: true, writable: true, configurable: true });
    }
    out[kind] = next;
  }
  return out;
}
