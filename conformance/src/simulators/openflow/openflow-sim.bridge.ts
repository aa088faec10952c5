/**
 * One simulated bridge and its controller endpoints, as ovs-vswitchd 3.1 runs them from the bridge's `Controller`
 * rows: an active target (`tcp:<ip>[:<port>]`, `unix:<path>`) is dialled and re-dialled with back-off (1 s doubling
 * up to the row's `max_backoff`, default 8 s); a passive one (`ptcp:[<port>][:<ip>]`, `punix:<path>`) listens and
 * serves every controller that connects. `ssl:`/`pssl:` are not simulated (logged, nothing happens).
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import { SimConnection, type SimConnectionHost } from './openflow-sim.connection';
import { SimFlowTable } from './openflow-sim.table';
import { fixedText } from './openflow-sim.wire';

/** A port of a bridge, for PORT_DESC. */
export interface SimPort {
  /** OpenFlow port number (`0xfffffffe` for the bridge's own port). */
  readonly portNo: number;
  readonly name: string;
  /** `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string;
}

/** A parsed controller target. */
export type SimTarget =
  | { readonly kind: 'active'; readonly host: string; readonly port: number }
  | { readonly kind: 'passive'; readonly host: string | undefined; readonly port: number }
  | { readonly kind: 'active-unix'; readonly path: string }
  | { readonly kind: 'passive-unix'; readonly path: string };

/** The default OpenFlow port (IANA), used when a target names none. */
export const OPENFLOW_PORT = 6653;

/** Parses a Controller `target`; undefined for what the simulator does not run (ssl, pssl, garbage). */
export function parseTarget(target: string): SimTarget | undefined {
  const ip = (s: string): string => (s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);
  let m = /^tcp:(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(target);
  if (m !== null) return { kind: 'active', host: ip(m[1]!), port: m[2] !== undefined ? Number(m[2]) : OPENFLOW_PORT };
  m = /^ptcp:(\d*)(?::(\[[^\]]+\]|.+))?$/.exec(target);
  if (m !== null) return { kind: 'passive', host: m[2] !== undefined ? ip(m[2]) : undefined, port: m[1] !== undefined && m[1] !== '' ? Number(m[1]) : OPENFLOW_PORT };
  if (target.startsWith('unix:')) return { kind: 'active-unix', path: target.slice(5) };
  if (target.startsWith('punix:')) return { kind: 'passive-unix', path: target.slice(6) };
  return undefined;
}

/** True for targets that make a "primary" controller in Open vSwitch's sense (active connections). */
export function isPrimaryTarget(target: string): boolean {
  return /^(tcp|ssl|unix):/.test(target);
}

/** Settings of one Controller row. */
export interface SimControllerRow {
  readonly target: string;
  /** `inactivity_probe` in ms (0: none). */
  readonly probeMs: number;
  /** `max_backoff` in ms. */
  readonly maxBackoffMs: number;
}

/** One controller endpoint of a bridge. */
export class SimEndpoint {
  private server: net.Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dialing: net.Socket | undefined;
  private stopped = false;
  private backoff: number;
  readonly connections = new Set<SimConnection>();
  /** Where a passive endpoint listens, once it does. */
  address: { readonly host: string; readonly port: number } | { readonly path: string } | undefined;
  /** The last listen or dial problem. */
  lastError: string | undefined;

  constructor(
    readonly row: SimControllerRow,
    private readonly target: SimTarget,
    private readonly bridge: SimBridge,
    private readonly host: SimConnectionHost & { connected(kind: 'accepted' | 'dialled'): void },
    private readonly initialBackoffMs: number,
  ) {
    this.backoff = initialBackoffMs;
    if (target.kind === 'passive' || target.kind === 'passive-unix') this.listen();
    else this.dial();
  }

  private serve(socket: net.Socket): void {
    const conn = new SimConnection(socket, this.bridge, this.host, this.row.probeMs, (c) => {
      this.connections.delete(c);
      if (!this.stopped && (this.target.kind === 'active' || this.target.kind === 'active-unix') && this.connections.size === 0) this.retry();
    });
    this.connections.add(conn);
  }

