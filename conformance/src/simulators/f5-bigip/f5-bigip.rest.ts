/**
 * The configuration part of the simulated iControl REST API (PROTOCOLS.md §4.2): `/mgmt/tm/sys/folder`,
 * `/mgmt/tm/ltm/{monitor/<type>,pool,pool/<pool>/members,node,virtual,virtual-address,data-group/internal}` with
 * GET/POST/PUT/PATCH/DELETE, the TMOS envelopes (`kind`, `name`, `partition`, `fullPath`, `generation`, `selfLink`;
 * collections wrap rows in `items`, which is left out when the collection is empty, as TMOS does), `~Partition~name`
 * object paths and `?expandSubcollections=true` on pools.
 *
 * {@link executeConfigRequest} runs one request against an {@link F5Config} and either returns the reply or throws an
 * {@link F5RestError}; it mutates the config it is given, so callers pass a clone when they need all-or-nothing.
 *
 * @packageDocumentation
 */
import { restFrameworkError, badRequest, notFound, alreadyExists, type F5RestError } from './f5-bigip.errors';
import {
  F5_LB_MODES,
  F5_MONITOR_TYPES,
  checkName,
  fullPath,
  hostMask,
  joinAddressPort,
  parseAddress,
  splitAddressPort,
  splitPath,
  type DataGroupRecord,
  type F5Config,
  type F5MonitorType,
  type MemberRecord,
  type MonitorRecord,
  type NodeRecord,
  type PoolRecord,
  type VirtualRecord,
} from './f5-bigip.config';

/** One REST request as the configuration layer sees it (authentication already done). */
export interface F5ConfigRequest {
  readonly method: string;
  /** The URL path, e.g. `/mgmt/tm/ltm/pool/~shop~web`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

/** A reply: status and JSON body (`undefined`: an empty body, as for DELETE). */
export interface F5Reply {
  readonly status: number;
  readonly body: unknown;
}

/** What the configuration layer needs to know about the device. */
export interface F5RestContext {
  /** The TMOS version (`?ver=` of every `selfLink`). */
  readonly version: string;
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Properties a client may send back unchanged on PUT/PATCH (the device ignores them). */
const READ_ONLY = new Set(['kind', 'selfLink', 'generation', 'fullPath', 'membersReference', 'profilesReference', 'policiesReference', 'fqdn', 'ephemeral', 'subPath', 'creationTime', 'lastModifiedTime', 'vsIndex']);

function checkProperties(body: Json, allowed: readonly string[], where: string): void {
  for (const [k, v] of Object.entries(body)) {
    if (allowed.includes(k) || READ_ONLY.has(k)) continue;
    throw badRequest(`Found unexpected json pair at configuration item ${where}. The json pair is "${k}":${JSON.stringify(v)}.`);
  }
}

function optString(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`01070621:3: The value of "${key}" must be a string, got ${JSON.stringify(v)}.`);
  return v;
}

function optInt(body: Json, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw badRequest(`01070621:3: The value of "${key}" (${JSON.stringify(v)}) is out of range ${min}..${max}.`);
  return n;
}

function optEnum<T extends string>(body: Json, key: string, values: readonly T[]): T | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw badRequest(`01070621:3: The value of "${key}" (${JSON.stringify(v)}) must be one of: ${values.join(', ')}.`);
  return v as T;
}

/** An optional text that TMOS treats as "unset" when empty or `none`. */
function optText(body: Json, key: string): string | undefined | null {
  const v = optString(body, key);
  if (v === undefined) return undefined;
  return v === '' || v === 'none' ? null : v;
}

function setDescription(target: { description?: string }, body: Json, replace: boolean): void {
  const d = optString(body, 'description');
  if (d !== undefined) target.description = d;
  else if (replace) delete target.description;
}

/** `~shop~web` → `/shop/web`; `web` → `/Common/web`. */
function decodeId(segment: string): { partition: string; name: string } {
  const text = decodeURIComponent(segment);
  if (text.startsWith('~')) return splitPath(text.replace(/~/g, '/'));
  return splitPath(text);
}

function partitionOf(body: Json): string {
  const p = optString(body, 'partition');
  if (p === undefined || p === '') return 'Common';
  return p.startsWith('/') ? p.slice(1) : p;
}

// --- JSON views -------------------------------------------------------------------------------------------------------

const selfLink = (ctx: F5RestContext, path: string): string => `https://localhost${path}?ver=${ctx.version}`;
const objectId = (partition: string, name: string): string => `~${partition}~${name}`;

function collection(ctx: F5RestContext, kind: string, path: string, items: unknown[]): Json {
  return { kind, selfLink: selfLink(ctx, path), ...(items.length > 0 ? { items } : {}) };
}

