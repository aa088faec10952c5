/**
 * A device port's vocabulary as data: its kinds in dependency order, its config codec, which capability each kind
 * (and each optional feature of a kind) needs. Every device port exports one (`fabricVocabulary`, ...), so generic
 * code — the diff, the fake adapter, the conformance suite, the engine's planner — can handle all four device ports
 * alike.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import { NotSupportedError } from './errors';
import type { CapabilityName, PortCapabilities } from './capabilities';
import type { Change, ConfigObject, DeviceConfig, DevicePortKind } from './device.port';

/** Some of the kinds of a config (the others count as empty). */
export type PartialConfig<C extends DeviceConfig> = { readonly [K in keyof C]?: C[K] };

/** The object type of one kind of a config. */
export type ObjectOf<C extends DeviceConfig, K extends keyof C> = C[K][string];

/** A device port's vocabulary (see the module documentation). */
export interface DeviceVocabulary<P extends DevicePortKind, C extends DeviceConfig, I = unknown> {
  readonly port: P;
  /** Every kind, parents first: the order creates run in (deletes run in reverse). */
  readonly order: readonly (keyof C & string)[];
  /**
   * Validates a whole config (all kinds required, each a map key → object, keys derived from the objects, closed
   * objects, references between kinds resolved within the config) and decodes it to canonical form.
   */
  readonly configCodec: t.Type<C, I, unknown>;
  /** The capability each kind needs. */
  readonly kindCapability: { readonly [K in keyof C & string]: CapabilityName<P> };
  /**
   * Every capability a config uses: the kinds present plus optional features (an anycast gateway on a segment, a
   * QoS reference on a port). Sorted, without duplicates.
   */
  capabilitiesUsed(config: PartialConfig<C>): CapabilityName<P>[];
  /** A config with every kind present and empty. */
  empty(): C;
}

/** A config with every kind of `order` present and empty. */
export function emptyConfig<C extends DeviceConfig>(order: readonly (keyof C & string)[]): C {
  const out: Record<string, Record<string, ConfigObject>> = {};
  for (const kind of order) out[kind] = {};
  return out as unknown as C;
}

/**
 * The capabilities a list of changes needs: what `capabilitiesUsed` says of the created/updated objects, plus the
 * kind's capability for each delete.
 */
export function capabilitiesForChanges<P extends DevicePortKind, C extends DeviceConfig>(vocabulary: DeviceVocabulary<P, C, unknown>, changes: readonly Change[]): CapabilityName<P>[] {
  const partial: Record<string, Record<string, ConfigObject>> = {};
  const used = new Set<CapabilityName<P>>();
  for (const c of changes) {
    if (c.after !== undefined) (partial[c.kind] ??= {})[c.key] = c.after;
    const cap = (vocabulary.kindCapability as Record<string, CapabilityName<P> | undefined>)[c.kind];
    if (cap !== undefined) used.add(cap);
  }
  for (const cap of vocabulary.capabilitiesUsed(partial as PartialConfig<C>)) used.add(cap);
  return [...used].sort();
}

/**
 * Throws `NotSupportedError` naming every capability in `used` that `supported` does not declare. `device` names
 * the device in the message.
 *
 * @throws NotSupportedError
 * @example assertCapabilities('fabric', 'leaf1', ['interconnect'], { ...caps, interconnect: false })
 * // NotSupportedError: leaf1 (fabric) does not support: interconnect
 */
export function assertCapabilities<P extends DevicePortKind>(port: P, device: string, used: readonly CapabilityName<P>[], supported: PortCapabilities<P>): void {
  const missing = used.filter((c) => !(supported as Readonly<Record<string, boolean>>)[c]);
  if (missing.length > 0) {
    throw new NotSupportedError(`${device} (${port}) does not support: ${missing.join(', ')}`, { details: { device, port, capabilities: missing } });
  }
}
