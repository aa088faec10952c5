/**
 * `https-json` recording and replay.
 *
 * - {@link startHttpsRecordingProxy}: an HTTPS server (a throw-away certificate for 127.0.0.1) that forwards each
 *   request (method, path, headers minus hop-by-hop ones, body) to the device and records request and response,
 *   redacted: credential headers, login bodies, token replies and every value equal to a secret.
 * - {@link startHttpsReplayServer}: an HTTPS server that answers the n-th request with the n-th recorded response
 *   when method, path and body match (bodies compared as JSON; redacted values match anything).
 *
 * The exchanges of one check form one session (`session-1.json`); the event `channel` is the exchange number, so a
 * response is paired with its request even when requests overlap.
 *
 * @packageDocumentation
 */
import type * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { DeviceConnectionError } from '@netloom/ports';
import type { RecordingRedactor } from './redact';
import type { CheckRecording, RecordedEvent, SessionLog } from './recording';
import { describeEvent, type ReplayScript, type ReplaySession } from './replay.engine';

/** Where the device is and how to trust it (from the target file). */
export interface HttpsUpstream {
  readonly host: string;
  readonly port: number;
  /** Verify the device's certificate (default true). */
  readonly verify?: boolean;
  /** CA bundle (PEM) to verify it with. */
  readonly ca?: string;
  /** Per request limit in ms (default 60 000). */
  readonly timeoutMs?: number;
}

/** A running HTTPS endpoint for the adapter: where it is and the CA to trust. */
export interface HttpsEndpoint {
  readonly host: string;
  readonly port: number;
  /** PEM of the CA that signed the endpoint's certificate (`DeviceTarget.tls.ca`). */
  readonly ca: string;
  close(): Promise<void>;
}

/** A server certificate for 127.0.0.1 and the CA that signed it. */
export interface EndpointCertificates {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length'];

function forwardable(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.includes(k.toLowerCase())) out[k] = v;
  return out;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A body as recorded: parsed JSON when it is JSON, else text; undefined when empty. */
function bodyOf(buf: Buffer): { body?: unknown; text?: string } {
  if (buf.length === 0) return {};
  const text = buf.toString('utf8');
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { text };
  }
}

async function httpsServer(certs: EndpointCertificates, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ server: https.Server; port: number; destroyAll(): void }> {
  const sockets = new Set<net.Socket>();
  const server = https.createServer({ cert: certs.cert, key: certs.key }, handler);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new DeviceConnectionError(`cannot listen on 127.0.0.1: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    destroyAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}

function endpoint(s: { server: https.Server; port: number; destroyAll(): void }, ca: string): HttpsEndpoint {
  let closed: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port: s.port,
    ca,
    close() {
      closed ??= new Promise<void>((resolve) => {
        s.destroyAll();
        s.server.close(() => resolve());
      });
      return closed;
    },
  };
}

/**
 * Starts the recording proxy for one check.
 *
 * @example
 * const proxy = await startHttpsRecordingProxy({ upstream, redactor, recording, certificates });
 * // the adapter connects to https://proxy.host:proxy.port trusting proxy.ca
 */
export async function startHttpsRecordingProxy(opts: {
  readonly upstream: HttpsUpstream;
  readonly redactor: RecordingRedactor;
  readonly recording: CheckRecording;
  readonly certificates: EndpointCertificates;
}): Promise<HttpsEndpoint> {
  const { upstream, redactor, recording } = opts;
  let log: SessionLog | undefined;
  let exchanges = 0;
  const s = await httpsServer(opts.certificates, (req, res) => {
    void (async () => {
      const body = await readAll(req);
      const channel = ++exchanges;
      log ??= recording.session();
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      log.add({ dir: 'in', type: 'request', channel, method, path: redactor.text(path), headers: redactor.headers(forwardable(req.headers)), ...redactBody(redactor, bodyOf(body)) });
      const upstreamReq = https.request({
        host: upstream.host,
        port: upstream.port,
        method,
        path,
        headers: { ...forwardable(req.headers), ...(body.length > 0 ? { 'content-length': String(body.length) } : {}) },
        rejectUnauthorized: upstream.verify ?? true,
        ...(upstream.ca === undefined ? {} : { ca: upstream.ca }),
        timeout: upstream.timeoutMs ?? 60_000,
        agent: false,
      });
      upstreamReq.on('timeout', () => upstreamReq.destroy(new Error('device did not answer in time')));
      upstreamReq.on('error', () => {
        // The adapter sees the connection drop, as it would have from the device; nothing is recorded for it.
        res.destroy();
      });
      upstreamReq.on('response', (upstreamRes) => {
        void readAll(upstreamRes).then((answer) => {
          const headers = forwardable(upstreamRes.headers);
          log!.add({ dir: 'out', type: 'response', channel, status: upstreamRes.statusCode ?? 502, headers: redactor.headers(headers), ...redactBody(redactor, bodyOf(answer)) });
          res.writeHead(upstreamRes.statusCode ?? 502, { ...headers, 'content-length': String(answer.length) });
          res.end(answer);
        });
      });
      upstreamReq.end(body);
    })().catch(() => res.destroy());
  });
  return endpoint(s, opts.certificates.ca);
}

function redactBody(redactor: RecordingRedactor, b: { body?: unknown; text?: string }): { body?: unknown; text?: string } {
  return { ...(b.body === undefined ? {} : { body: redactor.json(b.body) }), ...(b.text === undefined ? {} : { text: redactor.text(b.text) }) };
}

/**
 * Starts the replay server for one check.
 *
 * @example
 * const server = await startHttpsReplayServer(script, certificates);
 * // the adapter connects to https://server.host:server.port trusting server.ca
 */
export async function startHttpsReplayServer(script: ReplayScript, certificates: EndpointCertificates): Promise<HttpsEndpoint> {
  const waiting = new Map<number, http.ServerResponse>();
  let session: ReplaySession | undefined;
  let attached = false;
  const running: { server?: Awaited<ReturnType<typeof httpsServer>> } = {};
  const player = {
    send(e: RecordedEvent) {
      const res = waiting.get(e.channel ?? 0);
      if (res === undefined || e.type !== 'response') return;
      waiting.delete(e.channel ?? 0);
      const payload = e.body !== undefined ? JSON.stringify(e.body) : (e.text ?? '');
      const headers = Object.fromEntries(Object.entries(e.headers ?? {}).filter(([k]) => !HOP_BY_HOP.includes(k)));
      res.writeHead(e.status ?? 200, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
    },
    close() {
      for (const res of waiting.values()) res.destroy();
      waiting.clear();
      running.server?.destroyAll();
    },
  };
  const s = await httpsServer(certificates, (req, res) => {
    void readAll(req).then((buf) => {
      if (!attached) {
        attached = true;
        session = script.attach(player);
      }
      const ses = session;
      if (ses === undefined) {
        res.destroy();
        return;
      }
      const got = bodyOf(buf);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const actual: RecordedEvent = { seq: 0, dir: 'in', type: 'request', method, path, ...got };
      const e = ses.expected();
      const same =
        e !== undefined &&
        e.type === 'request' &&
        e.method === method &&
        ses.matchText(e.path ?? '', path) &&
        (e.body !== undefined ? got.body !== undefined && ses.matchJson(e.body, got.body) : got.body === undefined && ses.matchText(e.text ?? '', got.text ?? ''));
      if (!same) {
        res.destroy();
        ses.diverge(describeEvent(actual));
        return;
      }
      waiting.set(e.channel ?? 0, res);
      ses.consume();
    });
  });
  running.server = s;
  return endpoint(s, certificates.ca);
}
