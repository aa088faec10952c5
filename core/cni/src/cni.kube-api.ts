/**
 * The two reads netloom-cni makes from the Kubernetes API — the pod (its allocation annotations) and the `Subnet`
 * CR its address comes from (prefix length and gateway) — over node:https with a bearer token or a client
 * certificate. Replies are validated with the codecs of `@netloom/ports`.
 *
 * Errors are netloom errors with the low-level error as `cause` and never the token: `DeviceConnectionError`
 * (refused, reset, TLS), `DeviceTimeoutError`, `DeviceAuthError` (401, 403), `DeviceProtocolError` (any other
 * status, a reply that is not JSON or not a pod / subnet). {@link isRetryable} says which are worth another try.
 *
 * @packageDocumentation
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type * as t from 'io-ts';
import {
  DeviceAuthError,
  DeviceConnectionError,
  DeviceProtocolError,
  DeviceTimeoutError,
  KubePodCodec,
  KubeSubnetCodec,
  decodeProblems,
  isNetloomError,
  silentLogger,
  type KubePod,
  type KubeSubnet,
  type Logger,
} from '@netloom/ports';
import type { KubeConnection } from './cni.kubeconfig';

/** Largest reply body accepted (a pod is a few KiB). */
const MAX_BODY = 4 * 1024 * 1024;

/** Options of {@link KubeApi}. */
export interface KubeApiOptions {
  readonly connection: KubeConnection;
  /** Timeout of one request (connect to last byte). */
  readonly timeoutMs: number;
  readonly logger?: Logger;
}

/** True for failures another attempt may not see: connection problems, timeouts, 429 and 5xx answers. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof DeviceConnectionError || e instanceof DeviceTimeoutError) return true;
  if (e instanceof DeviceProtocolError) {
    const status = e.details['status'];
    return typeof status === 'number' && (status === 429 || status >= 500);
  }
  return false;
}

/**
 * A minimal, read-only Kubernetes API client.
 *
 * @example
 * const api = new KubeApi({ connection: loadKubeconfig(file), timeoutMs: 5000 });
 * const pod = await api.getPod('shop', 'web-0');   // undefined when it does not exist
 */
export class KubeApi {
  private readonly logger: Logger;

  constructor(private readonly options: KubeApiOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** The API server's URL (no credentials in it). */
  get server(): string {
    return this.options.connection.server.origin;
  }

  /**
   * Reads a pod. Undefined when it does not exist (404).
   * @throws DeviceConnectionError, DeviceTimeoutError, DeviceAuthError, DeviceProtocolError (see the module doc)
   */
  async getPod(namespace: string, name: string): Promise<KubePod | undefined> {
    const raw = await this.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`);
    return raw === undefined ? undefined : this.decode(raw, KubePodCodec, 'Pod', `pod ${namespace}/${name}`);
  }

  /**
   * Reads a netloom `Subnet` (cluster-scoped, `netloom.io/v1alpha1`). Undefined when it does not exist (404).
   * @throws as {@link getPod}
   */
  async getSubnet(name: string): Promise<KubeSubnet | undefined> {
    const raw = await this.get(`/apis/netloom.io/v1alpha1/subnets/${encodeURIComponent(name)}`);
    return raw === undefined ? undefined : this.decode(raw, KubeSubnetCodec, 'Subnet', `Subnet ${name}`);
  }

  private decode<A, O>(raw: unknown, codec: t.Type<A, O, unknown>, kind: string, what: string): A {
    // The API returns `kind` on a single GET; add it when something on the way dropped it, as the codecs need it.
    const withKind = typeof raw === 'object' && raw !== null && !('kind' in raw) ? { ...raw, kind } : raw;
    const r = decodeProblems(codec, withKind);
    if (r.value === undefined) {
      const lines = r.problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
      throw new DeviceProtocolError(`Kubernetes API ${this.server}: ${what} does not have the expected shape: ${lines.join('; ')}`, { details: { problems: r.problems } });
    }
    return r.value;
  }

  private get(path: string): Promise<unknown> {
    const c = this.options.connection;
    const url = new URL(path, c.server);
    const where = `Kubernetes API ${url.origin} GET ${url.pathname}`;
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json', 'User-Agent': 'netloom-cni', ...(c.token !== undefined ? { Authorization: `Bearer ${c.token}` } : {}) },
      timeout: this.options.timeoutMs,
      agent: false,
      ...(c.ca !== undefined ? { ca: c.ca } : {}),
      ...(c.cert !== undefined ? { cert: c.cert } : {}),
      ...(c.key !== undefined ? { key: c.key } : {}),
      rejectUnauthorized: !c.insecureSkipTlsVerify,
    };
    const started = Date.now();
    return new Promise<unknown>((resolve, reject) => {
      const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_BODY) {
            req.destroy(new DeviceProtocolError(`${where}: reply larger than ${MAX_BODY} bytes`));
            return;
          }
          chunks.push(d);
        });
        res.on('error', (e) => reject(wrap(e)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString('utf8');
          this.logger.debug({ path: url.pathname, status, ms: Date.now() - started }, 'kubernetes api');
          if (status === 404) return resolve(undefined);
          if (status === 401 || status === 403) return reject(new DeviceAuthError(`${where}: ${status} ${status === 401 ? 'Unauthorized (the token or certificate was refused)' : `Forbidden (${apiMessage(body)})`}`, { details: { status } }));
          if (status !== 200) return reject(new DeviceProtocolError(`${where}: ${status} ${apiMessage(body)}`, { details: { status } }));
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(new DeviceProtocolError(`${where}: the reply is not JSON`, { cause: e, details: { status } }));
          }
        });
      };
      const wrap = (e: Error): Error => {
        if (isNetloomError(e)) return e;
        return new DeviceConnectionError(`${where}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { cause: e });
      };
      const req = (url.protocol === 'https:' ? https : http).request(url, options, onResponse);
      req.on('timeout', () => req.destroy(new DeviceTimeoutError(`${where}: no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (e) => reject(wrap(e)));
      req.end();
    });
  }
}

/** The `message` of a Kubernetes `Status` body, or a short excerpt. */
function apiMessage(body: string): string {
  try {
    const s: unknown = JSON.parse(body);
    if (typeof s === 'object' && s !== null && typeof (s as { message?: unknown }).message === 'string') return (s as { message: string }).message;
  } catch {
    /* not a Status */
  }
  return body.slice(0, 200);
}
