/**
 * The eAPI client: JSON-RPC 2.0 `runCmds` over HTTPS (PROTOCOLS.md §3.1–3.2) with axios.
 *
 * - TLS: the device certificate is verified against `target.tls.ca` (or the system CAs) unless the profile says
 *   `tls.verify: false`.
 * - HTTP Basic authentication from `target.credentials`; the password never reaches a message, log line or error
 *   cause (every text is passed through `redact`, and raw axios errors are replaced by sanitised copies).
 * - Timeouts per request; retries with exponential backoff after connection errors (refused, reset, unreachable)
 *   — never after a command error, an authentication failure or a certificate problem.
 * - Every reply is validated with io-ts; a reply that does not fit is a `DeviceProtocolError` naming the path.
 *
 * @packageDocumentation
 */
import { Agent } from 'node:https';
import axios, { type AxiosResponse } from 'axios';
import * as t from 'io-ts';
import {
  DeviceAuthError,
  DeviceConnectionError,
  DeviceProtocolError,
  DeviceTimeoutError,
  decodeProblems,
  redact,
  struct,
  type Credentials,
  type Logger,
} from '@netloom/ports';

/** One command: a line, or a line with input (`{ cmd: 'enable', input: '<password>' }`). */
export type EapiCommand = string | { readonly cmd: string; readonly input: string };

/** How to reach one switch. */
export interface EapiClientOptions {
  /** The inventory name (for messages). */
  readonly device: string;
  readonly host: string;
  readonly port: number;
  readonly credentials?: Credentials;
  readonly tls: { readonly verify: boolean; readonly ca?: string };
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly logger: Logger;
}

/** Options of one call. */
export interface RunOptions {
  /** `json` (default) or `text` (`{ output }` per command). */
  readonly format?: 'json' | 'text';
  /** Retry after a connection error (default true). Set false when a lost reply cannot be told from a lost request. */
  readonly retry?: boolean;
  /** Milliseconds this call may take (default: the client's `timeoutMs`). */
  readonly timeoutMs?: number;
}

/** A JSON-RPC error reply: a command failed (the commands before it ran). */
export class EapiCommandError extends Error {
  constructor(
    /** The eAPI error code (1002 invalid command, 1003 no JSON form, 1005 unauthorized, 1000 other). */
    readonly code: number,
    /** The eAPI error message (`CLI command 3 of 5 'x' failed: invalid command`). */
    readonly eapiMessage: string,
    /** The results of the commands before the failing one. */
    readonly results: readonly unknown[],
    /** The failing command's error texts. */
    readonly errors: readonly string[],
    /** The failing command's position (0-based), when the message names it. */
    readonly index: number | undefined,
  ) {
    super(`${eapiMessage}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`);
    this.name = 'EapiCommandError';
  }

  /** What the device said, as one line (`CLI command 3 of 5 'x' failed: invalid command: Invalid input (at token 1: 'x')`). */
  get deviceText(): string {
    return this.message;
  }
}

const Id = t.union([t.string, t.number, t.null]);
const SuccessCodec = struct('EapiSuccess', { jsonrpc: t.literal('2.0'), id: Id, result: t.array(t.unknown) }, {}, { unknownFields: 'strip' });
const FailureCodec = struct(
  'EapiFailure',
  { jsonrpc: t.literal('2.0'), id: Id, error: struct('EapiError', { code: t.number, message: t.string }, { data: t.array(t.unknown) }, { unknownFields: 'strip' }) },
  {},
  { unknownFields: 'strip' },
);
const ErrorsEntry = struct('EapiErrorsEntry', { errors: t.array(t.string) }, {}, { unknownFields: 'strip' });

const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const TIMEOUTS = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|TLS|SSL|EPROTO/;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw error reduced to what is safe to keep as a cause: name, code and a redacted message. */
function sanitized(e: unknown, secrets: readonly string[]): Error {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
  const out = new Error(redact(e instanceof Error ? e.message : String(e), secrets));
  out.name = e instanceof Error ? e.name : 'Error';
  if (code !== undefined) Object.assign(out, { code });
  return out;
}

/** A client for one switch's eAPI. */
export class EapiClient {
  readonly #opts: EapiClientOptions;
  readonly #agent: Agent;
  readonly #url: string;
  readonly #authorization: string | undefined;
  readonly #secrets: string[];
  #nextId = 1;

  constructor(opts: EapiClientOptions) {
    this.#opts = opts;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: opts.tls.verify, ...(opts.tls.ca === undefined ? {} : { ca: opts.tls.ca }) });
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    this.#url = `https://${host}:${opts.port}/command-api`;
    const user = opts.credentials?.username ?? '';
    const password = opts.credentials?.password ?? '';
    this.#authorization = opts.credentials?.password === undefined ? undefined : `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#secrets = [password, this.#authorization?.slice('Basic '.length) ?? ''].filter((s) => s !== '');
  }

