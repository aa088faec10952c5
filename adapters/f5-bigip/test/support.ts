// Helpers of this package's tests: a simulator per test with clean-up, drivers pointed at it, a logger that keeps
// every line (to prove no secret reaches it), small TCP "pods" and free ports on 127.0.0.1.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { F5BigipSimulator, F5BigipSimulatorOptions } from '@netloom/conformance/simulators';
import { adapter, type F5BigipSession } from '@netloom/adapter-f5-bigip';
import type { DeviceTarget, LoadBalancerConfigInput, LoadBalancerDriver, Logger } from '@netloom/ports';
import { CREDENTIALS, startSimulator } from './targets';

type DeepMutable<T> = { -readonly [K in keyof T]: DeepMutable<T[K]> };
/** A load-balancer config in input form that tests may edit in place. */
export type EditableConfig = DeepMutable<LoadBalancerConfigInput>;

/** A logger that records every line (message and fields, as JSON). */
export class RecordingLogger implements Logger {
  constructor(readonly lines: string[] = []) {}
  #push(level: string, obj: object, msg?: string): void {
    this.lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  }
  debug(obj: object, msg?: string): void {
    this.#push('debug', obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.#push('info', obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.#push('warn', obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.#push('error', obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    const prefix = JSON.stringify(bindings);
    const wrap =
      (level: 'debug' | 'info' | 'warn' | 'error') =>
      (obj: object, msg?: string): void =>
        this[level]({ ...obj, bindings: prefix }, msg);
    return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error'), child: (b) => this.child({ ...bindings, ...b }) };
  }
}

/** Starts simulators and remembers everything to clean up after each test (also when it fails). */
export class Fixture {
  readonly #cleanups: Array<() => Promise<void> | void> = [];

  /** Registers a clean-up (run in reverse order by {@link cleanup}). */
  defer(fn: () => Promise<void> | void): void {
    this.#cleanups.push(fn);
  }

  async simulator(options: F5BigipSimulatorOptions = {}): Promise<F5BigipSimulator> {
    const sim = await startSimulator(options);
    this.defer(() => sim.close());
    return sim;
  }

  /** The target of a simulator, trusted through its CA, with the test user. */
  target(sim: F5BigipSimulator, overrides: Partial<DeviceTarget> = {}): DeviceTarget {
    return { name: 'lb1', address: sim.host, port: sim.port, credentials: { ...CREDENTIALS }, tls: { verify: true, ...(sim.ca === undefined ? {} : { ca: sim.ca }) }, ...overrides };
  }

  driver(sim: F5BigipSimulator, opts: { target?: Partial<DeviceTarget>; options?: Record<string, unknown>; logger?: Logger } = {}): LoadBalancerDriver {
    return adapter.ports.loadBalancer!({ target: this.target(sim, opts.target), options: opts.options ?? {}, logger: opts.logger ?? new RecordingLogger() });
  }

  /** A connected session (closed after the test). */
  async session(sim: F5BigipSimulator, opts: Parameters<Fixture['driver']>[1] = {}): Promise<F5BigipSession> {
    const s = (await this.driver(sim, opts).connect()) as F5BigipSession;
    this.defer(() => s.close().catch(() => undefined));
    return s;
  }

  async cleanup(): Promise<void> {
    for (const fn of this.#cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // keep cleaning up
      }
    }
  }
}

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A TCP server on 127.0.0.1 that greets every connection with its name and echoes lines prefixed with it. */
export async function startPod(name: string): Promise<{ readonly port: number; readonly server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    s.write(`${name}\n`);
    s.on('data', (d) => s.write(`${name}:${d.toString()}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Every string in a value (deep), for "no secret anywhere" checks. */
export function everyText(value: unknown, seen = new Set<unknown>()): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || seen.has(value)) return String(value);
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.message, String(value.stack), everyText((value as { cause?: unknown }).cause, seen));
  for (const k of Object.getOwnPropertyNames(value)) parts.push(k, everyText((value as Record<string, unknown>)[k], seen));
  return parts.join('\n');
}
