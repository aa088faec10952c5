/**
 * JSON-RPC 1.0 over one OVSDB stream (RFC 7047 §4): numbered requests matched to their responses, per-request
 * timeouts, notifications dispatched, the server's `echo` requests answered, and an inactivity probe that finds a
 * dead peer.
 *
 * One {@link JsonRpcConnection} lives exactly as long as its socket; reconnecting is the client's business.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';
import * as t from 'io-ts';
import { DeviceConnectionError, DeviceProtocolError, DeviceTimeoutError, NetloomError, type Logger, problemsFromErrors } from '@netloom/ports';
import { JsonFramer } from './json-framer';

/** Options of {@link JsonRpcConnection}. */
export interface JsonRpcConnectionOptions {
  /** The remote as text, for messages and logs. */
  readonly remote: string;
  /** Default time a request waits for its response (0 = wait forever). */
  readonly requestTimeoutMs: number;
  /**
   * Inactivity probe: after this long without receiving anything, send an `echo`; after as long again with still
   * nothing, declare the peer dead and close (0 = off).
   */
  readonly probeIntervalMs: number;
  readonly logger: Logger;
  /** Turns a socket error into the netloom error reported for it (default: a generic DeviceConnectionError). */
  readonly socketError?: (e: Error) => NetloomError;
  /** Largest message accepted (see {@link JsonFramer}). */
  readonly maxMessageBytes?: number;
  /** Called for every notification (`update`, `update2`, `locked`, `stolen`, ...), in arrival order. */
  readonly onNotification: (method: string, params: readonly unknown[]) => void;
  /**
   * Called once when the connection is gone: with the reason when it broke or the peer left, with `undefined`
   * when {@link JsonRpcConnection.close} closed it.
   */
  readonly onClose: (reason: NetloomError | undefined) => void;
}

/** Per-request options. */
export interface RequestOptions {
  /** Overrides the connection's default timeout (0 = wait forever). */
  readonly timeoutMs?: number;
  /**
   * Aborting sends the OVSDB `cancel` notification for this request and fails it at once with an
   * {@link OvsdbRpcError} of kind `canceled` (if it had not been answered yet).
   */
  readonly signal?: AbortSignal;
}

/**
 * The server answered a request with a JSON-RPC error (`{"error": ..., "id": n}` with a non-null `error`).
 * OVSDB errors are objects `{"error": "<kind>", "details": "...", "syntax": "..."}`; `kind` is that string.
 */
export class OvsdbRpcError extends DeviceProtocolError {
  /** The OVSDB error kind (`unknown database`, `canceled`, `syntax error`, ...), or the raw error as JSON text. */
  readonly kind: string;
  constructor(method: string, remote: string, error: unknown) {
    const kind = errorKind(error);
    const detail = errorDetail(error);
    super(`OVSDB ${method} at ${remote} failed: ${kind}${detail !== undefined ? ` (${detail})` : ''}`, {
      details: { method, remote, error: kind, ...(detail !== undefined ? { errorDetails: detail } : {}) },
    });
    this.kind = kind;
  }
}

function errorKind(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { error?: unknown }).error === 'string') return (error as { error: string }).error;
  return JSON.stringify(error) ?? String(error);
}

function errorDetail(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { details?: unknown }).details === 'string') return (error as { details: string }).details;
  return undefined;
}

const RequestMessage = t.type({ method: t.string, params: t.array(t.unknown), id: t.unknown });
const ResponseMessage = t.type({ id: t.union([t.number, t.string]), result: t.unknown, error: t.unknown });

interface Pending {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (e: NetloomError) => void;
  timer: NodeJS.Timeout | undefined;
  cleanupSignal: (() => void) | undefined;
}

/**
 * One JSON-RPC session over a connected socket.
 *
 * @example
 * const rpc = new JsonRpcConnection(socket, { remote: 'unix:/run/db.sock', requestTimeoutMs: 30_000,
 *   probeIntervalMs: 5_000, logger: silentLogger, onNotification: (m, p) => {}, onClose: (e) => {} });
 * const dbs = await rpc.request('list_dbs', []);
 */