  /** The texts this client must never print (for callers that build messages from device replies). */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * Runs `cmds` in one `runCmds` call and returns one result per command.
   *
   * @throws EapiCommandError (a command failed), DeviceAuthError (HTTP 401/403, or eAPI 1005), DeviceConnectionError
   *   (unreachable after the retries, or the certificate is not trusted), DeviceTimeoutError, DeviceProtocolError (a
   *   reply that is not eAPI's).
   */
  async run(cmds: readonly EapiCommand[], options: RunOptions = {}): Promise<unknown[]> {
    const format = options.format ?? 'json';
    const retry = options.retry ?? true;
    const { device, retries, retryBackoffMs, logger } = this.#opts;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(cmds, format, options.timeoutMs ?? this.#opts.timeoutMs);
      } catch (e) {
        const transient = e instanceof DeviceConnectionError && e.details['transient'] === true;
        if (!transient || !retry || attempt >= retries) throw e;
        const wait = retryBackoffMs * 2 ** attempt;
        logger.warn({ device, attempt: attempt + 1, waitMs: wait, reason: e.message }, 'eAPI connection error; retrying');
        await sleep(wait);
      }
    }
  }

  async #once(cmds: readonly EapiCommand[], format: 'json' | 'text', timeoutMs: number): Promise<unknown[]> {
    const { device } = this.#opts;
    const id = `netloom-${this.#nextId++}`;
    const body = { jsonrpc: '2.0', method: 'runCmds', params: { version: 1, cmds, format }, id };
    let response: AxiosResponse<string>;
    try {
      response = await axios.post<string>(this.#url, JSON.stringify(body), {
        httpsAgent: this.#agent,
        timeout: timeoutMs,
        proxy: false,
        maxRedirects: 0,
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
        headers: { 'Content-Type': 'application/json-rpc', Accept: 'application/json', ...(this.#authorization === undefined ? {} : { Authorization: this.#authorization }) },
      });
    } catch (e) {
      throw this.#transportError(e, timeoutMs);
    }
    if (response.status === 401 || response.status === 403) {
      const user = this.#opts.credentials?.username ?? '(none)';
      throw new DeviceAuthError(`${device}: the switch refused the credentials of user ${JSON.stringify(user)} (HTTP ${response.status}); check the credential reference in the profile`, {
        details: { device, status: response.status },
      });
    }
    const text = typeof response.data === 'string' ? response.data : String(response.data);
    if (response.status !== 200) {
      throw new DeviceProtocolError(`${device}: eAPI answered HTTP ${response.status}: ${redact(text.slice(0, 200), this.#secrets)}`, { details: { device, status: response.status } });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new DeviceProtocolError(`${device}: the eAPI reply is not JSON: ${redact(text.slice(0, 200), this.#secrets)}`, { cause: sanitized(e, this.#secrets), details: { device } });
    }
    const ok = decodeProblems(SuccessCodec, json);
    if (ok.value !== undefined) {
      if (ok.value.result.length !== cmds.length) throw new DeviceProtocolError(`${device}: eAPI returned ${ok.value.result.length} results for ${cmds.length} commands`, { details: { device } });
      return [...ok.value.result];
    }
    const failed = decodeProblems(FailureCodec, json);
    if (failed.value === undefined) {
      const where = ok.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`).join('; ');
      throw new DeviceProtocolError(`${device}: the eAPI reply is neither a result nor an error (${where})`, { details: { device, problems: ok.problems } });
    }
    const { code, message, data = [] } = failed.value.error;
    const last = data.length > 0 ? decodeProblems(ErrorsEntry, data[data.length - 1]).value : undefined;
    const index = /^CLI command (\d+) of \d+/.exec(message);
    const err = new EapiCommandError(code, redact(message, this.#secrets), data.slice(0, -1), (last?.errors ?? []).map((s) => redact(s, this.#secrets)), index === null ? undefined : Number(index[1]) - 1);
    if (code === 1005) {
      throw new DeviceAuthError(`${device}: user ${JSON.stringify(this.#opts.credentials?.username ?? '(none)')} may not run a command: ${err.deviceText}`, { cause: err, details: { device, code } });
    }
    throw err;
  }

  #transportError(e: unknown, timeoutMs: number): Error {
    const { device, host, port } = this.#opts;
    const code = axios.isAxiosError(e) ? (e.code ?? (e.cause as { code?: string } | undefined)?.code) : undefined;
    const cause = sanitized(e, this.#secrets);
    const where = `${host}:${port}`;
    if (code !== undefined && TIMEOUTS.has(code) && /timeout/i.test(cause.message)) {
      return new DeviceTimeoutError(`${device}: no eAPI answer from ${where} within ${timeoutMs} ms`, { cause, details: { device, code } });
    }
    if (code !== undefined && TLS.test(code)) {
      return new DeviceConnectionError(`${device}: the TLS certificate of ${where} is not trusted (${code}); give the switch's CA as tls.ca in the profile`, { cause, details: { device, code, transient: false } });
    }
    const transient = code !== undefined && TRANSIENT.has(code);
    return new DeviceConnectionError(`${device}: cannot reach eAPI at ${where} (${code ?? cause.message})`, { cause, details: { device, code: code ?? null, transient } });
  }
}
