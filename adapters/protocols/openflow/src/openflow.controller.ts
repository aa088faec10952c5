/**
 * The OpenFlow 1.3 controller: a TCP listener that switches dial into (`ovs-vsctl set-controller br-int
 * tcp:127.0.0.1:PORT`) and an active connector for switches that listen themselves (`ptcp:PORT`). Each switch that
 * completes the handshake becomes a {@link SwitchConnection}.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import { DeviceConnectionError, DeviceTimeoutError, InputError, type Logger, type NetloomError, isNetloomError, silentLogger } from '@netloom/ports';
import { type DisconnectInfo, SwitchConnection, type SwitchConnectionOptions } from './switch.connection';
import { TypedEmitter } from './typed-emitter';

/** Options shared by listening and connecting (times in milliseconds). */
export interface OpenFlowControllerOptions {
  /** Where to log (default: nothing). Never receives secrets: OpenFlow carries none. */
  readonly logger?: Logger;
  /** Send an ECHO_REQUEST after this long without traffic from a switch. Default 5000. */
  readonly echoIntervalMs?: number;
  /** Close a connection after this long without traffic (the switch is dead). Default 15000. */
  readonly echoTimeoutMs?: number;
  /** Fail a request not answered within this time. Default 15000. */
  readonly requestTimeoutMs?: number;
  /** Fail a handshake not completed within this time. Default 10000. */
  readonly handshakeTimeoutMs?: number;
  /**
   * Send SET_CONFIG with this `miss_send_len` (bytes of a table-miss packet sent in a packet-in) after each
   * handshake. Default: not sent, the switch's own default applies.
   */
  readonly missSendLen?: number;
}

/** Options of {@link OpenFlowController.listen}. */
export interface ListenOptions extends OpenFlowControllerOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it back with {@link OpenFlowController.address}). Default 6653. */
  readonly port?: number;
}

/** Options of {@link OpenFlowController.connect}: a switch listening with `ptcp:PORT[:IP]`. */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Time for TCP connect plus handshake. Default: the controller's `handshakeTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** A connection that did not become a switch (wrong version, timeout, garbage). */
export interface HandshakeFailure {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly error: NetloomError;
}

/** Events of an {@link OpenFlowController}. */
export interface OpenFlowControllerEvents {
  /** A switch completed the handshake (features and port descriptions known). */
  switchConnected: (connection: SwitchConnection) => void;
  /** A connected switch went away (or was closed). */
  switchDisconnected: (connection: SwitchConnection, info: DisconnectInfo) => void;
  /** An incoming connection failed its handshake (for example a peer without OpenFlow 1.3 got HELLO_FAILED). */
  handshakeFailed: (failure: HandshakeFailure) => void;
}

/** Options of {@link OpenFlowController.waitForSwitch}. */
export interface WaitForSwitchOptions {
  /** Only this datapath (16 hex digits). Default: any. */
  readonly datapathId?: string;
  /** Give up after this long. Default 30000. */
  readonly timeoutMs?: number;
  /** Ignore connections already established (wait for the next one). Default false. */
  readonly fresh?: boolean;
}

const DEFAULTS = { echoIntervalMs: 5000, echoTimeoutMs: 15000, requestTimeoutMs: 15000, handshakeTimeoutMs: 10000 } as const;

/**
 * OpenFlow 1.3 controller.
 *
 * @example
 * const controller = await OpenFlowController.listen({ host: '127.0.0.1', port: 0 });
 * // ovs-vsctl set-controller br-int tcp:127.0.0.1:<controller.address().port>
 * const sw = await controller.waitForSwitch({ timeoutMs: 10_000 });
 * console.log(sw.datapathId, sw.ports.map((p) => p.name));
 * await controller.close();
 *
 * @example
 * // The switch listens (ovs-vsctl set-controller br-int ptcp:6653:127.0.0.1); the controller dials it.
 * const controller = new OpenFlowController();
 * const sw = await controller.connect({ host: '127.0.0.1', port: 6653 });
 */
