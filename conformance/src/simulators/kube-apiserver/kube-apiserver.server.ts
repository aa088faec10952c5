/**
 * `KubeApiServer`: an in-process Kubernetes API server for tests, on node:http or node:https at 127.0.0.1, that
 * client libraries (client-node, client-go, kubectl) talk to unmodified — token authentication, discovery, the
 * REST paths of the served resources (list with selectors and chunking, watch streams with bookmarks and 410 Gone,
 * create, update, merge / strategic-merge / JSON patch, the status subresource, delete, namespace cascade) — and a
 * test API: objects behind the API's back (`put`, `remove`, `get`, `list`, `events`), history compaction, dropped
 * watches, injected failures, a request log and counters.
 *
 * @packageDocumentation
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError, silentLogger, type InputProblem, type Logger } from '@netloom/ports';
import { makeTestCertificates, type TestCertificates } from '../arista-eos/eos.tls';
import { apiVersionOf, builtinResources, loadCrdManifests, resourcesFromCrd, type KubeResourceDef } from './kube-apiserver.resources';
import { KubeApiError, KubeObjectStore, type KubeApiObject, type KubeWatchEventBody, type KubeWriteOptions } from './kube-apiserver.store';

/** A bearer token the server accepts. */
export interface KubeApiUser {
  readonly user: string;
  /** Only get, list and watch (writes are 403 Forbidden). */
  readonly readOnly?: boolean;
}

/** Options of {@link KubeApiServer}. */
export interface KubeApiServerOptions {
  /** A directory of CRD manifests to serve (`deploy/crds`), read by `start()`. */
  readonly crdDir?: string;
  /** CRD manifests (objects) to serve, after those of `crdDir`. */
  readonly crds?: readonly unknown[];
  /** `true` (default): HTTPS with a fresh CA and certificate (openssl); certificates of your own; `false`: plain HTTP. */
  readonly tls?: boolean | TestCertificates;
  /** Listen address (default `127.0.0.1`) and port (default 0: a free one). */
  readonly host?: string;
  readonly port?: number;
  /** Accepted bearer tokens. Default: one random token of user `admin` ({@link KubeApiServer.token}). */
  readonly tokens?: Readonly<Record<string, KubeApiUser>>;
  /** Changes kept for watches to resume from and `continue` tokens (default 1000); older ones answer 410 Gone. */
  readonly historyLimit?: number;
  /** How often watches that allow bookmarks get a BOOKMARK (default 1000 ms; 0: only on {@link KubeApiServer.bookmark}). */
  readonly bookmarkIntervalMs?: number;
  /** Namespaces created at start (default `default`, `kube-system`, `kube-public`, `kube-node-lease`). */
  readonly namespaces?: readonly string[];
  /** Debug lines (never a token). */
  readonly logger?: Logger;
  /** The clock (creation timestamps). Default `Date.now`. */
  readonly now?: () => number;
}

/** Where the running server is. */
export interface KubeApiServerInfo {
  /** `https://127.0.0.1:<port>` (or `http://…`). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The CA certificate (PEM) clients trust; absent for plain HTTP. */
  readonly ca?: string;
}

/** One line of the request log (never a token or a body). */
export interface KubeApiRequestLogEntry {
  readonly seq: number;
  readonly time: string;
  readonly method: string;
  readonly path: string;
  /** The query parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** The HTTP status answered (a watch: 200 once it started, or its error). */
  readonly status: number;
  readonly watch: boolean;
  /** The authenticated user (absent when authentication failed). */
  readonly user?: string;
  /** Set when the answer was an injected failure. */
  readonly injected?: boolean;
}

/** Counters of what the server received and did. */
export interface KubeApiServerStats {
  requests: number;
  requestsByMethod: Record<string, number>;
  requestsByStatus: Record<string, number>;
  /** Requests refused with 401 (no or unknown token) or 403 (read-only user). */
  unauthorized: number;
  watchesStarted: number;
  /** Watches answered with 410 Gone (too old a resourceVersion). */
  watchesExpired: number;
  /** Watches closed by {@link KubeApiServer.dropWatches}. */
  watchesDropped: number;
  bookmarksSent: number;
  /** Failures answered by {@link KubeApiServer.failNext}. */
  injectedFailures: number;
}

