/**
 * The OVSDB side of an attachment: the host end of the veth as a Port + Interface of the bridge, added in one
 * transaction (it commits whole or not at all), read back for CHECK and idempotent ADD, removed by DEL.
 *
 * Rows carry netloom's marks (`netloom-owner=netloom`, `netloom-kind=cni-port` / `cni-iface`, `netloom-key`) and the
 * attachment (pod, container, MAC, addresses, VLAN or tunnel key); see `cni.names.ts` and ADR 0007. Only rows with
 * these marks are ever changed or removed.
 *
 * On a VLAN (network overlay) the Port is an access port with `tag` = VLAN. On a tunnel key (host overlay) the Port
 * has no tag and `external_ids:netloom-tunnel-key` says which VNI the controller's flows map it to.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { OvsdbClient, namedUuid, op, asUuid } from '@netloom/ovsdb';
import { DeviceTimeoutError, decodeProblems, isNetloomError, silentLogger, struct, type Logger } from '@netloom/ports';
import type { PodRef } from './cni.env';
import { CniExt, CniRowKind, KEY_KEY, KIND_KEY, OWNER, OWNER_KEY } from './cni.names';
import { CniError, CniErrorCode } from './cni.spec';

/** The OVSDB database of Open vSwitch. */
const DB = 'Open_vSwitch';

/** What the CNI puts on the bridge for one attachment. */
export interface CniPortSpec {
  readonly bridge: string;
  /** The host end of the veth: the Port's and the Interface's name. */
  readonly name: string;
  readonly pod: PodRef;
  readonly containerId: string;
  /** The interface name inside the container. */
  readonly ifname: string;
  readonly mac: string;
  /** Plain addresses (no prefix), IPv4 first. */
  readonly ips: readonly string[];
  readonly vlan?: number;
  readonly tunnelKey?: number;
  readonly subnet: string;
}

/** The Port row's external_ids for an attachment. */
export function portExternalIds(s: CniPortSpec): Record<string, string> {
  return {
    [OWNER_KEY]: OWNER,
    [KIND_KEY]: CniRowKind.port,
    [KEY_KEY]: s.name,
    [CniExt.podNamespace]: s.pod.namespace,
    [CniExt.podName]: s.pod.name,
    [CniExt.containerId]: s.containerId,
    [CniExt.ifname]: s.ifname,
    [CniExt.mac]: s.mac,
    [CniExt.ips]: s.ips.join(','),
    [CniExt.subnet]: s.subnet,
    ...(s.vlan !== undefined ? { [CniExt.vlan]: String(s.vlan) } : {}),
    ...(s.tunnelKey !== undefined ? { [CniExt.tunnelKey]: String(s.tunnelKey) } : {}),
  };
}

/** The Interface row's external_ids: netloom's marks plus what OVN and the OVS CNI plugins write. */
export function ifaceExternalIds(s: CniPortSpec): Record<string, string> {
  return {
    [OWNER_KEY]: OWNER,
    [KIND_KEY]: CniRowKind.iface,
    [KEY_KEY]: s.name,
    [CniExt.containerId]: s.containerId,
    [CniExt.attachedMac]: s.mac,
    [CniExt.ifaceId]: `${s.pod.namespace}/${s.pod.name}`,
    [CniExt.ifaceStatus]: 'active',
  };
}

// --- rows ---------------------------------------------------------------------------------------------------------

const StrMap = new t.Type<ReadonlyMap<string, string>, ReadonlyMap<string, string>, unknown>(
  'map<string,string>',
  (u): u is ReadonlyMap<string, string> => u instanceof Map && [...u.entries()].every(([k, v]) => typeof k === 'string' && typeof v === 'string'),
  (u, c) => (u instanceof Map && [...u.entries()].every(([k, v]) => typeof k === 'string' && typeof v === 'string') ? t.success(u as ReadonlyMap<string, string>) : t.failure(u, c, 'expected a map of strings')),
  t.identity,
);
const opt = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
const strip = { unknownFields: 'strip' } as const;

const PortRowCodec = struct('Port row', { _uuid: t.string, name: t.string, interfaces: t.readonlyArray(t.string), tag: opt(t.number), external_ids: StrMap }, {}, strip);
const IfaceRowCodec = struct('Interface row', { _uuid: t.string, name: t.string, type: t.string, ofport: opt(t.number), error: opt(t.string), external_ids: StrMap }, {}, strip);
const BridgeRowCodec = struct('Bridge row', { _uuid: t.string, name: t.string, ports: t.readonlyArray(t.string) }, {}, strip);

/** A Port row as read. */
export type PortRow = t.TypeOf<typeof PortRowCodec>;
/** An Interface row as read. */
export type IfaceRow = t.TypeOf<typeof IfaceRowCodec>;

/** A port as it is on the switch. */
export interface ObservedPort {
  readonly port: PortRow;
  /** The bridge holding it (undefined: none, which OVS garbage-collects at the next commit). */
  readonly bridge?: string;
  /** Its interfaces. */
  readonly interfaces: readonly IfaceRow[];
}

