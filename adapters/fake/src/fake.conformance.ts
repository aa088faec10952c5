/**
 * Simulator targets for the conformance kit (`netloom conformance run --adapter @netloom/adapter-fake --target
 * simulator`, and the kit's own tests): a fresh in-memory {@link FakeDevice} per check, with the device harness the
 * kit needs (see `DeviceHarness` / `SimulatorTarget` in `@netloom/conformance`).
 *
 * The shapes are written out structurally here: shipped adapter code never imports `@netloom/conformance`
 * (the dependency-cruiser rule `adapters-ship-without-conformance`). The kit's tests pass these objects to the kit,
 * which proves they are compatible.
 * @packageDocumentation
 */
import type { ConfigObject, DeviceConfig, DevicePortKind, DeviceTarget } from '@netloom/ports';
import { fakeDeviceRegistry, type FakeDevice } from './fake.device';

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface FakeDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One simulated device for one check (structurally the kit's `SimulatorInstance`). */
export interface FakeSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: FakeDeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh fake device per check (structurally the kit's `SimulatorTarget`). */
export interface FakeSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): FakeSimulatorInstance | Promise<FakeSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** A harness for the fake device named `name` (created by the driver the kit makes first). */
export function fakeHarness(name: string): FakeDeviceHarness {
  const device = (): FakeDevice => {
    const d = fakeDeviceRegistry.get(name);
    if (d === undefined) throw new Error(`no fake device ${JSON.stringify(name)}: create the driver first`);
    return d;
  };
  return {
    seedForeign: async ({ kind, object }) => device().setForeign(kind, object.key, object),
    readConfig: async () => ({ owned: device().owned(), foreign: device().foreign() }),
    changeOutOfBand: async ({ kind, key, object }) => device().setOwned(kind, key, object),
    injectFault: async ({ afterWrites = 1 }) => {
      const d = device();
      const write = d.write.bind(d);
      let done = 0;
      // The device itself fails mid-commit (as a switch losing its session would); the driver must notice.
      d.write = (change) => {
        if (done >= afterWrites) {
          d.write = write;
          throw new Error(`injected fault: ${name} failed after ${done} write(s)`);
        }
        done++;
        write(change);
      };
    },
    writeCount: async () => device().writes,
  };
}

/** Options of {@link fakeTarget}. */
export interface FakeTargetOptions {
  /** Fake adapter options (`unsupported`, `latencyMs`, ...). */
  readonly options?: Record<string, unknown>;
  /** Capabilities the device lacks (mirror `options.unsupported`). */
  readonly lacks?: readonly string[];
  /** Leave the harness out (checks that need it skip). */
  readonly withoutHarness?: boolean;
}

/** A simulator target on a fresh fake device per check. */
export function fakeTarget(port: DevicePortKind, opts: FakeTargetOptions = {}): FakeSimulatorTarget {
  return {
    kind: 'simulator',
    ...(opts.lacks === undefined ? {} : { lacks: opts.lacks }),
    create: ({ checkId }) => {
      const name = `conf-${port}-${checkId.replace(/[^A-Za-z0-9-]/g, '-')}`;
      return {
        target: { name },
        options: opts.options ?? {},
        ...(opts.withoutHarness === true ? {} : { harness: fakeHarness(name) }),
        // Forget only this check's device: a check that timed out may still tear down while others run.
        dispose: () => fakeDeviceRegistry.forget(name),
      };
    },
  };
}

/**
 * The simulator targets this adapter ships, per device port: what `netloom conformance run --target simulator`
 * runs the kit against.
 */
export const conformanceTargets: { readonly [P in DevicePortKind]?: FakeSimulatorTarget } = {
  fabric: fakeTarget('fabric'),
  vswitch: fakeTarget('vswitch'),
  firewall: fakeTarget('firewall'),
  loadBalancer: fakeTarget('loadBalancer'),
};
