/**
 * The mapping between the load-balancer vocabulary and BIG-IP objects, in both directions: {@link parseDevice} turns
 * the REST collections into the owned {@link LoadBalancerConfig} (and a view of everything else), and
 * {@link renderChanges} turns keyed changes into the exact REST operations.
 *
 * | vocabulary | BIG-IP | ownership marker (`description`) |
 * |---|---|---|
 * | partition `shop` (vpc `shop`) | folder `/shop` (`/mgmt/tm/sys/folder`) | `netloom:shop vpc=shop` |
 * | monitor `shop/http` | `/mgmt/tm/ltm/monitor/<tcp,http,https,gateway-icmp>/~shop~http` | `netloom:shop/http` |
 * | pool `shop/web` | `/mgmt/tm/ltm/pool/~shop~web` | `netloom:shop/web` |
 * | member `shop/web/10.1.0.5:8080` | `.../pool/~shop~web/members/~shop~10.1.0.5:8080` (IPv6 `addr.port`) and node `/shop/10.1.0.5` | `netloom:shop/web/10.1.0.5:8080`, node `netloom:node` |
 * | virtual server `shop/web-443` | `/mgmt/tm/ltm/virtual/~shop~web-443`, destination `/shop/192.0.2.10:443` | `netloom:shop/web-443` |
 *
 * An object is netloom's when its description is exactly its marker and its parents are netloom's (a pool in an owned
 * partition, a member of an owned pool). Names are the vocabulary's names, unchanged, so keys read back exactly.
 *
 * Fields: monitor `intervalSec`/`timeoutSec` ↔ `interval`/`timeout`; `httpPath` ↔ `send`
 * (`GET <path> HTTP/1.0\r\n\r\n`; absent: the device default `GET /\r\n`); `expectStatus` ↔ `recv`
 * (`^HTTP/1\.[01] <status>`; absent: `none`). Pool `loadBalancing` `round-robin` ↔ `round-robin`,
 * `least-connections` ↔ `least-connections-member`; `monitor` ↔ `/<partition>/<monitor>`. Member `state`: `enabled`
 * ↔ `session: user-enabled, state: user-up`; `draining` ↔ `user-disabled, user-up` (F5 "disabled": no new
 * connections); `disabled` ↔ `user-disabled, user-down` (F5 "forced offline"); `weight` ↔ `ratio` (absent: 1).
 * Virtual server: `destination` `/<partition>/<vip>:<port>`, host `mask`, `ipProtocol`, `pool`
 * `/<partition>/<pool>`, SNAT automap.
 *
 * An owned object whose device settings the vocabulary cannot express (a foreign monitor on an owned pool, another
 * load-balancing mode, a hand-written send string, SNAT off) is reported **tainted**: plan treats it as changed and
 * rewrites it.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import {
  DeviceProtocolError,
  HttpPathCodec,
  IpAddressCodec,
  LoadBalancerConfigCodec,
  decodeProblems,
  ipFamily,
  isSafeName,
  memberKey,
  type Change,
  type LoadBalancerConfig,
  type Member,
  type Monitor,
  type Partition,
  type Pool,
  type VirtualServer,
} from '@netloom/ports';
import {
  DataGroupCodec,
  FolderCollectionCodec,
  MonitorCollectionCodec,
  NodeCollectionCodec,
  PoolCollectionCodec,
  READ_URIS,
  VirtualCollectionCodec,
  type DeviceReads,
  type F5DataGroup,
  type F5MonitorTypeName,
  type F5Operation,
  type Schemas,
} from './f5-bigip.wire';

/** Every ownership marker starts with this. */
export const OWNER_PREFIX = 'netloom:';
/** The description of nodes netloom created for its members. */
export const NODE_MARKER = 'netloom:node';
/** netloom's writer lock: an internal data group in `/Common`. */
export const LOCK = { partition: 'Common', name: 'netloom-lock' } as const;
/** The device default `send` string of http(s) monitors (`GET /\r\n`, escapes as the device writes them). */
export const DEFAULT_SEND = 'GET /\\r\\n';

/** The `description` that marks an object as netloom's. */
export function ownerMarker(kind: 'partition' | 'monitor' | 'pool' | 'member' | 'virtualServer', object: { readonly key: string; readonly vpc?: string }): string {
  return kind === 'partition' && object.vpc !== undefined ? `${OWNER_PREFIX}${object.key} vpc=${object.vpc}` : `${OWNER_PREFIX}${object.key}`;
}