/** An injected failure: the next `count` matching requests are answered with `status`. */
export interface KubeApiFailure {
  /** Only this HTTP method (default any). */
  readonly method?: string;
  /** A string: the URL path must be exactly it; a RegExp: tested against path + query (default any). */
  readonly path?: string | RegExp;
  /** Only watch requests (`true`) or only other requests (`false`); default both. */
  readonly watch?: boolean;
  /** 500 (default), 429 or 503. */
  readonly status?: 500 | 429 | 503;
  /** How many requests (default 1; `Infinity` until cleared). */
  readonly count?: number;
  /** `Retry-After` seconds for 429 / 503 (default 1). */
  readonly retryAfterSec?: number;
  readonly message?: string;
}

/** A handle on an injected failure. */
export interface KubeApiFailureHandle {
  /** How many requests it will still fail. */
  readonly remaining: number;
  /** Stops it. */
  cancel(): void;
}

/** A reference to an object for the test API (`apiVersion` picks between kinds of the same name, e.g. Event). */
export interface KubeApiObjectRef {
  readonly kind: string;
  readonly apiVersion?: string;
  readonly namespace?: string;
  readonly name: string;
}

/** An event as the test API shows it (core/v1 and events.k8s.io/v1 alike). */
export interface KubeApiRecordedEvent {
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  /** `message` (core/v1) or `note` (events.k8s.io/v1). */
  readonly message: string;
  readonly action?: string;
  readonly regarding: { readonly kind?: string; readonly namespace?: string; readonly name?: string; readonly uid?: string };
  readonly reportingController?: string;
  readonly count?: number;
}

interface OpenWatch {
  readonly res: ServerResponse;
  readonly bookmarks: boolean;
  readonly resource: KubeResourceDef;
  end(): void;
}

interface Failure extends KubeApiFailure {
  left: number;
}

const MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The test API server. `start()` listens; `stop()` closes everything it opened.
 *
 * @example
 * const api = new KubeApiServer({ crdDir: 'deploy/crds' });
 * const { url } = await api.start();
 * await writeFile(kubeconfigPath, api.kubeconfig());          // for client-node, kubectl, the adapter
 * await api.put([{ kind: 'Namespace', metadata: { name: 'shop' } }]);
 * api.compact(); api.dropWatches();                             // watches must resume, then re-list
 * await api.stop();
 */
export class KubeApiServer {
  private server: Server | undefined;
  private info: KubeApiServerInfo | undefined;
  private resourceDefs: KubeResourceDef[] = builtinResources();
  private readonly store: KubeObjectStore;
  private readonly tokens: ReadonlyMap<string, KubeApiUser>;
  private readonly defaultToken: string;
  private readonly logger: Logger;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<OpenWatch>();
  private readonly failures = new Set<Failure>();
  private readonly log: KubeApiRequestLogEntry[] = [];
  private seq = 0;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private readonly counters: KubeApiServerStats = {
    requests: 0,
    requestsByMethod: {},
    requestsByStatus: {},
    unauthorized: 0,
    watchesStarted: 0,
    watchesExpired: 0,
    watchesDropped: 0,
    bookmarksSent: 0,
    injectedFailures: 0,
  };

