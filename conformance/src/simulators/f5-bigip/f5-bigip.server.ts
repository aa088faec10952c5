/**
 * The simulated BIG-IP: an HTTPS server with the iControl REST subset netloom uses (PROTOCOLS.md §4), a TCP
 * data plane ({@link F5Forwarder}) and a test API.
 *
 * - Authentication (§4.1): `POST /mgmt/shared/authn/login` hands out a token (`X-F5-Auth-Token`) with a lifetime
 *   (`timeout`, `expirationMicros`); `PATCH`/`DELETE /mgmt/shared/authz/tokens/<token>` extend or end it; an expired
 *   or unknown token, a missing header or wrong Basic credentials get 401 in the REST-framework shape. HTTP Basic
 *   authentication works for every other URI too.
 * - Configuration (§4.2): see `f5-bigip.rest.ts`; every write is all-or-nothing.
 * - Transactions (§4.3): `POST /mgmt/tm/transaction` → `transId`; requests with `X-F5-REST-Coordination-Id` are
 *   queued (not run) and listed under `.../commands`; `PATCH /mgmt/tm/transaction/<id>` `{"state":"VALIDATING"}`
 *   runs them in `evalOrder` on a copy of the configuration and keeps the copy only if every command succeeded
 *   (`transaction failed:<message>` otherwise). A transaction not committed within `timeoutSeconds` disappears.
 * - `GET /mgmt/tm/sys/version`: product, version, build, edition (the device facts).
 * - Errors (§4.4): TMOS and REST-framework shapes; `<`-tags in a URL or body are refused with apiError 26214401.
 *
 * Time: token lifetimes and transaction timeouts run `timeScale` times as fast as nominal (tests use 0.001), while
 * the replies show the nominal seconds, as the device would.
 *
 * @packageDocumentation
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { InputError, silentLogger, type InputProblem, type Logger } from '@netloom/ports';
import { makeTestCertificates } from '../arista-eos/eos.tls';
import { F5Config, F5_MONITOR_TYPES, fullPath } from './f5-bigip.config';
import { F5RestError, restFrameworkError, tmosError } from './f5-bigip.errors';
import { F5Forwarder, type ForwarderStats, type ListenerSpec, type ListenerView } from './f5-bigip.forwarder';
import { executeConfigRequest, isConfigPath, isWrite, type F5Reply } from './f5-bigip.rest';

/** A user of the simulated device. */
export interface F5SimulatorUser {
  readonly password: string;
  /** `admin` (default) may write; `guest` may only read. */
  readonly role?: 'admin' | 'guest';
}

/** What `GET /mgmt/tm/sys/version` reports. */
export interface F5VersionFacts {
  readonly product: string;
  readonly version: string;
  readonly build: string;
  readonly edition: string;
  readonly date: string;
  readonly title: string;
}

/** Options of {@link startF5BigipSimulator}. */
export interface F5BigipSimulatorOptions {
  /** Server certificate and key (PEM) and the CA that signed them. Default: a fresh CA and certificate via openssl. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  /** Listen address (default `127.0.0.1`) and port (default 0: a free one). */
  readonly host?: string;
  readonly port?: number;
  /** Users by name (default `{ admin: { password: 'admin' } }`). */
  readonly users?: Readonly<Record<string, F5SimulatorUser>>;
  /** Overrides of the version facts (default BIG-IP 17.1.1 build 0.0.2, Final). */
  readonly facts?: Partial<F5VersionFacts>;
  /** Nominal token lifetime in seconds (default 1200, as the device). */
  readonly tokenTimeoutSec?: number;
  /** Nominal transaction timeout in seconds (default 120). */
  readonly transactionTimeoutSec?: number;
  /** Real durations are nominal × `timeScale` (default 1; tests: 0.001). */
  readonly timeScale?: number;
  /** Forward TCP from local virtual servers to their members (default true). */
  readonly forwarding?: boolean;
  /** Debug lines (never a password or token). */
  readonly logger?: Logger;
}

/** Counters of what the simulator received and did. */
export interface F5SimulatorStats extends ForwarderStats {
  /** HTTP requests received (every method and URI). */
  requests: number;
  /** Requests per HTTP method. */
  requestsByMethod: Record<string, number>;
  logins: number;
  loginFailures: number;
  /** Requests refused with 401/403 (missing, wrong or expired credentials, read-only user). */
  unauthorized: number;
  /** Configuration writes that took effect through REST (one per command of a committed transaction). */
  writes: number;
  /** Configuration writes made through {@link F5BigipSimulator.applyOutOfBand}. */
  outOfBandWrites: number;
  transactionsStarted: number;
  transactionsCommitted: number;
  transactionsFailed: number;
  transactionsExpired: number;
  /** Requests queued into transactions. */
  commandsQueued: number;
  /** Connections cut by {@link F5BigipSimulator.dropConnectionDuring}. */
  connectionsDropped: number;
}