/** `send` for a health-check path. @example renderSend('/healthz') === 'GET /healthz HTTP/1.0\\r\\n\\r\\n' */
export const renderSend = (httpPath: string): string => `GET ${httpPath} HTTP/1.0\\r\\n\\r\\n`;
/** `recv` for an expected status. @example renderRecv(200) === '^HTTP/1\\.[01] 200' */
export const renderRecv = (status: number): string => `^HTTP/1\\.[01] ${status}`;

const SEND = /^GET (\/\S*) HTTP\/1\.0\\r\\n\\r\\n$/;
const RECV = /^\^HTTP\/1\\\.\[01\] ([1-5][0-9][0-9])$/;

/** The vocabulary's monitor type ↔ the URL's monitor type. */
export const MONITOR_TYPE_PATH: Readonly<Record<Monitor['type'], F5MonitorTypeName>> = { tcp: 'tcp', http: 'http', https: 'https', icmp: 'gateway-icmp' };
const MONITOR_TYPE_OF: Readonly<Record<F5MonitorTypeName, Monitor['type']>> = { tcp: 'tcp', http: 'http', https: 'https', 'gateway-icmp': 'icmp' };
const MONITOR_PARENT: Readonly<Record<Monitor['type'], string>> = { tcp: '/Common/tcp', http: '/Common/http', https: '/Common/https', icmp: '/Common/gateway_icmp' };
const LB_MODE: Readonly<Record<Pool['loadBalancing'], Schemas['LoadBalancingMode']>> = { 'round-robin': 'round-robin', 'least-connections': 'least-connections-member' };

// --- paths --------------------------------------------------------------------------------------------------------------

/** `10.0.0.1:80`, `fd00::1.80`: how BIG-IP names members and writes destinations. */
export const addressPort = (address: string, port: number): string => (ipFamily(address) === 6 ? `${address}.${port}` : `${address}:${port}`);
/** URL paths of the objects the adapter writes. */
export const paths = {
  folders: '/mgmt/tm/sys/folder',
  folder: (name: string): string => `/mgmt/tm/sys/folder/~${name}`,
  monitors: (type: F5MonitorTypeName): string => `/mgmt/tm/ltm/monitor/${type}`,
  monitor: (type: F5MonitorTypeName, partition: string, name: string): string => `/mgmt/tm/ltm/monitor/${type}/~${partition}~${name}`,
  pools: '/mgmt/tm/ltm/pool',
  pool: (partition: string, name: string): string => `/mgmt/tm/ltm/pool/~${partition}~${name}`,
  members: (partition: string, pool: string): string => `/mgmt/tm/ltm/pool/~${partition}~${pool}/members`,
  member: (partition: string, pool: string, name: string): string => `/mgmt/tm/ltm/pool/~${partition}~${pool}/members/~${partition}~${name}`,
  nodes: '/mgmt/tm/ltm/node',
  node: (partition: string, name: string): string => `/mgmt/tm/ltm/node/~${partition}~${name}`,
  virtuals: '/mgmt/tm/ltm/virtual',
  virtual: (partition: string, name: string): string => `/mgmt/tm/ltm/virtual/~${partition}~${name}`,
  dataGroups: '/mgmt/tm/ltm/data-group/internal',
  lock: `/mgmt/tm/ltm/data-group/internal/~${LOCK.partition}~${LOCK.name}`,
} as const;

/** The text of a rendered operation: `POST /mgmt/tm/ltm/pool {"name":"web",...}` (the body exactly as sent). */
export const operationText = (op: F5Operation): string => `${op.method} ${op.path}${op.body === undefined ? '' : ` ${JSON.stringify(op.body)}`}`;

// --- parsing ------------------------------------------------------------------------------------------------------------