export class OpenFlowController extends TypedEmitter<OpenFlowControllerEvents> {
  private readonly log: Logger;
  private readonly connOptions: SwitchConnectionOptions;
  private server: net.Server | undefined;
  private readonly byDatapath = new Map<string, SwitchConnection>();
  /** Sockets in handshake plus ready connections: everything close() must end. */
  private readonly sockets = new Set<net.Socket>();
  private readonly connections = new Set<SwitchConnection>();
  private readonly waiters = new Set<(error: NetloomError) => void>();
  private closing = false;

  /** A controller that does not listen (use {@link connect}, or the static {@link listen}). */
  constructor(options: OpenFlowControllerOptions = {}) {
    super();
    this.log = (options.logger ?? silentLogger).child({ component: 'openflow' });
    this.connOptions = {
      logger: this.log,
      echoIntervalMs: options.echoIntervalMs ?? DEFAULTS.echoIntervalMs,
      echoTimeoutMs: options.echoTimeoutMs ?? DEFAULTS.echoTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
      ...(options.missSendLen !== undefined ? { missSendLen: options.missSendLen } : {}),
    };
    for (const [k, v] of Object.entries(this.connOptions)) {
      if (typeof v === 'number' && (!Number.isInteger(v) || v < 1) && k !== 'missSendLen') throw new InputError(`OpenFlow controller option ${k}: ${v} is not a positive integer (milliseconds)`, [{ path: k, reason: `${v} is not a positive integer` }]);
    }
  }

  /**
   * Creates a controller listening for switches. Resolves once the port is bound.
   *
   * @throws DeviceConnectionError when the address cannot be bound (in use, not local).
   */
  static async listen(options: ListenOptions = {}): Promise<OpenFlowController> {
    const controller = new OpenFlowController(options);
    await controller.bind(options.host ?? '127.0.0.1', options.port ?? 6653);
    return controller;
  }

