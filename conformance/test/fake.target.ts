/**
 * The fake adapter's simulator targets, as the kit sees them: the adapter ships them (`conformanceTargets`,
 * `fakeTarget`, `fakeHarness` from `@netloom/adapter-fake`, written structurally); typing them here as the kit's
 * `DeviceHarness` / `SimulatorTarget` proves the shapes are compatible.
 */
import { conformanceTargets as fakeTargets, fakeHarness as adapterHarness, fakeTarget as adapterTarget, type FakeTargetOptions } from '@netloom/adapter-fake';
import type { DevicePortKind } from '@netloom/ports';
import type { DeviceHarness, SimulatorTarget } from '@netloom/conformance';

export type { FakeTargetOptions };

/** A harness for the fake device named `name` (created by the driver the kit makes first). */
export function fakeHarness(name: string): DeviceHarness {
  return adapterHarness(name);
}

/** A simulator target on a fresh fake device per check. */
export function fakeTarget(port: DevicePortKind, opts: FakeTargetOptions = {}): SimulatorTarget {
  return adapterTarget(port, opts);
}

/** The targets the adapter ships for `netloom conformance run`, typed as the kit's. */
export const conformanceTargets: { readonly [P in DevicePortKind]?: SimulatorTarget } = fakeTargets;