/** What the device holds, as netloom sees it. */
export interface DeviceView {
  /** The objects netloom owns, in the vocabulary (decoded, canonical). */
  readonly owned: LoadBalancerConfig;
  /** Everything else of the vocabulary's kinds, as the device shows it, by kind and key (for the conformance harness). */
  readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `<kind> <key>` of owned objects with device settings the vocabulary cannot express (plan rewrites them). */
  readonly tainted: ReadonlySet<string>;
  /** Every node by full path, and whether netloom created it. */
  readonly nodes: ReadonlyMap<string, { readonly owned: boolean }>;
  /** How many pool members (of every pool) use each node, by the node's full path. */
  readonly memberRefs: ReadonlyMap<string, number>;
  /** Objects carrying netloom's marker that could not be read as netloom's (logged by the caller). */
  readonly warnings: readonly string[];
}

function decodeReply<A>(device: string, codec: t.Type<A, unknown, unknown>, value: unknown, what: string): A {
  const r = decodeProblems(codec, value);
  if (r.value !== undefined) return r.value;
  const shown = r.problems.slice(0, 5).map((p) => `${p.path || '(root)'}: ${p.reason}`);
  throw new DeviceProtocolError(`${device}: the reply to GET ${what} is not what iControl REST answers (${codec.name}): ${shown.join('; ')}`, { details: { device, problems: r.problems.slice(0, 20) } });
}

/** Decoded items of a collection, each with its raw form. */
function itemsOf<A>(device: string, reads: DeviceReads, codec: t.Type<{ items?: A[] }, unknown, unknown>, uri: string): Array<{ value: A; raw: Record<string, unknown> }> {
  if (!(uri in reads)) throw new DeviceProtocolError(`${device}: GET ${uri} was not read`, { details: { device } });
  const decoded = decodeReply(device, codec, reads[uri], uri);
  const raw = ((reads[uri] as { items?: unknown[] }).items ?? []) as Array<Record<string, unknown>>;
  return (decoded.items ?? []).map((value, i) => ({ value, raw: raw[i] ?? {} }));
}

/** `10.1.0.5:8080` / `fd00::1.8080` → host and port. */
export function splitAddressPort(text: string): { host: string; port: number } | undefined {
  const m = /^(.+)[:.](\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  const host = m[1]!.replace(/%\d+$/, '');
  const sep = text[m[1]!.length];
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  const family = ipFamily(host);
  if ((family === 4 && sep !== ':') || (family === 6 && sep !== '.')) return undefined;
  return { host, port };
}

function canonicalAddress(text: string): string | undefined {
  const r = IpAddressCodec.decode(text.replace(/%\d+$/, ''));
  return r._tag === 'Right' ? r.right : undefined;
}

const clampInt = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(n)));

/**
 * Reads the collections of {@link READ_URIS} (raw replies by URI) into a {@link DeviceView}.
 *
 * @throws DeviceProtocolError when a reply does not validate, or the owned objects do not form a valid config.
 */