/** True when the row carries netloom's mark with this kind. */
export function isCniRow(ext: ReadonlyMap<string, string>, kind: string): boolean {
  return ext.get(OWNER_KEY) === OWNER && ext.get(KIND_KEY) === kind;
}

/**
 * How the port on the switch differs from the attachment (empty: it matches). Compares the bridge, the ownership
 * marks, `tag`, every external_id netloom-cni writes, the single Interface with its marks and that ovs-vswitchd
 * reported no error for it.
 */
export function portDrift(spec: CniPortSpec, observed: ObservedPort | undefined): string[] {
  if (observed === undefined) return [`OVS port ${spec.name} is missing from ${spec.bridge}`];
  const out: string[] = [];
  const { port } = observed;
  if (!isCniRow(port.external_ids, CniRowKind.port)) return [`OVS port ${spec.name} exists but is not netloom-cni's (no ${OWNER_KEY}=${OWNER}, ${KIND_KEY}=${CniRowKind.port})`];
  if (observed.bridge !== spec.bridge) out.push(`OVS port ${spec.name} is on ${observed.bridge ?? 'no bridge'}, expected ${spec.bridge}`);
  const wantTag = spec.vlan ?? null;
  if (port.tag !== wantTag) out.push(`OVS port ${spec.name} has tag ${String(port.tag ?? 'none')}, expected ${String(wantTag ?? 'none')}`);
  for (const [k, v] of Object.entries(portExternalIds(spec))) {
    const have = port.external_ids.get(k);
    if (have !== v) out.push(`OVS port ${spec.name} external_ids:${k} is ${have === undefined ? 'missing' : JSON.stringify(have)}, expected ${JSON.stringify(v)}`);
  }
  for (const k of [CniExt.vlan, CniExt.tunnelKey]) {
    if (!(k in portExternalIds(spec)) && port.external_ids.has(k)) out.push(`OVS port ${spec.name} has external_ids:${k}, expected none`);
  }
  const iface = observed.interfaces.find((i) => i.name === spec.name);
  if (observed.interfaces.length !== 1 || iface === undefined) {
    out.push(`OVS port ${spec.name} has interfaces ${JSON.stringify(observed.interfaces.map((i) => i.name))}, expected [${JSON.stringify(spec.name)}]`);
    return out;
  }
  if (iface.type !== '' && iface.type !== 'system') out.push(`OVS interface ${spec.name} has type ${iface.type}, expected a system interface`);
  for (const [k, v] of Object.entries(ifaceExternalIds(spec))) {
    const have = iface.external_ids.get(k);
    if (have !== v) out.push(`OVS interface ${spec.name} external_ids:${k} is ${have === undefined ? 'missing' : JSON.stringify(have)}, expected ${JSON.stringify(v)}`);
  }
  if (iface.error !== null && iface.error !== '') out.push(`OVS interface ${spec.name} has the error ${JSON.stringify(iface.error)}`);
  return out;
}

// --- client -------------------------------------------------------------------------------------------------------

function ovsdbError(remote: string, what: string, e: unknown): CniError {
  if (e instanceof CniError) return e;
  const msg = isNetloomError(e) || e instanceof Error ? e.message : String(e);
  return new CniError(CniErrorCode.ovsdb, `OVSDB ${remote}: ${what} failed: ${msg}`, undefined, { cause: e });
}

/**
 * One short OVSDB session for one CNI command (no reconnects: a CNI command either finishes or fails).
 *
 * @example
 * const ovs = await CniOvsdb.connect('unix:/var/run/openvswitch/db.sock', 10_000);
 * try { await ovs.addPort(spec); } finally { await ovs.close(); }
 */
