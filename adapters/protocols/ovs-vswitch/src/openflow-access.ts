/**
 * How a session reaches the OpenFlow side of its bridges.
 *
 * - `listen`: one {@link OpenFlowController} per `host:port` in an {@link OpenFlowListenerRegistry}, shared by every
 *   session that uses that registry (a fixed port cannot be bound twice) and closed with the last of them. Bridges
 *   dial it (`Controller.target tcp:host:port`); a bridge is found by its datapath id.
 * - `connect`: the bridge listens (`ptcp:port:host`) and the session dials it, retrying while ovs-vswitchd opens
 *   the listener. The datapath id is checked, so a wrong port never reaches another bridge.
 *
 * Each adapter keeps its own registry (as it did before this package existed), so two adapters in one process
 * cannot share one `listen` port: give each its own port, or use `connect`.
 *
 * @packageDocumentation
 */
import { OpenFlowController, type SwitchConnection } from '@netloom/openflow';
import { DeviceConnectionError, DeviceTimeoutError, isNetloomError, type Logger } from '@netloom/ports';
import type { OpenFlowMode } from './options';

interface SharedListener {
  readonly ready: Promise<OpenFlowController>;
  refs: number;
}

/** A leased shared listener: the controller and how to give it back. */
export interface ListenerLease {
  readonly controller: OpenFlowController;
  readonly release: () => Promise<void>;
}

/**
 * The `listen`-mode controllers of one adapter, one per `host:port`, reference-counted across its sessions.
 *
 * @example const registry = new OpenFlowListenerRegistry(); new OpenFlowAccess(mode, 5000, logger, registry);
 */
export class OpenFlowListenerRegistry {
  readonly #listeners = new Map<string, SharedListener>();

  /** Leases the controller listening on `host:port`, starting it for the first lease. */
  async acquire(host: string, port: number, logger: Logger): Promise<ListenerLease> {
    const listeners = this.#listeners;
    const id = `${host}:${port}`;
    let entry = listeners.get(id);
    if (entry === undefined) {
      const ready = OpenFlowController.listen({ host, port, logger });
      entry = { ready, refs: 0 };
      listeners.set(id, entry);
      // A listener that could not bind must not stay in the registry.
      ready.catch(() => {
        if (listeners.get(id) === entry) listeners.delete(id);
      });
    }
    entry.refs++;
    const mine = entry;
    let controller: OpenFlowController;
    try {
      controller = await mine.ready;
    } catch (e) {
      mine.refs--;
      throw e;
    }
    let released = false;
    return {
      controller,
      release: async () => {
        if (released) return;
        released = true;
        mine.refs--;
        if (mine.refs === 0 && listeners.get(id) === mine) {
          listeners.delete(id);
          await controller.close();
        }
      },
    };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One session's access to its bridges' OpenFlow connections. */
export class OpenFlowAccess {
  private lease: ListenerLease | undefined;
  private dialer: OpenFlowController | undefined;
  private connection: SwitchConnection | undefined;
  private closed = false;

  /**
   * @param registry where `listen`-mode controllers are shared (one per adapter; sessions of that adapter share a
   *   listener on one `host:port`).
   */
  constructor(
    private readonly mode: OpenFlowMode,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly registry: OpenFlowListenerRegistry,
  ) {}

  /**
   * The connection to `bridge` (datapath id `datapathId`, as OVSDB reports it).
   *
   * @throws DeviceConnectionError when the bridge cannot be reached (or another datapath answers);
   *   DeviceTimeoutError when it does not connect in time.
   */
  async switchFor(bridge: string, datapathId: string | null | undefined): Promise<SwitchConnection> {
    if (this.closed) throw new DeviceConnectionError(`OpenFlow access of this session is closed`);
    if (datapathId === null || datapathId === undefined) {
      throw new DeviceConnectionError(`bridge ${bridge} has no datapath id yet: is ovs-vswitchd running?`, { details: { bridge } });
    }
    const dpid = datapathId.toLowerCase();
    return this.mode.mode === 'listen' ? this.viaListener(bridge, dpid) : this.viaDial(bridge, dpid);
  }

  private async viaListener(bridge: string, dpid: string): Promise<SwitchConnection> {
    this.lease ??= await this.registry.acquire(this.mode.host, this.mode.port, this.logger);
    const existing = this.lease.controller.getSwitch(dpid);
    if (existing !== undefined && existing.isOpen) return existing;
    try {
      return await this.lease.controller.waitForSwitch({ datapathId: dpid, timeoutMs: this.timeoutMs });
    } catch (e) {
      if (isNetloomError(e) && e.code === 'DEVICE.TIMEOUT') {
        throw new DeviceTimeoutError(`bridge ${bridge} (datapath ${dpid}) did not connect to netloom's OpenFlow listener ${this.mode.host}:${this.mode.port} within ${this.timeoutMs} ms`, {
          cause: e,
          details: { bridge, datapathId: dpid },
        });
      }
      throw e;
    }
  }

  private async viaDial(bridge: string, dpid: string): Promise<SwitchConnection> {
    const current = this.connection;
    if (current !== undefined && current.isOpen && current.datapathId === dpid) return current;
    if (current !== undefined) {
      this.connection = undefined;
      await current.close();
    }
    this.dialer ??= new OpenFlowController({ logger: this.logger, requestTimeoutMs: this.timeoutMs });
    const deadline = Date.now() + this.timeoutMs;
    let last: unknown;
    let conn: SwitchConnection | undefined;
    // ovs-vswitchd opens the ptcp listener when it applies the bridge's Controller row: retry briefly.
    for (let attempt = 0; conn === undefined && Date.now() < deadline; attempt++) {
      try {
        conn = await this.dialer.connect({ host: this.mode.host, port: this.mode.port, timeoutMs: Math.max(500, deadline - Date.now()) });
      } catch (e) {
        last = e;
        await sleep(Math.min(50 * 2 ** attempt, 500));
      }
    }
    if (conn === undefined) throw new DeviceConnectionError(`could not reach bridge ${bridge} over OpenFlow at ${this.mode.host}:${this.mode.port}`, { cause: last, details: { bridge, datapathId: dpid } });
    if (conn.datapathId !== dpid) {
      await conn.close();
      throw new DeviceConnectionError(`the OpenFlow switch at ${this.mode.host}:${this.mode.port} is datapath ${conn.datapathId}, not bridge ${bridge} (${dpid}): check the openflow.connect option`, {
        details: { bridge, datapathId: dpid, answered: conn.datapathId },
      });
    }
    this.connection = conn;
    return conn;
  }

  /** Closes this session's connections (a shared listener only when no other session uses it). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lease = this.lease;
    this.lease = undefined;
    await this.dialer?.close();
    this.dialer = undefined;
    this.connection = undefined;
    await lease?.release();
  }
}