export function parseDevice(device: string, reads: DeviceReads): DeviceView {
  const tainted = new Set<string>();
  const warnings: string[] = [];
  const foreign: Record<string, Record<string, unknown>> = { partition: {}, monitor: {}, pool: {}, member: {}, virtualServer: {} };
  const owned = { partition: {} as Record<string, Partition>, monitor: {} as Record<string, Monitor>, pool: {} as Record<string, Pool>, member: {} as Record<string, Member>, virtualServer: {} as Record<string, VirtualServer> };

  for (const { value: f, raw } of itemsOf(device, reads, FolderCollectionCodec, READ_URIS.folders)) {
    if (f.name === '/' || f.fullPath !== `/${f.name}`) continue;
    const m = /^netloom:(\S+)(?: vpc=(\S+))?$/.exec(f.description ?? '');
    if (m !== null && m[1] === f.name && isSafeName(f.name) && (m[2] === undefined || isSafeName(m[2]))) {
      owned.partition[f.name] = { key: f.name, name: f.name, ...(m[2] === undefined ? {} : { vpc: m[2] }) } as Partition;
    } else foreign['partition']![f.name] = raw;
  }
  const ownsPartition = (p: string): boolean => owned.partition[p] !== undefined;

  for (const { type, uri } of READ_URIS.monitors) {
    for (const { value: mon, raw } of itemsOf(device, reads, MonitorCollectionCodec, uri)) {
      const key = `${mon.partition}/${mon.name}`;
      if (!ownsPartition(mon.partition) || !isSafeName(mon.name) || mon.description !== ownerMarker('monitor', { key })) {
        foreign['monitor']![key] = raw;
        continue;
      }
      const vocabType = MONITOR_TYPE_OF[type];
      const http = vocabType === 'http' || vocabType === 'https';
      const interval = clampInt(mon.interval, 1, 3600);
      const timeout = clampInt(mon.timeout, 1, 3600);
      if (interval !== mon.interval || timeout !== mon.timeout) tainted.add(`monitor ${key}`);
      const out: Record<string, unknown> = { key, partition: mon.partition, name: mon.name, type: vocabType, intervalSec: interval, timeoutSec: timeout };
      const send = mon.send === undefined || mon.send === '' || mon.send === 'none' ? undefined : mon.send;
      const recv = mon.recv === undefined || mon.recv === '' || mon.recv === 'none' ? undefined : mon.recv;
      if (http) {
        const sm = send === undefined ? null : SEND.exec(send);
        if (sm !== null && HttpPathCodec.is(sm[1])) out['httpPath'] = sm[1];
        else if (send !== undefined && send !== DEFAULT_SEND) tainted.add(`monitor ${key}`);
        const rm = recv === undefined ? null : RECV.exec(recv);
        if (rm !== null) out['expectStatus'] = Number(rm[1]);
        else if (recv !== undefined) tainted.add(`monitor ${key}`);
      } else if (send !== undefined || recv !== undefined) tainted.add(`monitor ${key}`);
      owned.monitor[key] = out as unknown as Monitor;
    }
  }

  const nodes = new Map<string, { owned: boolean }>();
  for (const { value: n } of itemsOf(device, reads, NodeCollectionCodec, READ_URIS.nodes)) nodes.set(`/${n.partition}/${n.name}`, { owned: n.description === NODE_MARKER });

  const memberRefs = new Map<string, number>();
  for (const { value: p, raw } of itemsOf(device, reads, PoolCollectionCodec, READ_URIS.pools)) {
    const key = `${p.partition}/${p.name}`;
    const ownedPool = ownsPartition(p.partition) && isSafeName(p.name) && p.description === ownerMarker('pool', { key });
    if (ownedPool) {
      const mode = p.loadBalancingMode === 'least-connections-member' ? 'least-connections' : 'round-robin';
      if (p.loadBalancingMode !== undefined && p.loadBalancingMode !== LB_MODE[mode]) tainted.add(`pool ${key}`);
      const monitorText = (p.monitor ?? '').trim();
      let monitor: string | undefined;
      if (monitorText !== '' && monitorText !== 'none') {
        const prefix = `/${p.partition}/`;
        const name = monitorText.startsWith(prefix) ? monitorText.slice(prefix.length) : undefined;
        if (name !== undefined && owned.monitor[`${p.partition}/${name}`] !== undefined) monitor = name;
        else tainted.add(`pool ${key}`);
      }
      owned.pool[key] = { key, partition: p.partition, name: p.name, loadBalancing: mode, ...(monitor === undefined ? {} : { monitor }) } as Pool;
    } else {
      const { membersReference: ref, ...rest } = raw as { membersReference?: Record<string, unknown> };
      foreign['pool']![key] = ref === undefined ? rest : { ...rest, membersReference: { ...ref, items: undefined } };
    }
    const rawMembers = ((raw['membersReference'] as { items?: unknown[] } | undefined)?.items ?? []) as Array<Record<string, unknown>>;
    (p.membersReference?.items ?? []).forEach((m, i) => {
      const split = splitAddressPort(m.name);
      const memberPartition = m.partition ?? p.partition;
      if (split !== undefined) {
        const nodePath = `/${memberPartition}/${split.host}`;
        memberRefs.set(nodePath, (memberRefs.get(nodePath) ?? 0) + 1);
      }
      const address = canonicalAddress(m.address);
      const mk = split !== undefined && address !== undefined ? memberKey({ partition: p.partition, pool: p.name, address, port: split.port }) : `${key}/${m.name}`;
      if (!ownedPool || split === undefined || address === undefined || memberPartition !== p.partition || m.description !== ownerMarker('member', { key: mk })) {
        if (ownedPool && m.description === ownerMarker('member', { key: mk })) warnings.push(`member ${mk} carries netloom's marker but is not in its pool's partition`);
        foreign['member']![mk] = rawMembers[i] ?? {};
        return;
      }
      const state: Member['state'] = m.state === 'user-down' ? 'disabled' : m.session === 'user-disabled' ? 'draining' : 'enabled';
      const ratio = m.ratio ?? 1;
      const weight = clampInt(ratio, 1, 100);
      if (weight !== ratio) tainted.add(`member ${mk}`);
      owned.member[mk] = { key: mk, partition: p.partition, pool: p.name, address, port: split.port, state, ...(weight === 1 ? {} : { weight }) } as Member;
    });
  }

  for (const { value: v, raw } of itemsOf(device, reads, VirtualCollectionCodec, READ_URIS.virtuals)) {
    const key = `${v.partition}/${v.name}`;
    if (!ownsPartition(v.partition) || !isSafeName(v.name) || v.description !== ownerMarker('virtualServer', { key })) {
      foreign['virtualServer']![key] = raw;
      continue;
    }
    const destPrefix = `/${v.partition}/`;
    const dest = v.destination.startsWith('/') ? v.destination : `${destPrefix}${v.destination}`;
    const split = dest.startsWith(destPrefix) ? splitAddressPort(dest.slice(destPrefix.length)) : undefined;
    const vip = split === undefined ? undefined : canonicalAddress(split.host);
    const poolName = v.pool?.startsWith(destPrefix) === true ? v.pool.slice(destPrefix.length) : undefined;
    if (split === undefined || vip === undefined || poolName === undefined || owned.pool[`${v.partition}/${poolName}`] === undefined) {
      warnings.push(`virtual server ${key} carries netloom's marker but its destination (${v.destination}) or pool (${v.pool ?? 'none'}) is not one netloom manages`);
      foreign['virtualServer']![key] = raw;
      continue;
    }
    const protocol = v.ipProtocol === 'udp' ? 'udp' : 'tcp';
    const hostMask = ipFamily(vip) === 6 ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255';
    if ((v.ipProtocol !== undefined && v.ipProtocol !== protocol) || v.sourceAddressTranslation?.type !== 'automap' || (v.mask !== undefined && v.mask !== hostMask)) tainted.add(`virtualServer ${key}`);
    owned.virtualServer[key] = { key, partition: v.partition, name: v.name, vip, port: split.port, protocol, pool: poolName } as VirtualServer;
  }

  const decoded = decodeProblems(LoadBalancerConfigCodec, owned);
  if (decoded.value === undefined) {
    const shown = decoded.problems.slice(0, 5).map((p) => `${p.path || '(root)'}: ${p.reason}`);
    throw new DeviceProtocolError(`${device}: the objects netloom owns do not form a valid load-balancer config (changed by hand?): ${shown.join('; ')}`, { details: { device, problems: decoded.problems.slice(0, 20) } });
  }
  const nonEmpty = Object.fromEntries(Object.entries(foreign).filter(([, objects]) => Object.keys(objects).length > 0));
  return { owned: decoded.value, foreign: nonEmpty, tainted, nodes, memberRefs, warnings };
}

