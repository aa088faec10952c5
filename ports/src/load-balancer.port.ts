/**
 * The load-balancer port: a virtual load balancer (VLB) as netloom sees it. Adapters: f5-bigip (iControl REST),
 * fake.
 *
 * Vocabulary (a {@link LoadBalancerConfig}):
 *
 * | kind | key | what it is |
 * |---|---|---|
 * | `partition` | `name` | an administrative partition, normally one per VPC |
 * | `monitor` | `<partition>/<name>` | a health monitor |
 * | `pool` | `<partition>/<name>` | a pool of real servers, optionally health-checked by a monitor of its partition |
 * | `member` | `<partition>/<pool>/<address>:<port>` (IPv6: `[<address>]:<port>`) | a real server of a pool |
 * | `virtualServer` | `<partition>/<name>` | a VIP:port/protocol forwarding to a pool |
 *
 * Members follow a Service's endpoints in real time: ready endpoints are `enabled`; terminating ones are
 * `draining` (no new connections, existing ones run to their end: F5 "disabled"); `disabled` takes no traffic at
 * all (F5 "forced offline"). `draining` and `disabled` need the `memberDrain` capability.
 *
 * Creates run in {@link LOAD_BALANCER_KIND_ORDER} (`partition`, `monitor`, `pool`, `member`, `virtualServer`),
 * deletes in reverse (a virtual server goes before its pool, members before their pool). References resolve within
 * the config (and within one partition). A VIP:port/protocol is used by one virtual server per device.
 *
 * @example
 * const desired: LoadBalancerConfigInput = {
 *   partition: { shop: { key: 'shop', name: 'shop', vpc: 'shop' } },
 *   monitor: { 'shop/http': { key: 'shop/http', partition: 'shop', name: 'http', type: 'http', intervalSec: 5,
 *                             timeoutSec: 16, httpPath: '/healthz' } },
 *   pool: { 'shop/web': { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin', monitor: 'http' } },
 *   member: { 'shop/web/10.1.0.5:8080': { key: 'shop/web/10.1.0.5:8080', partition: 'shop', pool: 'web',
 *                                         address: '10.1.0.5', port: 8080, state: 'enabled' } },
 *   virtualServer: { 'shop/web-443': { key: 'shop/web-443', partition: 'shop', name: 'web-443', vip: '192.0.2.10',
 *                                      port: 443, protocol: 'tcp', pool: 'web' } },
 * };
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { type CheckProblem, describeValue, intInRange, keyedRecord, refined, struct, withChecks } from './codec';
import type { CapabilityName } from './capabilities';
import type { DeviceDriver, DeviceSession } from './device.port';
import { IpAddressCodec, L4PortCodec, SafeNameCodec, ipFamily } from './values';
import { type DeviceVocabulary, type PartialConfig, emptyConfig } from './vocabulary';

/**
 * A partition (normally one per VPC). Key: `name`.
 * @example { key: 'shop', name: 'shop', vpc: 'shop' }
 */
export const PartitionCodec = struct('Partition', { key: t.string, name: SafeNameCodec }, { vpc: SafeNameCodec });
/** A partition. */
export type Partition = t.TypeOf<typeof PartitionCodec>;

/** Brand of {@link HttpPath}. */
export interface HttpPathBrand {
  readonly HttpPath: unique symbol;
}
/** An HTTP request path for health checks: `/` then up to 254 of `[A-Za-z0-9._~%/-]` (no query, no spaces). */
export type HttpPath = t.Branded<string, HttpPathBrand>;
/** io-ts codec for {@link HttpPath}. @example HttpPathCodec.decode('/healthz') */
export const HttpPathCodec = refined<string, string, HttpPathBrand>('HttpPath', t.string, (s) =>
  /^\/[A-Za-z0-9._~%/-]{0,254}$/.test(s) ? undefined : `${describeValue(s)} is not a health-check path (start with '/', then letters, digits, '.', '_', '~', '%', '/' or '-')`,
);

