/**
 * The OVSDB client: one session to one ovsdb-server (RFC 7047), generic over databases and tables.
 *
 * - Methods: `list_dbs`, `get_schema`, `transact` (typed operations, checked results, `cancel` through an
 *   AbortSignal), `monitor`/`monitor_cond` with a live replica, `monitor_cancel`, `lock`/`steal`/`unlock`, `echo`.
 * - Keeps itself alive: answers the server's echo, probes a silent server with its own echo, reconnects with
 *   exponential backoff and re-issues monitors (re-syncing their replicas) and locks.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { CommitError, DeviceConnectionError, DeviceProtocolError, InputError, type Logger, NetloomError, problemsFromErrors, silentLogger } from '@netloom/ports';
import { DEFAULT_RECONNECT, type ReconnectOptions, backoffDelay } from './backoff';
import { JsonRpcConnection, OvsdbRpcError } from './json-rpc';
import { Monitor, type MonitorHost, type MonitorMethod, type MonitorRequest, type ChangeListener } from './monitor';
import { type Operation, type ResultsOf, decodeResult, encodeOperations, isOperationError } from './operations';
import { type OvsdbRemote, formatRemote, parseRemote } from './remote';
import { type DatabaseSchema, parseSchema } from './schema';
import { transactionError } from './transaction-errors';
import { type OvsdbTlsOptions, connectionError, openTransport } from './transport';

/** Options of {@link OvsdbClient.connect}. */
export interface OvsdbClientOptions {
  /** `unix:<path>`, `tcp:<host>[:<port>]` or `ssl:<host>[:<port>]` (default port 6640). */
  readonly remote: string;
  /** TLS material for `ssl:` remotes. */
  readonly tls?: OvsdbTlsOptions;
  /** Give up a connection attempt after this long (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Default time a request waits for its answer (default 30 000 ms; 0 = forever). */
  readonly requestTimeoutMs?: number;
  /**
   * Inactivity probe (default 5 000 ms, like ovsdb-server's): after this long without hearing from the server,
   * send an echo; after as long again, declare the connection dead (DeviceConnectionError) and reconnect.
   * 0 turns it off.
   */
  readonly probeIntervalMs?: number;
  /** Reconnect after a lost connection (default: on, with {@link DEFAULT_RECONNECT}); `false` turns it off. */
  readonly reconnect?: false | ReconnectOptions;
  /** Largest JSON message accepted from the server (default 64 MiB). */
  readonly maxMessageBytes?: number;
  readonly logger?: Logger;
}

/** Connection states reported by {@link OvsdbClient.onState}. */
export type ConnectionState = 'connected' | 'disconnected' | 'closed';

/** A connection state change. */
export interface StateEvent {
  readonly state: ConnectionState;
  /** Why the connection went down (disconnected), or why the last reconnect attempt failed. */
  readonly error?: NetloomError;
  /** For `disconnected`: the number of the reconnect attempt about to be made (0 = first). */
  readonly attempt?: number;
  /** For `disconnected`: how long until that attempt. */
  readonly delayMs?: number;
}

/**
 * A lock event: `locked` (a queued `lock` request was granted), `stolen` (another client stole it with `steal`),
 * `lost` (the connection went down, so the server released it; the client asks for it again after reconnecting).
 */
export interface LockEvent {
  readonly lock: string;
  readonly event: 'locked' | 'stolen' | 'lost';
}

/** Per-request options. */
export interface CallOptions {
  /** Overrides the client's request timeout (0 = forever). */
  readonly timeoutMs?: number;
}

/** Options of {@link OvsdbClient.transact}. */
export interface TransactOptions extends CallOptions {
  /**
   * Aborting sends the OVSDB `cancel` for this transaction and fails it at once with CommitError
   * (`details.error === 'canceled'`). Meant for transactions blocked in a `wait`: one the server already
   * committed is not undone (its answer is then lost).
   */
  readonly signal?: AbortSignal;
}

/** Options of {@link OvsdbClient.monitor}. */
export interface MonitorOptions {
  /**
   * `monitor` (RFC 7047, `update` notifications) or `monitor_cond` (OVS 2.6+, `update2` with compact diffs, and
   * `where` filters). Default: `monitor_cond` when any table has a `where`, else `monitor`.
   */
  readonly method?: MonitorMethod;
  /** Subscribed before the initial reply is applied, so it also sees the initial rows (`cause: 'initial'`). */
  readonly onChange?: ChangeListener;
  /** The monitor id on the wire (default: generated, unique per client). */
  readonly id?: string;
}