  private bind(host: string, port: number): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        reject(new DeviceConnectionError(`OpenFlow controller could not listen on ${host}:${port}: ${err.message}`, { details: { host, port }, cause: err }));
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        server.on('error', (err) => this.log.error({ err: err.message }, 'OpenFlow listener error'));
        this.log.info({ ...this.address() }, 'OpenFlow controller listening');
        resolve();
      });
    });
  }

  /** The bound listener address, or undefined when not listening. */
  address(): { host: string; port: number } | undefined {
    const a = this.server?.address();
    if (a === null || a === undefined || typeof a === 'string') return undefined;
    return { host: a.address, port: a.port };
  }

  /** Switches that completed the handshake and are still connected. */
  get switches(): readonly SwitchConnection[] {
    return [...this.byDatapath.values()];
  }

  /** The connected switch with this datapath id (16 hex digits, any case). */
  getSwitch(datapathId: string): SwitchConnection | undefined {
    return this.byDatapath.get(datapathId.toLowerCase());
  }

  /**
   * Resolves with a connected switch: one already connected (unless `fresh`), else the next to complete the
   * handshake.
   *
   * @throws DeviceTimeoutError when none arrives in time; DeviceConnectionError when the controller closes.
   */
  waitForSwitch(options: WaitForSwitchOptions = {}): Promise<SwitchConnection> {
    const want = options.datapathId?.toLowerCase();
    if (!options.fresh) {
      const existing = want !== undefined ? this.byDatapath.get(want) : this.switches[0];
      if (existing !== undefined) return Promise.resolve(existing);
    }
    if (this.closing) return Promise.reject(new DeviceConnectionError('OpenFlow controller is closed'));
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<SwitchConnection>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('switchConnected', onConnected);
        this.waiters.delete(onClose);
      };
      const onConnected = (c: SwitchConnection): void => {
        if (want !== undefined && c.datapathId !== want) return;
        done();
        resolve(c);
      };
      const onClose = (error: NetloomError): void => {
        done();
        reject(error);
      };
      const timer = setTimeout(() => {
        done();
        reject(new DeviceTimeoutError(`no switch${want !== undefined ? ` with datapath id ${want}` : ''} connected within ${timeoutMs} ms`, { details: { ...(want !== undefined ? { datapathId: want } : {}), timeoutMs } }));
      }, timeoutMs);
      timer.unref();
      this.on('switchConnected', onConnected);
      this.waiters.add(onClose);
    });
  }

  /**
   * Connects to a switch that listens (`ovs-vsctl set-controller br-int ptcp:PORT:IP`) and runs the handshake.
   * The connection is registered like an incoming one (events, {@link switches}). No automatic reconnect: call
   * again after `switchDisconnected`.
   *
   * @throws DeviceConnectionError when the TCP connection fails; DeviceTimeoutError when connect plus handshake
   * take longer than `timeoutMs`; DeviceProtocolError when the peer is not an OpenFlow 1.3 switch.
   */
  async connect(options: ConnectOptions): Promise<SwitchConnection> {
    if (this.closing) throw new DeviceConnectionError('OpenFlow controller is closed');
    const timeoutMs = options.timeoutMs ?? this.connOptions.handshakeTimeoutMs;
    const target = `${options.host}:${options.port}`;
    const socket = new net.Socket();
    this.track(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DeviceTimeoutError(`TCP connect to OpenFlow switch ${target} timed out after ${timeoutMs} ms`, { details: { target, timeoutMs } }));
      }, timeoutMs);
      timer.unref();
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new DeviceConnectionError(`could not connect to OpenFlow switch ${target}: ${err.message}`, { details: { target }, cause: err }));
      });
      // close() of the controller destroys the socket without an error event.
      socket.once('close', () => {
        clearTimeout(timer);
        reject(new DeviceConnectionError(`connection to OpenFlow switch ${target} closed before it was established`, { details: { target } }));
      });
      socket.connect(options.port, options.host, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    // The tracking listener removed above is needed again.
    socket.once('close', () => this.sockets.delete(socket));
    const conn = await SwitchConnection.open(socket, { ...this.connOptions, handshakeTimeoutMs: timeoutMs });
    this.register(conn);
    return conn;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.track(socket);
    const remoteAddress = socket.remoteAddress ?? 'unknown';
    const remotePort = socket.remotePort ?? 0;
    this.log.debug({ remote: `${remoteAddress}:${remotePort}` }, 'switch connection accepted');
    SwitchConnection.open(socket, this.connOptions).then(
      (conn) => {
        if (this.closing) {
          void conn.close();
          return;
        }
        this.register(conn);
      },
      (e: unknown) => {
        const error = isNetloomError(e) ? e : new DeviceConnectionError(`handshake with ${remoteAddress}:${remotePort} failed`, { cause: e });
        this.log.warn({ remote: `${remoteAddress}:${remotePort}`, err: error.message }, 'OpenFlow handshake failed');
        this.emit('handshakeFailed', { remoteAddress, remotePort, error });
      },
    );
  }

  private register(conn: SwitchConnection): void {
    const previous = this.byDatapath.get(conn.datapathId);
    this.byDatapath.set(conn.datapathId, conn);
    this.connections.add(conn);
    conn.once('disconnected', (info) => {
      this.connections.delete(conn);
      if (this.byDatapath.get(conn.datapathId) === conn) this.byDatapath.delete(conn.datapathId);
      this.emit('switchDisconnected', conn, info);
    });
    if (previous !== undefined && previous !== conn) {
      this.log.info({ datapathId: conn.datapathId }, 'datapath reconnected; closing its previous connection');
      void previous.closeWith({ reason: 'replaced' });
    }
    this.emit('switchConnected', conn);
  }

  /**
   * Stops listening, closes every connection (pending requests fail with DeviceConnectionError) and clears all
   * timers. Resolves when everything is closed. Idempotent.
   */
  async close(): Promise<void> {
    this.closing = true;
    const err = new DeviceConnectionError('OpenFlow controller is closed');
    for (const w of [...this.waiters]) w(err);
    const server = this.server;
    this.server = undefined;
    const serverClosed = server !== undefined ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    await Promise.all([...this.connections].map((c) => c.close()));
    for (const s of [...this.sockets]) s.destroy();
    await serverClosed;
    this.log.info({}, 'OpenFlow controller closed');
  }

  protected override listenerFailed(event: string, error: unknown): void {
    this.log.error({ event, err: error instanceof Error ? error.message : String(error) }, 'event listener threw');
  }
}