/** One REST operation (for {@link F5BigipSimulator.applyOutOfBand}). */
export interface F5Operation {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** URL path, e.g. `/mgmt/tm/ltm/pool/~shop~web`. */
  readonly path: string;
  readonly body?: unknown;
}

/** One line of the request log (no bodies, no credentials). */
export interface F5RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The coordination id when the request was queued into a transaction. */
  readonly transaction?: number;
}

/** A transaction as the test API shows it. */
export interface F5TransactionView {
  readonly transId: number;
  readonly state: string;
  readonly user: string;
  readonly commands: ReadonlyArray<{ readonly method: string; readonly path: string; readonly body?: unknown }>;
  readonly failureReason?: string;
}

/** Options of {@link F5BigipSimulator.dropConnectionDuring}. */
export interface F5DropOptions {
  /** Only requests with this method (default any). */
  readonly method?: string;
  /** `before` (default): the request is not handled; `after`: it is handled and the reply is lost. */
  readonly when?: 'before' | 'after';
  /** Drop only the first matching request (default true). */
  readonly once?: boolean;
}

/** Options of {@link F5BigipSimulator.failNextTransaction}. */
export interface F5FailOptions {
  /** Commands that run before the failure (default 0). */
  readonly afterCommands?: number;
  /** The TMOS message (default an injected configuration error). */
  readonly message?: string;
}

interface Token {
  readonly token: string;
  readonly user: string;
  readonly startTime: number;
  timeoutSec: number;
  expiresAt: number;
}

interface Command {
  commandId: number;
  evalOrder: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: unknown;
}

interface Transaction {
  readonly transId: number;
  readonly user: string;
  readonly createdAt: number;
  state: 'STARTED' | 'VALIDATING' | 'COMPLETED' | 'FAILED';
  commands: Command[];
  nextCommandId: number;
  failureReason?: string;
}

interface Drop {
  readonly pattern: RegExp;
  readonly method?: string;
  readonly when: 'before' | 'after';
  readonly once: boolean;
}

const DEFAULT_FACTS: F5VersionFacts = { product: 'BIG-IP', version: '17.1.1', build: '0.0.2', edition: 'Final', date: 'Fri Oct 20 12:00:00 PDT 2023', title: 'Main Package' };
const MAX_BODY = 1024 * 1024;
const TAG_LIKE = /<[A-Za-z!/?]/;
const COORDINATION = 'x-f5-rest-coordination-id';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkOptions(o: F5BigipSimulatorOptions): void {
  const problems: InputProblem[] = [];
  const positive = (path: string, v: number | undefined): void => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) problems.push({ path, reason: `must be a positive number, got ${String(v)}` });
  };
  positive('tokenTimeoutSec', o.tokenTimeoutSec);
  positive('transactionTimeoutSec', o.transactionTimeoutSec);
  positive('timeScale', o.timeScale);
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) problems.push({ path: 'port', reason: `must be 0..65535, got ${String(o.port)}` });
  for (const [name, u] of Object.entries(o.users ?? {})) {
    if (name === '' || /[\s:]/.test(name)) problems.push({ path: `users[${JSON.stringify(name)}]`, reason: 'a user name needs at least one character and no space or colon' });
    if (typeof u?.password !== 'string') problems.push({ path: `users[${JSON.stringify(name)}].password`, reason: 'required' });
  }
  if (problems.length > 0) throw InputError.fromProblems('F5 BIG-IP simulator options', problems);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A token the way the device spells them: 26 upper-case letters and digits. */
function newToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
}

/**
 * A running simulated BIG-IP. Create it with {@link startF5BigipSimulator}.
 */
export class F5BigipSimulator {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA certificate (PEM) a client must trust; undefined when the caller's `tls` had none. */
  readonly ca: string | undefined;
  /** Users by name; tests may add, change or remove users while the server runs. */
  readonly users: Map<string, F5SimulatorUser>;
  /** What `GET /mgmt/tm/sys/version` reports; tests may replace it. */
  facts: F5VersionFacts;
  /** Real durations are nominal × `timeScale`; tests may change it while the server runs. */
  timeScale: number;
  /** Nominal token lifetime of new tokens, in seconds. */
  tokenTimeoutSec: number;
  /** Nominal transaction timeout of new transactions, in seconds. */
  transactionTimeoutSec: number;

