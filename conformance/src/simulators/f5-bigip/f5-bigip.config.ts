/**
 * The configuration a simulated BIG-IP holds (what mcpd would), with the TMOS rules the REST layer relies on:
 * partitions are top-level folders; pools hold members named `address:port` (IPv6 `address.port`) and create the
 * member's node when it is missing; virtual servers create (and, when they were auto-created, delete) their virtual
 * address; references are checked (a pool in use by a virtual server, a monitor in use by a pool, a node used by a
 * member, a folder that still holds objects cannot be deleted); a destination (address, port, protocol) belongs to
 * one virtual server; a node address exists once per device (route domain 0).
 *
 * Every mutator validates first and changes nothing when it throws, so a caller that works on a {@link F5Config.clone}
 * gets all-or-nothing behaviour by keeping or dropping the clone.
 *
 * @packageDocumentation
 */
import { canonicalIpv6, isIpv4, isIpv6 } from '@netloom/ports';
import { alreadyExists, badRequest, notFound } from './f5-bigip.errors';

/** The monitor types the simulator knows (collections under `/mgmt/tm/ltm/monitor/`). */
export const F5_MONITOR_TYPES = ['tcp', 'http', 'https', 'gateway-icmp'] as const;
/** A monitor type. */
export type F5MonitorType = (typeof F5_MONITOR_TYPES)[number];

/** The load-balancing modes TMOS accepts (the simulator balances every one round robin). */
export const F5_LB_MODES = ['round-robin', 'least-connections-member', 'least-connections-node', 'ratio-member', 'ratio-node', 'fastest-node', 'observed-member', 'predictive-member'] as const;

/** A top-level folder (a partition). */
export interface FolderRecord {
  readonly name: string;
  description?: string;
  generation: number;
}

/** A health monitor. */
export interface MonitorRecord {
  readonly type: F5MonitorType;
  readonly partition: string;
  readonly name: string;
  description?: string;
  defaultsFrom: string;
  interval: number;
  timeout: number;
  send?: string;
  recv?: string;
  generation: number;
}

/** A pool member. */
export interface MemberRecord {
  /** `address:port` (IPv6: `address.port`), or `<node name>:<port>`. */
  readonly name: string;
  readonly partition: string;
  /** The node's full path. */
  readonly node: string;
  readonly address: string;
  readonly port: number;
  description?: string;
  /** `user-disabled`: no new connections (F5 "disabled"). */
  disabled: boolean;
  /** `user-down`: forced offline. */
  forcedOffline: boolean;
  ratio: number;
  connectionLimit: number;
  priorityGroup: number;
  generation: number;
}

/** A pool. */
export interface PoolRecord {
  readonly partition: string;
  readonly name: string;
  description?: string;
  loadBalancingMode: string;
  /** Monitor full paths (`a and b`), empty for none. */
  monitors: string[];
  /** Members by name. */
  members: Map<string, MemberRecord>;
  minActiveMembers: number;
  slowRampTime: number;
  generation: number;
}

/** A node (a real server's address). */
export interface NodeRecord {
  readonly partition: string;
  readonly name: string;
  readonly address: string;
  description?: string;
  disabled: boolean;
  forcedOffline: boolean;
  ratio: number;
  connectionLimit: number;
  generation: number;
}

/** A virtual server. */
export interface VirtualRecord {
  readonly partition: string;
  readonly name: string;
  description?: string;
  /** The destination's folder (`shop` in `/shop/192.0.2.10:443`). */
  destPartition: string;
  address: string;
  port: number;
  mask: string;
  ipProtocol: string;
  /** The pool's full path, or undefined. */
  pool?: string;
  source: string;
  snat: string;
  enabled: boolean;
  generation: number;
}

/** A virtual address (created with the first virtual server on it). */
export interface VirtualAddressRecord {
  readonly partition: string;
  readonly address: string;
  autoDelete: boolean;
  generation: number;
}

/** An internal data group (string records). */
export interface DataGroupRecord {
  readonly partition: string;
  readonly name: string;
  description?: string;
  type: string;
  records: Array<{ name: string; data?: string }>;
  generation: number;
}

/** `/partition/name`. */
export const fullPath = (partition: string, name: string): string => `/${partition}/${name}`;

/** `/a/b` → `{ partition: 'a', name: 'b' }`; a bare `b` is in `Common`. */
export function splitPath(path: string): { partition: string; name: string } {
  if (!path.startsWith('/')) return { partition: 'Common', name: path };
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  if (slash < 0) return { partition: 'Common', name: rest };
  return { partition: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/** TMOS object names: no spaces, quotes, control characters or shell metacharacters. */
const OBJECT_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.:-]{0,254}$/;

/** Throws the TMOS error for a name the device would refuse. */
export function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw badRequest('One or more configuration identifiers must be provided.');
  if (!OBJECT_NAME.test(name)) throw badRequest(`01070022:3: The requested ${what} name (${name}) is invalid.`);
  return name;
}

