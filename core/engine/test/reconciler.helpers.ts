/**
 * Test helpers of the reconciler tests: small desired configs per VPC for each device port (input form), the test's
 * own `vpcOfObject`, fake drivers, a session-tracking driver wrapper (to simulate a crash: sessions abandoned, not
 * closed), and assertions on fake devices.
 */
import { strict as assert } from 'node:assert';
import { adapter, fakeDeviceRegistry, type FakeDevice } from '@netloom/adapter-fake';
import { MemoryStore, vocabularyOf, type DesiredConfigs, type DeviceDesired, type VpcOfObject } from '@netloom/engine';
import {
  configEquals,
  decodeOrThrow,
  silentLogger,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type DeviceSession,
  type StorePort,
} from '@netloom/ports';

export const VPCS = ['a', 'b', 'c'] as const;
const idx = (vpc: string): number => VPCS.indexOf(vpc as (typeof VPCS)[number]) + 1;

type Obj = Record<string, unknown> & { key: string };
type Partial = Record<string, Record<string, Obj>>;

const put = (cfg: Partial, kind: string, obj: Obj): void => {
  (cfg[kind] ??= {})[obj.key] = obj;
};

/** Owned fabric objects of one VPC on a leaf: a VRF, a routed segment, one access binding. */
export function fabricObjects(vpc: string, cfg: Partial = {}): Partial {
  const i = idx(vpc);
  put(cfg, 'vrf', { key: `${vpc}-vrf`, name: `${vpc}-vrf`, l3Vni: 50000 + i });
  put(cfg, 'segment', { key: String(10000 * i + 10), name: `${vpc}-web`, l2Vni: 10000 * i + 10, vrf: `${vpc}-vrf` });
  put(cfg, 'binding', { key: `Ethernet1/${i}:${100 + i}`, interface: `Ethernet1/${i}`, vlan: 100 + i, l2Vni: 10000 * i + 10 });
  return cfg;
}

/** The shared vswitch objects (bridge, uplink) and, per VPC, one endpoint port. */
export function vswitchObjects(vpc: string | undefined, cfg: Partial = {}): Partial {
  put(cfg, 'bridge', { key: 'br-int', name: 'br-int', failMode: 'secure' });
  put(cfg, 'uplink', { key: 'eth1', name: 'eth1', bridge: 'br-int', allowedVlans: [101, 102, 103] });
  if (vpc === undefined) return cfg;
  const i = idx(vpc);
  put(cfg, 'endpointPort', {
    key: `veth-${vpc}1`,
    name: `veth-${vpc}1`,
    bridge: 'br-int',
    mac: `0a:58:0a:0${i}:00:05`,
    ips: [`10.${i}.0.5`],
    attachment: { type: 'vlan', vlan: 100 + i },
    endpointId: `${vpc}/web-0`,
  });
  return cfg;
}

/** Per VPC a firewall zone and a policy inside it. */
export function firewallObjects(vpc: string, cfg: Partial = {}): Partial {
  const i = idx(vpc);
  put(cfg, 'zone', { key: `${vpc}-zone`, name: `${vpc}-zone`, vpc, interfaces: [`vlan${100 + i}`], cidrs: [`10.${i}.0.0/16`] });
  put(cfg, 'policy', { key: `${vpc}-deny-ssh`, name: `${vpc}-deny-ssh`, priority: 10 * i, srcZone: `${vpc}-zone`, dstZone: `${vpc}-zone`, protocol: 'tcp', ports: [{ from: 22, to: 22 }], action: 'deny' });
  return cfg;
}

/** Per VPC a partition with a pool, a member and a virtual server. */
export function loadBalancerObjects(vpc: string, cfg: Partial = {}): Partial {
  const i = idx(vpc);
  put(cfg, 'partition', { key: vpc, name: vpc, vpc });
  put(cfg, 'pool', { key: `${vpc}/web`, partition: vpc, name: 'web', loadBalancing: 'round-robin' });
  put(cfg, 'member', { key: `${vpc}/web/10.${i}.0.5:8080`, partition: vpc, pool: 'web', address: `10.${i}.0.5`, port: 8080, state: 'enabled' });
  put(cfg, 'virtualServer', { key: `${vpc}/web-443`, partition: vpc, name: 'web-443', vip: `192.0.2.${10 + i}`, port: 443, protocol: 'tcp', pool: 'web' });
  return cfg;
}

/** The config of a device of `port` carrying `vpcs` (every kind present), in input form. */
export function configFor(port: DevicePortKind, vpcs: readonly string[]): DeviceConfig {
  const cfg: Partial = {};
  if (port === 'vswitch') vswitchObjects(undefined, cfg);
  for (const v of vpcs) {
    if (port === 'fabric') fabricObjects(v, cfg);
    else if (port === 'vswitch') vswitchObjects(v, cfg);
    else if (port === 'firewall') firewallObjects(v, cfg);
    else loadBalancerObjects(v, cfg);
  }
  return { ...vocabularyOf(port).empty(), ...cfg } as unknown as DeviceConfig;
}