function folderJson(ctx: F5RestContext, f: { name: string; description?: string; generation: number }): Json {
  const root = f.name === '/';
  return {
    kind: 'tm:sys:folder:folderstate',
    name: f.name,
    subPath: root ? undefined : '/',
    fullPath: root ? '/' : `/${f.name}`,
    generation: f.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/sys/folder/${root ? '~' : `~${f.name}`}`),
    ...(f.description === undefined ? {} : { description: f.description }),
    deviceGroup: 'none',
    hidden: 'false',
    inheritedDevicegroup: 'true',
    inheritedTrafficGroup: 'true',
    noRefCheck: 'false',
    trafficGroup: '/Common/traffic-group-1',
  };
}

function monitorJson(ctx: F5RestContext, m: MonitorRecord): Json {
  return {
    kind: `tm:ltm:monitor:${m.type}:${m.type}state`,
    name: m.name,
    partition: m.partition,
    fullPath: fullPath(m.partition, m.name),
    generation: m.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/monitor/${m.type}/${objectId(m.partition, m.name)}`),
    ...(m.defaultsFrom === '' ? {} : { defaultsFrom: m.defaultsFrom }),
    ...(m.description === undefined ? {} : { description: m.description }),
    destination: '*:*',
    interval: m.interval,
    timeUntilUp: 0,
    timeout: m.timeout,
    ...(m.send === undefined ? {} : { send: m.send }),
    ...(m.recv === undefined ? {} : { recv: m.recv }),
  };
}

function memberJson(ctx: F5RestContext, pool: PoolRecord, m: MemberRecord): Json {
  const monitored = pool.monitors.length > 0;
  return {
    kind: 'tm:ltm:pool:members:membersstate',
    name: m.name,
    partition: m.partition,
    fullPath: fullPath(m.partition, m.name),
    generation: m.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/pool/${objectId(pool.partition, pool.name)}/members/${objectId(m.partition, m.name)}`),
    address: m.address,
    connectionLimit: m.connectionLimit,
    ...(m.description === undefined ? {} : { description: m.description }),
    dynamicRatio: 1,
    ephemeral: 'false',
    fqdn: { autopopulate: 'disabled' },
    inheritProfile: 'enabled',
    logging: 'disabled',
    monitor: 'default',
    priorityGroup: m.priorityGroup,
    rateLimit: 'disabled',
    ratio: m.ratio,
    session: m.disabled || m.forcedOffline ? 'user-disabled' : monitored ? 'monitor-enabled' : 'user-enabled',
    state: m.forcedOffline ? 'user-down' : monitored ? 'up' : 'unchecked',
  };
}

function poolJson(ctx: F5RestContext, p: PoolRecord, expand: boolean): Json {
  const id = objectId(p.partition, p.name);
  const members = [...p.members.values()].map((m) => memberJson(ctx, p, m));
  return {
    kind: 'tm:ltm:pool:poolstate',
    name: p.name,
    partition: p.partition,
    fullPath: fullPath(p.partition, p.name),
    generation: p.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/pool/${id}`),
    allowNat: 'yes',
    allowSnat: 'yes',
    ...(p.description === undefined ? {} : { description: p.description }),
    ignorePersistedWeight: 'disabled',
    loadBalancingMode: p.loadBalancingMode,
    minActiveMembers: p.minActiveMembers,
    ...(p.monitors.length === 0 ? {} : { monitor: `${p.monitors.join(' and ')} ` }),
    queueOnConnectionLimit: 'disabled',
    serviceDownAction: 'none',
    slowRampTime: p.slowRampTime,
    membersReference: {
      link: selfLink(ctx, `/mgmt/tm/ltm/pool/${id}/members`),
      isSubcollection: true,
      ...(expand && members.length > 0 ? { items: members } : {}),
    },
  };
}

function nodeJson(ctx: F5RestContext, n: NodeRecord): Json {
  return {
    kind: 'tm:ltm:node:nodestate',
    name: n.name,
    partition: n.partition,
    fullPath: fullPath(n.partition, n.name),
    generation: n.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/node/${objectId(n.partition, n.name)}`),
    address: n.address,
    connectionLimit: n.connectionLimit,
    ...(n.description === undefined ? {} : { description: n.description }),
    dynamicRatio: 1,
    ephemeral: 'false',
    fqdn: { addressFamily: 'ipv4', autopopulate: 'disabled', downInterval: 5, interval: '3600' },
    logging: 'disabled',
    monitor: 'default',
    rateLimit: 'disabled',
    ratio: n.ratio,
    session: n.disabled || n.forcedOffline ? 'user-disabled' : 'user-enabled',
    state: n.forcedOffline ? 'user-down' : 'unchecked',
  };
}

function virtualJson(ctx: F5RestContext, v: VirtualRecord): Json {
  const id = objectId(v.partition, v.name);
  return {
    kind: 'tm:ltm:virtual:virtualstate',
    name: v.name,
    partition: v.partition,
    fullPath: fullPath(v.partition, v.name),
    generation: v.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/virtual/${id}`),
    addressStatus: 'yes',
    autoLasthop: 'default',
    cmpEnabled: 'yes',
    connectionLimit: 0,
    ...(v.description === undefined ? {} : { description: v.description }),
    destination: fullPath(v.destPartition, joinAddressPort(v.address, v.port)),
    ...(v.enabled ? { enabled: true } : { disabled: true }),
    ipProtocol: v.ipProtocol,
    mask: v.mask,
    ...(v.pool === undefined ? {} : { pool: v.pool }),
    source: v.source,
    sourceAddressTranslation: { type: v.snat },
    sourcePort: 'preserve',
    translateAddress: 'enabled',
    translatePort: 'enabled',
    vlansDisabled: true,
    profilesReference: { link: selfLink(ctx, `/mgmt/tm/ltm/virtual/${id}/profiles`), isSubcollection: true },
  };
}