/** The address text TMOS keeps: IPv4 as given, IPv6 compressed; route domain suffixes (`%0`) dropped. */
export function parseAddress(text: string): string | undefined {
  const bare = text.replace(/%\d+$/, '');
  if (isIpv4(bare)) return bare;
  if (isIpv6(bare)) return canonicalIpv6(bare);
  return undefined;
}

/** `10.0.0.1:80` / `fd00::1.80` (the member and destination spelling). */
export function joinAddressPort(address: string, port: number): string {
  return isIpv6(address) ? `${address}.${port}` : `${address}:${port}`;
}

/** Splits `10.0.0.1:80`, `fd00::1.80`, `node1:80` into host and port (undefined when malformed). */
export function splitAddressPort(text: string): { host: string; port: number } | undefined {
  const v4 = /^(.+):(\d{1,5})$/.exec(text);
  const v6 = /^(.+)\.(\d{1,5})$/.exec(text);
  for (const m of [v4, v6]) {
    if (m === null) continue;
    const host = m[1]!;
    const port = Number(m[2]);
    if (port > 65535) return undefined;
    if (m === v6 && !isIpv6(host.replace(/%\d+$/, ''))) continue;
    if (m === v4 && host.includes(':') && !isIpv4(host)) continue;
    return { host, port };
  }
  return undefined;
}

