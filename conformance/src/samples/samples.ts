/**
 * Sample configs for the device-port kits, as data: one rich desired config per port, the objects of it that make
 * a small config per capability, a foreign object, and invalid inputs. A caller may replace any part
 * (`runFabricConformance({ ..., samples: { ... } })`), e.g. for a device with tighter limits.
 *
 * @packageDocumentation
 */
import type { ConfigObject } from '@netloom/ports';

/** Per kind, keys of objects of the full sample (a sub-config). */
export type Selection = Readonly<Record<string, readonly string[]>>;

/** A config in input form, open for editing (per kind, key → object). */
export type EditableConfig = Record<string, Record<string, Record<string, unknown>>>;

/** An invalid desired config: the valid base with one bad object or value. */
export interface BadInput {
  /** Short id, used in reasons (`vlan-5000`). */
  readonly id: string;
  /** What is wrong with it. */
  readonly title: string;
  /** The capability the bad object's kind needs (the bad input is skipped when undeclared). */
  readonly capability: string;
  /** Makes the base config invalid (edits a deep copy in place). */
  readonly edit: (config: EditableConfig) => void;
}

/** Everything the device-port kits need to know about a port's sample data. */
export interface DeviceSamples {
  /** The richest valid desired config in input form (plain strings and numbers); a fresh copy per call. */
  readonly full: () => unknown;
  /**
   * Per capability a config can use (not behavioural ones such as `confirmedCommit`): which objects of `full` make a
   * small config that uses it (and as few other capabilities as possible).
   */
  readonly byCapability: Readonly<Record<string, Selection>>;
  /** An object netloom does not own, seeded on the device through the harness. Its key must not be in `full`. */
  readonly foreign: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> };
  /** Invalid desired configs `plan` must reject with InputError before any write. */
  readonly badInputs: readonly BadInput[];
}

/** The names a device must refuse (newline, `;`, `|`, space: each could smuggle a second command into a CLI line). */
export const BAD_NAMES: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'name-newline', name: 'bad\nquit' },
  { id: 'name-semicolon', name: 'bad;reboot' },
  { id: 'name-pipe', name: 'bad|more' },
  { id: 'name-space', name: 'bad name' },
];

/** Puts `object` into `config[kind]` under its own key. */
export function putObject(config: EditableConfig, kind: string, object: Record<string, unknown> & { key: string }): void {
  (config[kind] ??= {})[object.key] = object;
}

/** One bad input per bad name, each adding an object made by `make(name)` to `kind`. */
export function badNameInputs(kind: string, capability: string, make: (name: string) => Record<string, unknown> & { key: string }): BadInput[] {
  return BAD_NAMES.map((b) => ({
    id: `${kind}-${b.id}`,
    title: `a ${kind} named ${JSON.stringify(b.name)}`,
    capability,
    edit: (c: EditableConfig) => putObject(c, kind, make(b.name)),
  }));
}
