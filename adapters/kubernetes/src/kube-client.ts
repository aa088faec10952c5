/**
 * The HTTP side of the adapter: `@kubernetes/client-node` loads the kubeconfig (file, in-cluster service account,
 * contexts) and authenticates every request (tokens, client certificates, exec and OIDC plugins, proxies, CA
 * trust); this client sends the requests itself over node:http / node:https so that every reply reaches the port's
 * io-ts codecs as the API server wrote it (client-node's typed models turn timestamps into `Date`s and drop
 * fields), and maps every failure to the port's error classes without a credential in any message.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import {
  ConflictError,
  DeviceAuthError,
  DeviceConnectionError,
  DeviceProtocolError,
  DeviceTimeoutError,
  InputError,
  NotFoundError,
  redact,
  silentLogger,
  type InputProblem,
  type Logger,
  type NetloomError,
} from '@netloom/ports';

/** Where the kubeconfig comes from. */
export type KubeConfigSource =
  | { readonly kind: 'file'; readonly path: string; readonly context?: string }
  | { readonly kind: 'inCluster' }
  /** `KUBECONFIG` (its first file), else `~/.kube/config`, else the in-cluster service account. */
  | { readonly kind: 'default'; readonly context?: string }
  /** A kubeconfig document (YAML or JSON text), e.g. from a test API server. */
  | { readonly kind: 'text'; readonly text: string; readonly context?: string };

/** Options of {@link KubeApiClient}. */
export interface KubeApiClientOptions {
  readonly logger?: Logger;
  /** Milliseconds a request (not a watch) may take (default 30000). */
  readonly requestTimeoutMs?: number;
  /** How often a 429 / 503 answer is retried, honouring `Retry-After` (default 3). */
  readonly retries?: number;
  /** Longest `Retry-After` honoured, in milliseconds (default 5000). */
  readonly maxRetryDelayMs?: number;
}

/** A request. */
export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The URL path (`/api/v1/namespaces/shop/pods`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  /** Default `application/json`; patches: `application/merge-patch+json`, `application/json-patch+json`. */
  readonly contentType?: string;
}

/** An open watch stream. */
export interface KubeWatchStream {
  /** Ends the stream; the `done` callback is not called. Idempotent. */
  abort(): void;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

let clientNode: Promise<typeof ClientNode> | undefined;

/** Loads `@kubernetes/client-node` (an ES module) once. */
export function loadClientNode(): Promise<typeof ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

/** The `Status` an API server answers a failed request with (the fields netloom reads). */
interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes?: readonly { readonly field?: string; readonly message?: string; readonly reason?: string }[]; readonly retryAfterSeconds?: number };
}

function statusOf(body: unknown): StatusBody {
  if (!isRecord(body) || body['kind'] !== 'Status') return {};
  const details = isRecord(body['details']) ? body['details'] : undefined;
  const causes = Array.isArray(details?.['causes']) ? details['causes'].filter(isRecord) : undefined;
  return {
    ...(typeof body['message'] === 'string' ? { message: body['message'] } : {}),
    ...(typeof body['reason'] === 'string' ? { reason: body['reason'] } : {}),
    ...(typeof body['code'] === 'number' ? { code: body['code'] } : {}),
    ...(details === undefined
      ? {}
      : {
          details: {
            ...(causes === undefined
              ? {}
              : { causes: causes.map((c) => ({ ...(typeof c['field'] === 'string' ? { field: c['field'] } : {}), ...(typeof c['message'] === 'string' ? { message: c['message'] } : {}), ...(typeof c['reason'] === 'string' ? { reason: c['reason'] } : {}) })) }),
            ...(typeof details['retryAfterSeconds'] === 'number' ? { retryAfterSeconds: details['retryAfterSeconds'] } : {}),
          },
        }),
  };
}

/**
 * The port error for an API server answer with HTTP status `status` (401/403 → DeviceAuthError, 404 → NotFoundError,
 * 409 → ConflictError, 400/422 → InputError with the server's causes, 410 → DeviceProtocolError with
 * `details.status` 410, 429/5xx → DeviceConnectionError, others → DeviceProtocolError). `details.status` and
 * `details.reason` carry the HTTP status and the Status reason.
 */
