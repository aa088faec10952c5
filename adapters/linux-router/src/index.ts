/**
 * `@netloom/adapter-linux-router` — the fabric port on a Linux box: the VPC's router (LR) where the leaf cannot route.
 * Each VRF is a network namespace with IP forwarding on, each routed segment a bridge in it holding the anycast
 * gateway, each binding a leg of the uplink trunk (an 802.1Q sub-interface, or a veth as an Open vSwitch access port)
 * in that bridge, each static route of a VRF a `proto static` route in its namespace (port API 1.2). Commands run locally as argument vectors (`ip`, `sysctl`, `ovs-vsctl`), never through a shell.
 *
 * @example
 * import { adapter } from '@netloom/adapter-linux-router';
 * const driver = adapter.ports.fabric!({ target: { name: 'router1' }, options: { uplink: 'eth1' }, logger });
 * const session = await driver.connect();
 * const tx = await session.apply({ changeSet: await session.plan({ desired }) });
 * await session.confirm({ transaction: tx });
 *
 * @packageDocumentation
 */
import { defineAdapter, type CapabilityManifest, type PortFactoryOptions } from '@netloom/ports';
import { LINUX_ROUTER_FABRIC_CAPABILITIES, LinuxRouterDriver } from './linux-router.driver';
import { LinuxRouterOptionsCodec } from './linux-router.options';

export {
  LINUX_ROUTER_FABRIC_CAPABILITIES,
  LINUX_ROUTER_MEDIUM,
  LinuxRouterDriver,
  LinuxRouterSession,
  deviceIdentity,
  normalizeFabric,
  renderContextOf,
  type LinuxRouterDriverExtras,
  type RouterRunnerFactory,
} from './linux-router.driver';
export * from './linux-router.options';
export * from './linux-router.names';
export * from './linux-router.render';
export * from './linux-router.parse';
export { DEFAULT_RUN_TIMEOUT_MS, LocalRouterRunner, routerRunnerTaps, type CommandResult, type LocalRouterRunnerOptions, type RouterRunner, type RouterRunnerTap, type RunOptions } from './linux-router.runner';
export { DeviceLock, lockFileFor } from './linux-router.lock';
export * from './linux-router.conformance';

/** The capability manifest: the fabric port. */
export const LINUX_ROUTER_SUPPORTS = { fabric: LINUX_ROUTER_FABRIC_CAPABILITIES } as const satisfies CapabilityManifest;

/** The Linux router fabric driver for one device (the port factory). */
export function linuxRouterFabric(opts: PortFactoryOptions): LinuxRouterDriver {
  return new LinuxRouterDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'linux-router',
  vendor: 'Linux',
  description: 'A Linux box as the VPC router: a network namespace per VRF, segment gateways on bridges, bindings as legs of one uplink trunk.',
  models: { modelPatterns: ['^linux-router$'] },
  portApi: '^1.2.0',
  ports: { fabric: linuxRouterFabric },
  supports: LINUX_ROUTER_SUPPORTS,
  optionsCodec: LinuxRouterOptionsCodec,
});