// --- the writer lock ----------------------------------------------------------------------------------------------------

/** Who holds netloom's writer lock, and until when. */
export interface LockInfo {
  readonly holder: string;
  /** Epoch milliseconds; NaN when unreadable (treated as expired). */
  readonly expires: number;
}

/** Reads the lock's records. */
export function parseLock(dg: F5DataGroup): LockInfo {
  const record = (name: string): string | undefined => dg.records?.find((r) => r.name === name)?.data;
  return { holder: record('holder') ?? 'unknown', expires: Date.parse(record('expires') ?? '') };
}

/** The operation that takes the lock (it fails with 409 when someone holds it). */
export function lockCreate(holder: string, expires: Date): F5Operation {
  return {
    method: 'POST',
    path: paths.dataGroups,
    body: {
      name: LOCK.name,
      partition: LOCK.partition,
      description: 'netloom writer lock: an apply is waiting for confirm or rollback',
      type: 'string',
      records: [
        { name: 'expires', data: expires.toISOString() },
        { name: 'holder', data: holder },
      ],
    },
  };
}

/** The operation that frees the lock. */
export const lockDelete = (): F5Operation => ({ method: 'DELETE', path: paths.lock });

/** The lock reply codec (re-exported for the driver). */
export const LockCodec = DataGroupCodec;

// --- rendering ----------------------------------------------------------------------------------------------------------