export function errorForStatus(status: number, body: unknown, what: string, secrets: Iterable<string> = []): NetloomError {
  const s = statusOf(body);
  const text = redact(`${what}: ${status} ${s.reason ?? ''}${s.message === undefined ? '' : `: ${s.message}`}`.replace(/ :/, ':'), secrets);
  const details = { status, ...(s.reason === undefined ? {} : { reason: s.reason }) };
  if (status === 401 || status === 403) return new DeviceAuthError(text, { details });
  if (status === 404) return new NotFoundError(text, { details });
  if (status === 409) return new ConflictError(text, { details });
  if (status === 400 || status === 422) {
    const problems: InputProblem[] = (s.details?.causes ?? []).map((c) => ({ path: c.field ?? '', reason: redact(c.message ?? c.reason ?? 'invalid', secrets) }));
    return new InputError(text, problems.length > 0 ? problems : [{ path: '', reason: redact(s.message ?? `refused (${status})`, secrets) }], { details });
  }
  if (status === 429 || status >= 500) return new DeviceConnectionError(text, { details });
  return new DeviceProtocolError(text, { details });
}

/** The HTTP status carried by an error from this client (`details.status`), if any. */
export function statusCodeOf(err: unknown): number | undefined {
  const d = (err as { details?: { status?: unknown } } | undefined)?.details;
  return typeof d?.status === 'number' ? d.status : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Requests to one API server as one kubeconfig user. Credentials stay inside client-node's `KubeConfig` and the
 * request headers; messages name the method and path only.
 */
export class KubeApiClient {
  private readonly logger: Logger;
  private readonly secrets = new Set<string>();
  private readonly active = new Set<() => void>();
  private agent: HttpAgent | undefined;
  private closed = false;

  private constructor(
    private readonly kc: ClientNode.KubeConfig,
    /** The API server URL (no credentials). */
    readonly server: string,
    private readonly options: KubeApiClientOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    const user = kc.getCurrentUser();
    for (const s of [user?.token, user?.password]) if (typeof s === 'string' && s !== '') this.secrets.add(s);
  }

  /**
   * Loads a kubeconfig and makes a client for its current (or the given) context.
   * @throws InputError (unreadable or invalid kubeconfig, unknown context, no cluster), DeviceConnectionError
   *   (client-node cannot be loaded)
   */
  static async create(source: KubeConfigSource, options: KubeApiClientOptions = {}): Promise<KubeApiClient> {
    let k8s: typeof ClientNode;
    try {
      k8s = await loadClientNode();
    } catch (err) {
      throw new DeviceConnectionError('@kubernetes/client-node cannot be loaded (Node 20.19 or later is needed)', { cause: err });
    }
    const kc = new k8s.KubeConfig();
    const fromText = (text: string, where: string, dir?: string): void => {
      try {
        kc.loadFromString(text);
      } catch (err) {
        throw new InputError(`kubeconfig ${where} is invalid`, [{ path: 'kubeconfig', reason: (err as Error).message }], { cause: err });
      }
      if (dir !== undefined) kc.makePathsAbsolute(dir);
    };
    const fromFile = async (path: string): Promise<void> => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new InputError(`kubeconfig ${path} cannot be read`, [{ path: 'kubeconfig', reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message }], { cause: err });
      }
      fromText(text, path, dirname(path));
    };
    const inCluster = (): void => {
      if (process.env['KUBERNETES_SERVICE_HOST'] === undefined) {
        throw new InputError('not running in a cluster (KUBERNETES_SERVICE_HOST is not set)', [{ path: 'inCluster', reason: 'no in-cluster service account: give a kubeconfig' }]);
      }
      kc.loadFromCluster();
    };
    if (source.kind === 'file') await fromFile(resolve(source.path));
    else if (source.kind === 'text') fromText(source.text, '(text)');
    else if (source.kind === 'inCluster') inCluster();
    else {
      const envPath = process.env['KUBECONFIG']?.split(process.platform === 'win32' ? ';' : ':').find((p) => p !== '');
      const path = envPath ?? join(homedir(), '.kube', 'config');
      try {
        await fromFile(path);
      } catch (err) {
        if (envPath !== undefined || process.env['KUBERNETES_SERVICE_HOST'] === undefined) throw err;
        inCluster();
      }
    }
    const context = source.kind === 'inCluster' ? undefined : source.context;
    if (context !== undefined) {
      if (kc.getContextObject(context) === null) {
        throw new InputError(`kubeconfig has no context ${JSON.stringify(context)}`, [{ path: 'context', reason: `unknown context (known: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})` }]);
      }
      kc.setCurrentContext(context);
    }
    const cluster = kc.getCurrentCluster();
    if (cluster === null || typeof cluster.server !== 'string' || cluster.server === '') {
      throw new InputError('kubeconfig names no cluster for its current context', [{ path: 'context', reason: 'the current context has no cluster with a server' }]);
    }
    return new KubeApiClient(kc, cluster.server.replace(/\/+$/, ''), options);
  }

  /** The namespace of the current context, if it names one. */
  get contextNamespace(): string | undefined {
    const ctx = this.kc.getContextObject(this.kc.getCurrentContext());
    return typeof ctx?.namespace === 'string' && ctx.namespace !== '' ? ctx.namespace : undefined;
  }

  /** Strips every known credential from a text. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Aborts every request in flight; later requests fail with DeviceConnectionError. */
  close(): void {
    this.closed = true;
    for (const abort of [...this.active]) abort();
    this.active.clear();
  }

  private url(path: string, query: KubeRequest['query']): URL {
    const url = new URL(`${this.server}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Request options with authentication and TLS from the kubeconfig (fresh headers each time: tokens rotate). */
  private async requestOptions(method: string, headers: Record<string, string>): Promise<RequestOptions> {
    const opts: RequestOptions & { headers: Record<string, string> } = { method, headers: {} };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new DeviceAuthError(this.redact(`kubeconfig credentials for ${this.server} cannot be used: ${(err as Error).message}`), { cause: err });
    }
    const auth = opts.headers['Authorization'] ?? opts.headers['authorization'];
    if (typeof auth === 'string') {
      const token = auth.replace(/^(Bearer|Basic)\s+/i, '');
      if (token !== '') this.secrets.add(token);
    }
    // One agent for the client's life: client-node makes a new one per call, which would defeat connection reuse.
    this.agent ??= opts.agent as HttpAgent | undefined;
    return { ...opts, agent: this.agent, headers: { ...opts.headers, Accept: 'application/json', 'User-Agent': 'netloom-adapter-kubernetes/0.1.0', ...headers } };
  }

  private send(url: URL, opts: RequestOptions, body: string | undefined, timeoutMs: number | undefined, what: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const fn = url.protocol === 'http:' ? httpRequest : httpsRequest;
      let settled = false;
      const fail = (err: NetloomError): void => {
        if (settled) return;
        settled = true;
        this.active.delete(abort);
        req.destroy();
        reject(err);
      };
      const req = fn(url, opts, (res) => {
        settled = true;
        this.active.delete(abort);
        resolve(res);
      });
      const abort = (): void => fail(new DeviceConnectionError(`${what}: the client was closed`));
      this.active.add(abort);
      if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => fail(new DeviceTimeoutError(`${what}: no answer from ${this.server} within ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => fail(new DeviceConnectionError(this.redact(`${what}: cannot reach ${this.server} (${err.code ?? err.message})`), { cause: err, details: { errno: err.code } })));
      req.end(body);
    });
  }

  /**
   * Sends a request and returns the parsed JSON reply. 429 and 503 are retried (honouring `Retry-After`).
   * @throws the port errors of {@link errorForStatus}, DeviceConnectionError, DeviceTimeoutError,
   *   DeviceProtocolError (a reply that is not JSON)
   */
  async request(r: KubeRequest): Promise<unknown> {
    const what = `${r.method} ${r.path}`;
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new DeviceConnectionError(`${what}: the Kubernetes client is closed`);
      const body = r.body === undefined ? undefined : JSON.stringify(r.body);
      const opts = await this.requestOptions(r.method, body === undefined ? {} : { 'Content-Type': r.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
      const res = await this.send(this.url(r.path, r.query), opts, body, this.options.requestTimeoutMs ?? 30_000, what);
      const text = await readAll(res, what);
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
      } catch (err) {
        if ((res.statusCode ?? 0) < 400) throw new DeviceProtocolError(`${what}: the API server answered something that is not JSON (${res.headers['content-type'] ?? 'no content type'})`, { cause: err });
        parsed = undefined;
      }
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return parsed;
      if ((status === 429 || status === 503) && attempt < retries) {
        const after = Number(res.headers['retry-after'] ?? statusOf(parsed).details?.retryAfterSeconds ?? 1);
        const delay = Math.min(Number.isFinite(after) ? after * 1000 : 1000, this.options.maxRetryDelayMs ?? 5000);
        this.logger.debug({ status, path: r.path, attempt: attempt + 1, delayMs: delay }, 'the Kubernetes API server asked to retry');
        await sleep(delay);
        continue;
      }
      throw errorForStatus(status, parsed, what, this.secrets);
    }
  }

  /**
   * Opens a watch (`watch=1` is added) and calls `onEvent` with every JSON line; `done` once when the stream ends
   * (`undefined`: a clean end) or fails (an error of {@link errorForStatus} for a non-200 answer,
   * DeviceConnectionError for a broken connection, DeviceProtocolError for a line that is not JSON).
   */
  async watch(path: string, query: KubeRequest['query'], onEvent: (event: unknown) => void, done: (err: NetloomError | undefined) => void): Promise<KubeWatchStream> {
    const what = `WATCH ${path}`;
    let finished = false;
    let res: IncomingMessage | undefined;
    const finish = (err: NetloomError | undefined): void => {
      if (finished) return;
      finished = true;
      this.active.delete(abortAll);
      res?.destroy();
      done(err);
    };
    const abortAll = (): void => finish(new DeviceConnectionError(`${what}: the client was closed`));
    const stream: KubeWatchStream = {
      abort: () => {
        if (finished) return;
        finished = true;
        this.active.delete(abortAll);
        res?.destroy();
      },
    };
    if (this.closed) {
      finish(new DeviceConnectionError(`${what}: the Kubernetes client is closed`));
      return stream;
    }
    this.active.add(abortAll);
    try {
      const opts = await this.requestOptions('GET', {});
      res = await this.send(this.url(path, { ...query, watch: 1 }), opts, undefined, undefined, what);
    } catch (err) {
      finish(err as NetloomError);
      return stream;
    }
    if (finished) {
      res.destroy();
      return stream;
    }
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      const text = await readAll(res, what).catch(() => '');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = undefined;
      }
      finish(errorForStatus(status, parsed, what, this.secrets));
      return stream;
    }
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0 && !finished; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === '') continue;
        let event: unknown;
        try {
          event = JSON.parse(line) as unknown;
        } catch (err) {
          finish(new DeviceProtocolError(`${what}: the watch stream carried a line that is not JSON`, { cause: err }));
          return;
        }
        onEvent(event);
      }
    });
    res.on('end', () => finish(undefined));
    res.on('error', (err) => finish(new DeviceConnectionError(this.redact(`${what}: the watch connection broke (${err.message})`), { cause: err })));
    res.on('close', () => finish(res?.complete === true ? undefined : new DeviceConnectionError(`${what}: the watch connection closed`)));
    return stream;
  }
}

function readAll(res: IncomingMessage, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => resolve(text));
    res.on('error', (err) => reject(new DeviceConnectionError(`${what}: the reply broke off (${err.message})`, { cause: err })));
  });
}