  private listen(): void {
    const server = net.createServer((s) => {
      if (this.stopped) {
        s.destroy();
        return;
      }
      this.host.connected('accepted');
      this.serve(s);
    });
    server.on('error', (e) => {
      this.lastError = e.message;
      this.host.logger.debug({ bridge: this.bridge.name, target: this.row.target, err: e.message }, 'openflow simulator: cannot listen, retrying');
      server.close();
      if (this.server === server) this.server = undefined;
      if (!this.stopped) {
        this.timer = setTimeout(() => this.listen(), 500);
        this.timer.unref();
      }
    });
    this.server = server;
    const t = this.target;
    const onListening = (): void => {
      if (this.stopped) {
        server.close();
        return;
      }
      this.lastError = undefined;
      const a = server.address();
      this.address = typeof a === 'string' ? { path: a } : a !== null ? { host: a.address, port: a.port } : undefined;
    };
    if (t.kind === 'passive-unix') server.listen(t.path, onListening);
    else if (t.kind === 'passive') server.listen(t.port, t.host ?? '0.0.0.0', onListening);
  }

  private dial(): void {
    if (this.stopped) return;
    const t = this.target;
    const s = t.kind === 'active' ? net.connect(t.port, t.host) : t.kind === 'active-unix' ? net.connect(t.path) : undefined;
    if (s === undefined) return;
    this.dialing = s;
    s.once('connect', () => {
      this.dialing = undefined;
      this.backoff = this.initialBackoffMs;
      this.lastError = undefined;
      this.host.connected('dialled');
      this.serve(s);
    });
    s.once('error', (e) => {
      this.lastError = e.message;
      if (this.dialing === s) {
        this.dialing = undefined;
        s.destroy();
        this.retry();
      }
    });
  }

  private retry(): void {
    if (this.stopped || this.timer !== undefined) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, Math.max(this.initialBackoffMs, this.row.maxBackoffMs));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dial();
    }, wait);
    this.timer.unref();
  }

  /** Drops every connection (a passive endpoint keeps listening; an active one re-dials). */
  dropConnections(): void {
    for (const c of [...this.connections]) c.destroy();
  }

  /** Stops listening/dialling and closes every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dialing?.destroy();
    for (const c of [...this.connections]) c.destroy();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()));
  }
}

/** A simulated bridge: identity, flow tables, ports and controller endpoints. */
export class SimBridge {
  readonly table = new SimFlowTable();
  readonly endpoints = new Map<string, SimEndpoint>();
  datapathId: string;
  failMode: 'secure' | 'standalone';
  allowedVersions: ReadonlySet<number>;
  ports: readonly SimPort[] = [];

  constructor(
    readonly name: string,
    readonly uuid: string,
    init: { readonly datapathId: string; readonly failMode: 'secure' | 'standalone'; readonly allowedVersions: ReadonlySet<number> },
  ) {
    this.datapathId = init.datapathId;
    this.failMode = init.failMode;
    this.allowedVersions = init.allowedVersions;
  }

  /** True when a Controller row makes a primary controller (an active target). */
  get hasPrimary(): boolean {
    return [...this.endpoints.keys()].some(isPrimaryTarget);
  }

  /** Every open connection. */
  get connections(): SimConnection[] {
    return [...this.endpoints.values()].flatMap((e) => [...e.connections]);
  }

  /**
   * What ovs-vswitchd does when it flushes a bridge's flows (new bridge, fail mode or primary controller changed):
   * clear the tables and, for a standalone bridge without a primary controller, add `priority=0 actions=NORMAL`.
   */
  flush(): void {
    this.table.clear();
    if (this.failMode === 'standalone' && !this.hasPrimary) this.table.addNormalFlow();
  }

  /** PORT_DESC entries (`struct ofp_port`), as a netdev internal port reports on ovs-vswitchd 3.1. */
  portDescs(): Buffer[] {
    return [...this.ports]
      .sort((a, b) => a.portNo - b.portNo)
      .map((p) => {
        const b = Buffer.alloc(64);
        b.writeUInt32BE(p.portNo >>> 0, 0);
        Buffer.from(p.mac.replace(/:/g, ''), 'hex').copy(b, 8);
        fixedText(p.name, 16).copy(b, 16);
        b.writeUInt32BE(1, 32); // config: port down (no device behind it)
        b.writeUInt32BE(1, 36); // state: link down
        b.writeUInt32BE(0x840, 40); // curr: 10GB_FD | COPPER
        b.writeUInt32BE(10_000_000, 56); // curr_speed (kbps)
        return b;
      });
  }

  /** Stops every endpoint. */
  async stop(): Promise<void> {
    await Promise.all([...this.endpoints.values()].map((e) => e.stop()));
    this.endpoints.clear();
  }
}