const StringArray = t.array(t.string);
const LockReply = t.type({ locked: t.boolean });
/** RFC 7047 `<id>`: what ovsdb-server accepts as a lock name. */
const LOCK_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function replyError(subject: string, errors: t.Errors, details: Record<string, unknown>): DeviceProtocolError {
  const problems = problemsFromErrors(errors);
  return new DeviceProtocolError(`${subject} is malformed: ${problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`).join('; ')}`, { details: { ...details, problems } });
}

/**
 * A session to one OVSDB server.
 *
 * @example
 * const client = await OvsdbClient.connect({ remote: 'unix:/var/run/openvswitch/db.sock' });
 * try {
 *   const [{ rows }] = await client.transact('Open_vSwitch', [op.select('Bridge', [['name', '==', 'br-int']], ['name', 'ports'])] as const);
 *   const mon = await client.monitor('Open_vSwitch', { Port: { columns: ['name', 'tag'] } });
 *   mon.onChange('Port', (c) => console.log(c.inserted.length, 'ports added'));
 * } finally {
 *   await client.close();
 * }
 */
export class OvsdbClient {
  private rpc: JsonRpcConnection | undefined;
  private currentState: ConnectionState = 'disconnected';
  private closed = false;
  private readonly schemas = new Map<string, Promise<DatabaseSchema>>();
  private readonly monitors = new Map<string, Monitor>();
  private nextMonitorId = 1;
  /** Locks this client wants (asked with lock or steal and not unlocked). */
  private readonly wantedLocks = new Set<string>();
  private readonly heldLocks = new Set<string>();
  private readonly stateListeners = new Set<(e: StateEvent) => void>();
  private readonly lockListeners = new Set<(e: LockEvent) => void>();
  /** Why the client closed itself (connection lost with reconnect off), reported by later calls. */
  private closedBy: NetloomError | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private wakeReconnect: (() => void) | undefined;
  private reconnecting: Promise<void> | undefined;
  /** True while the reconnect loop runs (it handles drops of the connections it opens itself). */
  private inReconnect = false;
  private readonly logger: Logger;
  private readonly remoteSpec: OvsdbRemote;
  private readonly monitorHost: MonitorHost;

  private constructor(private readonly options: OvsdbClientOptions) {
    this.remoteSpec = parseRemote(options.remote);
    this.logger = (options.logger ?? silentLogger).child({ remote: formatRemote(this.remoteSpec) });
    this.monitorHost = { logger: this.logger, cancelMonitor: (m) => this.cancelMonitor(m) };
  }

  /**
   * Connects to the server. The first connection must succeed (no retry here); later losses are reconnected
   * (unless `reconnect: false`).
   *
   * @throws InputError a malformed remote or unusable TLS material.
   * @throws DeviceConnectionError refused, unreachable, no such socket, TLS certificate not trusted, timed out.
   */
  static async connect(options: OvsdbClientOptions): Promise<OvsdbClient> {
    const client = new OvsdbClient(options);
    client.rpc = await client.open();
    client.setState({ state: 'connected' });
    return client;
  }

  /** The remote, canonical (`tcp:127.0.0.1:6640`). */
  get remote(): string {
    return formatRemote(this.remoteSpec);
  }

  /** The connection state now. */
  get state(): ConnectionState {
    return this.currentState;
  }

  /** Subscribes to connection state changes. Returns the unsubscribe function. */
  onState(listener: (event: StateEvent) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  /** Subscribes to lock events. Returns the unsubscribe function. */
  onLock(listener: (event: LockEvent) => void): () => void {
    this.lockListeners.add(listener);
    return () => {
      this.lockListeners.delete(listener);
    };
  }

  /** Resolves once the client is connected (now, or after the reconnect in progress, monitors re-synced). */
  whenConnected(): Promise<void> {
    if (this.currentState === 'connected') return Promise.resolve();
    if (this.closed) return Promise.reject(new DeviceConnectionError(`OVSDB client for ${this.remote} is closed`, { details: { remote: this.remote } }));
    return new Promise<void>((resolve, reject) => {
      const off = this.onState((e) => {
        if (e.state === 'connected') {
          off();
          resolve();
        } else if (e.state === 'closed') {
          off();
          reject(e.error ?? new DeviceConnectionError(`OVSDB client for ${this.remote} is closed`, { details: { remote: this.remote } }));
        }
      });
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // RFC 7047 methods

  /**
   * `list_dbs`: the databases the server offers.
   *
   * @example await client.listDbs() // ['Open_vSwitch', 'hardware_vtep']
   */
  async listDbs(options: CallOptions = {}): Promise<string[]> {
    const result = await this.call('list_dbs', [], options);
    const decoded = StringArray.decode(result);
    if (decoded._tag === 'Left') throw replyError(`list_dbs reply from ${this.remote}`, decoded.left, { remote: this.remote });
    return decoded.right;
  }

  /**
   * `get_schema`, validated and normalised. Cached per database until the connection is re-established.
   *
   * @throws DeviceProtocolError unknown database (`details.error === 'unknown database'`), or a malformed schema.
   */
  getSchema(database: string, options: CallOptions & { readonly refresh?: boolean } = {}): Promise<DatabaseSchema> {
    let cached = options.refresh === true ? undefined : this.schemas.get(database);
    if (cached === undefined) {
      cached = this.call('get_schema', [database], options).then((json) => parseSchema(json));
      this.schemas.set(database, cached);
      cached.catch(() => {
        if (this.schemas.get(database) === cached) this.schemas.delete(database);
      });
    }
    return cached;
  }

  /**
   * `transact`: runs `operations` atomically. Values are checked against the schema first; nothing is sent when
   * one does not fit. Results come back typed position by position.
   *
   * @throws InputError a value, table, column or operation that does not fit the schema (nothing was sent).
   * @throws CommitError the server rejected the transaction (constraint or referential integrity violation,
   *   `abort`, ...); nothing changed. `details`: database, opIndex, op, table, error, errorDetails.
   * @throws LockedError an `assert` on a lock this session does not hold (`not owner`).
   * @throws DeviceTimeoutError a `wait` timed out, or no answer within the request timeout (then the outcome is
   *   unknown: the transaction may still commit).
   * @throws DeviceProtocolError the server did not understand the request or sent a malformed reply.
   * @throws DeviceConnectionError not connected, or the connection broke before the answer (outcome unknown).
   * @example
   * const [ins] = await client.transact('Open_vSwitch', [
   *   op.insert('Bridge', { name: 'br0' }, 'br'),
   *   op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('br')]]]),
   * ] as const);
   * ins.uuid; // the new bridge's UUID
   */
  async transact<const O extends readonly Operation[]>(database: string, operations: O, options: TransactOptions = {}): Promise<ResultsOf<O>> {
    const schema = await this.getSchema(database);
    const wire = encodeOperations(schema, operations);
    let reply: unknown;
    try {
      reply = await this.call('transact', [database, ...wire], options);
    } catch (e) {
      if (e instanceof OvsdbRpcError && e.kind === 'canceled') {
        throw new CommitError(`OVSDB transaction on ${database} was canceled before it committed`, { cause: e, details: { database, error: 'canceled' } });
      }
      throw e;
    }
    if (!Array.isArray(reply)) throw new DeviceProtocolError(`OVSDB transact reply on ${database} is malformed: expected an array of results, got ${typeof reply}`, { details: { database } });
    const errorIndex = reply.findIndex((entry) => isOperationError(entry));
    if (errorIndex >= 0) throw transactionError(database, operations, errorIndex, reply[errorIndex] as { error: string; details?: string; syntax?: string });
    if (reply.length < operations.length) {
      throw new DeviceProtocolError(`OVSDB transact reply on ${database} is malformed: ${reply.length} results for ${operations.length} operations and no error`, { details: { database } });
    }
    return operations.map((operation, i) => decodeResult(schema, operation, i, reply[i])) as ResultsOf<O>;
  }

  /**
   * `monitor` / `monitor_cond`: starts replicating `request`'s tables. The returned monitor's replica holds the
   * initial rows when this resolves, follows every later change, and is re-synced after a reconnect.
   *
   * @throws InputError an unknown table or column, or a `where` value that does not fit (nothing was sent).
   * @throws DeviceProtocolError the server refused the monitor or sent malformed rows.
   * @example
   * const mon = await client.monitor('Open_vSwitch', { Interface: { columns: ['name', 'ofport'] } });
   * mon.find('Interface', (r) => r['name'] === 'p1');
   */
  async monitor(database: string, request: MonitorRequest, options: MonitorOptions = {}): Promise<Monitor> {
    const schema = await this.getSchema(database);
    const method: MonitorMethod = options.method ?? (Object.values(request).some((r) => r.where !== undefined) ? 'monitor_cond' : 'monitor');
    if (method === 'monitor' && Object.values(request).some((r) => r.where !== undefined)) {
      throw InputError.fromProblems(`monitor request on ${database}`, [{ path: 'method', reason: '"where" needs monitor_cond' }]);
    }
    const id = options.id ?? `netloom-monitor-${this.nextMonitorId++}`;
    if (this.monitors.has(id)) throw InputError.fromProblems(`monitor request on ${database}`, [{ path: 'id', reason: `${JSON.stringify(id)} is already in use` }]);
    const monitor = new Monitor(database, id, method, request, schema, this.monitorHost);
    const params = monitor.requestParams();
    if (options.onChange !== undefined) monitor.onChange(options.onChange);
    this.monitors.set(id, monitor);
    try {
      monitor.beginSync();
      const result = await this.call(method, params, {});
      monitor.completeSync(result, 'initial');
    } catch (e) {
      this.monitors.delete(id);
      monitor.markCanceled();
      throw e;
    }
    return monitor;
  }

  /**
   * `lock`: asks for the named lock. Resolves `{ locked: true }` when granted now; `{ locked: false }` when
   * another session holds it (the request stays queued: a `locked` event follows when it is granted). The client
   * asks again after a reconnect.
   *
   * @throws InputError a name that is not an `<id>` (`[A-Za-z_][A-Za-z0-9_]*`).
   * @example
   * const { locked } = await client.lock('netloom_writer');
   * await client.transact('Open_vSwitch', [op.assert('netloom_writer'), op.update(...)]);
   */
  async lock(name: string, options: CallOptions = {}): Promise<{ locked: boolean }> {
    this.checkLockName(name);
    this.wantedLocks.add(name);
    return this.requestLock('lock', name, options);
  }

  /** `steal`: takes the named lock from whoever holds it (they get a `stolen` notification). */
  async steal(name: string, options: CallOptions = {}): Promise<{ locked: boolean }> {
    this.checkLockName(name);
    this.wantedLocks.add(name);
    return this.requestLock('steal', name, options);
  }

  /** `unlock`: releases the named lock (or withdraws the queued request). */
  async unlock(name: string, options: CallOptions = {}): Promise<void> {
    this.checkLockName(name);
    this.wantedLocks.delete(name);
    this.heldLocks.delete(name);
    await this.call('unlock', [name], options);
  }

  /** True while this session holds the named lock (as far as the client has been told). */
  holdsLock(name: string): boolean {
    return this.heldLocks.has(name);
  }

  /** `echo`: the server returns `params`; a cheap liveness check. */
  async echo(params: readonly unknown[] = [], options: CallOptions = {}): Promise<unknown[]> {
    const result = await this.call('echo', params, options);
    if (!Array.isArray(result)) throw new DeviceProtocolError(`echo reply from ${this.remote} is not an array`, { details: { remote: this.remote } });
    return result as unknown[];
  }

  /**
   * Closes the session: stops reconnecting, cancels the monitors (client side), fails pending requests with
   * DeviceConnectionError and leaves no timer or socket behind. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.wakeReconnect?.();
    for (const m of this.monitors.values()) m.markCanceled();
    this.monitors.clear();
    const rpc = this.rpc;
    this.rpc = undefined;
    if (rpc !== undefined) await rpc.close();
    await this.reconnecting?.catch(() => undefined);
    this.heldLocks.clear();
    this.setState({ state: 'closed' });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  private async call(method: string, params: readonly unknown[], options: TransactOptions): Promise<unknown> {
    const rpc = this.rpc;
    if (this.closed) throw this.closedBy ?? new DeviceConnectionError(`OVSDB client for ${this.remote} is closed`, { details: { remote: this.remote } });
    if (rpc === undefined || rpc.isClosed) throw new DeviceConnectionError(`OVSDB server ${this.remote} is not connected (reconnecting)`, { details: { remote: this.remote } });
    return rpc.request(method, params, {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  }

  private checkLockName(name: string): void {
    if (typeof name !== 'string' || !LOCK_NAME.test(name)) {
      throw InputError.fromProblems(`OVSDB lock name`, [{ path: 'lock', reason: `${JSON.stringify(name)} is not an <id> (letters, digits and _, not starting with a digit)` }]);
    }
  }

  private async requestLock(method: 'lock' | 'steal', name: string, options: CallOptions): Promise<{ locked: boolean }> {
    const result = await this.call(method, [name], options);
    const decoded = LockReply.decode(result);
    if (decoded._tag === 'Left') throw replyError(`${method} reply from ${this.remote}`, decoded.left, { remote: this.remote, lock: name });
    if (decoded.right.locked) this.heldLocks.add(name);
    return { locked: decoded.right.locked };
  }

  private async open(): Promise<JsonRpcConnection> {
    const socket = await openTransport(this.remoteSpec, {
      ...(this.options.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
      ...(this.options.tls !== undefined ? { tls: this.options.tls } : {}),
    });
    if (this.closed) {
      socket.destroy();
      throw new DeviceConnectionError(`OVSDB client for ${this.remote} is closed`, { details: { remote: this.remote } });
    }
    const rpc: JsonRpcConnection = new JsonRpcConnection(socket, {
      remote: this.remote,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
      probeIntervalMs: this.options.probeIntervalMs ?? 5_000,
      logger: this.logger,
      ...(this.options.maxMessageBytes !== undefined ? { maxMessageBytes: this.options.maxMessageBytes } : {}),
      socketError: (e) => connectionError(e, this.remoteSpec, [], 'session'),
      onNotification: (method, params) => this.onNotification(rpc, method, params),
      onClose: (reason) => this.onConnectionClosed(rpc, reason),
    });
    this.logger.debug({}, 'ovsdb connected');
    return rpc;
  }

  private onNotification(rpc: JsonRpcConnection, method: string, params: readonly unknown[]): void {
    switch (method) {
      case 'update':
      case 'update2': {
        const monitor = typeof params[0] === 'string' ? this.monitors.get(params[0]) : undefined;
        if (monitor === undefined) {
          this.logger.debug({ method, monitor: params[0] }, 'ovsdb update for an unknown monitor');
          return;
        }
        try {
          monitor.handleNotification(method, params[1]);
        } catch (e) {
          // The replica can no longer be trusted: drop the connection; the reconnect re-syncs it.
          const err = e instanceof NetloomError ? e : new DeviceProtocolError(`OVSDB ${method} from ${this.remote} could not be applied`, { cause: e });
          this.logger.error({ method, monitor: monitor.id, err: err.message }, 'ovsdb monitor update rejected; reconnecting to re-sync');
          rpc.abort(err);
        }
        return;
      }
      case 'locked':
      case 'stolen': {
        const name = params[0];
        if (typeof name !== 'string') return;
        if (method === 'locked') this.heldLocks.add(name);
        else this.heldLocks.delete(name);
        this.emitLock({ lock: name, event: method });
        return;
      }
      case 'monitor_canceled': {
        const monitor = typeof params[0] === 'string' ? this.monitors.get(params[0]) : undefined;
        if (monitor !== undefined) {
          this.logger.warn({ monitor: monitor.id, database: monitor.database }, 'ovsdb server canceled a monitor');
          monitor.markCanceled();
          this.monitors.delete(monitor.id);
        }
        return;
      }
      default:
        this.logger.debug({ method }, 'ovsdb notification ignored');
    }
  }

  private onConnectionClosed(rpc: JsonRpcConnection, reason: NetloomError | undefined): void {
    if (rpc !== this.rpc) return;
    this.rpc = undefined;
    const lost = [...this.heldLocks];
    this.heldLocks.clear();
    for (const lock of lost) this.emitLock({ lock, event: 'lost' });
    if (this.closed || reason === undefined || this.inReconnect) return;
    this.logger.warn({ err: reason.message }, 'ovsdb connection lost');
    if (this.options.reconnect === false) {
      this.closed = true;
      this.closedBy = reason;
      for (const m of this.monitors.values()) m.markCanceled();
      this.monitors.clear();
      this.setState({ state: 'closed', error: reason });
      return;
    }
    this.inReconnect = true;
    this.reconnecting = this.reconnectLoop(reason).finally(() => {
      this.inReconnect = false;
    });
  }

  private async reconnectLoop(firstReason: NetloomError): Promise<void> {
    const options = { ...DEFAULT_RECONNECT, ...(this.options.reconnect === false ? {} : this.options.reconnect) };
    let reason = firstReason;
    for (let attempt = 0; !this.closed; attempt++) {
      const delayMs = backoffDelay(attempt, options);
      this.setState({ state: 'disconnected', error: reason, attempt, delayMs });
      await new Promise<void>((resolve) => {
        this.wakeReconnect = resolve;
        this.reconnectTimer = setTimeout(resolve, delayMs);
      });
      this.reconnectTimer = undefined;
      this.wakeReconnect = undefined;
      if (this.closed) return;
      let rpc: JsonRpcConnection | undefined;
      try {
        rpc = await this.open();
        this.rpc = rpc;
        this.schemas.clear();
        await this.restore();
        if (this.rpc !== rpc || rpc.isClosed) throw new DeviceConnectionError(`OVSDB connection to ${this.remote} dropped while restoring the session`, { details: { remote: this.remote } });
        this.logger.info({ attempt }, 'ovsdb reconnected');
        // From here on a drop starts a new loop (this one is done).
        this.inReconnect = false;
        this.setState({ state: 'connected' });
        return;
      } catch (e) {
        reason = e instanceof NetloomError ? e : new DeviceConnectionError(`reconnecting to ${this.remote} failed`, { cause: e, details: { remote: this.remote } });
        this.logger.warn({ attempt, err: reason.message }, 'ovsdb reconnect attempt failed');
        if (rpc !== undefined) {
          if (this.rpc === rpc) this.rpc = undefined;
          await rpc.close();
        }
      }
    }
  }

  /** Re-issues monitors (re-syncing their replicas) and lock requests on a fresh connection. */
  private async restore(): Promise<void> {
    for (const monitor of [...this.monitors.values()]) {
      if (!monitor.active) continue;
      try {
        const schema = await this.getSchema(monitor.database);
        monitor.setSchema(schema);
        monitor.beginSync();
        const result = await this.call(monitor.method, monitor.requestParams(), {});
        monitor.completeSync(result, 'resync');
      } catch (e) {
        if (e instanceof DeviceConnectionError || (e instanceof NetloomError && e.code === 'DEVICE.TIMEOUT')) throw e;
        // The monitor itself no longer fits the server (schema changed, database gone): give it up, keep the rest.
        this.logger.error({ monitor: monitor.id, database: monitor.database, err: e instanceof Error ? e.message : String(e) }, 'ovsdb monitor could not be re-issued');
        monitor.markCanceled();
        this.monitors.delete(monitor.id);
      }
    }
    for (const lock of this.wantedLocks) {
      const { locked } = await this.requestLock('lock', lock, {});
      if (locked) this.emitLock({ lock, event: 'locked' });
    }
  }

  private async cancelMonitor(monitor: Monitor): Promise<void> {
    this.monitors.delete(monitor.id);
    const rpc = this.rpc;
    if (rpc === undefined || rpc.isClosed) return;
    try {
      await rpc.request('monitor_cancel', [monitor.id]);
    } catch (e) {
      // Refused (the server no longer knows the id) or the connection went: either way nothing is left to cancel,
      // and updates for an id the client has forgotten are dropped.
      this.logger.debug({ monitor: monitor.id, err: e instanceof Error ? e.message : String(e) }, 'ovsdb monitor_cancel not confirmed');
    }
  }

  private setState(event: StateEvent): void {
    this.currentState = event.state;
    for (const l of [...this.stateListeners]) {
      try {
        l(event);
      } catch (e) {
        this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'ovsdb state listener failed');
      }
    }
  }

  private emitLock(event: LockEvent): void {
    for (const l of [...this.lockListeners]) {
      try {
        l(event);
      } catch (e) {
        this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'ovsdb lock listener failed');
      }
    }
  }
}
