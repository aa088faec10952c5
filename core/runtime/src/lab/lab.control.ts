/**
 * The lab daemon's control channel: HTTP with JSON bodies over a unix socket in the lab directory (unix sockets
 * work across network namespaces; the daemon lives in its own). The CLI uses it to create and delete Kubernetes
 * objects in the test API server, to read them back, to reload the profile (node added or removed) and to stop the
 * daemon. Replies are validated with io-ts.
 * @packageDocumentation
 */
import * as http from 'node:http';
import * as t from 'io-ts';
import { DeviceConnectionError, DeviceProtocolError, decodeOrThrow } from '@netloom/ports';

/** A Kubernetes object as the control channel carries it. */
export type KubeObject = Record<string, unknown>;

/** What the daemon reports about its controller loop. */
export const DaemonStatusCodec = t.type({
  pid: t.number,
  /** Reconcile passes reported by the controller since the daemon started (all profiles). */
  passes: t.number,
  /** Profile loads (1 + reloads). */
  generation: t.number,
  /** Device transactions (devices whose outcome was not `unchanged`) per pass, in order. */
  transactions: t.array(t.number),
  /** The last error of the controller loop, if any. */
  lastError: t.union([t.string, t.null]),
  /**
   * Why the controller loop itself failed (the profile or an adapter package would not load, the source would not
   * open), until a pass completes again; null while it runs.
   */
  loopError: t.union([t.string, t.null]),
  /** Devices whose last outcome was `failed`, `compensated` or `skipped`. */
  failingDevices: t.array(t.string),
  /** Wall time of each pass in milliseconds (`finishedAt - startedAt` of its report), parallel to `transactions`. */
  passMs: t.array(t.number),
  /**
   * Per device, how many passes since the daemon started ended in each outcome other than `unchanged`
   * (`applied`, `failed`, `compensated`, `skipped`): `applied + failed + compensated` are the device transactions.
   */
  deviceOutcomes: t.record(t.string, t.record(t.string, t.number)),
});
/** The daemon's status. */
export type DaemonStatus = t.TypeOf<typeof DaemonStatusCodec>;

const ObjectsCodec = t.array(t.UnknownRecord);
const OkCodec = t.type({ ok: t.literal(true) });
const ErrorReplyCodec = t.type({ error: t.string });

/** The client side of the control channel. */
export class LabControl {
  constructor(readonly socketPath: string) {}

  /** Creates or replaces objects in the test API server. */
  async put(objects: readonly KubeObject[]): Promise<void> {
    decodeOrThrow(OkCodec, await this.call('/put', objects), 'lab daemon reply to put');
  }

  /** Deletes objects (by apiVersion/kind/namespace/name). */
  async remove(refs: readonly { kind: string; apiVersion?: string; namespace?: string; name: string }[]): Promise<void> {
    decodeOrThrow(OkCodec, await this.call('/remove', refs), 'lab daemon reply to remove');
  }

  /** Lists the objects of a kind. */
  async list(kind: string, namespace?: string): Promise<KubeObject[]> {
    return decodeOrThrow(ObjectsCodec, await this.call('/list', { kind, ...(namespace !== undefined ? { namespace } : {}) }), 'lab daemon reply to list');
  }

  /** Makes the daemon re-read the profile and restart its controller loop. */
  async reload(): Promise<void> {
    decodeOrThrow(OkCodec, await this.call('/reload', {}), 'lab daemon reply to reload');
  }

  /** The daemon's status. */
  async status(): Promise<DaemonStatus> {
    return decodeOrThrow(DaemonStatusCodec, await this.call('/status', {}), 'lab daemon status');
  }

  /** Asks the daemon to stop (it answers first). */
  async stop(): Promise<void> {
    decodeOrThrow(OkCodec, await this.call('/stop', {}), 'lab daemon reply to stop');
  }

  private call(route: string, body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, path: route, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (e) {
            reject(new DeviceProtocolError(`lab daemon ${route}: the reply is not JSON`, { cause: e }));
            return;
          }
          if (res.statusCode !== 200) {
            const err = ErrorReplyCodec.decode(parsed);
            reject(new DeviceProtocolError(`lab daemon ${route}: ${err._tag === 'Right' ? err.right.error : `HTTP ${String(res.statusCode)}`}`));
            return;
          }
          resolve(parsed);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 30000 ms')));
      req.on('error', (e) => reject(new DeviceConnectionError(`lab daemon at ${this.socketPath} is not reachable: ${e.message}`, { cause: e })));
      req.end(payload);
    });
  }
}

/** Handlers of the server side. */
export interface ControlHandlers {
  put(objects: KubeObject[]): Promise<void>;
  remove(refs: KubeObject[]): Promise<void>;
  list(kind: string, namespace?: string): KubeObject[];
  reload(): void;
  status(): DaemonStatus;
  stop(): void;
}

const ListCodec = t.intersection([t.type({ kind: t.string }), t.partial({ namespace: t.string })]);

/**
 * Serves the control channel on a unix socket.
 * @example const server = await serveControl(files.control, handlers); ... server.close();
 */
export async function serveControl(socketPath: string, h: ControlHandlers): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (code: number, body: unknown): void => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      void (async () => {
        try {
          const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
          switch (req.url) {
            case '/put':
              await h.put(decodeOrThrow(ObjectsCodec, body, 'put body'));
              return reply(200, { ok: true });
            case '/remove':
              await h.remove(decodeOrThrow(ObjectsCodec, body, 'remove body'));
              return reply(200, { ok: true });
            case '/list': {
              const q = decodeOrThrow(ListCodec, body, 'list body');
              return reply(200, h.list(q.kind, q.namespace));
            }
            case '/reload':
              h.reload();
              return reply(200, { ok: true });
            case '/status':
              return reply(200, h.status());
            case '/stop':
              reply(200, { ok: true });
              h.stop();
              return undefined;
            default:
              return reply(404, { error: `no route ${String(req.url)}` });
          }
        } catch (e) {
          return reply(500, { error: e instanceof Error ? e.message : String(e) });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