export class JsonRpcConnection {
  private readonly framer: JsonFramer;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private closeReason: NetloomError | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: JsonRpcConnectionOptions,
  ) {
    this.framer = new JsonFramer(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {});
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e: Error) => {
      // The close event follows; remember why.
      if (this.closeReason === undefined && !this.closed) {
        this.closeReason =
          options.socketError?.(e) ?? new DeviceConnectionError(`OVSDB connection to ${options.remote} failed: ${describeError(e)}`, { cause: e, details: { remote: options.remote } });
      }
    });
    socket.on('close', () => this.finish());
    this.armProbe();
  }

  /** True once the connection is gone (closed by either side). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends a request and resolves with its `result`.
   *
   * @throws OvsdbRpcError (a DeviceProtocolError) when the server answers with an error.
   * @throws DeviceTimeoutError when no answer comes within the timeout (a late answer is then ignored).
   * @throws DeviceConnectionError when the connection is or becomes closed before the answer.
   * @throws DeviceProtocolError when the stream turns out malformed while waiting.
   */
  request(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closedError());
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const entry: Pending = { method, resolve, reject, timer: undefined, cleanupSignal: undefined };
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.settle(id);
          reject(new DeviceTimeoutError(`OVSDB ${method} at ${this.options.remote} got no answer within ${timeoutMs} ms`, { details: { method, remote: this.options.remote, timeoutMs } }));
        }, timeoutMs);
      }
      const signal = options.signal;
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (!this.pending.has(id)) return;
          this.notify('cancel', [id]);
          // ovsdb-server (3.1) drops a canceled request without the `canceled` answer RFC 7047 promises, so the
          // caller is released here; a late answer finds no pending request and is ignored.
          this.settle(id);
          reject(new OvsdbRpcError(method, this.options.remote, { error: 'canceled', details: 'canceled by the caller' }));
        };
        if (signal.aborted) queueMicrotask(onAbort);
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          entry.cleanupSignal = () => signal.removeEventListener('abort', onAbort);
        }
      }
      this.pending.set(id, entry);
      this.send({ method, params, id });
    });
  }

  /** Sends a notification (a request with `id: null`, which gets no answer). Ignored when closed. */
  notify(method: string, params: readonly unknown[]): void {
    if (this.closed) return;
    this.send({ method, params, id: null });
  }

  /**
   * Closes the connection; pending requests fail with DeviceConnectionError. Resolves once the socket is fully
   * closed (no handle left). Idempotent.
   */
  close(): Promise<void> {
    const socketGone = this.socket.closed ? Promise.resolve() : new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    if (!this.closed) {
      this.finish(undefined, true);
      this.socket.destroy();
    }
    return socketGone;
  }

  /** Closes the connection because of `reason` (reported to `onClose`). */
  abort(reason: NetloomError): void {
    if (this.closed) return;
    if (this.closeReason === undefined) this.closeReason = reason;
    this.socket.destroy();
    this.finish();
  }

  private send(message: { method: string; params: readonly unknown[]; id: unknown } | { result: unknown; error: unknown; id: unknown }): void {
    const text = JSON.stringify(message);
    this.options.logger.debug({ remote: this.options.remote, method: 'method' in message ? message.method : undefined, id: message.id, bytes: text.length }, 'ovsdb send');
    this.socket.write(text);
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (entry === undefined) return undefined;
    this.pending.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.cleanupSignal?.();
    return entry;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.probing = false;
    this.probeTimer?.refresh();
    let texts: string[];
    try {
      texts = this.framer.push(chunk);
    } catch (e) {
      this.abort(e instanceof NetloomError ? e : new DeviceProtocolError(`OVSDB stream from ${this.options.remote} is malformed`, { cause: e }));
      return;
    }
    for (const text of texts) {
      if (this.closed) return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (e) {
        this.abort(new DeviceProtocolError(`OVSDB peer ${this.options.remote} sent invalid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { remote: this.options.remote } }));
        return;
      }
      this.dispatch(message);
    }
  }

  private dispatch(message: unknown): void {
    const asRequest = RequestMessage.decode(message);
    if (asRequest._tag === 'Right') {
      const { method, params, id } = asRequest.right;
      if (id === null || id === undefined) {
        try {
          this.options.onNotification(method, params);
        } catch (e) {
          this.options.logger.error({ remote: this.options.remote, method, err: e instanceof Error ? e.message : String(e) }, 'ovsdb notification handler failed');
        }
        return;
      }
      // RFC 7047 §4.1.11: both sides answer echo with its own params.
      if (method === 'echo') this.send({ result: params, error: null, id });
      else this.send({ result: null, error: { error: 'unknown method', details: `netloom's OVSDB client does not serve ${method}` }, id });
      return;
    }
    const asResponse = ResponseMessage.decode(message);
    if (asResponse._tag === 'Right') {
      const { id, result, error } = asResponse.right;
      const entry = typeof id === 'number' ? this.settle(id) : undefined;
      if (entry === undefined) {
        // A late answer to a request that timed out: nothing waits for it any more.
        this.options.logger.debug({ remote: this.options.remote, id }, 'ovsdb response to no pending request');
        return;
      }
      if (error !== null && error !== undefined) entry.reject(new OvsdbRpcError(entry.method, this.options.remote, error));
      else entry.resolve(result);
      return;
    }
    const problems = problemsFromErrors(asResponse.left);
    this.abort(
      new DeviceProtocolError(
        `OVSDB peer ${this.options.remote} sent a message that is neither a request, a notification nor a response: ${problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`).join('; ')}`,
        { details: { remote: this.options.remote, problems } },
      ),
    );
  }

  private armProbe(): void {
    const interval = this.options.probeIntervalMs;
    if (interval <= 0) return;
    this.probeTimer = setTimeout(() => {
      if (this.closed) return;
      if (!this.probing) {
        this.probing = true;
        this.request('echo', [], { timeoutMs: 0 }).catch(() => undefined);
        this.probeTimer?.refresh();
        return;
      }
      this.abort(
        new DeviceConnectionError(`OVSDB peer ${this.options.remote} is not responding: nothing received for ${2 * interval} ms, not even an answer to echo`, {
          details: { remote: this.options.remote, probeIntervalMs: interval },
        }),
      );
    }, interval);
  }

  private closedError(): NetloomError {
    return this.closeReason ?? new DeviceConnectionError(`OVSDB connection to ${this.options.remote} is closed`, { details: { remote: this.options.remote } });
  }

  private finish(reason?: NetloomError, byUs = false): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== undefined && this.closeReason === undefined) this.closeReason = reason;
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const error = byUs
      ? new DeviceConnectionError(`OVSDB connection to ${this.options.remote} was closed`, { details: { remote: this.options.remote } })
      : (this.closeReason ??= new DeviceConnectionError(`OVSDB peer ${this.options.remote} closed the connection`, { details: { remote: this.options.remote } }));
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    this.options.onClose(byUs ? undefined : error);
  }
}

function describeError(e: Error): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset by the peer';
  return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
}