/** The decoded (canonical) form of a config of `port`. */
export function decoded(port: DevicePortKind, config: DeviceConfig): DeviceConfig {
  return decodeOrThrow(vocabularyOf(port).configCodec, config, `test ${port} config`);
}

/** The test's VPC of an object: `vpc`, `partition`, `endpointId`'s namespace, the VNI's ten-thousands, a `<vpc>-` name. */
export const testVpcOfObject: VpcOfObject = (_port, _kind, o) => {
  if (typeof o['vpc'] === 'string') return o['vpc'];
  if (typeof o['partition'] === 'string') return o['partition'];
  if (typeof o['endpointId'] === 'string') return o['endpointId'].split('/')[0];
  if (typeof o['l2Vni'] === 'number') return VPCS[Math.floor(o['l2Vni'] / 10000) - 1];
  if (typeof o['name'] === 'string') {
    const m = /^([a-z])-/.exec(o['name']);
    if (m !== null && VPCS.includes(m[1] as (typeof VPCS)[number])) return m[1];
  }
  return undefined;
};

/** What a test device is: its port, the VPCs it carries, fake options. */
export interface DeviceSpec {
  readonly name: string;
  readonly port: DevicePortKind;
  readonly vpcs: readonly string[];
  readonly options?: Record<string, unknown>;
}

/** A fake driver for a spec (the device is created in the registry on first use). */
export function fakeDriver(spec: Pick<DeviceSpec, 'name' | 'port' | 'options'>): DeviceDriver<DeviceConfig> {
  const opts = { target: { name: spec.name }, options: spec.options ?? {}, logger: silentLogger };
  const factory = adapter.ports[spec.port]!;
  return factory(opts) as unknown as DeviceDriver<DeviceConfig>;
}

/** Drivers for specs. */
export function driversFor(specs: readonly DeviceSpec[], wrap: (d: DeviceDriver<DeviceConfig>, spec: DeviceSpec) => DeviceDriver<DeviceConfig> = (d) => d): Map<string, DeviceDriver<DeviceConfig>> {
  return new Map(specs.map((s) => [s.name, wrap(fakeDriver(s), s)]));
}

/** Desired configs for specs (`vpcs` override per device). */
export function desiredFor(specs: readonly DeviceSpec[], failedVpcs: readonly string[] = [], vpcsOf: (s: DeviceSpec) => readonly string[] = (s) => s.vpcs): DesiredConfigs {
  const devices = new Map<string, DeviceDesired>(specs.map((s) => [s.name, { device: s.name, port: s.port, config: configFor(s.port, vpcsOf(s)) }]));
  return { devices, failedVpcs };
}

/** The fake device of a name (must exist). */
export function device(name: string): FakeDevice<DeviceConfig> {
  const d = fakeDeviceRegistry.get(name);
  assert.ok(d !== undefined, `fake device ${name} exists`);
  return d;
}

/** Asserts the device holds exactly `config` (owned, decoded), nothing pending. */
export function assertAt(name: string, port: DevicePortKind, config: DeviceConfig, message = ''): void {
  const d = device(name);
  const want = decoded(port, config);
  assert.ok(configEquals(d.owned(), want), `${name} ${message}: owned ${JSON.stringify(d.owned())} != desired ${JSON.stringify(want)}`);
  assert.ok(configEquals(d.committed(), want), `${name} ${message}: committed differs from desired`);
  assert.equal(d.locked, false, `${name} ${message}: no pending transaction`);
}

/** Owned keys per kind (sorted), for compact assertions. */
export function ownedKeys(name: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [kind, objs] of Object.entries(device(name).owned())) out[kind] = Object.keys(objs).sort();
  return out;
}

/** A driver wrapper that records every session it opened (crash simulation: abandon them, end them later). */
export class SessionTracker {
  readonly sessions: { device: string; session: DeviceSession<DeviceConfig> }[] = [];

  wrap = (driver: DeviceDriver<DeviceConfig>, spec: Pick<DeviceSpec, 'name'>): DeviceDriver<DeviceConfig> => ({
    port: driver.port,
    connect: async (opts) => {
      const session = await driver.connect(opts);
      this.sessions.push({ device: spec.name, session });
      return session;
    },
  });

  /** Ends every recorded session as the device would when the dead controller's connection times out. */
  async expireAll(): Promise<void> {
    for (const s of this.sessions) await s.session.close();
    this.sessions.length = 0;
  }
}

/** A fresh in-memory store. */
export function newStore(): StorePort {
  return new MemoryStore();
}

/** Sum of a call count over devices. */
export function calls(names: readonly string[], op: 'connect' | 'apply' | 'confirm' | 'rollback' | 'observe'): number {
  return names.reduce((n, d) => n + device(d).callCount(op), 0);
}

/** Sum of writes over devices. */
export function writes(names: readonly string[]): number {
  return names.reduce((n, d) => n + device(d).writes, 0);
}

/** Resets counters of every device. */
export function resetCounters(names: readonly string[]): void {
  for (const d of names) device(d).resetCounters();
}
