/**
 * A tap between an OVSDB client and ovsdb-server for simulator targets and tests: a TCP listener on 127.0.0.1 that
 * forwards every JSON-RPC message to the server, counts the write operations of the transactions the server
 * committed, and can lose the next writing transaction (its request, or its reply) to play a switch that drops the
 * session in the middle of a commit.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import { JsonFramer } from '@netloom/ovsdb';

const WRITE_OPS = new Set(['insert', 'update', 'mutate', 'delete']);

/** What the next writing transaction loses: its request (never reaches the server) or its reply (it commits). */
export type LostMessage = 'request' | 'reply';

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  /** Messages from the client are handled one after another (a hook may delay one). */
  queue: Promise<void>;
  /** Writing transactions forwarded and not answered yet: JSON id → number of write operations. */
  readonly pending: Map<string, { writes: number; loseReply: boolean }>;
  closed: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function writeCountOf(message: Record<string, unknown>): number {
  if (message['method'] !== 'transact' || !Array.isArray(message['params'])) return 0;
  return message['params'].slice(1).filter((o) => isRecord(o) && typeof o['op'] === 'string' && WRITE_OPS.has(o['op'])).length;
}

/**
 * The tap. One per simulated device.
 *
 * @example
 * const tap = await OvsdbTap.start({ path: sandbox.socketPath });
 * // connect the adapter to tcp:127.0.0.1:<tap.port>
 * tap.loseNextCommit('request');   // the next writing transaction never reaches the server
 * tap.writes;                      // write operations committed through the tap
 * await tap.close();
 */
export class OvsdbTap {
  readonly #server: net.Server;
  readonly #upstream: net.NetConnectOpts;
  readonly #pairs = new Set<Pair>();
  #writes = 0;
  #commits = 0;
  #lose: LostMessage | undefined;
  #hook: (() => Promise<void>) | undefined;

  private constructor(upstream: net.NetConnectOpts) {
    this.#upstream = upstream;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Starts a tap in front of `upstream` (`{ path }` of a unix socket, or `{ host, port }`). */
  static async start(upstream: net.NetConnectOpts): Promise<OvsdbTap> {
    const tap = new OvsdbTap(upstream);
    await new Promise<void>((resolve, reject) => {
      tap.#server.once('error', reject);
      tap.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return tap;
  }

  /** The TCP port the tap listens on (127.0.0.1). */
  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Write operations (insert, update, mutate, delete) of transactions the server committed through the tap. */
  get writes(): number {
    return this.#writes;
  }

  /** Transactions with at least one write operation that the server committed through the tap. */
  get commits(): number {
    return this.#commits;
  }

  /**
   * Arms one fault: the next transaction that writes loses its request (the connection is cut before the server
   * sees it: nothing is committed) or its reply (the server commits, the connection is cut before the answer).
   */
  loseNextCommit(what: LostMessage): void {
    this.#lose = what;
  }

  /** Runs `fn` before the next writing transaction is forwarded (once), e.g. to change the device under a writer. */
  beforeNextCommit(fn: () => Promise<void>): void {
    this.#hook = fn;
  }

  /** Closes every connection and the listener. */
  async close(): Promise<void> {
    for (const p of this.#pairs) this.#cut(p);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #cut(p: Pair): void {
    p.closed = true;
    p.client.destroy();
    p.upstream.destroy();
    this.#pairs.delete(p);
  }

  #accept(client: net.Socket): void {
    const upstream = net.connect(this.#upstream);
    const pair: Pair = { client, upstream, queue: Promise.resolve(), pending: new Map(), closed: false };
    this.#pairs.add(pair);
    const up = new JsonFramer();
    const down = new JsonFramer();
    client.on('data', (chunk: Buffer) => {
      let texts: string[];
      try {
        texts = up.push(chunk);
      } catch {
        this.#cut(pair);
        return;
      }
      for (const text of texts) pair.queue = pair.queue.then(() => this.#fromClient(pair, text));
    });
    upstream.on('data', (chunk: Buffer) => {
      let texts: string[];
      try {
        texts = down.push(chunk);
      } catch {
        this.#cut(pair);
        return;
      }
      for (const text of texts) this.#fromServer(pair, text);
    });
    const end = (): void => this.#cut(pair);
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }

  async #fromClient(pair: Pair, text: string): Promise<void> {
    if (pair.closed) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    const writes = isRecord(message) ? writeCountOf(message) : 0;
    if (writes > 0 && isRecord(message)) {
      const hook = this.#hook;
      this.#hook = undefined;
      if (hook !== undefined) await hook();
      if (pair.closed) return;
      const lose = this.#lose;
      this.#lose = undefined;
      if (lose === 'request') {
        this.#cut(pair);
        return;
      }
      pair.pending.set(JSON.stringify(message['id']), { writes, loseReply: lose === 'reply' });
    }
    pair.upstream.write(text);
  }

  #fromServer(pair: Pair, text: string): void {
    if (pair.closed) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    if (isRecord(message) && 'id' in message && message['method'] === undefined) {
      const id = JSON.stringify(message['id']);
      const tx = pair.pending.get(id);
      if (tx !== undefined) {
        pair.pending.delete(id);
        const result = message['result'];
        const committed = Array.isArray(result) && result.every((r) => !(isRecord(r) && typeof r['error'] === 'string'));
        if (committed) {
          this.#writes += tx.writes;
          this.#commits++;
        }
        if (tx.loseReply) {
          this.#cut(pair);
          return;
        }
      }
    }
    pair.client.write(text);
  }
}