/** What rendering needs to know besides the changes. */
export interface RenderContext {
  /** The owned config before the changes. */
  readonly before: LoadBalancerConfig;
  /** The owned config after the changes. */
  readonly after: LoadBalancerConfig;
  /** The device's nodes and how many members use each ({@link DeviceView}). */
  readonly nodes: ReadonlyMap<string, { readonly owned: boolean }>;
  readonly memberRefs: ReadonlyMap<string, number>;
  /**
   * The description each created or updated object gets (default: netloom's marker). The conformance harness uses
   * another text to put objects on the device that netloom does not own.
   */
  readonly describe?: (kind: 'partition' | 'monitor' | 'pool' | 'member' | 'virtualServer' | 'node', object: { readonly key: string; readonly vpc?: string }) => string;
}

const defaultDescribe: NonNullable<RenderContext['describe']> = (kind, object) => (kind === 'node' ? NODE_MARKER : ownerMarker(kind, object));

function monitorFields(m: Monitor): { interval: number; timeout: number; send?: string; recv?: string } {
  const http = m.type === 'http' || m.type === 'https';
  if (!http) return { interval: m.intervalSec, timeout: m.timeoutSec };
  return { interval: m.intervalSec, timeout: m.timeoutSec, send: m.httpPath === undefined ? DEFAULT_SEND : renderSend(m.httpPath), recv: m.expectStatus === undefined ? 'none' : renderRecv(m.expectStatus) };
}

function memberSession(state: Member['state']): { session: 'user-enabled' | 'user-disabled'; state: 'user-up' | 'user-down' } {
  if (state === 'enabled') return { session: 'user-enabled', state: 'user-up' };
  if (state === 'draining') return { session: 'user-disabled', state: 'user-up' };
  return { session: 'user-disabled', state: 'user-down' };
}

