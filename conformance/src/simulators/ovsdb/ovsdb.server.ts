/**
 * `OvsdbSimulator`: an in-memory OVSDB server speaking RFC 7047 (JSON-RPC 1.0 over TCP and unix sockets) the way
 * ovsdb-server 3.1 does, for the embedded demo and fast tests, plus a test API.
 *
 * Methods: `list_dbs`, `get_schema`, `transact` (with blocking `wait`s), `cancel` (a notification, as in
 * ovsdb-server: the canceled transaction gets no reply), `monitor`, `monitor_cond`, `monitor_cond_since` (never
 * "found": no history is kept), `monitor_cond_change`, `monitor_cancel`, `lock`, `steal`, `unlock`, `echo` (both
 * ways: with `probeIntervalMs` the server probes an idle client and drops it when it stays silent),
 * `get_server_id`, `set_db_change_aware`. The `_Server` database lists the databases (read only).
 *
 * Replies and notifications are shaped as ovsdb-server sends them: `{"id","result","error":null}` for a success,
 * `{"id","error"}` for a failure, monitor updates of a commit before the reply to the transaction that made it. A
 * malformed JSON-RPC message closes the connection, as it does in ovsdb-server.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as t from 'io-ts';
import { DeviceConnectionError, InputError, type Logger, decodeOrThrow, silentLogger, struct } from '@netloom/ports';
import { type OvsdbCommitChanges, OvsdbDatabase, type OvsdbRow, rowDatum } from './ovsdb.database';
import { ZERO_UUID, newUuid } from './ovsdb.datum';
import { type OvsdbErrorJson, OvsdbOpError, syntaxError } from './ovsdb.errors';
import { OvsdbFramingError, OvsdbMessageFramer, isJsonObject, sortedJson } from './ovsdb.json';
import { type OvsdbLockHolder, OvsdbLockTable } from './ovsdb.locks';
import { OvsdbMonitor, type OvsdbMonitorVersion, parseMonitorRequests } from './ovsdb.monitor';
import { OVSDB_SERVER_SCHEMA_JSON, type OvsdbDatabaseSchema, VSWITCH_OVSSCHEMA, VTEP_OVSSCHEMA, loadOvsdbSchema, ovsdbColumn, ovsdbSchemaToJson, parseOvsdbSchema } from './ovsdb.schema';
import { type TransactOutcome, rowToJson, runTransaction } from './ovsdb.transaction';

/**
 * A database to serve: one of the shipped schemas by name, or a schema of your own (a `.ovsschema` path or its
 * parsed JSON).
 */
export type OvsdbSimulatorDatabase = 'Open_vSwitch' | 'hardware_vtep' | { readonly schema: string | Readonly<Record<string, unknown>> };

/** Options of {@link OvsdbSimulator}. Every field is optional. */
export interface OvsdbSimulatorOptions {
  /** The databases to serve (default `['Open_vSwitch']`). `_Server` is always there. */
  readonly databases?: readonly OvsdbSimulatorDatabase[];
  /** Insert the `Open_vSwitch` root row, as `ovs-vsctl init` does (default true; only when that database is served). */
  readonly initOpenVswitch?: boolean;
  /** Listen on TCP (default true). */
  readonly tcp?: boolean;
  /** TCP listen address (default `127.0.0.1`) and port (default 0: a free one). */
  readonly host?: string;
  readonly port?: number;
  /**
   * Listen on a unix socket: `true` (default) for `db.sock` in a fresh temporary directory (removed by `stop()`),
   * a path of your choice, or `false`.
   */
  readonly unixSocket?: boolean | string;
  /**
   * Inactivity probe: after this long without a message from a client, send it an `echo` request; after as long
   * again, close the connection. Default 0 (off, as ovsdb-server does on unix sockets).
   */
  readonly probeIntervalMs?: number;
  /**
   * Play a minimal ovs-vswitchd: after each commit to `Open_vSwitch`, set `cur_cfg` to `next_cfg`, give interfaces
   * without an `ofport` one (`ofport_request`, else the next free number) and bridges a `datapath_id` (their
   * `other_config:datapath-id` when set, else one derived from the row UUID) (default false). Lets adapters that wait
   * for `cur_cfg` run without the real daemon; `OpenFlowSwitchSimulator` adds the OpenFlow side.
   */
  readonly emulateVswitchd?: boolean;
  /** Largest JSON-RPC message accepted from a client (default 64 MiB). */
  readonly maxMessageBytes?: number;
  /** Debug lines (methods, sessions, faults). */
  readonly logger?: Logger;
}

const OptionsCodec = struct(
  'OVSDB simulator options',
  {},
  {
    databases: t.array(t.union([t.literal('Open_vSwitch'), t.literal('hardware_vtep'), struct('database', { schema: t.union([t.string, t.UnknownRecord]) })])),
    initOpenVswitch: t.boolean,
    tcp: t.boolean,
    host: t.string,
    port: t.number,
    unixSocket: t.union([t.boolean, t.string]),
    probeIntervalMs: t.number,
    emulateVswitchd: t.boolean,
    maxMessageBytes: t.number,
    logger: t.unknown,
  },
);

