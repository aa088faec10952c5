/**
 * The adapters a profile loaded, and which adapter (with which validated options) serves each device and the store.
 * @packageDocumentation
 */
import { NotFoundError, type AdapterDefinition, type AdapterPackageField, type DevicePortKind, type DeviceTarget } from '@netloom/ports';
import type { InventoryDevice } from '../profile/profile.codec';

/** A loaded, checked adapter package. */
export interface LoadedAdapter {
  /** The package's name (from its package.json). */
  readonly packageName: string;
  readonly version: string;
  readonly definition: AdapterDefinition;
  /** The package directory. */
  readonly path: string;
  /** How it was asked for: a package name, or an absolute path. */
  readonly specifier: string;
  /** The package.json `"netloom"` field. */
  readonly field: AdapterPackageField;
  /**
   * The entry point's exports as imported (the `adapter` definition, and `conformanceTargets` where the package
   * ships simulators). Absent when the adapter was not loaded by {@link loadAdapter}.
   */
  readonly exports?: Readonly<Record<string, unknown>>;
}

/** Where a simulated device's simulator listens and the options the adapter gets for it. */
export interface SimulatedTarget {
  /** How the adapter reaches the running simulator (address, port, credentials, TLS / host-key material). */
  readonly target: DeviceTarget;
  /** Adapter options: the simulator target's, with the device's own `options` on top, validated. */
  readonly options: unknown;
}

/** One inventory device with its adapter, the port it uses and its validated options. */
export interface DeviceBinding {
  readonly device: InventoryDevice;
  /** Index in `inventory.devices`. */
  readonly index: number;
  readonly adapter: LoadedAdapter;
  /** The port the device's role needs (`fabric` for a leaf). */
  readonly port: DevicePortKind | 'discovery';
  /** Options as decoded by the adapter's `optionsCodec` (undefined when the adapter takes none). */
  readonly options: unknown;
  /**
   * For a device with `simulator: true` whose simulator runs (see `startSimulators`): where it listens. The
   * device's drivers connect there instead of to an inventory address.
   */
  readonly simulated?: SimulatedTarget;
}

/** The store's adapter and its validated options. */
export interface StoreBinding {
  readonly adapter: LoadedAdapter;
  readonly options: unknown;
}

/** The loaded adapters of one profile. */
export class AdapterRegistry {
  readonly #adapters: readonly LoadedAdapter[];
  readonly #devices: ReadonlyMap<string, DeviceBinding>;
  readonly store: StoreBinding;

  constructor(adapters: readonly LoadedAdapter[], devices: ReadonlyMap<string, DeviceBinding>, store: StoreBinding) {
    this.#adapters = adapters;
    this.#devices = devices;
    this.store = store;
  }

  /** The same registry with other store options (the demo keeps its state in a temporary file). */
  withStoreOptions(options: unknown): AdapterRegistry {
    return new AdapterRegistry(this.#adapters, this.#devices, { ...this.store, options });
  }

  /**
   * The same registry with running simulators bound to their devices (by inventory name): drivers created from
   * it connect to the simulators. Devices not in `simulated` keep their binding.
   * @throws NotFoundError if a name is not an inventory device.
   */
  withSimulators(simulated: ReadonlyMap<string, SimulatedTarget>): AdapterRegistry {
    const devices = new Map(this.#devices);
    for (const [name, s] of simulated) devices.set(name, { ...this.device(name), simulated: s });
    return new AdapterRegistry(this.#adapters, devices, this.store);
  }

  /** Every loaded adapter package, in order of first mention in the profile. */
  list(): readonly LoadedAdapter[] {
    return this.#adapters;
  }

  /** Every device binding, in inventory order. */
  devices(): DeviceBinding[] {
    return [...this.#devices.values()].sort((a, b) => a.index - b.index);
  }

  /** The binding of one inventory device. @throws NotFoundError */
  device(name: string): DeviceBinding {
    const b = this.#devices.get(name);
    if (b === undefined) throw new NotFoundError(`no device named ${JSON.stringify(name)} in the inventory`, { details: { device: name } });
    return b;
  }

  /** Names of the devices served by an adapter package. */
  usersOf(adapter: LoadedAdapter): string[] {
    const names = this.devices()
      .filter((b) => b.adapter === adapter)
      .map((b) => b.device.name);
    return this.store.adapter === adapter ? [...names, '(store)'] : names;
  }
}
