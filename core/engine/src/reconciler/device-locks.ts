/**
 * The in-process per-device lock: a single netloom writer per device. A pass takes the locks of all its devices
 * (in sorted order, so two passes over overlapping devices never deadlock) before its first device call and releases
 * them after its last.
 * @packageDocumentation
 */
import type { DeviceLockTable } from './reconciler.types';

/** A table of FIFO mutexes keyed by device name. */
export class DeviceLocks implements DeviceLockTable {
  readonly #tails = new Map<string, Promise<void>>();

  /** Names whose lock is held or awaited. */
  held(): string[] {
    return [...this.#tails.keys()].sort();
  }

  /** Waits for one lock; returns its release function (idempotent). */
  async acquire(name: string): Promise<() => void> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(name, tail);
    await previous;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    };
  }

  async acquireAll(names: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const name of [...new Set(names)].sort()) releases.push(await this.acquire(name));
    return () => {
      for (const r of releases.reverse()) r();
    };
  }
}

/** The process-wide lock table every reconciler uses unless given its own. */
export const processDeviceLocks = new DeviceLocks();