/** Where a started simulator listens. */
export interface OvsdbSimulatorEndpoints {
  /** TCP address and port (when TCP is on). */
  readonly host?: string;
  readonly port?: number;
  /** `tcp:<host>:<port>`, for `OvsdbClient.connect({ remote })` or `ovs-vsctl --db=`. */
  readonly tcpRemote?: string;
  /** The unix socket path (when on). */
  readonly socketPath?: string;
  /** `unix:<path>`. */
  readonly unixRemote?: string;
}

/** Counters of what the simulator received and did (a snapshot). */
export interface OvsdbSimulatorStats {
  /** Connections accepted since start. */
  connections: number;
  /** Connections open now. */
  activeConnections: number;
  /** JSON-RPC requests received (notifications not counted). */
  requests: number;
  /** Requests per method. */
  requestsByMethod: Record<string, number>;
  /** Transactions answered (network and {@link OvsdbSimulator.transactDirect}), failed ones included. */
  transactions: number;
  /** Transactions answered with an error (nothing applied). */
  failedTransactions: number;
  /** Commits that changed at least one row (the emulated ovs-vswitchd's included). */
  writes: number;
  /** Rows inserted, modified and deleted by those commits (garbage collection included). */
  rowsInserted: number;
  rowsModified: number;
  rowsDeleted: number;
  /** Notifications sent (`update`, `update2`, `update3`, `locked`, `stolen`). */
  notifications: number;
  /** Echo probes the server sent. */
  probesSent: number;
  /** Connections closed by an injected fault. */
  faultDrops: number;
}

/** A row in {@link OvsdbSimulator.dump}: every column in the wire notation, `_uuid` and `_version` included. */
export type OvsdbDumpRow = Readonly<Record<string, unknown>>;

/** What one commit changed, for {@link OvsdbSimulator.onCommit}: table → row UUID → old/new rows (wire notation). */
export interface OvsdbCommitEvent {
  readonly database: string;
  readonly changes: Readonly<Record<string, Readonly<Record<string, { readonly old?: OvsdbDumpRow; readonly new?: OvsdbDumpRow }>>>>;
}

/** Options of {@link OvsdbSimulator.failNextTransact}. */
export interface OvsdbFailOptions {
  /**
   * Where the error appears: `'commit'` (default) appends it after the results, as ovsdb-server reports a failed
   * commit; a number puts it in that operation's slot (the ones after it get `null`).
   */
  readonly at?: number | 'commit';
}

/** Options of {@link OvsdbSimulator.dropConnectionOnNextTransact}. */
export interface OvsdbDropOptions {
  /** `before` (default): the transaction is not run; `after`: it is committed, then the reply is lost. */
  readonly when?: 'before' | 'after';
}

interface Trigger {
  readonly session: Session;
  readonly id: unknown;
  readonly key: string;
  readonly db: OvsdbDatabase;
  readonly operations: readonly unknown[];
  readonly start: number;
  readonly dryRunError?: { readonly error: OvsdbErrorJson; readonly at: number | 'commit' };
  /** Run by the simulator itself (the emulated ovs-vswitchd): not counted as a transaction received. */
  readonly internal?: boolean;
  timer?: NodeJS.Timeout;
  complete(results: unknown[]): void;
  /** Called instead of `complete` when the simulator stops while the transaction still waits. */
  abandon?(error: Error): void;
}

class Session implements OvsdbLockHolder {
  readonly monitors = new Map<string, OvsdbMonitor>();
  readonly triggers = new Map<string, Trigger>();
  closed = false;
  /** Messages waiting while an injected delay holds the session. */
  readonly queue: string[] = [];
  busy = false;
  probeTimer: NodeJS.Timeout | undefined;
  probeSent = false;

  constructor(
    readonly label: string,
    private readonly sink: ((text: string) => void) | undefined,
    private readonly onNotify: () => void,
    readonly socket?: net.Socket,
  ) {}

  send(message: unknown): void {
    if (this.closed || this.sink === undefined) return;
    this.sink(JSON.stringify(message));
  }

  reply(id: unknown, result: unknown): void {
    this.send({ id, result, error: null });
  }

  replyError(id: unknown, error: OvsdbErrorJson | string): void {
    this.send({ id, error });
  }

  notify(method: string, params: unknown[]): void {
    if (this.closed || this.sink === undefined) return;
    this.onNotify();
    this.send({ id: null, method, params });
  }

  notifyLock(method: 'locked' | 'stolen', lock: string): void {
    this.notify(method, [lock]);
  }
}

function emptyStats(): OvsdbSimulatorStats {
  return {
    connections: 0,
    activeConnections: 0,
    requests: 0,
    requestsByMethod: {},
    transactions: 0,
    failedTransactions: 0,
    writes: 0,
    rowsInserted: 0,
    rowsModified: 0,
    rowsDeleted: 0,
    notifications: 0,
    probesSent: 0,
    faultDrops: 0,
  };
}

const LOCK_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An in-memory OVSDB server. Construct, {@link OvsdbSimulator.start}, point clients at `tcpRemote`/`unixRemote`,
 * {@link OvsdbSimulator.stop}. The databases exist from construction on, so {@link OvsdbSimulator.transactDirect}
 * can seed them before clients connect.
 *
 * @example
 * const sim = new OvsdbSimulator({ databases: ['Open_vSwitch', 'hardware_vtep'] });
 * const { unixRemote } = await sim.start();
 * const client = await OvsdbClient.connect({ remote: unixRemote! });        // @netloom/ovsdb
 * await sim.transactDirect('Open_vSwitch', [{ op: 'mutate', table: 'Open_vSwitch', where: [],
 *   mutations: [['external_ids', 'insert', ['map', [['owner', 'demo']]]]] }]);
 * sim.dump('Open_vSwitch')['Open_vSwitch'];                               // [{ _uuid: ['uuid', ...], external_ids: ['map', [['owner', 'demo']]], ... }]
 * await client.close();
 * await sim.stop();
 */
