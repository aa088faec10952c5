/**
 * The iControl REST client: axios over an `https.Agent` that verifies the device certificate (the target's CA,
 * unless the profile says `tls.verify: false`), token login with refresh before expiry and once after a 401 (or HTTP
 * Basic), every reply validated with io-ts, every failure turned into a netloom error with the device's message and
 * without a credential, and iControl transactions (PROTOCOLS.md §4.3).
 *
 * Error mapping:
 *
 * | what | error |
 * |---|---|
 * | 401/403, login refused | `DeviceAuthError` |
 * | 404 | `NotFoundError` (reads), `CommitError` (writes and commits) |
 * | 400/409 | `CommitError` with the device's message (writes), `DeviceProtocolError` (reads) |
 * | 5xx | `DeviceConnectionError` (reads), `CommitError` (writes) |
 * | refused, reset, TLS not trusted | `DeviceConnectionError` |
 * | no answer within `requestTimeoutMs` | `DeviceTimeoutError` |
 * | a reply that does not validate | `DeviceProtocolError` naming the path and reason |
 *
 * @packageDocumentation
 */
import { Agent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type * as t from 'io-ts';
import {
  CommitError,
  DeviceAuthError,
  DeviceConnectionError,
  DeviceProtocolError,
  DeviceTimeoutError,
  ErrorCode,
  NotFoundError,
  decodeProblems,
  isNetloomError,
  redact,
  type Credentials,
  type Logger,
  type NetloomError,
} from '@netloom/ports';
import type { ResolvedF5BigipOptions } from './f5-bigip.options';
import { ErrorBodyCodec, LoginResponseCodec, QueuedCommandCodec, TransactionCodec, type F5Operation, type F5RequestBody } from './f5-bigip.wire';

/** What a request is for: decides how failures map to netloom errors. */
export type CallContext = 'read' | 'write' | 'commit';

/** Options of {@link F5Client}. */
export interface F5ClientOptions {
  /** The device's inventory name (in every message). */
  readonly device: string;
  /** `https://<address>:<port>`. */
  readonly baseUrl: string;
  /** CA bundle (PEM) that signed the device certificate; absent: the system's trust store. */
  readonly ca?: string;
  /** Verify the device certificate (default true). */
  readonly verify: boolean;
  readonly credentials: Credentials;
  readonly options: ResolvedF5BigipOptions;
  readonly logger: Logger;
  /** Aborts every request of the client. */
  readonly signal?: AbortSignal;
}

interface Token {
  readonly value: string;
  /** Local time (ms) from which the token is renewed before use. */
  readonly refreshAt: number;
  /** False for a token handed in through the credentials: it cannot be renewed. */
  readonly renewable: boolean;
}

interface RawReply {
  readonly status: number;
  readonly data: unknown;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** Errors that mean the request never reached the device. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_CANCELED']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A connection failure whose outcome on the device is unknown (the commit may or may not have happened). */
export function isUncertain(e: unknown): boolean {
  return isNetloomError(e) && e.details['uncertain'] === true;
}

/** The iControl REST client of one session. */
export class F5Client {
  readonly #o: F5ClientOptions;
  readonly #http: AxiosInstance;
  readonly #agent: Agent;
  readonly #secrets = new Set<string>();
  #token: Token | undefined;
  #login: Promise<void> | undefined;
  /** Requests sent (for diagnostics and tests). */
  requests = 0;
  /** Successful logins. */
  logins = 0;

  constructor(options: F5ClientOptions) {
    this.#o = options;
    const c = options.credentials;
    for (const s of [c.password, c.token, c.privateKey]) if (s !== undefined && s !== '') this.#secrets.add(s);
    this.#agent = new Agent({ keepAlive: true, rejectUnauthorized: options.verify, ...(options.ca === undefined ? {} : { ca: options.ca }) });
    this.#http = axios.create({
      baseURL: options.baseUrl,
      httpsAgent: this.#agent,
      timeout: options.options.requestTimeoutMs,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
      transitional: { clarifyTimeoutError: true },
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    if (c.token !== undefined && c.token !== '' && (c.password === undefined || c.password === '')) {
      this.#token = { value: c.token, refreshAt: Number.POSITIVE_INFINITY, renewable: false };
    }
  }

  /** Replaces every credential (password, tokens) in `text` with `***`. */
  redact(text: string): string {
    return redact(text, this.#secrets);
  }

  /** Checks reachability, the certificate and the credentials: a token login, or a read with Basic. */
  async connect(): Promise<void> {
    if (this.#o.options.auth === 'basic' || this.#token?.renewable === false) {
      await this.call('GET', '/mgmt/tm/sys/version', undefined, 'read');
      return;
    }
    await this.#renew();
  }

  /** GET a URI and validate the reply. Retried on connection failures and 5xx. */
  async get<A>(codec: t.Type<A, unknown, unknown>, path: string): Promise<A> {
    return this.decode(codec, await this.getRaw(path), `GET ${path}`);
  }

  /** GET a URI; `undefined` when the device answers 404. */
  async getOptional<A>(codec: t.Type<A, unknown, unknown>, path: string): Promise<A | undefined> {
    try {
      return await this.get(codec, path);
    } catch (e) {
      if (isNetloomError(e) && e.details['status'] === 404) return undefined;
      throw e;
    }
  }

  /** GET a URI (retried like {@link get}) without validating it. */
  async getRaw(path: string): Promise<unknown> {
    const attempts = this.#o.options.retries + 1;
    for (let i = 1; ; i++) {
      try {
        return await this.call('GET', path, undefined, 'read');
      } catch (e) {
        const retryable = isNetloomError(e) && e.details['retryable'] === true;
        if (!retryable || i >= attempts) throw e;
        this.#o.logger.debug({ path, attempt: i }, 'read failed; retrying');
        await sleep(100 * 2 ** (i - 1));
      }
    }
  }

  /** Validates a reply; a mismatch is a `DeviceProtocolError` naming every path and reason. */
  decode<A>(codec: t.Type<A, unknown, unknown>, value: unknown, what: string): A {
    const r = decodeProblems(codec, value);
    if (r.value !== undefined || r.problems.length === 0) return r.value as A;
    const shown = r.problems.slice(0, 5).map((p) => `${p.path || '(root)'}: ${p.reason}`);
    throw new DeviceProtocolError(`${this.#o.device}: the reply to ${what} is not what iControl REST answers (${codec.name}): ${this.redact(shown.join('; '))}`, {
      details: { device: this.#o.device, problems: r.problems.slice(0, 20) },
    });
  }

  /**
   * Runs `ops` in one iControl transaction: creates it, queues every operation under `X-F5-REST-Coordination-Id`,
   * commits with `{"state":"VALIDATING"}` (without the header). All or nothing on the device.
   *
   * @returns the transaction id.
   * @throws CommitError (refused: nothing applied); a `DeviceConnectionError`/`DeviceTimeoutError` with
   *   `details.uncertain` when the commit's reply was lost (the caller must read the device to know).
   */
  async transaction(ops: readonly F5Operation[]): Promise<number> {
    const created = this.decode(TransactionCodec, await this.call('POST', '/mgmt/tm/transaction', {}, 'write'), 'POST /mgmt/tm/transaction');
    const id = created.transId;
    const headers = { 'X-F5-REST-Coordination-Id': String(id) };
    try {
      for (const op of ops) this.decode(QueuedCommandCodec, await this.call(op.method, op.path, op.body, 'write', headers), `${op.method} ${op.path} (queued)`);
    } catch (e) {
      await this.call('DELETE', `/mgmt/tm/transaction/${id}`, undefined, 'write').catch(() => undefined);
      if (isNetloomError(e) && e.code === ErrorCode.DEVICE_COMMIT) throw e;
      throw new CommitError(`${this.#o.device}: queueing transaction ${id} failed (${isNetloomError(e) ? e.message : String(e)}); nothing was applied`, { cause: e, details: { device: this.#o.device, transaction: id } });
    }
    let done;
    try {
      done = this.decode(TransactionCodec, await this.call('PATCH', `/mgmt/tm/transaction/${id}`, { state: 'VALIDATING' }, 'commit'), `PATCH /mgmt/tm/transaction/${id}`);
    } catch (e) {
      if (isNetloomError(e) && (e.code === ErrorCode.DEVICE_CONNECTION || e.code === ErrorCode.DEVICE_TIMEOUT) && e.details['sent'] === true) {
        e.details['uncertain'] = true;
        e.details['transaction'] = id;
      }
      throw e;
    }
    if (done.state !== 'COMPLETED') {
      throw new CommitError(`${this.#o.device}: transaction ${id} ended in state ${done.state}${done.failureReason ? `: ${this.redact(done.failureReason)}` : ''}; the device applies transactions all or nothing`, {
        details: { device: this.#o.device, transaction: id, state: done.state },
      });
    }
    return id;
  }

  /** Ends the token on the device (best effort) and closes the connections. Idempotent. */
  async close(): Promise<void> {
    const t = this.#token;
    this.#token = undefined;
    if (t?.renewable === true) await this.#deleteToken(t.value);
    this.#agent.destroy();
  }

  /**
   * One authenticated request with the adapter's error mapping; a 401 on a renewable token logs in again and
   * retries once. Returns the parsed JSON body (undefined when empty).
   */
  async call(method: string, path: string, body: F5RequestBody | Record<string, unknown> | undefined, context: CallContext, headers: Record<string, string> = {}): Promise<unknown> {
    await this.#ensureToken();
    const used = this.#token;
    let reply = await this.#send(method, path, body, { ...this.#authHeaders(), ...headers }, context);
    if (reply.status === 401 && used?.renewable === true) {
      // Concurrent requests may all meet the dead token: the first one logs in, the others wait for that login.
      if (this.#token === used) {
        this.#o.logger.debug({ path }, 'token refused (401): logging in again');
        this.#token = undefined;
      }
      await this.#ensureToken();
      reply = await this.#send(method, path, body, { ...this.#authHeaders(), ...headers }, context);
    }
    if (reply.status >= 200 && reply.status < 300) return reply.data;
    throw this.#statusError(method, path, reply, context);
  }

  #authHeaders(): Record<string, string> {
    if (this.#o.options.auth === 'basic' && this.#token?.renewable !== false) {
      const c = this.#o.credentials;
      return { Authorization: `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}` };
    }
    return this.#token === undefined ? {} : { 'X-F5-Auth-Token': this.#token.value };
  }

  async #ensureToken(): Promise<void> {
    if (this.#o.options.auth === 'basic' || this.#token?.renewable === false) return;
    if (this.#token === undefined || Date.now() >= this.#token.refreshAt) await this.#renew();
  }

  /** Logs in (one login at a time; concurrent callers wait for it). */
  #renew(): Promise<void> {
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #doLogin(): Promise<void> {
    const c = this.#o.credentials;
    const user = c.username ?? '';
    if (user === '' || c.password === undefined || c.password === '') {
      throw new DeviceAuthError(`${this.#o.device}: no credentials (username and password) for the token login`, { details: { device: this.#o.device } });
    }
    const old = this.#token;
    const started = Date.now();
    const reply = await this.#send('POST', '/mgmt/shared/authn/login', { username: user, password: c.password, loginProviderName: this.#o.options.loginProviderName }, {}, 'read');
    if (reply.status === 401 || reply.status === 403) {
      throw new DeviceAuthError(`${this.#o.device}: login as ${JSON.stringify(user)} was refused (${reply.status}): ${this.#messageOf(reply)}`, { details: { device: this.#o.device, status: reply.status, user } });
    }
    if (reply.status < 200 || reply.status >= 300) throw this.#statusError('POST', '/mgmt/shared/authn/login', reply, 'read');
    const login = this.decode(LoginResponseCodec, reply.data, 'POST /mgmt/shared/authn/login');
    const token = login.token.token;
    this.#secrets.add(token);
    const byTimeout = started + login.token.timeout * 1000;
    // The device's own expiry counts only when it lies ahead: a device clock far behind ours must not make every
    // request log in again.
    const exp = login.token.expirationMicros;
    const byDevice = exp !== undefined && exp / 1000 > started ? exp / 1000 : byTimeout;
    const expiresAt = Math.min(byTimeout, byDevice);
    const lifetime = Math.max(0, expiresAt - started);
    const margin = Math.min(this.#o.options.tokenRefreshMarginSec * 1000, lifetime / 4);
    this.#token = { value: token, refreshAt: expiresAt - margin, renewable: true };
    this.logins++;
    this.#o.logger.debug({ user, lifetimeMs: lifetime }, 'logged in');
    // The device keeps a limited number of tokens per user: end the one this login replaces.
    if (old?.renewable === true) await this.#deleteToken(old.value);
  }

  async #deleteToken(token: string): Promise<void> {
    try {
      await this.#send('DELETE', `/mgmt/shared/authz/tokens/${token}`, undefined, { 'X-F5-Auth-Token': this.#token?.value ?? token }, 'read');
    } catch {
      // Best effort: an expired token is gone anyway.
    }
  }

  async #send(method: string, path: string, body: unknown, headers: Record<string, string>, context: CallContext): Promise<RawReply> {
    // Paths can hold a token (logout): every text about a request uses the redacted path.
    const shown = this.redact(path);
    const where = `${method} ${shown}`;
    this.requests++;
    const started = Date.now();
    try {
      const res = await this.#http.request<string>({
        method,
        url: path,
        headers,
        ...(body === undefined ? {} : { data: JSON.stringify(body) }),
        ...(this.#o.signal === undefined ? {} : { signal: this.#o.signal }),
      });
      this.#o.logger.debug({ method, path: shown, status: res.status, ms: Date.now() - started }, 'iControl REST');
      const text = typeof res.data === 'string' ? res.data : '';
      let data: unknown;
      if (text.trim() !== '') {
        try {
          data = JSON.parse(text) as unknown;
        } catch {
          if (res.status < 300) throw new DeviceProtocolError(`${this.#o.device}: the reply to ${where} is not JSON (HTTP ${res.status})`, { details: { device: this.#o.device, status: res.status } });
          data = { code: res.status, message: this.redact(text.slice(0, 200)) };
        }
      }
      return { status: res.status, data };
    } catch (e) {
      if (isNetloomError(e)) throw e;
      throw this.#transportError(e, where, context);
    }
  }

  #messageOf(reply: RawReply): string {
    const r = ErrorBodyCodec.decode(reply.data);
    return this.redact(r._tag === 'Right' ? r.right.message : `HTTP ${reply.status}`);
  }

  #statusError(method: string, path: string, reply: RawReply, context: CallContext): NetloomError {
    const device = this.#o.device;
    const status = reply.status;
    const message = this.#messageOf(reply);
    const shown = this.redact(path);
    const text = `${device}: ${method} ${shown} answered ${status}: ${message}`;
    const details = { device, status, method, path: shown, deviceMessage: message };
    if (status === 401 || status === 403) return new DeviceAuthError(`${text} (check the credentials and the user's role)`, { details });
    if (context === 'read') {
      if (status === 404) return new NotFoundError(text, { details });
      if (status >= 500) return new DeviceConnectionError(text, { details: { ...details, retryable: true } });
      return new DeviceProtocolError(text, { details });
    }
    if (context === 'commit') return new CommitError(`${text}; the device applies transactions all or nothing, so nothing was applied`, { details });
    return new CommitError(text, { details });
  }

  #transportError(e: unknown, where: string, context: CallContext): NetloomError {
    const device = this.#o.device;
    const err = e as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
    const code = typeof err.code === 'string' ? err.code : typeof err.cause?.code === 'string' ? err.cause.code : '';
    const message = this.redact(typeof err.message === 'string' ? err.message : String(e));
    // Keep the original's code and text, not its request config (which holds headers and the login body).
    const cause = Object.assign(new Error(message), { code });
    const tls = TLS_CODES.has(code) || /certificate/i.test(message);
    // A write may have reached the device unless the connection never opened; a commit whose reply is lost has an
    // unknown outcome, which the caller settles by reading the device.
    const sent = context !== 'read' && !tls && !NOT_CONNECTED.has(code);
    const details = { device, request: where, errorCode: code, sent };
    if (tls) {
      return new DeviceConnectionError(`${device}: the TLS certificate of ${this.#o.baseUrl} is not trusted (${code || message}); give the device's CA in the target's tls.ca, or set tls.verify: false in the profile (not recommended)`, { cause, details });
    }
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
      return new DeviceTimeoutError(`${device}: ${where} got no answer within ${this.#o.options.requestTimeoutMs} ms`, { cause, details: { ...details, retryable: true } });
    }
    if (code === 'ERR_CANCELED') return new DeviceConnectionError(`${device}: ${where} was aborted`, { cause, details });
    return new DeviceConnectionError(`${device}: ${where} failed: ${message}${code === '' ? '' : ` (${code})`}`, { cause, details: { ...details, retryable: true } });
  }
}
