/**
 * `@netloom/adapter-fake` — the reference adapter: in-memory devices for the four device ports (fabric, vswitch,
 * firewall, load balancer) with latency and failure injection. The default in engine and plugin tests, and the
 * yardstick every other adapter is measured against.
 * @packageDocumentation
 */
import {
  defineAdapter,
  fabricVocabulary,
  firewallVocabulary,
  loadBalancerVocabulary,
  vswitchVocabulary,
  type CapabilityManifest,
  type FabricConfig,
  type FabricDriver,
  type FirewallConfig,
  type FirewallDriver,
  type LoadBalancerConfig,
  type LoadBalancerDriver,
  type PortCapabilities,
  type PortFactoryOptions,
  type VSwitchConfig,
  type VSwitchDriver,
} from '@netloom/ports';
import { FakeDriver } from './fake.driver';
import { FakeOptionsCodec } from './fake.options';

export { FakeDevice, fakeDeviceRegistry, type FakeCall, type FakeDeviceOptions } from './fake.device';
export { DEFAULT_CONFIRM_WITHIN_SEC, FakeDriver, FakeSession, renderChange } from './fake.driver';
export { FakeOptionsCodec, type FakeOptions } from './fake.options';
export { conformanceTargets, fakeHarness, fakeTarget, type FakeDeviceHarness, type FakeSimulatorInstance, type FakeSimulatorTarget, type FakeTargetOptions } from './fake.conformance';

/** What the fake adapter supports: everything (use the `unsupported` option to emulate a device that lacks a feature). */
export const FAKE_SUPPORTS = {
  fabric: { l2Segment: true, vrf: true, anycastGateway: true, accessBinding: true, interconnect: true, confirmedCommit: true, floodVtep: true, staticRoute: true },
  vswitch: { bridge: true, uplinkTrunk: true, endpointPort: true, vxlanTunnel: true, securityGroup: true, qos: true },
  firewall: { zones: true, addressSets: true, policies: true, legs: true },
  loadBalancer: { partitions: true, virtualServers: true, pools: true, memberDrain: true, monitors: true },
} as const satisfies CapabilityManifest;

/** A fake fabric driver (a leaf in memory, with confirmed commit). */
export function fakeFabric(opts: PortFactoryOptions): FabricDriver & FakeDriver<'fabric', FabricConfig> {
  return new FakeDriver<'fabric', FabricConfig>(fabricVocabulary, FAKE_SUPPORTS.fabric satisfies PortCapabilities<'fabric'>, opts);
}

/** A fake vswitch driver (a node's virtual switch in memory). */
export function fakeVSwitch(opts: PortFactoryOptions): VSwitchDriver & FakeDriver<'vswitch', VSwitchConfig> {
  return new FakeDriver<'vswitch', VSwitchConfig>(vswitchVocabulary, FAKE_SUPPORTS.vswitch, opts);
}

/** A fake firewall driver. */
export function fakeFirewall(opts: PortFactoryOptions): FirewallDriver & FakeDriver<'firewall', FirewallConfig> {
  return new FakeDriver<'firewall', FirewallConfig>(firewallVocabulary, FAKE_SUPPORTS.firewall, opts);
}

/** A fake load-balancer driver. */
export function fakeLoadBalancer(opts: PortFactoryOptions): LoadBalancerDriver & FakeDriver<'loadBalancer', LoadBalancerConfig> {
  return new FakeDriver<'loadBalancer', LoadBalancerConfig>(loadBalancerVocabulary, FAKE_SUPPORTS.loadBalancer, opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'fake',
  vendor: 'netloom',
  description: 'In-memory reference devices with latency and failure injection.',
  portApi: '^1.2.0',
  ports: { fabric: fakeFabric, vswitch: fakeVSwitch, firewall: fakeFirewall, loadBalancer: fakeLoadBalancer },
  supports: FAKE_SUPPORTS,
  optionsCodec: FakeOptionsCodec,
});