export class OvsdbSimulator {
  private readonly databases = new Map<string, OvsdbDatabase>();
  private readonly schemaJson = new Map<string, Record<string, unknown>>();
  private readonly locks = new OvsdbLockTable();
  private readonly sessions = new Set<Session>();
  private readonly pending: Trigger[] = [];
  private readonly draining = new Set<OvsdbDatabase>();
  private readonly redo = new Set<OvsdbDatabase>();
  private readonly commitListeners = new Set<(event: OvsdbCommitEvent) => void>();
  private readonly logger: Logger;
  private readonly options: OvsdbSimulatorOptions;
  private readonly serverId = newUuid();
  private readonly direct: Session;
  private counters: OvsdbSimulatorStats = emptyStats();
  private tcpServer: net.Server | undefined;
  private unixServer: net.Server | undefined;
  private tempDir: string | undefined;
  private ends: OvsdbSimulatorEndpoints | undefined;
  private nextSession = 1;
  private nextDirect = 1;
  private vswitchdScheduled = false;
  private stopped = false;
  private faults: {
    drop?: 'before' | 'after';
    delay?: { ms: number; once: boolean };
    fail?: { error: OvsdbErrorJson; at: number | 'commit' };
  } = {};

  /**
   * @throws InputError for bad options or a schema that cannot be read.
   */
  constructor(options: OvsdbSimulatorOptions = {}) {
    decodeOrThrow(OptionsCodec, options, 'OVSDB simulator options');
    const problems: { path: string; reason: string }[] = [];
    if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) problems.push({ path: 'port', reason: `${options.port} is outside 0..65535` });
    if (options.probeIntervalMs !== undefined && !(options.probeIntervalMs >= 0)) problems.push({ path: 'probeIntervalMs', reason: 'must be ≥ 0' });
    if (options.maxMessageBytes !== undefined && !(Number.isInteger(options.maxMessageBytes) && options.maxMessageBytes > 0)) problems.push({ path: 'maxMessageBytes', reason: 'must be a positive integer' });
    if (options.tcp === false && options.unixSocket === false) problems.push({ path: 'unixSocket', reason: 'with tcp: false, a unix socket is the only way in' });
    if (problems.length > 0) throw InputError.fromProblems('OVSDB simulator options', problems);
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    const specs = options.databases ?? ['Open_vSwitch'];
    for (const spec of specs) {
      const schema: OvsdbDatabaseSchema =
        spec === 'Open_vSwitch' ? loadOvsdbSchema(VSWITCH_OVSSCHEMA) : spec === 'hardware_vtep' ? loadOvsdbSchema(VTEP_OVSSCHEMA) : typeof spec.schema === 'string' ? loadOvsdbSchema(spec.schema) : parseOvsdbSchema(spec.schema);
      if (schema.name === '_Server' || this.databases.has(schema.name)) throw InputError.fromProblems('OVSDB simulator options', [{ path: 'databases', reason: `database ${schema.name} is given twice or reserved` }]);
      this.addDatabase(new OvsdbDatabase(schema));
    }
    const server = new OvsdbDatabase(parseOvsdbSchema(OVSDB_SERVER_SCHEMA_JSON, '_Server schema'), true);
    this.addDatabase(server);
    server.seed(
      'Database',
      [...this.databases.values()].map((db) => ({
        fields: {
          name: { keys: [db.name] },
          model: { keys: ['standalone'] },
          connected: { keys: [true] },
          leader: { keys: [true] },
          schema: { keys: [sortedJson(this.schemaJson.get(db.name))] },
          sid: { keys: [] },
          cid: { keys: [] },
          index: { keys: [] },
        },
      })),
    );
    this.direct = new Session('direct', undefined, () => undefined);
    if (this.databases.has('Open_vSwitch') && options.initOpenVswitch !== false) {
      const outcome = runTransaction(this.databases.get('Open_vSwitch')!, [{ op: 'insert', table: 'Open_vSwitch', row: {} }], { ownsLock: () => false, elapsedMs: 0 });
      if (outcome.kind !== 'done' || outcome.failed) throw new Error('internal: could not create the Open_vSwitch root row');
    }
  }

  private addDatabase(db: OvsdbDatabase): void {
    this.databases.set(db.name, db);
    this.schemaJson.set(db.name, ovsdbSchemaToJson(db.schema));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts listening. Resolves with the endpoints.
   *
   * @throws DeviceConnectionError when a listener cannot be opened (address in use, socket path not writable).
   */
  async start(): Promise<OvsdbSimulatorEndpoints> {
    if (this.ends !== undefined) return this.ends;
    if (this.stopped) throw new DeviceConnectionError('OVSDB simulator was stopped; create a new one', {});
    const out: { -readonly [K in keyof OvsdbSimulatorEndpoints]: OvsdbSimulatorEndpoints[K] } = {};
    try {
      if (this.options.tcp !== false) {
        const host = this.options.host ?? '127.0.0.1';
        this.tcpServer = net.createServer((s) => this.accept(s, 'tcp'));
        await listen(this.tcpServer, { host, port: this.options.port ?? 0 });
        const port = (this.tcpServer.address() as net.AddressInfo).port;
        Object.assign(out, { host, port, tcpRemote: `tcp:${host.includes(':') ? `[${host}]` : host}:${port}` });
      }
      if (this.options.unixSocket !== false) {
        let socketPath: string;
        if (typeof this.options.unixSocket === 'string') {
          socketPath = this.options.unixSocket;
          // A socket left behind by an earlier run is replaced, as ovsdb-server does with punix: remotes.
          if (fs.existsSync(socketPath) && fs.statSync(socketPath).isSocket()) fs.rmSync(socketPath);
        } else {
          this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netloom-ovsdb-sim-'));
          socketPath = path.join(this.tempDir, 'db.sock');
        }
        this.unixServer = net.createServer((s) => this.accept(s, 'unix'));
        await listen(this.unixServer, { path: socketPath });
        Object.assign(out, { socketPath, unixRemote: `unix:${socketPath}` });
      }
    } catch (e) {
      await this.stop();
      throw new DeviceConnectionError(`OVSDB simulator cannot listen: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { code: (e as NodeJS.ErrnoException).code } });
    }
    this.ends = out;
    this.logger.debug({ ...out }, 'ovsdb simulator listening');
    return out;
  }

  /** The endpoints (undefined before {@link OvsdbSimulator.start}). */
  get endpoints(): OvsdbSimulatorEndpoints | undefined {
    return this.ends;
  }

  /**
   * Stops listening, closes every connection, drops pending transactions, removes the temporary socket directory.
   * The contents stay readable ({@link OvsdbSimulator.dump}). Idempotent.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const session of [...this.sessions]) this.closeSession(session, 'simulator stopped');
    for (const trigger of [...this.pending]) {
      this.dropTrigger(trigger);
      trigger.abandon?.(new DeviceConnectionError('OVSDB simulator stopped while the transaction was waiting', { details: { database: trigger.db.name } }));
    }
    const servers = [this.tcpServer, this.unixServer].filter((s): s is net.Server => s !== undefined);
    this.tcpServer = undefined;
    this.unixServer = undefined;
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (this.tempDir !== undefined) fs.rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Test API

  /**
   * The served databases in `list_dbs` order: the configured ones in order, then `_Server` (ovsdb-server lists them
   * in hash order; with one database it, too, names that database first).
   */
  listDbs(): string[] {
    return [...this.databases.keys()];
  }

  /** A database's schema as `get_schema` returns it. @throws InputError for an unknown database. */
  schema(database: string): Record<string, unknown> {
    const json = this.schemaJson.get(database);
    if (json === undefined) throw this.unknownDatabase(database);
    return structuredClone(json);
  }

  /**
   * The contents of a database: table → rows (every column in the wire notation, `_uuid` and `_version` included,
   * in insertion order). Tables without rows are listed with `[]`.
   *
   * @throws InputError for an unknown database.
   */
  dump(database: string): Record<string, OvsdbDumpRow[]> {
    const db = this.databases.get(database);
    if (db === undefined) throw this.unknownDatabase(database);
    const out: Record<string, OvsdbDumpRow[]> = {};
    for (const table of db.schema.tables.values()) out[table.name] = [...db.committedRows(table.name).values()].map((r) => this.rowJson(db, table.name, r));
    return out;
  }

  /**
   * Runs a transaction as another client would (no locks held): wire-notation operations in, the `transact` result
   * array out (errors in it, as on the wire). Monitors see the change; a `wait` blocks until satisfied or timed out.
   * Faults do not apply.
   *
   * @throws InputError for an unknown database or a non-array `operations`.
   * @example
   * const [r] = await sim.transactDirect('Open_vSwitch', [{ op: 'select', table: 'Bridge', where: [], columns: ['name'] }]);
   */
  transactDirect(database: string, operations: readonly unknown[]): Promise<unknown[]> {
    return this.directTransaction(database, operations, false);
  }

  private directTransaction(database: string, operations: readonly unknown[], internal: boolean): Promise<unknown[]> {
    const db = this.databases.get(database);
    if (db === undefined) return Promise.reject(this.unknownDatabase(database));
    if (!Array.isArray(operations)) return Promise.reject(InputError.fromProblems('transactDirect', [{ path: 'operations', reason: 'expected an array of operations' }]));
    return new Promise<unknown[]>((resolve, reject) => {
      const id = `direct-${this.nextDirect++}`;
      this.startTrigger({ session: this.direct, id, key: id, db, operations, start: Date.now(), internal, complete: resolve, abandon: reject });
    });
  }

  /** A snapshot of the counters. */
  get stats(): OvsdbSimulatorStats {
    return { ...this.counters, requestsByMethod: { ...this.counters.requestsByMethod }, activeConnections: [...this.sessions].filter((s) => s.socket !== undefined).length };
  }

  /** Sets every counter to zero. */
  resetStats(): void {
    this.counters = emptyStats();
  }

  /** Lock name → label of the session owning it (`tcp#3`, `unix#1`). */
  lockOwners(): Record<string, string> {
    return this.locks.owners();
  }

  /** Subscribes to commits (any source). Returns the unsubscribe function. */
  onCommit(listener: (event: OvsdbCommitEvent) => void): () => void {
    this.commitListeners.add(listener);
    return () => {
      this.commitListeners.delete(listener);
    };
  }

  /** Closes every client connection now (clients see the server vanish; their locks and monitors are dropped). */
  dropConnections(): void {
    for (const s of [...this.sessions]) if (s.socket !== undefined) this.closeSession(s, 'dropped by the test');
  }

  /** Fault: the next `transact` from a client loses its connection (before it runs, or after it committed). */
  dropConnectionOnNextTransact(options: OvsdbDropOptions = {}): void {
    this.faults.drop = options.when ?? 'before';
  }

  /** Fault: `transact` requests from clients are held `ms` before they run (every one, or only the next with `once`). */
  delayTransact(ms: number, options: { readonly once?: boolean } = {}): void {
    this.faults.delay = { ms, once: options.once ?? false };
  }

  /**
   * Fault: the next `transact` from a client fails with `error` (an OVSDB error kind, or a whole `<error>` object)
   * and changes nothing.
   *
   * @example sim.failNextTransact({ error: 'I/O error', details: 'disk full' });
   */
  failNextTransact(error: string | OvsdbErrorJson, options: OvsdbFailOptions = {}): void {
    this.faults.fail = { error: typeof error === 'string' ? { error } : error, at: options.at ?? 'commit' };
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.faults = {};
  }

  private unknownDatabase(database: string): InputError {
    return InputError.fromProblems('OVSDB simulator', [{ path: 'database', reason: `${JSON.stringify(database)} is not served (serving ${this.listDbs().join(', ')})` }]);
  }

  private rowJson(db: OvsdbDatabase, table: string, row: OvsdbRow): OvsdbDumpRow {
    const schema = db.schema.tables.get(table)!;
    return rowToJson(row, [ovsdbColumn(schema, '_uuid')!, ovsdbColumn(schema, '_version')!, ...schema.columns.values()]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Connections

  private accept(socket: net.Socket, kind: 'tcp' | 'unix'): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const label = `${kind}#${this.nextSession++}`;
    const session = new Session(
      label,
      (text) => socket.write(text),
      () => {
        this.counters.notifications++;
      },
      socket,
    );
    this.sessions.add(session);
    this.counters.connections++;
    this.logger.debug({ session: label }, 'ovsdb simulator: client connected');
    const framer = new OvsdbMessageFramer(this.options.maxMessageBytes);
    socket.on('data', (chunk: Buffer) => {
      this.heard(session);
      let messages: string[];
      try {
        messages = framer.push(chunk);
      } catch (e) {
        this.closeSession(session, e instanceof OvsdbFramingError ? e.message : String(e));
        return;
      }
      session.queue.push(...messages);
      this.pump(session);
    });
    socket.on('error', (e) => this.logger.debug({ session: label, err: e.message }, 'ovsdb simulator: socket error'));
    socket.on('close', () => this.closeSession(session, 'peer closed'));
    this.heard(session);
  }

  /** Any traffic from the client restarts the inactivity probe. */
  private heard(session: Session): void {
    const interval = this.options.probeIntervalMs ?? 0;
    if (interval <= 0 || session.closed) return;
    session.probeSent = false;
    if (session.probeTimer !== undefined) clearTimeout(session.probeTimer);
    const tick = (): void => {
      if (session.closed) return;
      if (session.probeSent) {
        this.closeSession(session, `no reply to the inactivity probe within ${interval} ms`);
        return;
      }
      session.probeSent = true;
      this.counters.probesSent++;
      session.send({ id: 'echo', method: 'echo', params: [] });
      session.probeTimer = setTimeout(tick, interval);
    };
    session.probeTimer = setTimeout(tick, interval);
  }

  private closeSession(session: Session, reason: string): void {
    if (session.closed) return;
    session.closed = true;
    if (session.probeTimer !== undefined) clearTimeout(session.probeTimer);
    this.sessions.delete(session);
    for (const trigger of [...session.triggers.values()]) this.dropTrigger(trigger);
    session.monitors.clear();
    this.locks.releaseAll(session);
    session.socket?.destroy();
    this.logger.debug({ session: session.label, reason }, 'ovsdb simulator: connection closed');
  }

  /** Handles queued messages in order; an injected delay holds the rest of this session's messages. */
  private pump(session: Session): void {
    if (session.busy) return;
    while (!session.closed && session.queue.length > 0) {
      const text = session.queue.shift()!;
      const wait = this.handleMessage(session, text);
      if (wait !== undefined) {
        session.busy = true;
        void wait.then(() => {
          session.busy = false;
          this.pump(session);
        });
        return;
      }
    }
  }

  private handleMessage(session: Session, text: string): Promise<void> | undefined {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.closeSession(session, 'received a message that is not JSON');
      return undefined;
    }
    const bad = (why: string): undefined => {
      this.closeSession(session, `bad JSON-RPC message: ${why}`);
      return undefined;
    };
    if (!isJsonObject(msg)) return bad('not an object');
    const extra = Object.keys(msg).find((k) => !['method', 'params', 'result', 'error', 'id'].includes(k));
    if (extra !== undefined) return bad(`unexpected member "${extra}"`);
    const id = msg['id'];
    if (msg['method'] !== undefined) {
      if (typeof msg['method'] !== 'string') return bad('"method" is not a string');
      if (!Array.isArray(msg['params'])) return bad('"params" is not an array');
      if (msg['result'] !== undefined || msg['error'] !== undefined) return bad('request with "result" or "error"');
      if (id === undefined || id === null) {
        this.handleNotification(session, msg['method'], msg['params']);
        return undefined;
      }
      this.counters.requests++;
      this.counters.requestsByMethod[msg['method']] = (this.counters.requestsByMethod[msg['method']] ?? 0) + 1;
      this.logger.debug({ session: session.label, method: msg['method'] }, 'ovsdb simulator: request');
      return this.handleRequest(session, msg['method'], msg['params'] as unknown[], id);
    }
    if (msg['result'] !== undefined || msg['error'] !== undefined) {
      // The only request this server sends is its inactivity probe.
      if (id === 'echo') return undefined;
      return bad(`reply to unknown request ${JSON.stringify(id)}`);
    }
    return bad('neither a request nor a reply');
  }

  private handleNotification(session: Session, method: string, params: unknown[]): void {
    if (method !== 'cancel' || params.length !== 1) return;
    // ovsdb-server drops the canceled transaction without answering it.
    const trigger = session.triggers.get(sortedJson(params[0]));
    if (trigger !== undefined) this.dropTrigger(trigger);
  }

  private handleRequest(session: Session, method: string, params: unknown[], id: unknown): Promise<void> | undefined {
    try {
      switch (method) {
        case 'echo':
          session.reply(id, params);
          return undefined;
        case 'list_dbs':
          session.reply(id, this.listDbs());
          return undefined;
        case 'get_schema':
          session.reply(id, this.schemaJson.get(this.databaseOf(method, params).name));
          return undefined;
        case 'get_server_id':
          session.reply(id, this.serverId);
          return undefined;
        case 'set_db_change_aware':
          session.reply(id, {});
          return undefined;
        case 'transact':
          return this.handleTransact(session, params, id);
        case 'monitor':
        case 'monitor_cond':
        case 'monitor_cond_since':
          this.handleMonitor(session, method, params, id);
          return undefined;
        case 'monitor_cond_change':
          this.handleMonitorCondChange(session, params, id);
          return undefined;
        case 'monitor_cancel': {
          const key = params.length === 1 ? sortedJson(params[0]) : undefined;
          if (key === undefined || !session.monitors.delete(key)) session.replyError(id, 'unknown monitor');
          else session.reply(id, {});
          return undefined;
        }
        case 'lock':
        case 'steal':
        case 'unlock':
          this.handleLock(session, method, params, id);
          return undefined;
        default:
          session.replyError(id, 'unknown method');
          return undefined;
      }
    } catch (e) {
      if (e instanceof OvsdbOpError) session.replyError(id, e.toJson());
      else {
        // A bug of the simulator must not take the test process down: answer as ovsdb-server would an internal failure.
        this.logger.error({ session: session.label, method, err: e instanceof Error ? e.message : String(e) }, 'ovsdb simulator: internal error');
        session.replyError(id, { error: 'internal error', details: e instanceof Error ? e.message : String(e) });
      }
      return undefined;
    }
  }

  private databaseOf(method: string, params: unknown[]): OvsdbDatabase {
    const name = params[0];
    if (typeof name !== 'string') throw syntaxError(params, `${method} request params must begin with <db-name>`);
    const db = this.databases.get(name);
    if (db === undefined) throw new OvsdbOpError('unknown database', `${method} request specifies unknown database ${name}`, sortedJson(params));
    return db;
  }

  // -------------------------------------------------------------------------------------------------------------
  // transact

  private handleTransact(session: Session, params: unknown[], id: unknown): Promise<void> | undefined {
    const db = this.databaseOf('transact', params);
    const key = sortedJson(id);
    const operations = params.slice(1);
    if (this.faults.drop !== undefined) {
      const when = this.faults.drop;
      delete this.faults.drop;
      this.counters.faultDrops++;
      this.logger.debug({ session: session.label, when }, 'ovsdb simulator: fault: dropping the connection');
      if (when === 'before') {
        this.closeSession(session, 'fault: dropped before the transaction');
        return undefined;
      }
      this.startTrigger({ session, id, key, db, operations, start: Date.now(), complete: () => this.closeSession(session, 'fault: dropped after the transaction') });
      return undefined;
    }
    const fail = this.faults.fail;
    if (fail !== undefined) delete this.faults.fail;
    const run = (): void => {
      this.startTrigger({ session, id, key, db, operations, start: Date.now(), ...(fail !== undefined ? { dryRunError: fail } : {}), complete: (results) => session.reply(id, results) });
    };
    const delay = this.faults.delay;
    if (delay !== undefined) {
      if (delay.once) delete this.faults.delay;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          if (!session.closed) run();
          resolve();
        }, delay.ms);
        // A delayed request must not keep a stopped test process alive.
        timer.unref();
      });
    }
    run();
    return undefined;
  }

  private startTrigger(trigger: Trigger): void {
    trigger.session.triggers.set(trigger.key, trigger);
    this.attempt(trigger);
  }

  private dropTrigger(trigger: Trigger): void {
    if (trigger.timer !== undefined) clearTimeout(trigger.timer);
    const i = this.pending.indexOf(trigger);
    if (i >= 0) this.pending.splice(i, 1);
    trigger.session.triggers.delete(trigger.key);
  }

  /** One attempt of a (possibly waiting) transaction. */
  private attempt(trigger: Trigger): void {
    const session = trigger.session;
    let outcome: TransactOutcome;
    try {
      outcome = runTransaction(trigger.db, trigger.operations, { ownsLock: (lock) => this.locks.owner(lock) === session, elapsedMs: Date.now() - trigger.start }, trigger.dryRunError !== undefined);
    } catch (e) {
      this.logger.error({ session: session.label, err: e instanceof Error ? e.message : String(e) }, 'ovsdb simulator: internal error in a transaction');
      outcome = { kind: 'done', results: [{ error: 'internal error', details: e instanceof Error ? e.message : String(e) }], failed: true, changes: new Map() };
    }
    if (outcome.kind === 'blocked') {
      if (!this.pending.includes(trigger)) this.pending.push(trigger);
      if (trigger.timer !== undefined) clearTimeout(trigger.timer);
      trigger.timer = undefined;
      if (outcome.retryInMs !== undefined) trigger.timer = setTimeout(() => this.attempt(trigger), Math.max(0, outcome.retryInMs));
      return;
    }
    this.dropTrigger(trigger);
    let results = outcome.results;
    let failed = outcome.failed;
    if (trigger.dryRunError !== undefined && !outcome.failed) {
      const { error, at } = trigger.dryRunError;
      results = at === 'commit' || at >= results.length ? [...results, error] : [...results.slice(0, at), error, ...results.slice(at + 1).map(() => null)];
      failed = true;
      this.logger.debug({ session: session.label, error: error.error }, 'ovsdb simulator: fault: failing the transaction');
    }
    if (trigger.internal !== true) {
      this.counters.transactions++;
      if (failed) this.counters.failedTransactions++;
    }
    if (outcome.changes.size > 0) this.publish(trigger.db, outcome.changes);
    trigger.complete(results);
    if (outcome.changes.size > 0) this.afterCommit(trigger.db, outcome.changes);
  }

  /** Sends every monitor of the database its part of a commit (before the committing client's reply). */
  private publish(db: OvsdbDatabase, changes: OvsdbCommitChanges): void {
    this.counters.writes++;
    for (const rows of changes.values()) {
      for (const c of rows.values()) {
        if (c.old === undefined) this.counters.rowsInserted++;
        else if (c.new === undefined) this.counters.rowsDeleted++;
        else this.counters.rowsModified++;
      }
    }
    for (const session of this.sessions) {
      for (const monitor of session.monitors.values()) {
        if (monitor.db !== db) continue;
        const updates = monitor.updates(changes);
        if (updates !== undefined) this.sendUpdates(session, monitor, updates);
      }
    }
  }

  private sendUpdates(session: Session, monitor: OvsdbMonitor, updates: unknown): void {
    if (monitor.version === 1) session.notify('update', [monitor.id, updates]);
    else if (monitor.version === 2) session.notify('update2', [monitor.id, updates]);
    else session.notify('update3', [monitor.id, ZERO_UUID, updates]);
  }

  private afterCommit(db: OvsdbDatabase, changes: OvsdbCommitChanges): void {
    if (this.commitListeners.size > 0) {
      const event: OvsdbCommitEvent = { database: db.name, changes: this.changesJson(db, changes) };
      for (const l of [...this.commitListeners]) {
        try {
          l(event);
        } catch (e) {
          this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'ovsdb simulator: commit listener failed');
        }
      }
    }
    if (this.options.emulateVswitchd === true && db.name === 'Open_vSwitch') this.scheduleVswitchd();
    this.runPending(db);
  }

  private changesJson(db: OvsdbDatabase, changes: OvsdbCommitChanges): OvsdbCommitEvent['changes'] {
    const out: Record<string, Record<string, { old?: OvsdbDumpRow; new?: OvsdbDumpRow }>> = {};
    for (const [table, rows] of changes) {
      const t2: Record<string, { old?: OvsdbDumpRow; new?: OvsdbDumpRow }> = {};
      for (const [uuid, c] of rows) t2[uuid] = { ...(c.old !== undefined ? { old: this.rowJson(db, table, c.old) } : {}), ...(c.new !== undefined ? { new: this.rowJson(db, table, c.new) } : {}) };
      out[table] = t2;
    }
    return out;
  }

  /** Re-tries the transactions waiting on `db` after a commit, until none makes progress. */
  private runPending(db: OvsdbDatabase): void {
    if (this.draining.has(db)) {
      this.redo.add(db);
      return;
    }
    this.draining.add(db);
    try {
      do {
        this.redo.delete(db);
        for (const trigger of [...this.pending]) if (trigger.db === db && this.pending.includes(trigger)) this.attempt(trigger);
      } while (this.redo.has(db));
    } finally {
      this.draining.delete(db);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Monitors and locks

  private handleMonitor(session: Session, method: 'monitor' | 'monitor_cond' | 'monitor_cond_since', params: unknown[], id: unknown): void {
    const db = this.databaseOf(method, params);
    const expected = method === 'monitor_cond_since' ? 4 : 3;
    if (params.length !== expected) throw syntaxError(params, 'invalid parameters');
    const version: OvsdbMonitorVersion = method === 'monitor' ? 1 : method === 'monitor_cond' ? 2 : 3;
    const key = sortedJson(params[1]);
    if (session.monitors.has(key)) throw syntaxError(params[1], 'duplicate monitor ID');
    const monitor = new OvsdbMonitor(db, params[1], version, parseMonitorRequests(db, params[2], version));
    session.monitors.set(key, monitor);
    const initial = monitor.initial();
    session.reply(id, version === 3 ? [false, ZERO_UUID, initial] : initial);
  }

  private handleMonitorCondChange(session: Session, params: unknown[], id: unknown): void {
    if (params.length !== 3) throw syntaxError(params, 'invalid parameters');
    const oldKey = sortedJson(params[0]);
    const monitor = session.monitors.get(oldKey);
    if (monitor === undefined || monitor.version === 1) throw syntaxError(params[0], 'unknown monitor session');
    const newKey = sortedJson(params[1]);
    if (newKey !== oldKey && session.monitors.has(newKey)) throw syntaxError(params[1], 'duplicate monitor ID');
    const updates = monitor.changeConditions(params[2]);
    session.monitors.delete(oldKey);
    monitor.id = params[1];
    session.monitors.set(newKey, monitor);
    if (updates !== undefined) this.sendUpdates(session, monitor, updates);
    session.reply(id, {});
  }

  private handleLock(session: Session, method: 'lock' | 'steal' | 'unlock', params: unknown[], id: unknown): void {
    const name = params[0];
    if (params.length !== 1 || typeof name !== 'string' || !LOCK_ID.test(name)) throw syntaxError(params, `${method} request params must be <id>`);
    if (method === 'unlock') {
      if (!this.locks.isWaiting(session, name)) throw syntaxError(params, 'unlock: "unlock" without "lock" or "steal"');
      this.locks.unlock(session, name);
      session.reply(id, {});
      return;
    }
    if (this.locks.isWaiting(session, name)) throw syntaxError(params, `must issue "unlock" before new "${method}"`);
    if (method === 'lock') {
      session.reply(id, { locked: this.locks.lock(session, name) });
      return;
    }
    this.locks.steal(session, name);
    session.reply(id, { locked: true });
  }

  // -------------------------------------------------------------------------------------------------------------
  // ovs-vswitchd emulation

  private scheduleVswitchd(): void {
    if (this.vswitchdScheduled) return;
    this.vswitchdScheduled = true;
    setImmediate(() => {
      this.vswitchdScheduled = false;
      if (!this.stopped) this.vswitchdPass();
    });
  }

  /** One pass of the pretend ovs-vswitchd: reports every pending configuration as applied. */
  private vswitchdPass(): void {
    const db = this.databases.get('Open_vSwitch');
    if (db === undefined) return;
    const ops: unknown[] = [];
    const num = (row: OvsdbRow, c: string): number | undefined => rowDatum(row, c).keys[0] as number | undefined;
    const taken = new Set<number>();
    for (const i of db.committedRows('Interface').values()) {
      const p = num(i, 'ofport');
      if (p !== undefined) taken.add(p);
    }
    const bridgeNames = new Set([...db.committedRows('Bridge').values()].map((b) => rowDatum(b, 'name').keys[0]));
    let next = 1;
    for (const i of db.committedRows('Interface').values()) {
      if (num(i, 'ofport') !== undefined) continue;
      // A bridge's own internal interface is OpenFlow port LOCAL (65534).
      let port = bridgeNames.has(rowDatum(i, 'name').keys[0]) ? 65534 : num(i, 'ofport_request');
      if (port === undefined || (port !== 65534 && taken.has(port))) {
        while (taken.has(next)) next++;
        port = next;
      }
      taken.add(port);
      ops.push({ op: 'update', table: 'Interface', where: [['_uuid', '==', ['uuid', i.uuid]]], row: { ofport: port } });
    }
    for (const b of db.committedRows('Bridge').values()) {
      const current = rowDatum(b, 'datapath_id').keys[0] as string | undefined;
      // As ovs-vswitchd: other_config:datapath-id (16 hex digits) wins, else the bridge keeps the id it has.
      const other = rowDatum(b, 'other_config');
      const at = other.keys.indexOf('datapath-id');
      const configured = at >= 0 ? String(other.values?.[at]) : undefined;
      const want = configured !== undefined && /^[0-9a-fA-F]{16}$/.test(configured) ? configured.toLowerCase() : (current ?? `0000${b.uuid.replace(/-/g, '').slice(0, 12)}`);
      if (current === want) continue;
      ops.push({ op: 'update', table: 'Bridge', where: [['_uuid', '==', ['uuid', b.uuid]]], row: { datapath_id: want } });
    }
    for (const root of db.committedRows('Open_vSwitch').values()) {
      const cfg = num(root, 'next_cfg');
      if (cfg !== undefined && cfg !== num(root, 'cur_cfg')) ops.push({ op: 'update', table: 'Open_vSwitch', where: [['_uuid', '==', ['uuid', root.uuid]]], row: { cur_cfg: cfg } });
    }
    if (ops.length === 0) return;
    this.logger.debug({ operations: ops.length }, 'ovsdb simulator: vswitchd emulation applies the configuration');
    void this.directTransaction('Open_vSwitch', ops, true).catch(() => undefined);
  }
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