/** The all-ones mask of an address family. */
export const hostMask = (address: string): string => (isIpv6(address) ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255');

/** The whole configuration of one simulated device. */
export class F5Config {
  /** Bumped by every change; each changed object takes the new value as its `generation`. */
  generation = 1;
  readonly folders = new Map<string, FolderRecord>();
  readonly monitors = new Map<string, MonitorRecord>();
  readonly pools = new Map<string, PoolRecord>();
  readonly nodes = new Map<string, NodeRecord>();
  readonly virtuals = new Map<string, VirtualRecord>();
  readonly virtualAddresses = new Map<string, VirtualAddressRecord>();
  readonly dataGroups = new Map<string, DataGroupRecord>();

  /** A device as shipped: the `Common` partition and its default monitors. */
  static factoryDefault(): F5Config {
    const c = new F5Config();
    c.folders.set('Common', { name: 'Common', description: 'Repository for system objects and shared objects.', generation: 1 });
    for (const type of F5_MONITOR_TYPES) {
      const name = type === 'gateway-icmp' ? 'gateway_icmp' : type;
      const http = type === 'http' || type === 'https';
      c.monitors.set(fullPath('Common', name), {
        type,
        partition: 'Common',
        name,
        defaultsFrom: '',
        interval: 5,
        timeout: 16,
        ...(http ? { send: 'GET /\\r\\n' } : {}),
        generation: 1,
      });
    }
    return c;
  }

  /** A deep copy: work on it, then keep it (commit) or drop it (roll back). */
  clone(): F5Config {
    const c = new F5Config();
    c.generation = this.generation;
    for (const [k, v] of this.folders) c.folders.set(k, { ...v });
    for (const [k, v] of this.monitors) c.monitors.set(k, { ...v });
    for (const [k, v] of this.pools) c.pools.set(k, { ...v, monitors: [...v.monitors], members: new Map([...v.members].map(([mk, m]) => [mk, { ...m }])) });
    for (const [k, v] of this.nodes) c.nodes.set(k, { ...v });
    for (const [k, v] of this.virtuals) c.virtuals.set(k, { ...v });
    for (const [k, v] of this.virtualAddresses) c.virtualAddresses.set(k, { ...v });
    for (const [k, v] of this.dataGroups) c.dataGroups.set(k, { ...v, records: v.records.map((r) => ({ ...r })) });
    return c;
  }

  /** The next generation number (call once per change). */
  bump(): number {
    return ++this.generation;
  }

  // --- folders ------------------------------------------------------------------------------------------------------

  /** Throws unless the partition exists. */
  requireFolder(partition: string): void {
    if (!this.folders.has(partition)) throw badRequest(`01020036:3: The requested folder (/${partition}) was not found.`);
  }

  /** Creates a partition (a folder under `/`). @throws F5RestError 409 when it exists, 400 for a bad name */
  createFolder(name: string, description: string | undefined): FolderRecord {
    checkName('folder', name);
    if (this.folders.has(name)) throw alreadyExists('folder', `/${name}`, name);
    const f: FolderRecord = { name, ...(description === undefined ? {} : { description }), generation: this.bump() };
    this.folders.set(name, f);
    return f;
  }

  /** Every object a folder holds, as `<type> <full path>` (what blocks deleting it). */
  folderContents(name: string): string[] {
    const out: string[] = [];
    const inFolder = (p: string): boolean => p === name;
    for (const m of this.monitors.values()) if (inFolder(m.partition)) out.push(`monitor ${fullPath(m.partition, m.name)}`);
    for (const p of this.pools.values()) if (inFolder(p.partition)) out.push(`pool ${fullPath(p.partition, p.name)}`);
    for (const n of this.nodes.values()) if (inFolder(n.partition)) out.push(`node ${fullPath(n.partition, n.name)}`);
    for (const v of this.virtuals.values()) if (inFolder(v.partition)) out.push(`virtual ${fullPath(v.partition, v.name)}`);
    for (const a of this.virtualAddresses.values()) if (inFolder(a.partition)) out.push(`virtual-address ${fullPath(a.partition, a.address)}`);
    for (const d of this.dataGroups.values()) if (inFolder(d.partition)) out.push(`data-group ${fullPath(d.partition, d.name)}`);
    return out;
  }

  /** Deletes an empty partition. @throws F5RestError 404, 400 (`010713f9`: not empty; `/Common`) */
  deleteFolder(name: string): void {
    if (!this.folders.has(name)) throw notFound('folder', `/${name}`);
    if (name === 'Common') throw badRequest('01070829:3: The folder /Common is a system folder and cannot be deleted.');
    const contents = this.folderContents(name);
    if (contents.length > 0) throw badRequest(`010713f9:3: The folder /${name} cannot be deleted because it contains configuration item (${contents[0]})`);
    this.folders.delete(name);
    this.bump();
  }

  // --- monitors -----------------------------------------------------------------------------------------------------

  /** Finds a monitor of any type by full path. */
  monitorAt(path: string): MonitorRecord | undefined {
    return this.monitors.get(path);
  }

  /** Pools that use a monitor. */
  poolsUsingMonitor(path: string): PoolRecord[] {
    return [...this.pools.values()].filter((p) => p.monitors.includes(path));
  }

  // --- pools and members --------------------------------------------------------------------------------------------

  /** Parses a pool's `monitor` string (`/p/m`, `/p/a and /p/b`, `none`, empty) and checks every monitor exists. */
  parseMonitorList(text: string, partition: string): string[] {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed === 'none') return [];
    const out: string[] = [];
    for (const part of trimmed.split(/\s+and\s+/)) {
      const path = part.startsWith('/') ? part : fullPath(partition === '' ? 'Common' : partition, part);
      if (this.monitorAt(path) === undefined) throw badRequest(`01070621:3: The requested monitor (${path}) was not found.`);
      out.push(path);
    }
    return out;
  }

  /** The pool at `path` or a 404. */
  pool(path: string): PoolRecord {
    const p = this.pools.get(path);
    if (p === undefined) throw notFound('Pool', path);
    return p;
  }

  /** Virtual servers that use a pool. */
  virtualsUsingPool(path: string): VirtualRecord[] {
    return [...this.virtuals.values()].filter((v) => v.pool === path);
  }

  /** Deletes a pool with its members. @throws F5RestError 404, 400 (`01070265`: a virtual server uses it) */
  deletePool(path: string): void {
    this.pool(path);
    const users = this.virtualsUsingPool(path);
    if (users.length > 0) throw badRequest(`01070265:3: The Pool (${path}) is referenced by the Virtual Server (${fullPath(users[0]!.partition, users[0]!.name)}) and cannot be deleted.`);
    this.pools.delete(path);
    this.bump();
  }

  /**
   * Resolves the node of a new member: an existing node of the partition with that name, or a node TMOS creates
   * for the address. Throws when the name is malformed or the address belongs to a node elsewhere.
   */
  nodeForMember(partition: string, memberName: string, address: string | undefined): { node: string; address: string; port: number; create?: NodeRecord } {
    const split = splitAddressPort(memberName);
    if (split === undefined) throw badRequest(`01070587:3: The requested pool member name (${memberName}) is invalid: use <address>:<port> (IPv6: <address>.<port>).`);
    const nodePath = fullPath(partition, split.host);
    const existing = this.nodes.get(nodePath);
    if (existing !== undefined) {
      if (address !== undefined && parseAddress(address) !== existing.address) throw badRequest(`01070588:3: The requested node (${nodePath}) has address ${existing.address}, not ${address}.`);
      return { node: nodePath, address: existing.address, port: split.port };
    }
    const addr = parseAddress(address ?? split.host);
    if (addr === undefined) throw notFound('Node', nodePath);
    const elsewhere = [...this.nodes.values()].find((n) => n.address === addr);
    if (elsewhere !== undefined) throw alreadyExists('Node', fullPath(elsewhere.partition, elsewhere.name), elsewhere.partition);
    return {
      node: nodePath,
      address: addr,
      port: split.port,
      create: { partition, name: split.host, address: addr, disabled: false, forcedOffline: false, ratio: 1, connectionLimit: 0, generation: 0 },
    };
  }

  /** Members (of every pool) that use a node. */
  membersOfNode(nodePath: string): Array<{ pool: PoolRecord; member: MemberRecord }> {
    const out: Array<{ pool: PoolRecord; member: MemberRecord }> = [];
    for (const pool of this.pools.values()) for (const member of pool.members.values()) if (member.node === nodePath) out.push({ pool, member });
    return out;
  }

  /** The member `name` of `pool` (any spelling of its partition prefix), or a 404 in the TMOS member wording. */
  member(pool: PoolRecord, partition: string, name: string): MemberRecord {
    const m = pool.members.get(name);
    if (m === undefined || m.partition !== partition) {
      const split = splitAddressPort(name);
      const what = split === undefined ? name : `${fullPath(partition, split.host)} ${split.port}`;
      throw notFound('Pool Member', `${fullPath(pool.partition, pool.name)} ${what}`);
    }
    return m;
  }

  // --- nodes ----------------------------------------------------------------------------------------------------------

  /** Creates a node. @throws F5RestError 409 (the name, or the address anywhere on the device, exists), 400 */
  createNode(partition: string, name: string, addressText: string | undefined, description: string | undefined): NodeRecord {
    this.requireFolder(partition);
    checkName('node', name);
    const path = fullPath(partition, name);
    if (this.nodes.has(path)) throw alreadyExists('Node', path, partition);
    const address = parseAddress(addressText ?? name);
    if (address === undefined) throw badRequest(`01070587:3: The requested node address (${addressText ?? name}) is invalid.`);
    const elsewhere = [...this.nodes.values()].find((n) => n.address === address);
    if (elsewhere !== undefined) throw alreadyExists('Node', fullPath(elsewhere.partition, elsewhere.name), elsewhere.partition);
    const n: NodeRecord = { partition, name, address, ...(description === undefined ? {} : { description }), disabled: false, forcedOffline: false, ratio: 1, connectionLimit: 0, generation: this.bump() };
    this.nodes.set(path, n);
    return n;
  }

  /** Deletes a node no member uses. @throws F5RestError 404, 400 (`01070110`: a member uses it) */
  deleteNode(path: string): void {
    if (!this.nodes.has(path)) throw notFound('Node', path);
    const users = this.membersOfNode(path);
    if (users.length > 0) {
      const u = users[0]!;
      throw badRequest(`01070110:3: Node address '${path}' is referenced by a member of pool '${fullPath(u.pool.partition, u.pool.name)}'.`);
    }
    this.nodes.delete(path);
    this.bump();
  }

  // --- virtual servers ------------------------------------------------------------------------------------------------

  /** Throws when another virtual server listens on the same address, port and protocol. */
  checkDestinationFree(v: Pick<VirtualRecord, 'address' | 'port' | 'ipProtocol' | 'partition' | 'name'>): void {
    const self = fullPath(v.partition, v.name);
    for (const other of this.virtuals.values()) {
      const path = fullPath(other.partition, other.name);
      if (path === self) continue;
      const protoClash = other.ipProtocol === v.ipProtocol || other.ipProtocol === 'any' || v.ipProtocol === 'any';
      if (other.address === v.address && other.port === v.port && protoClash) {
        throw badRequest(`01070333:3: Virtual Server ${self} illegally shares destination address, source address, service port, ip-protocol, and route domain with Virtual Server ${path}.`);
      }
    }
  }

  /** Creates the virtual address of a destination when missing (auto-delete on). */
  ensureVirtualAddress(partition: string, address: string): void {
    const path = fullPath(partition, address);
    if (!this.virtualAddresses.has(path)) this.virtualAddresses.set(path, { partition, address, autoDelete: true, generation: this.generation });
  }

  /** Removes auto-created virtual addresses no virtual server uses any more. */
  collectVirtualAddresses(): void {
    for (const [path, va] of this.virtualAddresses) {
      if (!va.autoDelete) continue;
      const used = [...this.virtuals.values()].some((v) => v.destPartition === va.partition && v.address === va.address);
      if (!used) this.virtualAddresses.delete(path);
    }
  }

  /** Deletes a virtual server (and its auto-created virtual address when no other uses it). @throws F5RestError 404 */
  deleteVirtual(path: string): void {
    if (!this.virtuals.has(path)) throw notFound('Virtual Server', path);
    this.virtuals.delete(path);
    this.collectVirtualAddresses();
    this.bump();
  }
}
