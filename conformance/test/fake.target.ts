/**
 * The device harness for the fake adapter (`@netloom/adapter-fake`), built on its registry and `FakeDevice`: the
 * reference for what a simulator must provide (see `DeviceHarness` in `@netloom/conformance`).
 */
import { fakeDeviceRegistry, type FakeDevice } from '@netloom/adapter-fake';
import type { DevicePortKind } from '@netloom/ports';
import type { DeviceHarness, SimulatorTarget } from '@netloom/conformance';

/** A harness for the fake device named `name` (created by the driver the kit makes first). */
export function fakeHarness(name: string): DeviceHarness {
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
export function fakeTarget(port: DevicePortKind, opts: FakeTargetOptions = {}): SimulatorTarget {
  return {
    kind: 'simulator',
    ...(opts.lacks === undefined ? {} : { lacks: opts.lacks }),
    create: ({ checkId }) => {
      const name = `conf-${port}-${checkId.replace(/[^A-Za-z0-9-]/g, '-')}`;
      return {
        target: { name },
        options: opts.options ?? {},
        ...(opts.withoutHarness === true ? {} : { harness: fakeHarness(name) }),
        dispose: () => fakeDeviceRegistry.reset(),
      };
    },
  };
}
