/**
 * A small TCP proxy in front of an OVSDB server, for the conformance harness: it counts the row operations
 * (`insert`, `update`, `mutate`, `delete`) of the transactions its clients send, and can make the connection fail
 * in the middle of a commit — the transaction that crosses the armed limit reaches the server (it commits), but the
 * client's connection is cut before the reply, as when a link or a server dies at that moment. The client only
 * sees a lost connection with an unknown outcome, the hardest case for a rollback.
 *
 * Listens on 127.0.0.1 only. Not part of the adapter's write path.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import { JsonFramer } from '@netloom/ovsdb';

const WRITE_OPS = new Set(['insert', 'update', 'mutate', 'delete']);

/** The row operations of one JSON-RPC message (0 for anything but a `transact`). */
export function writeOpsOf(text: string): number {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return 0;
  }
  if (typeof msg !== 'object' || msg === null) return 0;
  const m = msg as { method?: unknown; params?: unknown };
  if (m.method !== 'transact' || !Array.isArray(m.params)) return 0;
  return m.params.slice(1).filter((o: unknown) => typeof o === 'object' && o !== null && WRITE_OPS.has(String((o as { op?: unknown }).op))).length;
}

/** A running proxy. */
export interface OvsdbFaultProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Row operations forwarded since it started. */
  readonly writes: number;
  /** Arms one fault: the transaction that takes the count more than `afterWrites` above its current value commits, and its connection is cut before the reply. */
  armFault(afterWrites: number): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy to `upstream` (an ovsdb-server `ptcp:` listener).
 *
 * @example
 * const proxy = await startOvsdbFaultProxy({ host: '127.0.0.1', port: sandbox.tcpPort });
 * // adapter option: { ovsdb: `tcp:127.0.0.1:${proxy.port}` }
 */
export async function startOvsdbFaultProxy(upstream: { readonly host: string; readonly port: number }): Promise<OvsdbFaultProxy> {
  let writes = 0;
  let limit: number | undefined;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    const up = net.connect(upstream.port, upstream.host);
    track(up);
    const framer = new JsonFramer();
    let cut = false;
    client.on('data', (chunk: Buffer) => {
      if (cut) return;
      let texts: string[];
      try {
        texts = framer.push(chunk);
      } catch {
        client.destroy();
        up.destroy();
        return;
      }
      for (const text of texts) {
        const n = writeOpsOf(text);
        up.write(text);
        writes += n;
        if (n > 0 && limit !== undefined && writes > limit) {
          limit = undefined;
          cut = true;
          // The transaction is on its way to the server; the client never hears the answer.
          client.destroy();
          const end = setTimeout(() => up.destroy(), 1000);
          end.unref();
          up.once('data', () => {
            clearTimeout(end);
            up.destroy();
          });
          return;
        }
      }
    });
    up.on('data', (chunk: Buffer) => {
      if (!cut) client.write(chunk);
    });
    client.once('close', () => {
      if (!cut) up.destroy();
    });
    up.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    get writes() {
      return writes;
    },
    armFault(afterWrites: number) {
      limit = writes + Math.max(0, afterWrites);
    },
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