/** A monitor's probe type. */
export const MonitorTypeCodec = t.keyof({ tcp: null, http: null, https: null, icmp: null }, '"tcp" | "http" | "https" | "icmp"');

/**
 * A health monitor of a partition. Key: `<partition>/<name>`. `httpPath` and `expectStatus` only for http/https
 * (defaults `/` and 200).
 * @example { key: 'shop/http', partition: 'shop', name: 'http', type: 'http', intervalSec: 5, timeoutSec: 16, httpPath: '/healthz' }
 */
export const MonitorCodec = withChecks(
  struct(
    'Monitor',
    { key: t.string, partition: SafeNameCodec, name: SafeNameCodec, type: MonitorTypeCodec, intervalSec: intInRange('IntervalSec', 1, 3600), timeoutSec: intInRange('TimeoutSec', 1, 3600) },
    { httpPath: HttpPathCodec, expectStatus: intInRange('HttpStatus', 100, 599) },
  ),
  (m): CheckProblem[] => {
    const problems: CheckProblem[] = [];
    const http = m.type === 'http' || m.type === 'https';
    if (!http && m.httpPath !== undefined) problems.push({ path: ['httpPath'], value: m.httpPath, message: `needs type http or https (not ${m.type})` });
    if (!http && m.expectStatus !== undefined) problems.push({ path: ['expectStatus'], value: m.expectStatus, message: `needs type http or https (not ${m.type})` });
    return problems;
  },
);
/** A health monitor. */
export type Monitor = t.TypeOf<typeof MonitorCodec>;

/**
 * A pool of a partition. Key: `<partition>/<name>`. `monitor` names a monitor of the same partition.
 * @example { key: 'shop/web', partition: 'shop', name: 'web', loadBalancing: 'round-robin', monitor: 'http' }
 */
export const PoolCodec = struct(
  'Pool',
  { key: t.string, partition: SafeNameCodec, name: SafeNameCodec, loadBalancing: t.keyof({ 'round-robin': null, 'least-connections': null }, '"round-robin" | "least-connections"') },
  { monitor: SafeNameCodec },
);
/** A pool. */
export type Pool = t.TypeOf<typeof PoolCodec>;

/** A member's administrative state (see the module documentation). */
export const MemberStateCodec = t.keyof({ enabled: null, draining: null, disabled: null }, '"enabled" | "draining" | "disabled"');
/** A member's administrative state. */
export type MemberState = t.TypeOf<typeof MemberStateCodec>;

/**
 * A real server of pool `pool` in `partition`. Key: `<partition>/<pool>/<address>:<port>`, IPv6 address in brackets.
 * `weight` absent: 1.
 * @example { key: 'shop/web/10.1.0.5:8080', partition: 'shop', pool: 'web', address: '10.1.0.5', port: 8080, state: 'draining' }
 */
export const MemberCodec = struct(
  'Member',
  { key: t.string, partition: SafeNameCodec, pool: SafeNameCodec, address: IpAddressCodec, port: L4PortCodec, state: MemberStateCodec },
  { weight: intInRange('Weight', 1, 100) },
);
/** A pool member. */
export type Member = t.TypeOf<typeof MemberCodec>;
/** The key of a member: `<partition>/<pool>/<address>:<port>` (IPv6: `[<address>]:<port>`). */
export const memberKey = (m: { readonly partition: string; readonly pool: string; readonly address: string; readonly port: number }): string =>
  `${m.partition}/${m.pool}/${ipFamily(m.address) === 6 ? `[${m.address}]` : m.address}:${m.port}`;

/**
 * A virtual server: `vip:port/protocol` forwarding to pool `pool` of the same partition. Key: `<partition>/<name>`.
 * @example { key: 'shop/web-443', partition: 'shop', name: 'web-443', vip: '192.0.2.10', port: 443, protocol: 'tcp', pool: 'web' }
 */
