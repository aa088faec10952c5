/**
 * Device drivers, one per inventory device, created by the device's adapter on first use. Creating a driver
 * resolves the device's target: credentials are read from their environment variables or files at that moment,
 * not when the profile is validated. A simulated device (`simulator: true`) is reached where its running simulator
 * listens, with the simulator's options (the registry carries them: `startSimulators`).
 * @packageDocumentation
 */
import {
  InputError,
  NotFoundError,
  type DeviceTarget,
  type DiscoveryPort,
  type FabricDriver,
  type FirewallDriver,
  type LoadBalancerDriver,
  type Logger,
  type PortFactories,
  type PortFactoryOptions,
  type VSwitchDriver,
} from '@netloom/ports';
import type { AdapterRegistry, DeviceBinding } from './adapters/registry';
import { resolveTarget } from './profile/credentials';
import type { SecretRegistry } from './secrets';

/** The drivers of the devices of one role, by inventory name. Each is created on first `get` and then reused. */
export class DriverSet<D> {
  readonly #make: ReadonlyMap<string, () => D>;
  readonly #made = new Map<string, D>();

  constructor(readonly port: string, make: ReadonlyMap<string, () => D>) {
    this.#make = make;
  }

  /** Inventory names of the devices in this set, in inventory order. */
  names(): string[] {
    return [...this.#make.keys()];
  }

  has(name: string): boolean {
    return this.#make.has(name);
  }

  /**
   * The driver of one device (created by its adapter's factory on first use).
   * @throws NotFoundError if no device of this set has that name; InputError if a credential cannot be read.
   */
  get(name: string): D {
    const made = this.#made.get(name);
    if (made !== undefined) return made;
    const make = this.#make.get(name);
    if (make === undefined) {
      throw new NotFoundError(`no ${this.port} device named ${JSON.stringify(name)} (known: ${this.names().join(', ') || 'none'})`, { details: { device: name, port: this.port } });
    }
    const driver = make();
    this.#made.set(name, driver);
    return driver;
  }
}

/** Options of {@link DeviceDrivers}. */
export interface DeviceDriversOptions {
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
  /** Environment for `{ env }` credential references (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Every device driver of a profile, grouped by port. */
export class DeviceDrivers {
  readonly fabric: DriverSet<FabricDriver>;
  readonly vswitch: DriverSet<VSwitchDriver>;
  readonly firewall: DriverSet<FirewallDriver>;
  readonly loadBalancer: DriverSet<LoadBalancerDriver>;
  readonly discovery: DriverSet<DiscoveryPort>;
  readonly #registry: AdapterRegistry;
  readonly #opts: DeviceDriversOptions;

  constructor(registry: AdapterRegistry, opts: DeviceDriversOptions) {
    this.#registry = registry;
    this.#opts = opts;
    this.fabric = this.#set('fabric');
    this.vswitch = this.#set('vswitch');
    this.firewall = this.#set('firewall');
    this.loadBalancer = this.#set('loadBalancer');
    this.discovery = this.#set('discovery');
  }

  /**
   * The target of one device: address, port, TLS / host-key settings and credentials read now; for a simulated
   * device, where its running simulator listens (see `startSimulators`).
   * @throws NotFoundError (unknown device), InputError (a credential or CA file cannot be read — the message names
   *   the variable or file, never a value — or a simulated device whose simulator was not started)
   */
  target(name: string): DeviceTarget {
    const b = this.#registry.device(name);
    if (b.simulated !== undefined) {
      // The simulator's own credentials: scrubbed from log lines like any credential netloom reads.
      const c = b.simulated.target.credentials;
      for (const secret of [c?.password, c?.token, c?.privateKey]) if (secret !== undefined) this.#opts.secrets.add(secret);
      return b.simulated.target;
    }
    if (b.device.simulator === true) {
      throw new InputError(
        `${name} is a simulated device (inventory.devices[${b.index}].simulator: true) but its simulator is not running: start it with startSimulators(registry) and build the drivers from the registry it returns (netloom plan, apply, run, drift and demo do)`,
        [],
        { details: { device: name } },
      );
    }
    return resolveTarget(b.device, { env: this.#opts.env ?? process.env, secrets: this.#opts.secrets, at: `inventory.devices[${b.index}]` });
  }

  #factoryOptions(b: DeviceBinding): PortFactoryOptions {
    return {
      target: this.target(b.device.name),
      options: b.simulated !== undefined ? b.simulated.options : b.options,
      logger: this.#opts.logger.child({ device: b.device.name, adapter: b.adapter.definition.id }),
    };
  }

  #set<P extends 'fabric' | 'vswitch' | 'firewall' | 'loadBalancer' | 'discovery'>(port: P) {
    type Made = ReturnType<NonNullable<PortFactories[P]>>;
    const make = new Map<string, () => Made>();
    for (const b of this.#registry.devices()) {
      if (b.port !== port) continue;
      make.set(b.device.name, () => {
        const factory = b.adapter.definition.ports[port] as ((o: PortFactoryOptions) => Made) | undefined;
        if (factory === undefined) throw new InputError(`${b.adapter.packageName} does not provide the ${port} port`);
        return factory(this.#factoryOptions(b));
      });
    }
    return new DriverSet<Made>(port, make);
  }
}
