/**
 * The adapters a profile loaded, and which adapter (with which validated options) serves each device and the store.
 * @packageDocumentation
 */
import { NotFoundError, type AdapterDefinition, type AdapterPackageField, type DevicePortKind } from '@netloom/ports';
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