export const VirtualServerCodec = struct('VirtualServer', {
  key: t.string,
  partition: SafeNameCodec,
  name: SafeNameCodec,
  vip: IpAddressCodec,
  port: L4PortCodec,
  protocol: t.keyof({ tcp: null, udp: null }, '"tcp" | "udp"'),
  pool: SafeNameCodec,
});
/** A virtual server. */
export type VirtualServer = t.TypeOf<typeof VirtualServerCodec>;

/** The key of a partition-scoped object: `<partition>/<name>`. */
export const partitionedKey = (o: { readonly partition: string; readonly name: string }): string => `${o.partition}/${o.name}`;

interface LoadBalancerShape {
  readonly partition: Readonly<Record<string, Partition>>;
  readonly monitor: Readonly<Record<string, Monitor>>;
  readonly pool: Readonly<Record<string, Pool>>;
  readonly member: Readonly<Record<string, Member>>;
  readonly virtualServer: Readonly<Record<string, VirtualServer>>;
}

function loadBalancerReferences(c: LoadBalancerShape): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const kind of ['monitor', 'pool', 'member', 'virtualServer'] as const) {
    for (const [k, o] of Object.entries(c[kind])) {
      if (c.partition[o.partition] === undefined) problems.push({ path: [kind, { key: k }, 'partition'], value: o.partition, message: `no partition ${JSON.stringify(o.partition)} in this config` });
    }
  }
  for (const [k, p] of Object.entries(c.pool)) {
    if (p.monitor !== undefined && c.monitor[`${p.partition}/${p.monitor}`] === undefined) {
      problems.push({ path: ['pool', { key: k }, 'monitor'], value: p.monitor, message: `no monitor ${JSON.stringify(p.monitor)} in partition ${JSON.stringify(p.partition)}` });
    }
  }
  for (const kind of ['member', 'virtualServer'] as const) {
    for (const [k, o] of Object.entries(c[kind])) {
      if (c.pool[`${o.partition}/${o.pool}`] === undefined) problems.push({ path: [kind, { key: k }, 'pool'], value: o.pool, message: `no pool ${JSON.stringify(o.pool)} in partition ${JSON.stringify(o.partition)}` });
    }
  }
  const listeners = new Map<string, string>();
  for (const [k, v] of Object.entries(c.virtualServer)) {
    const id = `${v.vip} ${v.port} ${v.protocol}`;
    const other = listeners.get(id);
    if (other !== undefined) problems.push({ path: ['virtualServer', { key: k }, 'vip'], value: v.vip, message: `${v.vip}:${v.port}/${v.protocol} is also used by virtual server ${JSON.stringify(other)}` });
    else listeners.set(id, k);
  }
  return problems;
}

/** A load-balancer config: every kind present, keys derived, references resolved, listeners unique. */
export const LoadBalancerConfigCodec = withChecks(
  struct('LoadBalancerConfig', {
    partition: keyedRecord('partition', PartitionCodec, (p) => p.name, 'its name'),
    monitor: keyedRecord('monitor', MonitorCodec, partitionedKey, 'partition/name'),
    pool: keyedRecord('pool', PoolCodec, partitionedKey, 'partition/name'),
    member: keyedRecord('member', MemberCodec, memberKey, 'partition/pool/address:port'),
    virtualServer: keyedRecord('virtualServer', VirtualServerCodec, partitionedKey, 'partition/name'),
  }),
  loadBalancerReferences,
);
/** A validated load-balancer config. */
export type LoadBalancerConfig = t.TypeOf<typeof LoadBalancerConfigCodec>;
/** A load-balancer config before validation. */
export type LoadBalancerConfigInput = t.OutputOf<typeof LoadBalancerConfigCodec>;
/** A load-balancer object kind. */
export type LoadBalancerKind = keyof LoadBalancerConfig & string;