function virtualAddressJson(ctx: F5RestContext, a: { partition: string; address: string; autoDelete: boolean; generation: number }): Json {
  return {
    kind: 'tm:ltm:virtual-address:virtual-addressstate',
    name: a.address,
    partition: a.partition,
    fullPath: fullPath(a.partition, a.address),
    generation: a.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/virtual-address/${objectId(a.partition, a.address)}`),
    address: a.address,
    autoDelete: a.autoDelete ? 'true' : 'false',
    enabled: 'yes',
    mask: hostMask(a.address),
  };
}

function dataGroupJson(ctx: F5RestContext, d: DataGroupRecord): Json {
  return {
    kind: 'tm:ltm:data-group:internal:internalstate',
    name: d.name,
    partition: d.partition,
    fullPath: fullPath(d.partition, d.name),
    generation: d.generation,
    selfLink: selfLink(ctx, `/mgmt/tm/ltm/data-group/internal/${objectId(d.partition, d.name)}`),
    ...(d.description === undefined ? {} : { description: d.description }),
    type: d.type,
    ...(d.records.length === 0 ? {} : { records: d.records.map((r) => ({ name: r.name, ...(r.data === undefined ? {} : { data: r.data }) })) }),
  };
}

// --- writes -------------------------------------------------------------------------------------------------------------

const MONITOR_PROPS = ['name', 'partition', 'description', 'defaultsFrom', 'interval', 'timeout', 'send', 'recv', 'destination', 'timeUntilUp', 'upInterval', 'adaptive', 'manualResume', 'reverse', 'transparent'];
const POOL_PROPS = ['name', 'partition', 'description', 'loadBalancingMode', 'monitor', 'members', 'allowNat', 'allowSnat', 'minActiveMembers', 'slowRampTime', 'serviceDownAction', 'queueOnConnectionLimit', 'ignorePersistedWeight'];
const MEMBER_PROPS = ['name', 'partition', 'address', 'description', 'session', 'state', 'ratio', 'connectionLimit', 'priorityGroup', 'monitor', 'dynamicRatio', 'inheritProfile', 'logging', 'rateLimit'];
const NODE_PROPS = ['name', 'partition', 'address', 'description', 'session', 'state', 'ratio', 'connectionLimit', 'monitor', 'dynamicRatio', 'logging', 'rateLimit'];
const VIRTUAL_PROPS = [
  'name', 'partition', 'description', 'destination', 'mask', 'ipProtocol', 'pool', 'source', 'sourceAddressTranslation', 'translateAddress', 'translatePort',
  'profiles', 'vlans', 'vlansEnabled', 'vlansDisabled', 'enabled', 'disabled', 'connectionLimit', 'sourcePort', 'addressStatus', 'autoLasthop', 'cmpEnabled',
];
const FOLDER_PROPS = ['name', 'partition', 'description', 'noRefCheck', 'deviceGroup', 'trafficGroup', 'hidden', 'inheritedDevicegroup', 'inheritedTrafficGroup'];
const DATA_GROUP_PROPS = ['name', 'partition', 'description', 'type', 'records'];

function defaultMonitorParent(type: F5MonitorType): string {
  return `/Common/${type === 'gateway-icmp' ? 'gateway_icmp' : type}`;
}

function applyMonitorFields(config: F5Config, m: MonitorRecord, body: Json, replace: boolean): void {
  const parentPath = optString(body, 'defaultsFrom');
  if (parentPath !== undefined) {
    const parent = config.monitorAt(parentPath);
    if (parent === undefined || parent.type !== m.type) throw badRequest(`01070621:3: The requested monitor (${parentPath}) was not found or is not a ${m.type} monitor.`);
    m.defaultsFrom = parentPath;
  }
  const interval = optInt(body, 'interval', 1, 86400);
  const timeout = optInt(body, 'timeout', 1, 86400);
  if (interval !== undefined) m.interval = interval;
  else if (replace) m.interval = 5;
  if (timeout !== undefined) m.timeout = timeout;
  else if (replace) m.timeout = 16;
  if (m.type === 'gateway-icmp') {
    if (body['send'] !== undefined || body['recv'] !== undefined) throw badRequest(`Found unexpected json pair at configuration item /ltm/monitor/gateway-icmp. The json pair is "send" or "recv".`);
  } else {
    for (const key of ['send', 'recv'] as const) {
      const v = optText(body, key);
      if (v === null || (v === undefined && replace)) {
        if (key === 'send' && (m.type === 'http' || m.type === 'https')) m.send = 'GET /\\r\\n';
        else delete m[key];
      } else if (v !== undefined) m[key] = v;
    }
  }
  setDescription(m, body, replace);
}

function createMonitor(config: F5Config, type: F5MonitorType, body: Json): MonitorRecord {
  checkProperties(body, MONITOR_PROPS, `/ltm/monitor/${type}`);
  const partition = partitionOf(body);
  config.requireFolder(partition);
  const name = checkName('monitor', body['name']);
  const path = fullPath(partition, name);
  if (config.monitorAt(path) !== undefined) throw alreadyExists('Monitor', path, partition);
  const parent = config.monitorAt(defaultMonitorParent(type));
  const m: MonitorRecord = { type, partition, name, defaultsFrom: defaultMonitorParent(type), interval: parent?.interval ?? 5, timeout: parent?.timeout ?? 16, generation: 0 };
  if (parent?.send !== undefined) m.send = parent.send;
  applyMonitorFields(config, m, body, false);
  m.generation = config.bump();
  config.monitors.set(path, m);
  return m;
}

function applyMemberState(m: { disabled: boolean; forcedOffline: boolean }, body: Json): void {
  const session = optEnum(body, 'session', ['user-enabled', 'user-disabled', 'monitor-enabled'] as const);
  const state = optEnum(body, 'state', ['user-up', 'user-down', 'up', 'down', 'unchecked'] as const);
  if (session !== undefined) m.disabled = session === 'user-disabled';
  if (state === 'user-down') m.forcedOffline = true;
  else if (state !== undefined) m.forcedOffline = false;
}

function createMember(config: F5Config, pool: PoolRecord, spec: unknown): MemberRecord {
  const body: Json = typeof spec === 'string' ? { name: spec } : isRecord(spec) ? spec : {};
  if (typeof spec !== 'string' && !isRecord(spec)) throw badRequest('Found invalid JSON body in the request.');
  checkProperties(body, MEMBER_PROPS, '/ltm/pool/members');
  const name = checkName('pool member', body['name']);
  const partition = partitionOf(body.partition === undefined ? { partition: pool.partition } : body);
  config.requireFolder(partition);
  const resolved = config.nodeForMember(partition, name, optString(body, 'address'));
  const split = splitAddressPort(name)!;
  if (pool.members.has(name)) throw alreadyExists('Pool Member', `${fullPath(pool.partition, pool.name)} ${fullPath(partition, split.host)} ${split.port}`, pool.partition);
  const gen = config.bump();
  if (resolved.create !== undefined) config.nodes.set(resolved.node, { ...resolved.create, generation: gen });
  const m: MemberRecord = {
    name,
    partition,
    node: resolved.node,
    address: resolved.address,
    port: resolved.port,
    disabled: false,
    forcedOffline: false,
    ratio: optInt(body, 'ratio', 1, 65535) ?? 1,
    connectionLimit: optInt(body, 'connectionLimit', 0, 2147483647) ?? 0,
    priorityGroup: optInt(body, 'priorityGroup', 0, 65535) ?? 0,
    generation: gen,
  };
  setDescription(m, body, false);
  applyMemberState(m, body);
  pool.members.set(name, m);
  return m;
}

function applyPoolFields(config: F5Config, p: PoolRecord, body: Json, replace: boolean): void {
  const mode = optEnum(body, 'loadBalancingMode', F5_LB_MODES);
  if (mode !== undefined) p.loadBalancingMode = mode;
  else if (replace) p.loadBalancingMode = 'round-robin';
  const monitor = optString(body, 'monitor');
  if (monitor !== undefined) p.monitors = config.parseMonitorList(monitor, p.partition);
  else if (replace) p.monitors = [];
  const minActive = optInt(body, 'minActiveMembers', 0, 65535);
  if (minActive !== undefined) p.minActiveMembers = minActive;
  const slowRamp = optInt(body, 'slowRampTime', 0, 900);
  if (slowRamp !== undefined) p.slowRampTime = slowRamp;
  setDescription(p, body, replace);
}

function createPool(config: F5Config, body: Json): PoolRecord {
  checkProperties(body, POOL_PROPS, '/ltm/pool');
  const partition = partitionOf(body);
  config.requireFolder(partition);
  const name = checkName('pool', body['name']);
  const path = fullPath(partition, name);
  if (config.pools.has(path)) throw alreadyExists('Pool', path, partition);
  const p: PoolRecord = { partition, name, loadBalancingMode: 'round-robin', monitors: [], members: new Map(), minActiveMembers: 0, slowRampTime: 10, generation: 0 };
  applyPoolFields(config, p, body, false);
  config.pools.set(path, p);
  const members = body['members'];
  if (members !== undefined) {
    if (!Array.isArray(members)) throw badRequest('01070621:3: "members" must be a list.');
    for (const spec of members) createMember(config, p, spec);
  }
  p.generation = config.bump();
  return p;
}

function parseDestination(text: string, partition: string): { destPartition: string; address: string; port: number } {
  let rest = text;
  let destPartition = partition;
  if (text.startsWith('/')) {
    const split = splitPath(text);
    destPartition = split.partition;
    rest = split.name;
  }
  const ap = splitAddressPort(rest);
  const address = ap === undefined ? undefined : parseAddress(ap.host);
  if (ap === undefined || address === undefined) throw badRequest(`01070587:3: The destination (${text}) is not an address and port (<address>:<port>, IPv6 <address>.<port>).`);
  return { destPartition, address, port: ap.port };
}

function applyVirtualFields(config: F5Config, v: VirtualRecord, body: Json, replace: boolean): void {
  const dest = optString(body, 'destination');
  if (dest !== undefined) {
    const d = parseDestination(dest, v.partition);
    config.requireFolder(d.destPartition);
    v.destPartition = d.destPartition;
    v.address = d.address;
    v.port = d.port;
  }
  const mask = optString(body, 'mask');
  v.mask = mask ?? (replace || dest !== undefined ? hostMask(v.address) : v.mask);
  const proto = optEnum(body, 'ipProtocol', ['tcp', 'udp', 'sctp', 'any'] as const);
  if (proto !== undefined) v.ipProtocol = proto;
  else if (replace) v.ipProtocol = 'tcp';
  const pool = optText(body, 'pool');
  if (pool === null || (pool === undefined && replace)) delete v.pool;
  else if (pool !== undefined) {
    const path = pool.startsWith('/') ? pool : fullPath(v.partition, pool);
    if (!config.pools.has(path)) throw notFound('Pool', path);
    v.pool = path;
  }
  const source = optString(body, 'source');
  if (source !== undefined) v.source = source;
  const snat = body['sourceAddressTranslation'];
  if (snat !== undefined) {
    if (!isRecord(snat) || typeof snat['type'] !== 'string' || !['automap', 'none', 'snat', 'lsn'].includes(snat['type'])) throw badRequest('01070621:3: sourceAddressTranslation.type must be automap, none, snat or lsn.');
    v.snat = snat['type'];
  } else if (replace) v.snat = 'none';
  if (body['disabled'] === true) v.enabled = false;
  if (body['enabled'] === true) v.enabled = true;
  setDescription(v, body, replace);
  config.checkDestinationFree(v);
}

function createVirtual(config: F5Config, body: Json): VirtualRecord {
  checkProperties(body, VIRTUAL_PROPS, '/ltm/virtual');
  const partition = partitionOf(body);
  config.requireFolder(partition);
  const name = checkName('virtual server', body['name']);
  const path = fullPath(partition, name);
  if (config.virtuals.has(path)) throw alreadyExists('Virtual Server', path, partition);
  const destination = optString(body, 'destination');
  if (destination === undefined) throw badRequest(`01070587:3: Virtual Server ${path} needs a destination.`);
  const d = parseDestination(destination, partition);
  const v: VirtualRecord = { partition, name, destPartition: d.destPartition, address: d.address, port: d.port, mask: hostMask(d.address), ipProtocol: 'tcp', source: d.address.includes(':') ? '::/0' : '0.0.0.0/0', snat: 'none', enabled: true, generation: 0 };
  applyVirtualFields(config, v, body, false);
  v.generation = config.bump();
  config.virtuals.set(path, v);
  config.ensureVirtualAddress(v.destPartition, v.address);
  return v;
}

function createDataGroup(config: F5Config, body: Json): DataGroupRecord {
  checkProperties(body, DATA_GROUP_PROPS, '/ltm/data-group/internal');
  const partition = partitionOf(body);
  config.requireFolder(partition);
  const name = checkName('data group', body['name']);
  const path = fullPath(partition, name);
  if (config.dataGroups.has(path)) throw alreadyExists('data group', path, partition);
  const type = optEnum(body, 'type', ['string', 'integer', 'ip'] as const);
  if (type === undefined) throw badRequest(`01070621:3: Data group ${path} needs a type (string, integer or ip).`);
  const d: DataGroupRecord = { partition, name, type, records: parseRecords(body['records']), generation: config.bump() };
  setDescription(d, body, false);
  config.dataGroups.set(path, d);
  return d;
}

function parseRecords(v: unknown): Array<{ name: string; data?: string }> {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest('01070621:3: "records" must be a list of { name, data }.');
  return v.map((r) => {
    if (!isRecord(r) || typeof r['name'] !== 'string' || (r['data'] !== undefined && typeof r['data'] !== 'string')) throw badRequest('01070621:3: "records" must be a list of { name, data }.');
    return { name: r['name'], ...(typeof r['data'] === 'string' ? { data: r['data'] } : {}) };
  });
}

// --- routing ------------------------------------------------------------------------------------------------------------

const ok = (body: unknown): F5Reply => ({ status: 200, body });

function requireBody(body: unknown): Json {
  if (!isRecord(body)) throw badRequest('Found invalid JSON body in the request.');
  return body;
}

function methodNotAllowed(method: string, path: string): F5RestError {
  return restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
}

/** True for the URL paths {@link executeConfigRequest} serves. */
export function isConfigPath(path: string): boolean {
  return /^\/mgmt\/tm\/(sys\/folder|ltm\/(monitor\/[^/]+|pool|node|virtual|virtual-address|data-group\/internal))(\/|$)/.test(path);
}

/** True when a request changes the configuration (the methods that write). */
export const isWrite = (method: string): boolean => method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';

/**
 * Runs one configuration request against `config` (mutating it on success).
 *
 * @throws F5RestError with the device's status and body.
 */
export function executeConfigRequest(config: F5Config, req: F5ConfigRequest, ctx: F5RestContext): F5Reply {
  const segments = req.path.split('/').filter((s) => s !== '');
  const m = req.method;
  const rest = segments.slice(2); // after mgmt/tm
  const [area, type] = rest;
  if (area === 'sys' && type === 'folder') return folders(config, req, rest.slice(2), ctx);
  if (area === 'ltm' && type === 'monitor') {
    const monitorType = rest[2];
    if (monitorType === undefined || !(F5_MONITOR_TYPES as readonly string[]).includes(monitorType)) throw restFrameworkError(404, `Public URI path not registered: ${req.path}`);
    return monitors(config, req, monitorType as F5MonitorType, rest.slice(3), ctx);
  }
  if (area === 'ltm' && type === 'pool') return pools(config, req, rest.slice(2), ctx);
  if (area === 'ltm' && type === 'node') return nodes(config, req, rest.slice(2), ctx);
  if (area === 'ltm' && type === 'virtual') return virtuals(config, req, rest.slice(2), ctx);
  if (area === 'ltm' && type === 'virtual-address') {
    if (m !== 'GET') throw methodNotAllowed(m, req.path);
    const id = rest[2];
    if (id === undefined) return ok(collection(ctx, 'tm:ltm:virtual-address:virtual-addresscollectionstate', req.path, [...config.virtualAddresses.values()].map((a) => virtualAddressJson(ctx, a))));
    const { partition, name } = decodeId(id);
    const a = config.virtualAddresses.get(fullPath(partition, name));
    if (a === undefined) throw notFound('Virtual Address', fullPath(partition, name));
    return ok(virtualAddressJson(ctx, a));
  }
  if (area === 'ltm' && type === 'data-group' && rest[2] === 'internal') return dataGroups(config, req, rest.slice(3), ctx);
  throw restFrameworkError(404, `Public URI path not registered: ${req.path}`);
}

function folders(config: F5Config, req: F5ConfigRequest, ids: string[], ctx: F5RestContext): F5Reply {
  const m = req.method;
  if (ids.length === 0) {
    if (m === 'GET') {
      const items = [folderJson(ctx, { name: '/', generation: 1 }), ...[...config.folders.values()].map((f) => folderJson(ctx, f))];
      return ok(collection(ctx, 'tm:sys:folder:foldercollectionstate', req.path, items));
    }
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    const body = requireBody(req.body);
    checkProperties(body, [...FOLDER_PROPS, 'subPath'], '/sys/folder');
    const subPath = body['subPath'] ?? body['partition'] ?? '/';
    if (subPath !== '/') throw badRequest(`01070821:3: The simulator keeps top-level folders (partitions) only; subPath ${JSON.stringify(subPath)} is not supported.`);
    const name = checkName('folder', body['name']);
    return ok(folderJson(ctx, config.createFolder(name, optString(body, 'description'))));
  }
  const name = decodeURIComponent(ids[0]!).replace(/^~/, '').replace(/^\//, '');
  if (ids.length > 1 || name.includes('~') || name.includes('/')) throw notFound('folder', `/${name}`);
  const f = config.folders.get(name);
  if (f === undefined) throw notFound('folder', `/${name}`);
  if (m === 'GET') return ok(folderJson(ctx, f));
  if (m === 'DELETE') {
    config.deleteFolder(name);
    return { status: 200, body: undefined };
  }
  if (m === 'PATCH' || m === 'PUT') {
    const body = requireBody(req.body);
    checkProperties(body, [...FOLDER_PROPS, 'subPath'], '/sys/folder');
    setDescription(f, body, m === 'PUT');
    f.generation = config.bump();
    return ok(folderJson(ctx, f));
  }
  throw methodNotAllowed(m, req.path);
}

function monitors(config: F5Config, req: F5ConfigRequest, type: F5MonitorType, ids: string[], ctx: F5RestContext): F5Reply {
  const m = req.method;
  const here = [...config.monitors.values()].filter((x) => x.type === type);
  if (ids.length === 0) {
    if (m === 'GET') return ok(collection(ctx, `tm:ltm:monitor:${type}:${type}collectionstate`, req.path, here.map((x) => monitorJson(ctx, x))));
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    return ok(monitorJson(ctx, createMonitor(config, type, requireBody(req.body))));
  }
  const { partition, name } = decodeId(ids[0]!);
  const path = fullPath(partition, name);
  const mon = config.monitorAt(path);
  if (mon === undefined || mon.type !== type || ids.length > 1) throw notFound('Monitor', path);
  if (m === 'GET') return ok(monitorJson(ctx, mon));
  if (m === 'DELETE') {
    if (mon.partition === 'Common' && mon.defaultsFrom === '') throw badRequest(`01070712:3: Cannot delete the system monitor ${path}.`);
    if (config.poolsUsingMonitor(path).length > 0) throw badRequest(`01070083:3: Monitor ${path} is in use.`);
    config.monitors.delete(path);
    config.bump();
    return { status: 200, body: undefined };
  }
  if (m === 'PATCH' || m === 'PUT') {
    const body = requireBody(req.body);
    checkProperties(body, MONITOR_PROPS, `/ltm/monitor/${type}`);
    applyMonitorFields(config, mon, body, m === 'PUT');
    mon.generation = config.bump();
    return ok(monitorJson(ctx, mon));
  }
  throw methodNotAllowed(m, req.path);
}

function pools(config: F5Config, req: F5ConfigRequest, ids: string[], ctx: F5RestContext): F5Reply {
  const m = req.method;
  const expand = req.query.get('expandSubcollections') === 'true';
  if (ids.length === 0) {
    if (m === 'GET') return ok(collection(ctx, 'tm:ltm:pool:poolcollectionstate', req.path, [...config.pools.values()].map((p) => poolJson(ctx, p, expand))));
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    return ok(poolJson(ctx, createPool(config, requireBody(req.body)), true));
  }
  const { partition, name } = decodeId(ids[0]!);
  const path = fullPath(partition, name);
  const pool = config.pool(path);
  if (ids.length === 1) {
    if (m === 'GET') return ok(poolJson(ctx, pool, expand));
    if (m === 'DELETE') {
      config.deletePool(path);
      return { status: 200, body: undefined };
    }
    if (m === 'PATCH' || m === 'PUT') {
      const body = requireBody(req.body);
      checkProperties(body, POOL_PROPS, '/ltm/pool');
      if (body['members'] !== undefined) throw badRequest('01070621:3: The simulator changes members through the members sub-collection only.');
      applyPoolFields(config, pool, body, m === 'PUT');
      pool.generation = config.bump();
      return ok(poolJson(ctx, pool, true));
    }
    throw methodNotAllowed(m, req.path);
  }
  if (ids[1] !== 'members' || ids.length > 3) throw restFrameworkError(404, `Public URI path not registered: ${req.path}`);
  if (ids.length === 2) {
    if (m === 'GET') return ok(collection(ctx, 'tm:ltm:pool:members:memberscollectionstate', req.path, [...pool.members.values()].map((x) => memberJson(ctx, pool, x))));
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    const member = createMember(config, pool, requireBody(req.body));
    pool.generation = config.generation;
    return ok(memberJson(ctx, pool, member));
  }
  const id = decodeId(ids[2]!);
  const member = config.member(pool, id.partition, id.name);
  if (m === 'GET') return ok(memberJson(ctx, pool, member));
  if (m === 'DELETE') {
    pool.members.delete(member.name);
    pool.generation = config.bump();
    return { status: 200, body: undefined };
  }
  if (m === 'PATCH' || m === 'PUT') {
    const body = requireBody(req.body);
    checkProperties(body, MEMBER_PROPS, '/ltm/pool/members');
    const ratio = optInt(body, 'ratio', 1, 65535);
    if (ratio !== undefined) member.ratio = ratio;
    else if (m === 'PUT') member.ratio = 1;
    const limit = optInt(body, 'connectionLimit', 0, 2147483647);
    if (limit !== undefined) member.connectionLimit = limit;
    const address = optString(body, 'address');
    if (address !== undefined && parseAddress(address) !== member.address) throw badRequest(`01070587:3: The address of pool member ${member.name} cannot be changed.`);
    applyMemberState(member, body);
    setDescription(member, body, m === 'PUT');
    member.generation = config.bump();
    return ok(memberJson(ctx, pool, member));
  }
  throw methodNotAllowed(m, req.path);
}

function nodes(config: F5Config, req: F5ConfigRequest, ids: string[], ctx: F5RestContext): F5Reply {
  const m = req.method;
  if (ids.length === 0) {
    if (m === 'GET') return ok(collection(ctx, 'tm:ltm:node:nodecollectionstate', req.path, [...config.nodes.values()].map((n) => nodeJson(ctx, n))));
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    const body = requireBody(req.body);
    checkProperties(body, NODE_PROPS, '/ltm/node');
    const n = config.createNode(partitionOf(body), checkName('node', body['name']), optString(body, 'address'), optString(body, 'description'));
    applyMemberState(n, body);
    return ok(nodeJson(ctx, n));
  }
  const { partition, name } = decodeId(ids[0]!);
  const path = fullPath(partition, name);
  const n = config.nodes.get(path);
  if (n === undefined || ids.length > 1) throw notFound('Node', path);
  if (m === 'GET') return ok(nodeJson(ctx, n));
  if (m === 'DELETE') {
    config.deleteNode(path);
    return { status: 200, body: undefined };
  }
  if (m === 'PATCH' || m === 'PUT') {
    const body = requireBody(req.body);
    checkProperties(body, NODE_PROPS, '/ltm/node');
    const address = optString(body, 'address');
    if (address !== undefined && parseAddress(address) !== n.address) throw badRequest(`01070587:3: The address of node ${path} cannot be changed.`);
    applyMemberState(n, body);
    const ratio = optInt(body, 'ratio', 1, 65535);
    if (ratio !== undefined) n.ratio = ratio;
    setDescription(n, body, m === 'PUT');
    n.generation = config.bump();
    return ok(nodeJson(ctx, n));
  }
  throw methodNotAllowed(m, req.path);
}

function virtuals(config: F5Config, req: F5ConfigRequest, ids: string[], ctx: F5RestContext): F5Reply {
  const m = req.method;
  if (ids.length === 0) {
    if (m === 'GET') return ok(collection(ctx, 'tm:ltm:virtual:virtualcollectionstate', req.path, [...config.virtuals.values()].map((v) => virtualJson(ctx, v))));
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    return ok(virtualJson(ctx, createVirtual(config, requireBody(req.body))));
  }
  const { partition, name } = decodeId(ids[0]!);
  const path = fullPath(partition, name);
  const v = config.virtuals.get(path);
  if (v === undefined || ids.length > 1) throw notFound('Virtual Server', path);
  if (m === 'GET') return ok(virtualJson(ctx, v));
  if (m === 'DELETE') {
    config.deleteVirtual(path);
    return { status: 200, body: undefined };
  }
  if (m === 'PATCH' || m === 'PUT') {
    const body = requireBody(req.body);
    checkProperties(body, VIRTUAL_PROPS, '/ltm/virtual');
    applyVirtualFields(config, v, body, m === 'PUT');
    config.ensureVirtualAddress(v.destPartition, v.address);
    config.collectVirtualAddresses();
    v.generation = config.bump();
    return ok(virtualJson(ctx, v));
  }
  throw methodNotAllowed(m, req.path);
}

function dataGroups(config: F5Config, req: F5ConfigRequest, ids: string[], ctx: F5RestContext): F5Reply {
  const m = req.method;
  if (ids.length === 0) {
    if (m === 'GET') return ok(collection(ctx, 'tm:ltm:data-group:internal:internalcollectionstate', req.path, [...config.dataGroups.values()].map((d) => dataGroupJson(ctx, d))));
    if (m !== 'POST') throw methodNotAllowed(m, req.path);
    return ok(dataGroupJson(ctx, createDataGroup(config, requireBody(req.body))));
  }
  const { partition, name } = decodeId(ids[0]!);
  const path = fullPath(partition, name);
  const d = config.dataGroups.get(path);
  if (d === undefined || ids.length > 1) throw notFound('data group', path);
  if (m === 'GET') return ok(dataGroupJson(ctx, d));
  if (m === 'DELETE') {
    config.dataGroups.delete(path);
    config.bump();
    return { status: 200, body: undefined };
  }
  if (m === 'PATCH' || m === 'PUT') {
    const body = requireBody(req.body);
    checkProperties(body, DATA_GROUP_PROPS, '/ltm/data-group/internal');
    if (body['records'] !== undefined || m === 'PUT') d.records = parseRecords(body['records']);
    setDescription(d, body, m === 'PUT');
    d.generation = config.bump();
    return ok(dataGroupJson(ctx, d));
  }
  throw methodNotAllowed(m, req.path);
}