  /** @throws InputError listing every bad option. */
  constructor(private readonly options: KubeApiServerOptions = {}) {
    const problems: InputProblem[] = [];
    if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) problems.push({ path: 'port', reason: `must be 0..65535, got ${String(options.port)}` });
    if (options.historyLimit !== undefined && !(Number.isInteger(options.historyLimit) && options.historyLimit > 0)) problems.push({ path: 'historyLimit', reason: 'must be a positive integer' });
    if (options.bookmarkIntervalMs !== undefined && !(Number.isFinite(options.bookmarkIntervalMs) && options.bookmarkIntervalMs >= 0)) problems.push({ path: 'bookmarkIntervalMs', reason: 'must be 0 or more' });
    for (const [token, u] of Object.entries(options.tokens ?? {})) {
      if (token.length < 8 || /\s/.test(token)) problems.push({ path: 'tokens', reason: 'a token needs at least 8 characters and no white space' });
      if (typeof u?.user !== 'string' || u.user === '') problems.push({ path: 'tokens', reason: 'every token needs a user name' });
    }
    if (problems.length > 0) throw InputError.fromProblems('Kubernetes API server options', problems);
    const given = Object.entries(options.tokens ?? {});
    const tokens = given.length > 0 ? given : [[randomBytes(24).toString('base64url'), { user: 'admin' }] as [string, KubeApiUser]];
    this.tokens = new Map(tokens);
    this.defaultToken = (tokens.find(([, u]) => u.readOnly !== true) ?? tokens[0]!)[0];
    this.logger = options.logger ?? silentLogger;
    this.store = new KubeObjectStore(() => this.resourceDefs, { historyLimit: options.historyLimit ?? 1000, now: options.now ?? Date.now });
  }

  // --- lifecycle ---------------------------------------------------------------------------------------------------

  /**
   * Loads the CRDs, creates the initial namespaces and listens.
   * @throws InputError (bad CRD manifests), Error (cannot listen, openssl missing for the default TLS)
   */
  async start(): Promise<KubeApiServerInfo> {
    if (this.info !== undefined) return this.info;
    const manifests = this.options.crdDir === undefined ? [] : await loadCrdManifests(this.options.crdDir);
    for (const m of manifests) this.addCrd(m.crd, m.file);
    for (const [i, crd] of (this.options.crds ?? []).entries()) this.addCrd(crd, `crds[${i}]`);
    const nsDef = this.resource({ kind: 'Namespace' });
    for (const ns of this.options.namespaces ?? DEFAULT_NAMESPACES) if (this.store.get(nsDef, undefined, ns) === undefined) this.store.create(nsDef, undefined, { metadata: { name: ns } });
    const tls = this.options.tls === false ? undefined : this.options.tls === true || this.options.tls === undefined ? await makeTestCertificates({ caName: 'netloom kube-apiserver test CA' }) : this.options.tls;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const server = tls === undefined ? createHttpServer(handler) : createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.info = { url: `${tls === undefined ? 'http' : 'https'}://${host}:${port}`, host, port, ...(tls?.ca === undefined ? {} : { ca: tls.ca }) };
    const every = this.options.bookmarkIntervalMs ?? 1000;
    if (every > 0) {
      this.bookmarkTimer = setInterval(() => this.bookmark(), every);
      this.bookmarkTimer.unref();
    }
    this.logger.debug({ url: this.info.url, crds: manifests.length }, 'kube-apiserver simulator listening');
    return this.info;
  }

  /** Ends every watch, closes every connection and the listener. Idempotent. */
  async stop(): Promise<void> {
    if (this.bookmarkTimer !== undefined) clearInterval(this.bookmarkTimer);
    this.bookmarkTimer = undefined;
    for (const w of [...this.watches]) w.end();
    const server = this.server;
    this.server = undefined;
    this.info = undefined;
    if (server === undefined) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Where the server listens. @throws Error before start(). */
  get endpoint(): KubeApiServerInfo {
    if (this.info === undefined) throw new Error('the Kubernetes API server is not started');
    return this.info;
  }

  /** The bearer token of the first user that may write (what {@link kubeconfig} uses by default). */
  get token(): string {
    return this.defaultToken;
  }

  /**
   * A kubeconfig (YAML) for this server: cluster with the CA (or `insecure-skip-tls-verify` for plain HTTP), a
   * token user and a current context. client-node: `kc.loadFromString(api.kubeconfig())`.
   */
  kubeconfig(opts: { readonly token?: string; readonly namespace?: string; readonly context?: string } = {}): string {
    return stringifyYaml(this.kubeconfigObject(opts));
  }

  /** The kubeconfig as an object (the YAML document of {@link kubeconfig}). */
  kubeconfigObject(opts: { readonly token?: string; readonly namespace?: string; readonly context?: string } = {}): Record<string, unknown> {
    const { url, ca } = this.endpoint;
    const name = opts.context ?? 'netloom-sim';
    return {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server: url, ...(ca === undefined ? { 'insecure-skip-tls-verify': true } : { 'certificate-authority-data': Buffer.from(ca).toString('base64') }) } }],
      users: [{ name, user: { token: opts.token ?? this.defaultToken } }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: opts.namespace ?? 'default' } }],
      'current-context': name,
    };
  }

  // --- test API ----------------------------------------------------------------------------------------------------

  /**
   * Serves the resources of a CRD manifest (and stores it as a `CustomResourceDefinition`).
   * @throws InputError naming what is wrong with the manifest
   */
  addCrd(crd: unknown, where = 'crd'): void {
    const defs = resourcesFromCrd(crd, where);
    const keys = new Set(defs.map((d) => `${d.group}/${d.version}/${d.plural}`));
    this.resourceDefs = [...this.resourceDefs.filter((d) => !keys.has(`${d.group}/${d.version}/${d.plural}`)), ...defs];
    const crdDef = this.resource({ kind: 'CustomResourceDefinition' });
    const body = crd as KubeApiObject;
    this.store.apply(crdDef, { ...body, metadata: { ...body.metadata } });
  }

  /** Every resource served. */
  resources(): readonly KubeResourceDef[] {
    return [...this.resourceDefs];
  }

  /**
   * The resource of a kind (`apiVersion` to choose between kinds of the same name; core/v1 first).
   * @throws InputError for an unknown kind
   */
  resource(ref: { readonly kind: string; readonly apiVersion?: string }): KubeResourceDef {
    const all = this.resourceDefs.filter((d) => d.kind === ref.kind && (ref.apiVersion === undefined || apiVersionOf(d) === ref.apiVersion));
    const r = all.find((d) => d.group === '') ?? all[0];
    if (r === undefined) throw new InputError(`the API server does not serve kind ${ref.kind}${ref.apiVersion === undefined ? '' : ` (${ref.apiVersion})`}`, [{ path: 'kind', reason: `unknown kind ${JSON.stringify(ref.kind)}` }]);
    return r;
  }

  /**
   * Creates or replaces objects in order, behind the API's back (as `kubectl apply` would, without admission): the
   * `status` (also of kinds with a status subresource) is written as given; annotations and status not given are
   * kept. Custom resources are pruned and validated as on the API.
   * @example await api.put([{ kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop' }, spec: { nodeName: 'n1' } }])
   * @throws InputError (unknown kind, missing name), KubeApiError (invalid, missing namespace)
   */
  async put(objects: readonly Record<string, unknown>[]): Promise<KubeApiObject[]> {
    const out: KubeApiObject[] = [];
    for (const [i, o] of objects.entries()) {
      const meta = isRecord(o['metadata']) ? o['metadata'] : {};
      if (typeof o['kind'] !== 'string' || typeof meta['name'] !== 'string') throw new InputError('put needs objects with kind and metadata.name', [{ path: `[${i}]`, reason: 'kind and metadata.name are required' }]);
      const r = this.resource({ kind: o['kind'], ...(typeof o['apiVersion'] === 'string' ? { apiVersion: o['apiVersion'] } : {}) });
      out.push(this.store.apply(r, { ...o, metadata: { ...meta } } as KubeApiObject).object);
    }
    return out;
  }

  /** Deletes objects in order (a Namespace with its contents); missing ones are skipped. Returns how many existed. */
  async remove(refs: readonly KubeApiObjectRef[]): Promise<number> {
    let n = 0;
    for (const ref of refs) {
      const r = this.resource(ref);
      if (this.store.get(r, ref.namespace, ref.name) === undefined) continue;
      this.store.delete(r, ref.namespace, ref.name);
      n++;
    }
    return n;
  }

  /** The object as stored now (a copy), or undefined. */
  get(ref: KubeApiObjectRef): KubeApiObject | undefined {
    return this.store.get(this.resource(ref), ref.namespace, ref.name);
  }

  /** The objects of a kind (optionally one namespace), ordered by namespace then name. */
  list(kind: string, opts: { readonly namespace?: string; readonly apiVersion?: string } = {}): KubeApiObject[] {
    return this.store.all(this.resource({ kind, ...(opts.apiVersion === undefined ? {} : { apiVersion: opts.apiVersion }) }), opts.namespace);
  }

  /** Events recorded (core/v1 and events.k8s.io/v1), oldest first; with `regarding`, only those about that object. */
  events(regarding?: { readonly kind: string; readonly namespace?: string; readonly name: string }): KubeApiRecordedEvent[] {
    const out: (KubeApiRecordedEvent & { rv: number })[] = [];
    for (const apiVersion of ['v1', 'events.k8s.io/v1']) {
      for (const e of this.store.all(this.resource({ kind: 'Event', apiVersion }))) {
        const about = (apiVersion === 'v1' ? e['involvedObject'] : e['regarding']) as KubeApiRecordedEvent['regarding'] | undefined;
        const text = apiVersion === 'v1' ? e['message'] : e['note'];
        out.push({
          rv: Number(e.metadata.resourceVersion),
          apiVersion,
          namespace: e.metadata.namespace ?? '',
          name: e.metadata.name,
          type: String(e['type'] ?? ''),
          reason: String(e['reason'] ?? ''),
          message: typeof text === 'string' ? text : '',
          ...(typeof e['action'] === 'string' ? { action: e['action'] } : {}),
          regarding: about ?? {},
          ...(typeof e['reportingController'] === 'string' ? { reportingController: e['reportingController'] } : typeof e['reportingComponent'] === 'string' ? { reportingController: e['reportingComponent'] } : {}),
          ...(typeof e['count'] === 'number' ? { count: e['count'] } : {}),
        });
      }
    }
    return out
      .filter((e) => regarding === undefined || (e.regarding.kind === regarding.kind && e.regarding.name === regarding.name && (e.regarding.namespace ?? undefined) === (regarding.namespace ?? undefined)))
      .sort((a, b) => a.rv - b.rv)
      .map(({ rv: _rv, ...e }) => e);
  }

  /** The current resourceVersion. */
  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  /** Drops the watch history: a watch resuming from an older resourceVersion gets 410 Gone and must re-list. */
  compact(): void {
    this.store.compact();
  }

  /**
   * Closes every open watch stream (a clean end of the chunked reply; `abrupt`: the connection is destroyed).
   * Returns how many were closed.
   */
  dropWatches(opts: { readonly abrupt?: boolean } = {}): number {
    const all = [...this.watches];
    for (const w of all) {
      if (opts.abrupt === true) w.res.socket?.destroy();
      w.end();
    }
    this.counters.watchesDropped += all.length;
    return all.length;
  }

  /** How many watch streams are open now. */
  get openWatches(): number {
    return this.watches.size;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every open watch that allows bookmarks. */
  bookmark(): void {
    for (const w of this.watches) {
      if (!w.bookmarks) continue;
      this.counters.bookmarksSent++;
      this.writeEvent(w.res, { type: 'BOOKMARK', object: { kind: w.resource.kind, apiVersion: apiVersionOf(w.resource), metadata: { resourceVersion: this.resourceVersion } } });
    }
  }

  /**
   * Fails the next matching requests (after authentication) with 500 InternalError, 429 TooManyRequests or 503
   * ServiceUnavailable (`Retry-After` set).
   * @example api.failNext({ path: /\/pods\b/, watch: false, status: 429, count: 2 })
   */
  failNext(failure: KubeApiFailure = {}): KubeApiFailureHandle {
    const f: Failure = { ...failure, left: failure.count ?? 1 };
    this.failures.add(f);
    const failures = this.failures;
    return {
      get remaining() {
        return f.left;
      },
      cancel: () => void failures.delete(f),
    };
  }

  /** Removes every injected failure. */
  clearFailures(): void {
    this.failures.clear();
  }

  /** The request log, oldest first (never a token or a body). */
  requestLog(): readonly KubeApiRequestLogEntry[] {
    return [...this.log];
  }

  /** Empties the request log. */
  clearRequestLog(): void {
    this.log.length = 0;
  }

  /** A snapshot of the counters. */
  get stats(): KubeApiServerStats {
    return structuredClone(this.counters);
  }

  // --- HTTP --------------------------------------------------------------------------------------------------------

  private record(entry: Omit<KubeApiRequestLogEntry, 'seq' | 'time'>): void {
    this.log.push({ seq: ++this.seq, time: new Date().toISOString(), ...entry });
    if (this.log.length > 10_000) this.log.shift();
    this.counters.requestsByStatus[String(entry.status)] = (this.counters.requestsByStatus[String(entry.status)] ?? 0) + 1;
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...headers });
    res.end(text);
  }

  private writeEvent(res: ServerResponse, event: KubeWatchEventBody): void {
    if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
  }

  private authenticate(req: IncomingMessage): KubeApiUser | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    for (const [token, user] of this.tokens) if (safeEqual(token, m[1]!)) return user;
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams.entries());
    const isWatch = method === 'GET' && (query['watch'] === 'true' || query['watch'] === '1');
    this.counters.requests++;
    this.counters.requestsByMethod[method] = (this.counters.requestsByMethod[method] ?? 0) + 1;
    const base = { method, path: url.pathname, query, watch: isWatch };
    const user = this.authenticate(req);
    if (user === undefined) {
      this.counters.unauthorized++;
      req.resume();
      this.record({ ...base, status: 401 });
      this.send(res, 401, new KubeApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
      return;
    }
    const failure = [...this.failures].find(
      (f) =>
        f.left > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.watch === undefined || f.watch === isWatch) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(`${url.pathname}${url.search}`))),
    );
    if (failure !== undefined) {
      failure.left--;
      if (failure.left <= 0) this.failures.delete(failure);
      this.counters.injectedFailures++;
      req.resume();
      const status = failure.status ?? 500;
      const reason = status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'InternalError';
      const retry = failure.retryAfterSec ?? 1;
      const err = new KubeApiError(status, reason, failure.message ?? (status === 429 ? 'Too many requests, please try again later.' : status === 503 ? 'the server is currently unable to handle the request' : 'Internal error occurred: injected failure'), status === 500 ? undefined : { retryAfterSeconds: retry });
      this.record({ ...base, status, user: user.user, injected: true });
      this.send(res, status, err.toStatus(), status === 500 ? {} : { 'Retry-After': String(retry) });
      return;
    }
    let status = 500;
    try {
      if (isWatch) {
        status = this.startWatch(req, res, url, query);
        this.record({ ...base, status, user: user.user });
        return;
      }
      const reply = await this.route(req, method, url, query, user);
      status = reply.status;
      this.send(res, reply.status, reply.body, reply.headers);
    } catch (err) {
      const e = err instanceof KubeApiError ? err : new KubeApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
      if (!(err instanceof KubeApiError)) this.logger.warn({ err: (err as Error).message, path: url.pathname }, 'kube-apiserver simulator failed a request');
      status = e.code;
      if (!res.headersSent) this.send(res, e.code, e.toStatus());
    }
    this.record({ ...base, status, user: user.user });
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) throw new KubeApiError(413, 'RequestEntityTooLarge', 'the request body is too large');
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
    try {
      return type === 'application/yaml' ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
    } catch (err) {
      throw new KubeApiError(400, 'BadRequest', `the body of the request could not be decoded: ${(err as Error).message}`);
    }
  }

  /** Resolves `/api/v1/...` and `/apis/<g>/<v>/...` to a resource, namespace, name and subresource. */
  private locate(segments: readonly string[]): { r: KubeResourceDef; namespace?: string; name?: string; sub?: string } | undefined {
    let group: string;
    let version: string;
    let rest: readonly string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1] ?? '';
      rest = segments.slice(2);
    } else {
      group = segments[1] ?? '';
      version = segments[2] ?? '';
      rest = segments.slice(3);
    }
    const served = this.resourceDefs.filter((d) => d.group === group && d.version === version);
    const byPlural = (p: string | undefined): KubeResourceDef | undefined => served.find((d) => d.plural === p);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && byPlural(rest[2])?.namespaced === true) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const r = byPlural(rest[0]);
    if (r === undefined || rest.length > 3) return undefined;
    if (r.namespaced && namespace === undefined && rest.length > 1) return undefined;
    return { r, ...(namespace === undefined ? {} : { namespace }), ...(rest[1] === undefined ? {} : { name: rest[1] }), ...(rest[2] === undefined ? {} : { sub: rest[2] }) };
  }

  private discovery(segments: readonly string[]): unknown {
    const list = (group: string, version: string): unknown => {
      const defs = this.resourceDefs.filter((d) => d.group === group && d.version === version);
      if (defs.length === 0) return undefined;
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group === '' ? version : `${group}/${version}`,
        resources: defs.flatMap((d) => [
          {
            name: d.plural,
            singularName: d.singular,
            namespaced: d.namespaced,
            kind: d.kind,
            verbs: d.readOnly ? ['get', 'list', 'watch'] : ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
            ...(d.shortNames.length > 0 ? { shortNames: d.shortNames } : {}),
          },
          ...(d.statusSubresource ? [{ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: d.readOnly ? ['get'] : ['get', 'patch', 'update'] }] : []),
        ]),
      };
    };
    const groups = (): { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion: { groupVersion: string; version: string } }[] => {
      const names = [...new Set(this.resourceDefs.filter((d) => d.group !== '').map((d) => d.group))];
      return names.map((name) => {
        const versions = [...new Set(this.resourceDefs.filter((d) => d.group === name).map((d) => d.version))].map((version) => ({ groupVersion: `${name}/${version}`, version }));
        return { name, versions, preferredVersion: versions[0]! };
      });
    };
    if (segments[0] === 'api') {
      if (segments.length === 1) return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${this.endpoint.host}:${this.endpoint.port}` }] };
      if (segments.length === 2) return list('', segments[1]!);
      return undefined;
    }
    if (segments.length === 1) return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups() };
    if (segments.length === 2) {
      const g = groups().find((x) => x.name === segments[1]);
      return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...g };
    }
    if (segments.length === 3) return list(segments[1]!, segments[2]!);
    return undefined;
  }

  private async route(req: IncomingMessage, method: string, url: URL, query: Record<string, string>, user: KubeApiUser): Promise<{ status: number; body: unknown; headers?: Record<string, string | string[]> }> {
    const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    if (method === 'GET' && segments.length === 1 && segments[0] === 'version') {
      return { status: 200, body: { major: '1', minor: '31', gitVersion: 'v1.31.0-netloom-sim', gitCommit: '0000000', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.22', compiler: 'gc', platform: 'linux/amd64' } };
    }
    if (method === 'GET' && segments.length === 1 && ['healthz', 'readyz', 'livez'].includes(segments[0]!)) return { status: 200, body: 'ok' };
    if (segments[0] !== 'api' && segments[0] !== 'apis') throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    const loc = this.locate(segments);
    if (loc === undefined) {
      const doc = method === 'GET' ? this.discovery(segments) : undefined;
      if (doc === undefined) throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
      return { status: 200, body: doc };
    }
    const { r, namespace, name, sub } = loc;
    if (sub !== undefined && !(sub === 'status' && r.statusSubresource)) throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (WRITE_METHODS.has(method) && (user.readOnly === true || r.readOnly)) {
      const verb = ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method]!;
      if (r.readOnly) throw new KubeApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${verb} ${r.plural})`);
      this.counters.unauthorized++;
      throw new KubeApiError(403, 'Forbidden', `${r.plural}${name === undefined ? '' : ` "${name}"`} is forbidden: User "${user.user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}"${namespace === undefined ? ' at the cluster scope' : ` in the namespace "${namespace}"`}`, { ...(name === undefined ? {} : { name }), group: r.group, kind: r.plural });
    }
    const writeOpts: KubeWriteOptions = {
      ...(sub === undefined ? {} : { subresource: sub }),
      ...(query['fieldValidation'] === 'Strict' || query['fieldValidation'] === 'Warn' || query['fieldValidation'] === 'Ignore' ? { fieldValidation: query['fieldValidation'] } : {}),
    };
    const warn = (warnings: readonly string[]): Record<string, string[]> => (warnings.length === 0 ? {} : { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) });
    const dryRun = query['dryRun'] === 'All';
    if (dryRun) throw new KubeApiError(400, 'BadRequest', 'dryRun is not supported by the test API server');
    if (name === undefined) {
      if (method === 'GET') {
        const limit = query['limit'] === undefined ? undefined : Number(query['limit']);
        const l = this.store.list(r, {
          ...(namespace === undefined ? {} : { namespace }),
          ...(query['labelSelector'] === undefined ? {} : { labelSelector: query['labelSelector'] }),
          ...(query['fieldSelector'] === undefined ? {} : { fieldSelector: query['fieldSelector'] }),
          ...(limit === undefined || !Number.isFinite(limit) ? {} : { limit }),
          ...(query['continue'] === undefined ? {} : { continueToken: query['continue'] }),
        });
        // Built-in lists carry items without kind and apiVersion, as the real API server's typed lists do.
        const items = r.custom ? l.items : l.items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
        return {
          status: 200,
          body: {
            kind: r.listKind,
            apiVersion: apiVersionOf(r),
            metadata: { resourceVersion: l.resourceVersion, ...(l.continueToken === undefined ? {} : { continue: l.continueToken }), ...(l.remainingItemCount === undefined ? {} : { remainingItemCount: l.remainingItemCount }) },
            items,
          },
        };
      }
      if (method === 'POST') {
        if (r.namespaced && namespace === undefined) throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
        const w = this.store.create(r, namespace, await this.readBody(req), writeOpts);
        return { status: 201, body: w.object, headers: warn(w.warnings) };
      }
      if (method === 'DELETE') {
        const l = this.store.list(r, { ...(namespace === undefined ? {} : { namespace }), ...(query['labelSelector'] === undefined ? {} : { labelSelector: query['labelSelector'] }), ...(query['fieldSelector'] === undefined ? {} : { fieldSelector: query['fieldSelector'] }) });
        const deleted = l.items.map((o) => this.store.delete(r, o.metadata.namespace, o.metadata.name));
        return { status: 200, body: { kind: r.listKind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: this.resourceVersion }, items: deleted } };
      }
      throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    switch (method) {
      case 'GET': {
        const o = this.store.get(r, namespace, name);
        if (o === undefined) throw new KubeApiError(404, 'NotFound', `${r.group === '' ? r.plural : `${r.plural}.${r.group}`} "${name}" not found`, { name, group: r.group, kind: r.plural });
        return { status: 200, body: o };
      }
      case 'PUT': {
        const w = this.store.update(r, namespace, name, await this.readBody(req), writeOpts);
        return { status: 200, body: w.object, headers: warn(w.warnings) };
      }
      case 'PATCH': {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        const w = this.store.patch(r, namespace, name, type, await this.readBody(req), writeOpts);
        return { status: 200, body: w.object, headers: warn(w.warnings) };
      }
      case 'DELETE': {
        if (sub !== undefined) break;
        const body = await this.readBody(req);
        const pre = isRecord(body) && isRecord(body['preconditions']) ? body['preconditions'] : {};
        const o = this.store.delete(r, namespace, name, {
          ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
          ...(typeof pre['resourceVersion'] === 'string' ? { resourceVersion: pre['resourceVersion'] } : {}),
        });
        return { status: 200, body: o };
      }
    }
    throw new KubeApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  /** Answers a watch request: a chunked stream of JSON lines. Returns the HTTP status (200 once streaming). */
  private startWatch(req: IncomingMessage, res: ServerResponse, url: URL, query: Record<string, string>): number {
    const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const loc = segments[0] === 'api' || segments[0] === 'apis' ? this.locate(segments) : undefined;
    if (loc === undefined || loc.sub !== undefined) throw new KubeApiError(404, 'NotFound', 'the server could not find the requested resource');
    const fieldSelector = [query['fieldSelector'], loc.name === undefined ? undefined : `metadata.name=${loc.name}`].filter((s): s is string => s !== undefined && s !== '').join(',');
    const bookmarks = query['allowWatchBookmarks'] === 'true' || query['allowWatchBookmarks'] === '1';
    const pending: KubeWatchEventBody[] = [];
    let live = false;
    const send = (e: KubeWatchEventBody): void => {
      if (live) this.writeEvent(res, e);
      else pending.push(e);
    };
    this.counters.watchesStarted++;
    let cancel: () => void;
    try {
      cancel = this.store.watch(
        loc.r,
        {
          ...(loc.namespace === undefined ? {} : { namespace: loc.namespace }),
          ...(query['labelSelector'] === undefined ? {} : { labelSelector: query['labelSelector'] }),
          ...(fieldSelector === '' ? {} : { fieldSelector }),
          ...(query['resourceVersion'] === undefined ? {} : { resourceVersion: query['resourceVersion'] }),
        },
        send,
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 410) {
        // As the API server's watch cache does: the stream starts, carries one ERROR event and ends.
        this.counters.watchesExpired++;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
        this.writeEvent(res, { type: 'ERROR', object: err.toStatus() });
        res.end();
        return 200;
      }
      throw err;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    live = true;
    for (const e of pending) this.writeEvent(res, e);
    let timer: NodeJS.Timeout | undefined;
    const watch: OpenWatch = {
      res,
      bookmarks,
      resource: loc.r,
      end: () => {
        cancel();
        if (timer !== undefined) clearTimeout(timer);
        this.watches.delete(watch);
        if (!res.writableEnded) res.end();
      },
    };
    this.watches.add(watch);
    const timeoutSec = Number(query['timeoutSeconds'] ?? '');
    if (Number.isFinite(timeoutSec) && timeoutSec > 0) timer = setTimeout(() => watch.end(), timeoutSec * 1000);
    req.on('close', () => watch.end());
    res.on('close', () => watch.end());
    return 200;
  }
}

/**
 * Creates and starts a {@link KubeApiServer}.
 * @example const api = await startKubeApiServer({ crdDir: 'deploy/crds' }); ... await api.stop();
 */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const api = new KubeApiServer(options);
  await api.start();
  return api;
}
