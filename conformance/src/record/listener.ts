/**
 * A TCP listener on 127.0.0.1 (a free port) that tracks its connections, so a proxy or replay server can be
 * stopped with everything it accepted. Shared by the recording proxies and replay servers.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import { DeviceConnectionError } from '@netloom/ports';

/** A running listener. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (port 0: a free one) and hands every accepted socket to `onSocket`.
 *
 * @throws DeviceConnectionError when the port cannot be bound (the socket error is the cause).
 */
export async function listenLocal(onSocket: (socket: net.Socket) => void): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new DeviceConnectionError(`cannot listen on 127.0.0.1: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const port = (server.address() as net.AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
