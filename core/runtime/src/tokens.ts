/**
 * Service identifiers of the composition root. One symbol per service; resolve them from the container that
 * {@link createContainer} builds. Nothing outside core/runtime needs them: engine, adapters and plugins receive
 * plain values and factories.
 * @packageDocumentation
 */
import type { ServiceIdentifier } from 'inversify';
import type { DiscoveryPort, FabricDriver, FirewallDriver, Logger, LoadBalancerDriver, StorePort, VSwitchDriver } from '@netloom/ports';
import type { AdapterRegistry } from './adapters/registry';
import type { DeviceDrivers, DriverSet } from './drivers';
import type { Profile } from './profile/profile.codec';
import type { LoadedProfile } from './profile/profile.loader';
import type { SecretRegistry } from './secrets';

function token<T>(name: string): ServiceIdentifier<T> {
  return Symbol.for(`netloom.${name}`);
}

/** The service identifiers. */
export const TOKENS = {
  /** The validated profile (defaults filled in, paths absolute). */
  Profile: token<Profile>('Profile'),
  /** The profile with its file, directory and warnings. */
  LoadedProfile: token<LoadedProfile>('LoadedProfile'),
  /** The root logger (pino; redacts credential fields and every resolved secret). */
  Logger: token<Logger>('Logger'),
  /** The secrets resolved so far (for redaction). */
  Secrets: token<SecretRegistry>('Secrets'),
  /** The loaded adapter packages and which serves each device. */
  AdapterRegistry: token<AdapterRegistry>('AdapterRegistry'),
  /** The store, created by the store adapter's factory on first (async) resolution; closed on unbind. */
  Store: token<StorePort>('Store'),
  /** Every device driver, by inventory name. */
  DeviceDrivers: token<DeviceDrivers>('DeviceDrivers'),
  /** Drivers of the leaf devices (fabric port). */
  FabricDrivers: token<DriverSet<FabricDriver>>('FabricDrivers'),
  /** Drivers of the vswitch devices. */
  VSwitchDrivers: token<DriverSet<VSwitchDriver>>('VSwitchDrivers'),
  /** Drivers of the firewall devices. */
  FirewallDrivers: token<DriverSet<FirewallDriver>>('FirewallDrivers'),
  /** Drivers of the load-balancer devices. */
  LoadBalancerDrivers: token<DriverSet<LoadBalancerDriver>>('LoadBalancerDrivers'),
  /** Discovery ports of the discovery devices. */
  DiscoveryDrivers: token<DriverSet<DiscoveryPort>>('DiscoveryDrivers'),
} as const;
