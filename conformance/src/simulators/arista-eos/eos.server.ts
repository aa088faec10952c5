/**
 * The eAPI server of the EOS simulator: HTTPS on `127.0.0.1:<free port>`, `POST /command-api` with JSON-RPC 2.0
 * `runCmds`, HTTP Basic authentication (401 on bad credentials), the success and error shapes of PROTOCOLS.md §3.2,
 * and a test API (running-config, out-of-band changes, fault injection, counters).
 *
 * @packageDocumentation
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EosDevice, type EosCommand, type EosDeviceOptions, type EosEvent, type EosStats, type EosUser } from './eos.device';
import type { SessionView } from './eos.shows';

/** Options of {@link startEosSimulator}. */
export interface EosSimulatorOptions extends EosDeviceOptions {
  /** The server certificate and key (PEM), e.g. from `makeTestCertificates()`. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** Users and their passwords (default `{ admin: { password: 'admin', role: 'network-admin' } }`). */
  readonly users?: Readonly<Record<string, EosUser>>;
}

/** How {@link EosSimulator.dropConnectionDuring} drops the connection. */
export interface DropOptions {
  /** `before` (default): the commands never run; `after`: they run, the reply is lost. */
  readonly when?: 'before' | 'after';
}

/** A running simulated EOS switch with its eAPI server and test API. */
export interface EosSimulator {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The device behind the server (for tests that need more than the methods below). */
  readonly device: EosDevice;
  /** Users by name; tests may add, change or remove users while the server runs. */
  readonly users: Map<string, EosUser>;
  /** The host name in running-config. */
  readonly hostname: string;
  /** The model `show version` reports. */
  readonly model: string;
  /** Counters of what came over eAPI. */
  readonly stats: Readonly<EosStats>;
  /** What the switch did by itself (commit timers that expired). */
  readonly events: readonly EosEvent[];
  /** `show running-config` as text. */
  runningConfig(): string;
  /** The configuration sessions the switch holds. */
  sessions(): SessionView[];
  /** Runs `lines` in `configure terminal` as an operator would; throws with the device text when one is refused. */
  applyOutOfBand(lines: readonly string[]): void;
  /** The next commit fails (the session stays uncommitted, running-config unchanged). */
  failNextCommit(reason?: string): void;
  /** The next request with a command matching `pattern` loses its connection (once). */
  dropConnectionDuring(pattern: RegExp, options?: DropOptions): void;
  /** Sets every counter to zero. */
  resetStats(): void;
  /** Stops the server, closes open connections, stops commit timers. Idempotent. */
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

type JsonRpcId = string | number | null;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const rpcError = (id: JsonRpcId, code: number, message: string, data?: unknown[]): unknown => ({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } });

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (m === null) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) resolve(undefined);
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface RunParams {
  readonly cmds: EosCommand[];
  readonly format: 'json' | 'text';
}

function parseParams(params: unknown): RunParams | string {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return "Expected field 'params' not specified";
  const p = params as Record<string, unknown>;
  if (p['version'] !== 1 && p['version'] !== 'latest') return "Expected field 'version' to be 1 or \"latest\"";
  const format = p['format'] ?? 'json';
  if (format !== 'json' && format !== 'text') return "Expected field 'format' to be \"json\" or \"text\"";
  const cmds = p['cmds'];
  if (!Array.isArray(cmds) || cmds.length === 0) return "Expected field 'cmds' to be a non-empty list";
  const out: EosCommand[] = [];
  for (const c of cmds as unknown[]) {
    if (typeof c === 'string') out.push(c);
    else if (typeof c === 'object' && c !== null && typeof (c as Record<string, unknown>)['cmd'] === 'string') {
      const input = (c as Record<string, unknown>)['input'];
      out.push({ cmd: (c as { cmd: string }).cmd, ...(typeof input === 'string' ? { input } : {}) });
    } else return "Expected every entry of 'cmds' to be a string or { cmd, input }";
  }
  return { cmds: out, format };
}