const hostMaskOf = (address: string): string => (ipFamily(address) === 6 ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255');

/**
 * The REST operations that carry out `changes` (in the order of `diffConfig`: creates and updates parents first,
 * deletes children first). Members get their node created first when the partition has none for the address (marked
 * `netloom:node`); a node netloom created goes with its last member. A monitor whose type changes is deleted and
 * created again, with the pools that use it detached and re-attached around it. Pure.
 *
 * @example
 * renderChanges([{ op: 'create', kind: 'partition', key: 'shop', after: { key: 'shop', name: 'shop', vpc: 'shop' } }], ctx)
 * // [{ method: 'POST', path: '/mgmt/tm/sys/folder', body: { name: 'shop', subPath: '/', description: 'netloom:shop vpc=shop' } }]
 */
export function renderChanges(changes: readonly Change[], ctx: RenderContext): F5Operation[] {
  const describe = ctx.describe ?? defaultDescribe;
  const nodes = new Map(ctx.nodes);
  const refs = new Map(ctx.memberRefs);
  const ops: F5Operation[] = [];
  const poolUpdate = (p: Pool, monitor: string | undefined): F5Operation => ({
    method: 'PATCH',
    path: paths.pool(p.partition, p.name),
    body: { description: describe('pool', p), loadBalancingMode: LB_MODE[p.loadBalancing], monitor: monitor === undefined ? 'none' : `/${p.partition}/${monitor}` },
  });
  for (const c of changes) {
    const before = c.before as unknown;
    const after = c.after as unknown;
    switch (c.kind) {
      case 'partition': {
        const p = (after ?? before) as Partition;
        if (c.op === 'create') ops.push({ method: 'POST', path: paths.folders, body: { name: p.name, subPath: '/', description: describe('partition', p) } });
        else if (c.op === 'update') ops.push({ method: 'PATCH', path: paths.folder(p.name), body: { description: describe('partition', p) } });
        else ops.push({ method: 'DELETE', path: paths.folder(p.name) });
        break;
      }
      case 'monitor': {
        const m = (after ?? before) as Monitor;
        const create = (x: Monitor): F5Operation => ({
          method: 'POST',
          path: paths.monitors(MONITOR_TYPE_PATH[x.type]),
          body: { name: x.name, partition: x.partition, description: describe('monitor', x), defaultsFrom: MONITOR_PARENT[x.type], ...monitorFields(x) },
        });
        const remove = (x: Monitor): F5Operation => ({ method: 'DELETE', path: paths.monitor(MONITOR_TYPE_PATH[x.type], x.partition, x.name) });
        if (c.op === 'create') ops.push(create(m));
        else if (c.op === 'delete') ops.push(remove(m));
        else {
          const old = before as Monitor;
          if (old.type === m.type) ops.push({ method: 'PATCH', path: paths.monitor(MONITOR_TYPE_PATH[m.type], m.partition, m.name), body: { description: describe('monitor', m), ...monitorFields(m) } });
          else {
            // The device cannot change a monitor's type: detach its pools, replace it, re-attach them.
            const users = Object.values(ctx.before.pool).filter((p) => p.partition === old.partition && p.monitor === old.name);
            for (const p of users) ops.push(poolUpdate(p, undefined));
            ops.push(remove(old), create(m));
            for (const p of users) {
              const next = ctx.after.pool[p.key];
              if (next?.monitor === m.name) ops.push(poolUpdate(next, next.monitor));
            }
          }
        }
        break;
      }
      case 'pool': {
        const p = (after ?? before) as Pool;
        if (c.op === 'create') {
          ops.push({
            method: 'POST',
            path: paths.pools,
            body: { name: p.name, partition: p.partition, description: describe('pool', p), loadBalancingMode: LB_MODE[p.loadBalancing], ...(p.monitor === undefined ? {} : { monitor: `/${p.partition}/${p.monitor}` }) },
          });
        } else if (c.op === 'update') ops.push(poolUpdate(p, p.monitor));
        else ops.push({ method: 'DELETE', path: paths.pool(p.partition, p.name) });
        break;
      }
      case 'member': {
        const m = (after ?? before) as Member;
        const name = addressPort(m.address, m.port);
        const nodePath = `/${m.partition}/${m.address}`;
        if (c.op === 'create') {
          if (!nodes.has(nodePath)) {
            ops.push({ method: 'POST', path: paths.nodes, body: { name: m.address, partition: m.partition, address: m.address, description: describe('node', { key: nodePath }) } });
            nodes.set(nodePath, { owned: describe('node', { key: nodePath }) === NODE_MARKER });
          }
          refs.set(nodePath, (refs.get(nodePath) ?? 0) + 1);
          ops.push({
            method: 'POST',
            path: paths.members(m.partition, m.pool),
            body: { name, partition: m.partition, address: m.address, description: describe('member', m), ...memberSession(m.state), ratio: m.weight ?? 1 },
          });
        } else if (c.op === 'update') {
          ops.push({ method: 'PATCH', path: paths.member(m.partition, m.pool, name), body: { description: describe('member', m), ...memberSession(m.state), ratio: m.weight ?? 1 } });
        } else {
          ops.push({ method: 'DELETE', path: paths.member(m.partition, m.pool, name) });
          const left = (refs.get(nodePath) ?? 1) - 1;
          refs.set(nodePath, left);
          if (left <= 0 && nodes.get(nodePath)?.owned === true) {
            ops.push({ method: 'DELETE', path: paths.node(m.partition, m.address) });
            nodes.delete(nodePath);
          }
        }
        break;
      }
      case 'virtualServer': {
        const v = (after ?? before) as VirtualServer;
        const fields = {
          description: describe('virtualServer', v),
          destination: `/${v.partition}/${addressPort(v.vip, v.port)}`,
          mask: hostMaskOf(v.vip),
          ipProtocol: v.protocol,
          pool: `/${v.partition}/${v.pool}`,
          sourceAddressTranslation: { type: 'automap' as const },
        };
        if (c.op === 'create') ops.push({ method: 'POST', path: paths.virtuals, body: { name: v.name, partition: v.partition, ...fields } });
        else if (c.op === 'update') ops.push({ method: 'PATCH', path: paths.virtual(v.partition, v.name), body: fields });
        else ops.push({ method: 'DELETE', path: paths.virtual(v.partition, v.name) });
        break;
      }
      default:
        throw new DeviceProtocolError(`no rendering for ${c.kind} ${JSON.stringify(c.key)}: not a load-balancer kind`);
    }
  }
  return ops;
}

/** The config with member weight 1 spelled as absent (the device cannot tell them apart): for comparisons. */
export function normalizeObject(kind: string, object: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'member' && object['weight'] === 1) {
    const { weight: _weight, ...rest } = object;
    return rest;
  }
  return object;
}