export class CniOvsdb {
  private constructor(
    private readonly client: OvsdbClient,
    readonly remote: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Connects.
   * @throws CniError code 101 naming the remote (refused, no such socket, timeout).
   */
  static async connect(remote: string, timeoutMs: number, logger: Logger = silentLogger): Promise<CniOvsdb> {
    try {
      const client = await OvsdbClient.connect({ remote, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, probeIntervalMs: 0, reconnect: false, logger });
      return new CniOvsdb(client, remote, logger);
    } catch (e) {
      throw ovsdbError(remote, 'connecting', e);
    }
  }

  /** Closes the session. Never throws. */
  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  /**
   * Reads a port, its interfaces and its bridge in one transaction. Undefined when there is no port of that name.
   * @throws CniError code 101
   */
  async readPort(name: string): Promise<ObservedPort | undefined> {
    try {
      const [ports, bridges] = await this.client.transact(DB, [op.select('Port', [['name', '==', name]], ['_uuid', 'name', 'interfaces', 'tag', 'external_ids']), op.select('Bridge', [], ['_uuid', 'name', 'ports'])] as const);
      const raw = ports.rows[0];
      if (raw === undefined) return undefined;
      const port = this.decode(PortRowCodec, raw, 'Port');
      const bridge = bridges.rows.map((b) => this.decode(BridgeRowCodec, b, 'Bridge')).find((b) => b.ports.includes(port._uuid));
      const interfaces: IfaceRow[] = [];
      if (port.interfaces.length > 0) {
        const results = await this.client.transact(
          DB,
          port.interfaces.map((u) => op.select('Interface', [['_uuid', '==', asUuid(u)]], ['_uuid', 'name', 'type', 'ofport', 'error', 'external_ids'])),
        );
        for (const r of results) for (const row of r.rows) interfaces.push(this.decode(IfaceRowCodec, row, 'Interface'));
      }
      return { port, ...(bridge !== undefined ? { bridge: bridge.name } : {}), interfaces };
    } catch (e) {
      throw ovsdbError(this.remote, `reading port ${name}`, e);
    }
  }

  /**
   * Adds the Port and its Interface to the bridge in one transaction, which fails whole (nothing added) when the
   * bridge does not exist or the name is taken. Bumps `next_cfg` so {@link waitApplied} can wait for ovs-vswitchd.
   *
   * @returns the `next_cfg` value to wait for.
   * @throws CniError code 101 (bridge missing, name taken, session failure).
   */
  async addPort(s: CniPortSpec): Promise<number> {
    const ops = [
      // Checked inside the transaction, so a bridge deleted meanwhile cannot leave half a port behind.
      op.wait('Bridge', [['name', '==', s.bridge]], ['name'], '==', [{ name: s.bridge }], 0),
      op.insert('Interface', { name: s.name, external_ids: ifaceExternalIds(s) }, 'iface'),
      op.insert('Port', { name: s.name, interfaces: [namedUuid('iface')], ...(s.vlan !== undefined ? { tag: s.vlan, vlan_mode: 'access' } : {}), external_ids: portExternalIds(s) }, 'port'),
      op.mutate('Bridge', [['name', '==', s.bridge]], [['ports', 'insert', [namedUuid('port')]]]),
      op.mutate('Open_vSwitch', [], [['next_cfg', '+=', 1]]),
      op.select<{ next_cfg: number }>('Open_vSwitch', [], ['next_cfg']),
    ] as const;
    try {
      const r = await this.client.transact(DB, ops);
      this.logger.info({ bridge: s.bridge, port: s.name, tag: s.vlan, tunnelKey: s.tunnelKey }, 'added OVS port');
      return Number(r[5].rows[0]?.next_cfg ?? 0);
    } catch (e) {
      if (e instanceof DeviceTimeoutError && e.details['opIndex'] === 0) throw new CniError(CniErrorCode.ovsdb, `OVSDB ${this.remote}: bridge ${s.bridge} does not exist`, 'create it (the netloom controller does on nodes it manages) or set "bridge" in the network configuration', { cause: e });
      throw ovsdbError(this.remote, `adding port ${s.name} to ${s.bridge}`, e);
    }
  }

  /**
   * Removes netloom-cni's port of that name from whichever bridge holds it (OVS then deletes the Port and its
   * Interface, which nothing else references). A port without netloom-cni's mark is left alone.
   *
   * @returns `removed`, `absent` (nothing to do) or `foreign` (a port of that name that is not netloom-cni's).
   * @throws CniError code 101
   */
  async removePort(name: string): Promise<'removed' | 'absent' | 'foreign'> {
    const observed = await this.readPort(name);
    if (observed === undefined) return 'absent';
    if (!isCniRow(observed.port.external_ids, CniRowKind.port)) {
      this.logger.warn({ port: name }, 'a port of this name exists but is not netloom-cni\'s; left alone');
      return 'foreign';
    }
    try {
      await this.client.transact(DB, [op.mutate('Bridge', [], [['ports', 'delete', [asUuid(observed.port._uuid)]]]), op.mutate('Open_vSwitch', [], [['next_cfg', '+=', 1]])] as const);
      this.logger.info({ port: name, bridge: observed.bridge }, 'removed OVS port');
      return 'removed';
    } catch (e) {
      throw ovsdbError(this.remote, `removing port ${name}`, e);
    }
  }

  /**
   * Waits until ovs-vswitchd has applied the configuration up to `nextCfg` (`cur_cfg >= nextCfg`), as `ovs-vsctl`
   * does, for at most `timeoutMs`. False when it did not (ovs-vswitchd down or slow): the rows are committed and will
   * be applied when it comes back, so that is a warning, not a failure.
   */
  async waitApplied(nextCfg: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [r] = await this.client.transact(DB, [op.select<{ cur_cfg: number }>('Open_vSwitch', [], ['cur_cfg'])] as const).catch(() => [{ rows: [] as { cur_cfg: number }[] }] as const);
      const cur = Number(r.rows[0]?.cur_cfg ?? -1);
      if (cur >= nextCfg) return true;
      if (Date.now() > deadline) {
        this.logger.warn({ nextCfg, curCfg: cur, timeoutMs }, 'ovs-vswitchd has not applied the port yet');
        return false;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  private decode<A, O>(codec: t.Type<A, O, unknown>, row: unknown, table: string): A {
    const r = decodeProblems(codec, row);
    if (r.value === undefined) throw new CniError(CniErrorCode.ovsdb, `OVSDB ${this.remote} returned an invalid ${table} row: ${r.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`).join('; ')}`);
    return r.value;
  }
}