/**
 * Starts a simulated EOS switch with its eAPI server on `127.0.0.1` and a free port.
 *
 * @example
 * const tls = await makeTestCertificates();
 * const sim = await startEosSimulator({ tls, users: { netloom: { password: 's3cret', role: 'network-admin' } } });
 * // POST https://127.0.0.1:<sim.port>/command-api {"jsonrpc":"2.0","method":"runCmds","params":{"version":1,"cmds":["show version"]},"id":1}
 * await sim.close();
 */
export async function startEosSimulator(options: EosSimulatorOptions): Promise<EosSimulator> {
  const device = new EosDevice(options);
  const users = new Map<string, EosUser>(Object.entries(options.users ?? { admin: { password: 'admin', role: 'network-admin' } }));
  let drop: { pattern: RegExp; when: 'before' | 'after' } | undefined;
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    device.stats.requests++;
    if ((req.url ?? '').split('?')[0] !== '/command-api') return send(res, 404, 'Not Found');
    if (req.method !== 'POST') return send(res, 405, 'Method Not Allowed', { Allow: 'POST' });
    const creds = parseBasic(req.headers.authorization);
    const user = creds === undefined ? undefined : users.get(creds.user);
    if (creds === undefined || user === undefined || user.password !== creds.password) {
      device.stats.authFailures++;
      req.resume();
      return send(res, 401, 'Unable to authenticate: invalid username or password', { 'WWW-Authenticate': 'Basic realm="eAPI"' });
    }
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, 'Request Entity Too Large');
    let rpc: unknown;
    try {
      rpc = JSON.parse(body);
    } catch {
      return send(res, 200, rpcError(null, -32700, 'Parse error'));
    }
    if (typeof rpc !== 'object' || rpc === null || Array.isArray(rpc)) return send(res, 200, rpcError(null, -32600, 'Invalid Request'));
    const r = rpc as Record<string, unknown>;
    const rawId = r['id'];
    const id: JsonRpcId = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
    if (r['jsonrpc'] !== '2.0') return send(res, 200, rpcError(id, -32600, "Expected field 'jsonrpc' not specified"));
    if (r['method'] !== 'runCmds') return send(res, 200, rpcError(id, -32601, `Method not found: ${JSON.stringify(r['method'])}`));
    const params = parseParams(r['params']);
    if (typeof params === 'string') return send(res, 200, rpcError(id, -32602, `Invalid params: ${params}`));
    const armed = drop;
    const hit = armed !== undefined && params.cmds.some((c) => armed.pattern.test(typeof c === 'string' ? c : c.cmd));
    if (hit && armed.when === 'before') {
      drop = undefined;
      req.socket.destroy();
      return;
    }
    const result = device.run({ user: creds.user, admin: user.role === 'network-admin' }, params.cmds, params.format);
    if (hit) {
      drop = undefined;
      req.socket.destroy();
      return;
    }
    send(res, 200, result.ok ? { jsonrpc: '2.0', id, result: result.result } : rpcError(id, result.code, result.message, result.data));
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that refuses the certificate resets the handshake: not the simulator's concern.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    url: `https://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    device,
    users,
    get hostname() {
      return device.hostname;
    },
    get model() {
      return device.facts.model;
    },
    get stats() {
      return device.stats;
    },
    get events() {
      return device.events;
    },
    runningConfig: () => device.runningConfigText(),
    sessions: () => device.sessions(),
    applyOutOfBand: (lines) => device.applyOutOfBand(lines),
    failNextCommit: (reason) => device.failNextCommit(reason),
    dropConnectionDuring: (pattern, o = {}) => {
      drop = { pattern, when: o.when ?? 'before' };
    },
    resetStats: () => {
      for (const k of Object.keys(device.stats) as (keyof EosStats)[]) device.stats[k] = 0;
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        device.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