/** The load-balancer kinds in create order; deletes run in reverse. */
export const LOAD_BALANCER_KIND_ORDER = ['partition', 'monitor', 'pool', 'member', 'virtualServer'] as const satisfies readonly LoadBalancerKind[];

/** The capability each load-balancer kind needs. */
export const LOAD_BALANCER_KIND_CAPABILITY = {
  partition: 'partitions',
  monitor: 'monitors',
  pool: 'pools',
  member: 'pools',
  virtualServer: 'virtualServers',
} as const satisfies { readonly [K in LoadBalancerKind]: CapabilityName<'loadBalancer'> };

/** A load-balancer config with every kind empty. */
export function emptyLoadBalancerConfig(): LoadBalancerConfig {
  return emptyConfig<LoadBalancerConfig>(LOAD_BALANCER_KIND_ORDER);
}

/**
 * Every load-balancer capability a config uses: kinds present, plus `memberDrain` for members not `enabled` and
 * `monitors` for pools with a monitor. Sorted.
 */
export function loadBalancerCapabilitiesUsed(config: PartialConfig<LoadBalancerConfig>): CapabilityName<'loadBalancer'>[] {
  const used = new Set<CapabilityName<'loadBalancer'>>();
  for (const kind of LOAD_BALANCER_KIND_ORDER) if (Object.keys(config[kind] ?? {}).length > 0) used.add(LOAD_BALANCER_KIND_CAPABILITY[kind]);
  if (Object.values(config.member ?? {}).some((m) => m.state !== 'enabled')) used.add('memberDrain');
  if (Object.values(config.pool ?? {}).some((p) => p.monitor !== undefined)) used.add('monitors');
  return [...used].sort();
}

/** The load-balancer vocabulary as data. */
export const loadBalancerVocabulary: DeviceVocabulary<'loadBalancer', LoadBalancerConfig, LoadBalancerConfigInput> = {
  port: 'loadBalancer',
  order: LOAD_BALANCER_KIND_ORDER,
  configCodec: LoadBalancerConfigCodec,
  kindCapability: LOAD_BALANCER_KIND_CAPABILITY,
  capabilitiesUsed: loadBalancerCapabilitiesUsed,
  empty: emptyLoadBalancerConfig,
};

/** A session with one load balancer. */
export type LoadBalancerSession = DeviceSession<LoadBalancerConfig>;
/** A load-balancer port implementation for one device (what an adapter's `ports.loadBalancer` factory returns). */
export type LoadBalancerDriver = DeviceDriver<LoadBalancerConfig>;

// --- keys by kind (additive: generic tools recompute keys for every kind) -------------------------------------------

/**
 * How each load-balancer kind derives its key from an object's identity fields: the functions the config codec checks keys
 * with. Typed over every kind, so a new kind does not compile without its key function.
 */
export const LOAD_BALANCER_KIND_KEY: { readonly [K in LoadBalancerKind]: (object: LoadBalancerConfig[K][string]) => string } = {
  partition: (p) => p.name,
  monitor: partitionedKey,
  pool: partitionedKey,
  member: memberKey,
  virtualServer: partitionedKey,
};

/**
 * The key of a load-balancer object of `kind`, derived from its identity fields as the config codec derives it, or
 * undefined when `kind` is not a load-balancer kind. It reads the identity fields only and validates nothing, so it
 * recomputes the key of an edited object before the object is decoded (a fuzzer, an editor, a migration).
 *
 * @example loadBalancerKeyOf('pool', { partition: 'vpc-shop', name: 'web' }) // 'vpc-shop/web'
 */
export function loadBalancerKeyOf(kind: string, object: Readonly<Record<string, unknown>>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(LOAD_BALANCER_KIND_KEY, kind)) return undefined;
  // The caller vouches for nothing but the kind: the key functions only read the identity fields.
  const derive = (LOAD_BALANCER_KIND_KEY as unknown as Readonly<Record<string, (o: Readonly<Record<string, unknown>>) => string>>)[kind];
  return derive?.(object);
}
