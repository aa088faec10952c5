/**
 * `@netloom/adapter-f5-bigip` — the load-balancer port of netloom for F5 BIG-IP over iControl REST: a partition per
 * VPC, pools, members (enabled, draining, disabled), virtual servers and monitors, every change set in one iControl
 * transaction, token login with refresh, certificate verification, error bodies mapped to netloom errors, and the
 * reply types generated from the OpenAPI file of the subset it uses (`openapi/icontrol-rest.subset.yaml`).
 *
 * @example
 * import { adapter } from '@netloom/adapter-f5-bigip';
 * const driver = adapter.ports.loadBalancer!({ target: { name: 'lb1', address: '192.0.2.5',
 *   credentials: { username: 'netloom', password }, tls: { verify: true, ca } }, options: {}, logger });
 * const session = await driver.connect();
 *
 * @packageDocumentation
 */
import { defineAdapter, type CapabilityManifest, type PortFactoryOptions } from '@netloom/ports';
import { F5BigipDriver, F5_BIGIP_SUPPORTS } from './f5-bigip.driver';
import { F5BigipOptionsCodec } from './f5-bigip.options';

export { F5BigipDriver, F5BigipSession, F5_BIGIP_SUPPORTS, RESERVED_PARTITIONS } from './f5-bigip.driver';
export { F5Client, isUncertain, type CallContext, type F5ClientOptions } from './f5-bigip.client';
export { F5BigipOptionsCodec, F5_BIGIP_DEFAULTS, resolveF5BigipOptions, type F5BigipOptions, type ResolvedF5BigipOptions } from './f5-bigip.options';
export {
  DEFAULT_SEND,
  LOCK,
  MONITOR_TYPE_PATH,
  NODE_MARKER,
  OWNER_PREFIX,
  addressPort,
  lockCreate,
  lockDelete,
  normalizeObject,
  operationText,
  ownerMarker,
  parseDevice,
  parseLock,
  paths,
  renderChanges,
  renderRecv,
  renderSend,
  splitAddressPort,
  type DeviceView,
  type LockInfo,
  type RenderContext,
} from './f5-bigip.mapping';
export * from './f5-bigip.wire';
export {
  FOREIGN_DESCRIPTION,
  conformanceTargets,
  f5BigipHarness,
  f5BigipTarget,
  type F5BigipTargetOptions,
  type F5DeviceHarness,
  type F5SimulatorHandle,
  type F5SimulatorInstance,
  type F5SimulatorTarget,
} from './f5-bigip.conformance';

/** The capabilities this adapter declares, per port. */
export const F5_BIGIP_MANIFEST = { loadBalancer: F5_BIGIP_SUPPORTS } as const satisfies CapabilityManifest;

/**
 * The load-balancer port factory: a driver for one BIG-IP.
 * @throws InputError (invalid options, a target without an address)
 */
export function f5BigipLoadBalancer(opts: PortFactoryOptions): F5BigipDriver {
  return new F5BigipDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'f5-bigip',
  vendor: 'F5',
  description: 'F5 BIG-IP load balancers over iControl REST: partitions, pools, members, virtual servers, monitors, transactions.',
  models: { sysObjectIdPrefixes: ['1.3.6.1.4.1.3375'], modelPatterns: ['^BIG-IP'] },
  portApi: '^1.0.0',
  ports: { loadBalancer: f5BigipLoadBalancer },
  supports: F5_BIGIP_MANIFEST,
  optionsCodec: F5BigipOptionsCodec,
});