  #config = F5Config.factoryDefault();
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #tokens = new Map<string, Token>();
  readonly #transactions = new Map<number, Transaction>();
  readonly #forwarder: F5Forwarder;
  readonly #forwarding: boolean;
  readonly #logger: Logger;
  readonly #log: F5RequestLogEntry[] = [];
  #stats = F5BigipSimulator.#zeroStats();
  #drops: Drop[] = [];
  #failNext: F5FailOptions | undefined;
  #nextTransId = Math.floor(Date.now() / 1000) * 1000;
  #closed = false;

  /** @internal use {@link startF5BigipSimulator} */
  constructor(server: Server, options: F5BigipSimulatorOptions, ca: string | undefined) {
    this.#server = server;
    const address = server.address() as AddressInfo;
    this.host = address.address;
    this.port = address.port;
    this.url = `https://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    this.ca = ca;
    this.users = new Map(Object.entries(options.users ?? { admin: { password: 'admin' } }));
    this.facts = { ...DEFAULT_FACTS, ...options.facts };
    this.timeScale = options.timeScale ?? 1;
    this.tokenTimeoutSec = options.tokenTimeoutSec ?? 1200;
    this.transactionTimeoutSec = options.transactionTimeoutSec ?? 120;
    this.#forwarding = options.forwarding ?? true;
    this.#logger = (options.logger ?? silentLogger).child({ simulator: 'f5-bigip', port: this.port });
    this.#forwarder = new F5Forwarder((virtual) => this.#resolveVirtual(virtual));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((e: unknown) => {
        this.#logger.error({ err: e instanceof Error ? e.message : String(e) }, 'request handler failed');
        if (!res.headersSent) this.#send(res, { status: 500, body: { code: 500, message: 'internal simulator error', errorStack: [] } });
      });
    });
  }

  static #zeroStats(): F5SimulatorStats {
    return {
      requests: 0,
      requestsByMethod: {},
      logins: 0,
      loginFailures: 0,
      unauthorized: 0,
      writes: 0,
      outOfBandWrites: 0,
      transactionsStarted: 0,
      transactionsCommitted: 0,
      transactionsFailed: 0,
      transactionsExpired: 0,
      commandsQueued: 0,
      connectionsDropped: 0,
      forwarded: 0,
      refused: 0,
      upstreamFailures: 0,
      listenFailures: 0,
    };
  }

  // --- test API ---------------------------------------------------------------------------------------------------------

  /** A snapshot of the counters. */
  get stats(): Readonly<F5SimulatorStats> {
    return { ...this.#stats, requestsByMethod: { ...this.#stats.requestsByMethod }, ...this.#forwarder.stats };
  }

  /** Sets every counter to zero. */
  resetStats(): void {
    this.#stats = F5BigipSimulator.#zeroStats();
    Object.assign(this.#forwarder.stats, { forwarded: 0, refused: 0, upstreamFailures: 0, listenFailures: 0 });
  }

  /** The requests received so far, oldest first (at most the last 2000). */
  requestLog(): readonly F5RequestLogEntry[] {
    return [...this.#log];
  }

  /** The configuration itself (read it; change it through {@link applyOutOfBand}). */
  get config(): F5Config {
    return this.#config;
  }

  /**
   * Every object the device holds, as the REST API shows it: per collection URI (exactly what a `GET` of that URI
   * returns) — `/mgmt/tm/sys/folder`, `/mgmt/tm/ltm/monitor/<type>`, `/mgmt/tm/ltm/pool?expandSubcollections=true`,
   * `/mgmt/tm/ltm/node`, `/mgmt/tm/ltm/virtual`, `/mgmt/tm/ltm/virtual-address`, `/mgmt/tm/ltm/data-group/internal`.
   */
  dump(): Record<string, unknown> {
    const get = (uri: string): unknown => {
      const [path, query] = uri.split('?');
      return executeConfigRequest(this.#config.clone(), { method: 'GET', path: path!, query: new URLSearchParams(query ?? ''), body: undefined }, { version: this.facts.version }).body;
    };
    const uris = [
      '/mgmt/tm/sys/folder',
      ...F5_MONITOR_TYPES.map((t) => `/mgmt/tm/ltm/monitor/${t}`),
      '/mgmt/tm/ltm/pool?expandSubcollections=true',
      '/mgmt/tm/ltm/node',
      '/mgmt/tm/ltm/virtual',
      '/mgmt/tm/ltm/virtual-address',
      '/mgmt/tm/ltm/data-group/internal',
    ];
    return Object.fromEntries(uris.map((u) => [u, get(u)]));
  }

  /**
   * Changes the configuration behind the REST API's back, as an operator at tmsh would, all or nothing: a list of
   * REST operations, or a function that edits the configuration directly. Counted in `outOfBandWrites`, not `writes`.
   *
   * @throws F5RestError (the device's status and body) when an operation is refused; nothing changed then.
   * @example await sim.applyOutOfBand([{ method: 'DELETE', path: '/mgmt/tm/ltm/virtual/~shop~web-443' }]);
   */
  async applyOutOfBand(change: readonly F5Operation[] | ((config: F5Config) => void)): Promise<void> {
    const next = this.#config.clone();
    let n = 1;
    if (typeof change === 'function') change(next);
    else {
      n = change.length;
      for (const op of change) {
        const [path, query] = op.path.split('?');
        executeConfigRequest(next, { method: op.method, path: path!, query: new URLSearchParams(query ?? ''), body: op.body }, { version: this.facts.version });
      }
    }
    this.#config = next;
    this.#stats.outOfBandWrites += n;
    await this.#syncForwarding();
  }

  /** The next transaction commit fails after `afterCommands` commands (default 0) and changes nothing. One-shot. */
  failNextTransaction(options: F5FailOptions = {}): void {
    this.#failNext = options;
  }

  /** Cuts the connection of the next request whose URL path matches `pattern` (see {@link F5DropOptions}). */
  dropConnectionDuring(pattern: RegExp, options: F5DropOptions = {}): void {
    this.#drops.push({ pattern, ...(options.method === undefined ? {} : { method: options.method.toUpperCase() }), when: options.when ?? 'before', once: options.once ?? true });
  }

  /** Removes every armed fault. */
  clearFaults(): void {
    this.#drops = [];
    this.#failNext = undefined;
  }

  /** Ends every token at once (as a device restart or an administrator would). */
  expireTokens(): void {
    this.#tokens.clear();
  }

  /** The tokens alive now (user and nominal lifetime; never the token text). */
  tokens(): ReadonlyArray<{ readonly user: string; readonly timeoutSec: number; readonly expiresInMs: number }> {
    const now = Date.now();
    return [...this.#tokens.values()].filter((t) => t.expiresAt > now).map((t) => ({ user: t.user, timeoutSec: t.timeoutSec, expiresInMs: t.expiresAt - now }));
  }

  /** The transactions the device holds (pending, committed or failed). */
  transactions(): F5TransactionView[] {
    this.#sweepTransactions();
    return [...this.#transactions.values()].map((t) => ({
      transId: t.transId,
      state: t.state,
      user: t.user,
      commands: this.#ordered(t).map((c) => ({ method: c.method, path: c.path + (c.query === '' ? '' : `?${c.query}`), ...(c.body === undefined ? {} : { body: c.body }) })),
      ...(t.failureReason === undefined ? {} : { failureReason: t.failureReason }),
    }));
  }

  /** The TCP listeners of local virtual servers. */
  listeners(): ListenerView[] {
    return this.#forwarder.listeners();
  }

  /** Why listeners could not be opened (address in use, ...). */
  listenerFailures(): readonly string[] {
    return [...this.#forwarder.failures];
  }

  /** Stops the server, the listeners and every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#forwarder.close();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- request handling ---------------------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname;
    this.#stats.requests++;
    this.#stats.requestsByMethod[method] = (this.#stats.requestsByMethod[method] ?? 0) + 1;
    const drop = this.#takeDrop(method, path);
    if (drop?.when === 'before') {
      this.#cut(req, method, path);
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      this.#send(res, { status: 413, body: { code: 413, message: 'Request body too large.', errorStack: [] } });
      return;
    }
    let reply: F5Reply;
    let transaction: number | undefined;
    try {
      const r = await this.#route(method, path, url.searchParams, raw, req.headers);
      reply = r.reply;
      transaction = r.transaction;
    } catch (e) {
      if (e instanceof F5RestError) reply = { status: e.status, body: e.body };
      else throw e;
    }
    this.#record({ method, path, status: reply.status, ...(transaction === undefined ? {} : { transaction }) });
    if (reply.status === 401 || reply.status === 403) this.#stats.unauthorized++;
    if (drop?.when === 'after') {
      this.#cut(req, method, path);
      return;
    }
    this.#send(res, reply);
  }

  #takeDrop(method: string, path: string): Drop | undefined {
    const i = this.#drops.findIndex((d) => d.pattern.test(path) && (d.method === undefined || d.method === method));
    if (i < 0) return undefined;
    const d = this.#drops[i]!;
    if (d.once) this.#drops.splice(i, 1);
    return d;
  }

  #cut(req: IncomingMessage, method: string, path: string): void {
    this.#stats.connectionsDropped++;
    this.#record({ method, path, status: 0 });
    req.socket.destroy();
  }

  #record(entry: F5RequestLogEntry): void {
    this.#log.push(entry);
    if (this.#log.length > 2000) this.#log.splice(0, this.#log.length - 2000);
    this.#logger.debug({ ...entry }, 'request');
  }

  #send(res: ServerResponse, reply: F5Reply): void {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  async #route(method: string, path: string, query: URLSearchParams, raw: string, headers: IncomingMessage['headers']): Promise<{ reply: F5Reply; transaction?: number }> {
    if (TAG_LIKE.test(decodeURIComponent(path)) || TAG_LIKE.test(raw)) throw tmosError(400, 'HTML Tag-like Content in the Request URL/Body', 26214401);
    let body: unknown;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        throw tmosError(400, 'Found invalid JSON body in the request.', 2);
      }
    }
    if (path === '/mgmt/shared/authn/login') {
      if (method !== 'POST') throw restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
      return { reply: this.#login(body) };
    }
    const user = this.#authenticate(headers, method, path);
    const tokenMatch = /^\/mgmt\/shared\/authz\/tokens\/([^/]+)$/.exec(path);
    if (tokenMatch !== null) return { reply: this.#tokenRequest(method, decodeURIComponent(tokenMatch[1]!), body) };
    const coordination = headers[COORDINATION];
    if (coordination !== undefined) {
      const id = Number(Array.isArray(coordination) ? coordination[0] : coordination);
      if (path.startsWith('/mgmt/tm/transaction')) throw restFrameworkError(400, `Transaction ${id} operation ${method} ${path} is not allowed to be added to transaction.`);
      return { reply: this.#queue(id, user.name, method, path, query, body), transaction: id };
    }
    if (path === '/mgmt/tm/transaction' || path.startsWith('/mgmt/tm/transaction/')) return { reply: await this.#transactionRequest(method, path, body, user.name) };
    if (path === '/mgmt/tm/sys/version') {
      if (method !== 'GET') throw restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
      return { reply: { status: 200, body: this.#versionJson() } };
    }
    if (!isConfigPath(path)) throw restFrameworkError(404, `Public URI path not registered: ${path}`);
    if (!isWrite(method)) return { reply: executeConfigRequest(this.#config, { method, path, query, body }, { version: this.facts.version }) };
    if (user.role === 'guest') throw restFrameworkError(401, `Authorization failed: user=${user.name} resource=${path} verb=${method}`);
    const next = this.#config.clone();
    const reply = executeConfigRequest(next, { method, path, query, body }, { version: this.facts.version });
    this.#config = next;
    this.#stats.writes++;
    await this.#syncForwarding();
    return { reply };
  }

  // --- authentication -------------------------------------------------------------------------------------------------------

  #login(body: unknown): F5Reply {
    const fail = (): never => {
      this.#stats.loginFailures++;
      throw restFrameworkError(401, 'Authentication failed.');
    };
    if (!isRecord(body) || typeof body['username'] !== 'string' || typeof body['password'] !== 'string') throw restFrameworkError(400, 'username and password are required.');
    const provider = body['loginProviderName'];
    if (provider !== undefined && provider !== 'tmos' && provider !== 'local') fail();
    const user = this.users.get(body['username']);
    if (user === undefined || !safeEqual(user.password, body['password'])) fail();
    this.#stats.logins++;
    const now = Date.now();
    const t: Token = { token: newToken(), user: body['username'], startTime: now, timeoutSec: this.tokenTimeoutSec, expiresAt: now + this.tokenTimeoutSec * 1000 * this.timeScale };
    this.#tokens.set(t.token, t);
    return {
      status: 200,
      body: {
        username: t.user,
        loginReference: { link: 'https://localhost/mgmt/cm/system/authn/providers/tmos/1f44a60e-11a7-3c51-a49f-82983026b41b/login' },
        loginProviderName: 'tmos',
        token: this.#tokenJson(t),
        generation: 0,
        lastUpdateMicros: 0,
      },
    };
  }

  #tokenJson(t: Token): Record<string, unknown> {
    return {
      token: t.token,
      name: t.token,
      userName: t.user,
      authProviderName: 'tmos',
      user: { link: `https://localhost/mgmt/shared/authz/users/${t.user}` },
      groupReferences: [],
      timeout: t.timeoutSec,
      startTime: new Date(t.startTime).toISOString(),
      address: '127.0.0.1',
      partition: '[All]',
      generation: 1,
      lastUpdateMicros: t.startTime * 1000,
      expirationMicros: t.expiresAt * 1000,
      kind: 'shared:authz:tokens:authtokenitemstate',
      selfLink: `https://localhost/mgmt/shared/authz/tokens/${t.token}`,
    };
  }

  #authenticate(headers: IncomingMessage['headers'], method: string, path: string): { name: string; role: 'admin' | 'guest' } {
    const tokenHeader = headers['x-f5-auth-token'];
    if (typeof tokenHeader === 'string' && tokenHeader !== '') {
      const t = this.#tokens.get(tokenHeader);
      if (t === undefined || t.expiresAt <= Date.now() || !this.users.has(t.user)) {
        this.#tokens.delete(tokenHeader);
        throw restFrameworkError(401, 'X-F5-Auth-Token does not exist.');
      }
      return { name: t.user, role: this.users.get(t.user)?.role ?? 'admin' };
    }
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(headers['authorization'] ?? '');
    if (basic !== null) {
      const text = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      const name = colon < 0 ? text : text.slice(0, colon);
      const user = this.users.get(name);
      if (colon < 0 || user === undefined || !safeEqual(user.password, text.slice(colon + 1))) {
        throw restFrameworkError(401, `Authorization failed: user=${name} resource=${path} verb=${method}`);
      }
      return { name, role: user.role ?? 'admin' };
    }
    throw restFrameworkError(401, `Authorization failed: no user authentication header or token detected. Uri:http://localhost:8100${path} Referrer:127.0.0.1 Sender:127.0.0.1`);
  }

  #tokenRequest(method: string, token: string, body: unknown): F5Reply {
    const t = this.#tokens.get(token);
    if (t === undefined || t.expiresAt <= Date.now()) throw restFrameworkError(404, `Token ${token.slice(0, 4)}… does not exist.`);
    if (method === 'GET') return { status: 200, body: this.#tokenJson(t) };
    if (method === 'DELETE') {
      this.#tokens.delete(token);
      return { status: 200, body: this.#tokenJson(t) };
    }
    if (method === 'PATCH') {
      const timeout = isRecord(body) ? body['timeout'] : undefined;
      if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 36000) throw restFrameworkError(400, 'timeout must be an integer from 1 to 36000 seconds.');
      t.timeoutSec = timeout;
      t.expiresAt = Date.now() + timeout * 1000 * this.timeScale;
      return { status: 200, body: this.#tokenJson(t) };
    }
    throw restFrameworkError(405, `Method ${method} is not supported on tokens.`);
  }

  // --- transactions -----------------------------------------------------------------------------------------------------------

  #sweepTransactions(): void {
    const now = Date.now();
    for (const [id, t] of this.#transactions) {
      if (t.state === 'STARTED' && now - t.createdAt > this.transactionTimeoutSec * 1000 * this.timeScale) {
        this.#transactions.delete(id);
        this.#stats.transactionsExpired++;
      }
    }
  }

  #transaction(id: number, user: string): Transaction {
    this.#sweepTransactions();
    const t = this.#transactions.get(id);
    if (t === undefined || t.user !== user) throw restFrameworkError(404, `Transaction ${id} does not exist.`);
    return t;
  }

  #ordered(t: Transaction): Command[] {
    return [...t.commands].sort((a, b) => a.evalOrder - b.evalOrder);
  }

  #transactionJson(t: Transaction): Record<string, unknown> {
    return {
      transId: t.transId,
      state: t.state,
      timeoutSeconds: this.transactionTimeoutSec,
      asyncExecution: false,
      validateOnly: false,
      executionTimeout: 300,
      executionTime: 0,
      failureReason: t.failureReason ?? '',
      kind: 'tm:transactionstate',
      selfLink: `https://localhost/mgmt/tm/transaction/${t.transId}?ver=${this.facts.version}`,
    };
  }

  #commandJson(t: Transaction, c: Command): Record<string, unknown> {
    return {
      method: c.method,
      uri: `https://localhost${c.path}${c.query === '' ? '' : `?${c.query}`}`,
      ...(c.body === undefined ? {} : { body: c.body }),
      evalOrder: c.evalOrder,
      commandId: c.commandId,
      kind: 'tm:transaction:commands:commandsstate',
      selfLink: `https://localhost/mgmt/tm/transaction/${t.transId}/commands/${c.commandId}?ver=${this.facts.version}`,
    };
  }

  #queue(id: number, user: string, method: string, path: string, query: URLSearchParams, body: unknown): F5Reply {
    const t = this.#transaction(id, user);
    if (t.state !== 'STARTED') throw restFrameworkError(400, `Transaction ${id} is ${t.state}; no more commands can be added.`);
    if (!isWrite(method)) throw restFrameworkError(400, `Transaction ${id} operation ${method} ${path} is not allowed to be added to transaction.`);
    if (!isConfigPath(path)) throw restFrameworkError(404, `Public URI path not registered: ${path}`);
    if (this.users.get(user)?.role === 'guest') throw restFrameworkError(401, `Authorization failed: user=${user} resource=${path} verb=${method}`);
    const c: Command = { commandId: t.nextCommandId++, evalOrder: t.commands.length + 1, method, path, query: query.toString(), body };
    t.commands.push(c);
    this.#stats.commandsQueued++;
    return { status: 200, body: this.#commandJson(t, c) };
  }

  async #transactionRequest(method: string, path: string, body: unknown, user: string): Promise<F5Reply> {
    const parts = path.split('/').filter((s) => s !== '').slice(3); // after mgmt/tm/transaction
    if (parts.length === 0) {
      if (method === 'POST') {
        this.#sweepTransactions();
        const t: Transaction = { transId: ++this.#nextTransId, user, createdAt: Date.now(), state: 'STARTED', commands: [], nextCommandId: 1 };
        this.#transactions.set(t.transId, t);
        this.#stats.transactionsStarted++;
        return { status: 200, body: this.#transactionJson(t) };
      }
      if (method === 'GET') {
        this.#sweepTransactions();
        const items = [...this.#transactions.values()].filter((t) => t.user === user).map((t) => this.#transactionJson(t));
        return { status: 200, body: { kind: 'tm:transactioncollectionstate', selfLink: `https://localhost/mgmt/tm/transaction?ver=${this.facts.version}`, ...(items.length > 0 ? { items } : {}) } };
      }
      throw restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
    }
    const id = Number(parts[0]);
    const t = this.#transaction(id, user);
    if (parts.length === 1) {
      if (method === 'GET') return { status: 200, body: this.#transactionJson(t) };
      if (method === 'DELETE') {
        this.#transactions.delete(id);
        return { status: 200, body: undefined };
      }
      if (method === 'PATCH') return this.#commit(t, body);
      throw restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
    }
    if (parts[1] !== 'commands' || parts.length > 3) throw restFrameworkError(404, `Public URI path not registered: ${path}`);
    if (parts.length === 2) {
      if (method !== 'GET') throw restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
      const items = this.#ordered(t).map((c) => this.#commandJson(t, c));
      return { status: 200, body: { kind: 'tm:transaction:commands:commandscollectionstate', selfLink: `https://localhost${path}?ver=${this.facts.version}`, ...(items.length > 0 ? { items } : {}) } };
    }
    const c = t.commands.find((x) => x.commandId === Number(parts[2]));
    if (c === undefined) throw restFrameworkError(404, `Command ${parts[2]} of transaction ${id} does not exist.`);
    if (method === 'GET') return { status: 200, body: this.#commandJson(t, c) };
    if (t.state !== 'STARTED') throw restFrameworkError(400, `Transaction ${id} is ${t.state}.`);
    if (method === 'DELETE') {
      t.commands = t.commands.filter((x) => x !== c);
      this.#ordered(t).forEach((x, i) => (x.evalOrder = i + 1));
      return { status: 200, body: undefined };
    }
    if (method === 'PATCH') {
      const order = isRecord(body) ? body['evalOrder'] : undefined;
      if (typeof order !== 'number' || !Number.isInteger(order) || order < 1 || order > t.commands.length) throw restFrameworkError(400, `evalOrder must be 1..${t.commands.length}.`);
      const rest = this.#ordered(t).filter((x) => x !== c);
      rest.splice(order - 1, 0, c);
      rest.forEach((x, i) => (x.evalOrder = i + 1));
      return { status: 200, body: this.#commandJson(t, c) };
    }
    throw restFrameworkError(405, `Method ${method} is not supported on ${path}.`);
  }

  async #commit(t: Transaction, body: unknown): Promise<F5Reply> {
    if (!isRecord(body) || body['state'] !== 'VALIDATING') throw restFrameworkError(400, 'To commit a transaction, PATCH it with {"state":"VALIDATING"}.');
    if (t.state !== 'STARTED') throw restFrameworkError(400, `Transaction ${t.transId} is ${t.state}; it cannot be committed again.`);
    const validateOnly = body['validateOnly'] === true;
    const commands = this.#ordered(t);
    if (commands.length === 0) throw restFrameworkError(400, `Transaction ${t.transId} has no commands.`);
    t.state = 'VALIDATING';
    const next = this.#config.clone();
    const fault = validateOnly ? undefined : this.#failNext;
    if (fault !== undefined) this.#failNext = undefined;
    try {
      commands.forEach((c, i) => {
        if (fault !== undefined && i >= (fault.afterCommands ?? 0)) throw tmosError(400, fault.message ?? '01070734:3: Configuration error: the configuration could not be saved (injected fault).');
        executeConfigRequest(next, { method: c.method, path: c.path, query: new URLSearchParams(c.query), body: c.body }, { version: this.facts.version });
      });
      if (fault !== undefined) throw tmosError(400, fault.message ?? '01070734:3: Configuration error: the configuration could not be saved (injected fault).');
    } catch (e) {
      if (!(e instanceof F5RestError)) throw e;
      t.state = 'FAILED';
      t.failureReason = e.message;
      this.#stats.transactionsFailed++;
      throw tmosError(400, `transaction failed:${e.message}`, typeof e.body['apiError'] === 'number' ? e.body['apiError'] : 3);
    }
    if (validateOnly) {
      t.state = 'STARTED';
      return { status: 200, body: { ...this.#transactionJson(t), validateOnly: true } };
    }
    this.#config = next;
    t.state = 'COMPLETED';
    this.#stats.transactionsCommitted++;
    this.#stats.writes += commands.length;
    await this.#syncForwarding();
    return { status: 200, body: this.#transactionJson(t) };
  }

  // --- device facts and data plane ----------------------------------------------------------------------------------------------

  #versionJson(): Record<string, unknown> {
    const f = this.facts;
    const d = (description: string): { description: string } => ({ description });
    return {
      kind: 'tm:sys:version:versionstats',
      selfLink: `https://localhost/mgmt/tm/sys/version?ver=${f.version}`,
      entries: {
        'https://localhost/mgmt/tm/sys/version/0': {
          nestedStats: { entries: { Build: d(f.build), Date: d(f.date), Edition: d(f.edition), Product: d(f.product), Title: d(f.title), Version: d(f.version) } },
        },
      },
    };
  }

  #resolveVirtual(virtual: string): { pool: string; members: Array<{ address: string; port: number; available: boolean }> } | undefined {
    const v = this.#config.virtuals.get(virtual);
    if (v === undefined || v.pool === undefined || !v.enabled) return undefined;
    const pool = this.#config.pools.get(v.pool);
    if (pool === undefined) return undefined;
    const members = [...pool.members.values()].map((m) => {
      const node = this.#config.nodes.get(m.node);
      const nodeUp = node === undefined || (!node.disabled && !node.forcedOffline);
      return { address: m.address, port: m.port, available: !m.disabled && !m.forcedOffline && nodeUp };
    });
    return { pool: v.pool, members };
  }

  async #syncForwarding(): Promise<void> {
    if (!this.#forwarding || this.#closed) return;
    const specs: ListenerSpec[] = [];
    for (const v of this.#config.virtuals.values()) {
      if (v.enabled && (v.ipProtocol === 'tcp' || v.ipProtocol === 'any')) specs.push({ address: v.address, port: v.port, virtual: fullPath(v.partition, v.name) });
    }
    await this.#forwarder.sync(specs);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts a simulated BIG-IP on `127.0.0.1` and a free port (see the module documentation).
 *
 * @throws InputError (bad options), Error (openssl missing when no `tls` is given; the port is taken).
 * @example
 * const sim = await startF5BigipSimulator({ users: { netloom: { password: 'pw' } }, timeScale: 0.001 });
 * // adapter target: { name: 'lb1', address: sim.host, port: sim.port, tls: { verify: true, ca: sim.ca },
 * //                   credentials: { username: 'netloom', password: 'pw' } }
 * await sim.close();
 */
export async function startF5BigipSimulator(options: F5BigipSimulatorOptions = {}): Promise<F5BigipSimulator> {
  checkOptions(options);
  const tls = options.tls ?? (await makeTestCertificates({ caName: 'netloom F5 simulator CA' }));
  const server = createServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new F5BigipSimulator(server, options, tls.ca);
}
