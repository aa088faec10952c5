/**
 * The composition root: the one place that wires concrete adapters to the rest of netloom (ARCHITECTURE §3,
 * §11). One inversify container, no decorators: everything is a constant or a factory bound to a symbol of
 * {@link TOKENS}. Engine, adapters and plugins never see the container.
 *
 * ```ts
 * const loaded = loadProfile('profile.yaml');
 * const adapters = await loadProfileAdapters(loaded);
 * const container = createContainer({ loaded, adapters });
 * const store = await container.getAsync(TOKENS.Store);
 * const leaf1 = container.get(TOKENS.FabricDrivers).get('leaf1');
 * ...
 * await disposeContainer(container); // closes the store
 * ```
 * @packageDocumentation
 */
import 'reflect-metadata';
import { Container } from 'inversify';
import { InputError, type Logger, type StorePort } from '@netloom/ports';
import type { AdapterRegistry } from './adapters/registry';
import { DeviceDrivers } from './drivers';
import { createLogger } from './logger';
import type { LoadedProfile } from './profile/profile.loader';
import { SecretRegistry } from './secrets';
import { TOKENS } from './tokens';

/** Options of {@link createContainer}. */
export interface CreateContainerOptions {
  readonly loaded: LoadedProfile;
  readonly adapters: AdapterRegistry;
  /** Root logger (default: {@link createLogger} at `info`, sharing `secrets`). */
  readonly logger?: Logger;
  /** Registry of resolved secrets (default: a new one). Pass the logger's registry when passing a logger. */
  readonly secrets?: SecretRegistry;
  /** Environment for `{ env }` credential references (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Builds the container of one profile. Nothing is created or connected until it is resolved. */
export function createContainer(opts: CreateContainerOptions): Container {
  const secrets = opts.secrets ?? new SecretRegistry();
  const logger = opts.logger ?? createLogger({ secrets });
  const container = new Container();
  const { loaded, adapters } = opts;

  container.bind(TOKENS.LoadedProfile).toConstantValue(loaded);
  container.bind(TOKENS.Profile).toConstantValue(loaded.profile);
  container.bind(TOKENS.Secrets).toConstantValue(secrets);
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.AdapterRegistry).toConstantValue(adapters);

  container
    .bind(TOKENS.Store)
    .toDynamicValue(async (): Promise<StorePort> => {
      const { adapter, options } = adapters.store;
      const factory = adapter.definition.ports.store;
      if (factory === undefined) throw new InputError(`${adapter.packageName} does not provide the store port`);
      logger.info({ adapter: adapter.definition.id, package: adapter.packageName }, 'opening store');
      return factory({ options });
    })
    .inSingletonScope()
    .onDeactivation(async (store) => {
      await store.close();
    });

  const drivers = new DeviceDrivers(adapters, { logger, secrets, ...(opts.env !== undefined ? { env: opts.env } : {}) });
  container.bind(TOKENS.DeviceDrivers).toConstantValue(drivers);
  container.bind(TOKENS.FabricDrivers).toConstantValue(drivers.fabric);
  container.bind(TOKENS.VSwitchDrivers).toConstantValue(drivers.vswitch);
  container.bind(TOKENS.FirewallDrivers).toConstantValue(drivers.firewall);
  container.bind(TOKENS.LoadBalancerDrivers).toConstantValue(drivers.loadBalancer);
  container.bind(TOKENS.DiscoveryDrivers).toConstantValue(drivers.discovery);
  return container;
}

/** Releases what the container created (closes the store if it was opened). */
export async function disposeContainer(container: Container): Promise<void> {
  await container.unbindAll();
}
