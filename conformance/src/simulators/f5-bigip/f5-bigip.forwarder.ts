/**
 * The data plane of the simulated BIG-IP: for every enabled TCP virtual server whose destination address is local
 * (127.0.0.0/8, `::1`, or an address of an interface in the simulator's network namespace) it listens on
 * `address:port` and pipes each accepted connection to one member of the virtual server's pool that takes new
 * connections, round robin. A member that is disabled (`session: user-disabled`, F5 "disabled", netloom
 * `draining`) or forced offline gets no new connections, but its open connections run on; with no such member the
 * connection is closed at once. Deleting the virtual server (or the simulator) closes its listener and connections.
 *
 * Members are looked up when a connection arrives, so a member change needs no listener change.
 *
 * @packageDocumentation
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isIpv4 } from '@netloom/ports';

/** A listener the forwarder should have: one per local TCP virtual server. */
export interface ListenerSpec {
  readonly address: string;
  readonly port: number;
  /** The virtual server's full path (`/shop/web-443`). */
  readonly virtual: string;
}

/** A listener the forwarder has. */
export interface ListenerView extends ListenerSpec {
  /** Connections open through it right now. */
  readonly connections: number;
}

/** A pool member as the forwarder sees it when a connection arrives. */
export interface ForwardMember {
  readonly address: string;
  readonly port: number;
  /** Takes new connections (enabled, not forced offline). */
  readonly available: boolean;
}

/** What the forwarder asks the device when a connection arrives: the pool behind a virtual server. */
export type ResolveVirtual = (virtual: string) => { readonly pool: string; readonly members: readonly ForwardMember[] } | undefined;

/** Counters of the data plane. */
export interface ForwarderStats {
  /** Connections piped to a member. */
  forwarded: number;
  /** Connections closed because no member took new connections. */
  refused: number;
  /** Connections closed because the chosen member could not be reached. */
  upstreamFailures: number;
  /** Listeners that could not be opened (address in use, address not available). */
  listenFailures: number;
}

/** True for 127.0.0.0/8, `::1` and the addresses of this network namespace's interfaces. */
export function isLocalAddress(address: string): boolean {
  if (isIpv4(address) && address.startsWith('127.')) return true;
  if (address === '::1') return true;
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.address === address) return true;
  return false;
}

interface Listener {
  spec: ListenerSpec;
  readonly server: Server;
  readonly sockets: Set<Socket>;
}

const keyOf = (s: { address: string; port: number }): string => `${s.address}|${s.port}`;

/** The TCP forwarder of one simulator. */
export class F5Forwarder {
  readonly stats: ForwarderStats = { forwarded: 0, refused: 0, upstreamFailures: 0, listenFailures: 0 };
  /** Why the last listeners that failed did so (`address:port: reason`). */
  readonly failures: string[] = [];
  readonly #listeners = new Map<string, Listener>();
  readonly #next = new Map<string, number>();
  readonly #resolve: ResolveVirtual;
  #closed = false;

  constructor(resolve: ResolveVirtual) {
    this.#resolve = resolve;
  }

  /** The listeners open now. */
  listeners(): ListenerView[] {
    return [...this.#listeners.values()].map((l) => ({ ...l.spec, connections: l.sockets.size }));
  }

  /** Opens and closes listeners so that exactly `specs` (the local ones) are served. */
  async sync(specs: readonly ListenerSpec[]): Promise<void> {
    if (this.#closed) return;
    const wanted = new Map(specs.filter((s) => isLocalAddress(s.address)).map((s) => [keyOf(s), s]));
    for (const [key, l] of this.#listeners) {
      const spec = wanted.get(key);
      if (spec === undefined) this.#stop(key, l);
      else l.spec = spec;
    }
    await Promise.all([...wanted].filter(([key]) => !this.#listeners.has(key)).map(([key, spec]) => this.#start(key, spec)));
  }

  /** Closes every listener and connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing = [...this.#listeners].map(([key, l]) => this.#stop(key, l));
    await Promise.all(closing);
  }

  #start(key: string, spec: ListenerSpec): Promise<void> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => this.#accept(listener, client));
    const listener: Listener = { spec, server, sockets };
    return new Promise((resolve) => {
      const onError = (e: Error): void => {
        this.stats.listenFailures++;
        this.failures.push(`${spec.address}:${spec.port}: ${e.message}`);
        resolve();
      };
      server.once('error', onError);
      server.listen({ host: spec.address, port: spec.port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', () => undefined);
        this.#listeners.set(key, listener);
        resolve();
      });
    });
  }

  #stop(key: string, l: Listener): Promise<void> {
    this.#listeners.delete(key);
    for (const s of l.sockets) s.destroy();
    l.sockets.clear();
    return new Promise((resolve) => l.server.close(() => resolve()));
  }

  #accept(listener: Listener, client: Socket): void {
    listener.sockets.add(client);
    client.on('close', () => listener.sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = this.#resolve(listener.spec.virtual);
    const candidates = target?.members.filter((m) => m.available) ?? [];
    if (target === undefined || candidates.length === 0) {
      this.stats.refused++;
      client.destroy();
      return;
    }
    const n = this.#next.get(target.pool) ?? 0;
    this.#next.set(target.pool, n + 1);
    const member = candidates[n % candidates.length]!;
    const upstream = createConnection({ host: member.address, port: member.port });
    listener.sockets.add(upstream);
    upstream.on('close', () => {
      listener.sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => {
      this.stats.upstreamFailures++;
      upstream.destroy();
    });
    upstream.on('connect', () => {
      this.stats.forwarded++;
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
